"""A second reading of what a question asks for, learned from labelled questions.

The rule parser (``advisor.parse``) reads intent from cue phrases; it fits the phrasings it was
written against. This vote is a naive Bayes over word stems and stem pairs (stop words kept: "is X a
good", "what was", "why did" are where intent lives), trained on the development question sets
(``question_examples.yaml``). It is right about as often as the rules on an author neither has seen,
but wrong on different questions, so a sure vote that disagrees with the rules decides
(``understand``; leave-one-set-out figures in bench/bench_understanding.py --loso).
"""

from __future__ import annotations

import math
import threading
from collections import Counter, defaultdict
from dataclasses import dataclass

from .goals import question_examples
from .stemming import stems

__all__ = ["IntentVote", "intent_vote", "learned_intents", "train_intent_vote"]

_SMOOTH = 0.2
# An intent with fewer examples than this is never the vote's answer: its probabilities come from a
# handful of phrasings ("send me the digest") and are sure of the wrong things ("define brand awareness
# for me" read as a digest at 0.94).
MIN_EXAMPLES = 50


@dataclass(frozen=True)
class IntentVote:
    intent: str
    probability: float


class _Model:
    def __init__(self, examples: tuple[tuple[str, str], ...]):
        self.counts: dict[str, Counter[str]] = defaultdict(Counter)
        self.prior: Counter[str] = Counter()
        for question, intent in examples:
            self.prior[intent] += 1
            self.counts[intent].update(_features(question))
        self.vocab = set().union(*self.counts.values()) if self.counts else set()

    def vote(self, question: str) -> IntentVote | None:
        feats = [f for f in _features(question) if f in self.vocab]
        if not feats or not self.prior:
            return None
        logp = {}
        for intent, n in self.prior.items():
            seen = self.counts[intent]
            logp[intent] = math.log(n) + sum(math.log((seen[f] + _SMOOTH) / (n + 2 * _SMOOTH)) for f in feats)
        # Tempered like the goal vote: many features must not make a long question look certain.
        temp = max(1.0, len(feats) / 4)
        top = max(logp.values())
        exp = {k: math.exp((v - top) / temp) for k, v in logp.items()}
        total = sum(exp.values())
        best = max(exp, key=lambda k: exp[k])
        if self.prior[best] < MIN_EXAMPLES:
            return None
        return IntentVote(best, exp[best] / total)


def _features(question: str) -> set[str]:
    tokens = stems(question.lower())
    return {*tokens, *(f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False))}


_MODEL: list[_Model] = []
_LOCK = threading.Lock()


def train_intent_vote(examples: tuple[tuple[str, str], ...] | None = None) -> None:
    """(Re)train the vote, on ``examples`` (question, intent) or the bundled ones."""
    pairs = examples if examples is not None else tuple((e["q"], e["intent"]) for e in question_examples())
    model = _Model(pairs)
    with _LOCK:
        _MODEL[:] = [model]


def learned_intents() -> frozenset[str]:
    """The intents the vote has examples of (it cannot speak against a reading it never learned)."""
    if not _MODEL:
        train_intent_vote()
    return frozenset(_MODEL[0].prior)


def intent_vote(question: str) -> IntentVote | None:
    """The learned reading of ``question``'s intent, or None when it knows none of its words."""
    if not _MODEL:
        train_intent_vote()
    return _MODEL[0].vote(question)
