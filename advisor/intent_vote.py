"""A second reading of what a question asks for, learned from labelled questions.

The rule parser (``advisor.parse``) reads intent from cue phrases; it fits the phrasings it was
written against. This vote is a multinomial logistic regression over word stems and stem pairs
(stop words kept: "is X a good", "what was", "why did" are where intent lives), fitted on the
development question sets (``question_examples.yaml``) by tests/data/build_question_examples.py,
which ships its weights as ``intent_weights.npz``. On authors neither has seen it is right more
often than the rules (leave-one-set-out, bench/bench_understanding.py --loso), so when it is
sure enough (``understand.INTENT_SURE``) it decides and the rules stand otherwise.
Chosen by the same measurement over a naive Bayes vote (about half the gain).
"""

from __future__ import annotations

import hashlib
import math
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .stemming import stems

__all__ = ["IntentVote", "IntentModel", "fit_intent_model", "intent_vote", "learned_intents", "use_intent_model",
           "WEIGHTS_FILE", "examples_digest"]

WEIGHTS_FILE = Path(__file__).with_name("intent_weights.npz")
# An intent with fewer examples than this is never the vote's answer: learned from a handful of
# phrasings ("send me the digest"), its probabilities are sure of the wrong things.
MIN_EXAMPLES = 50
_L2 = 1e-3
_STEPS = 300
_RATE = 4.0


@dataclass(frozen=True)
class IntentVote:
    intent: str
    probability: float
    probabilities: dict[str, float] = field(default_factory=dict)  # every intent's

    def of(self, intent: str) -> float:
        return self.probabilities.get(intent, 0.0)


class IntentModel:
    """Weights per (feature, intent) and a bias per intent; ``counts`` are the examples per intent."""

    def __init__(self, features: Sequence[str], classes: Sequence[str], weights: np.ndarray, bias: np.ndarray,
                 counts: Sequence[int]):
        self.index = {f: i for i, f in enumerate(features)}
        self.classes = list(classes)
        self.weights = np.asarray(weights, dtype=np.float64)
        self.bias = np.asarray(bias, dtype=np.float64)
        self.counts = dict(zip(self.classes, (int(c) for c in counts), strict=True))

    def probabilities(self, question: str) -> dict[str, float]:
        """Each intent's probability for ``question``; empty when it knows none of its words."""
        rows = [self.index[f] for f in _features(question) if f in self.index]
        if not rows:
            return {}
        z = self.weights[rows].sum(axis=0) / math.sqrt(len(rows)) + self.bias
        p = np.exp(z - z.max())
        p /= p.sum()
        return dict(zip(self.classes, p.tolist(), strict=True))

    def vote(self, question: str) -> IntentVote | None:
        probs = self.probabilities(question)
        if not probs:
            return None
        best = max(probs, key=lambda k: probs[k])
        if self.counts[best] < MIN_EXAMPLES:
            return None
        return IntentVote(best, probs[best], probs)

    def save(self, path: Path, digest: str) -> None:
        features = sorted(self.index, key=self.index.__getitem__)
        with path.open("wb") as fh:
            np.savez_compressed(fh, features=np.array(features), classes=np.array(self.classes),
                                weights=self.weights.astype(np.float32), bias=self.bias,
                                counts=np.array([self.counts[c] for c in self.classes]),
                                digest=np.array(digest))

    @classmethod
    def load(cls, path: Path) -> tuple[IntentModel, str]:
        with np.load(path, allow_pickle=False) as data:
            model = cls([str(f) for f in data["features"]], [str(c) for c in data["classes"]], data["weights"],
                        data["bias"], data["counts"].tolist())
            return model, str(data["digest"])


def fit_intent_model(examples: Sequence[tuple[str, str]]) -> IntentModel:
    """Multinomial logistic regression on unit-length binary feature vectors (L2, full-batch gradient
    descent from zero: deterministic)."""
    classes = sorted({intent for _, intent in examples})
    index: dict[str, int] = {}
    rows = [np.array(sorted(index.setdefault(f, len(index)) for f in sorted(_features(q))), dtype=np.int64)
            for q, _ in examples]  # sorted: the same examples give the same weights in any process
    lengths = np.array([len(r) for r in rows])
    keep = lengths > 0
    flat = np.concatenate([r for r in rows if len(r)]) if keep.any() else np.zeros(0, dtype=np.int64)
    owner = np.repeat(np.arange(int(keep.sum())), lengths[keep])
    # each question a unit vector (1/sqrt(n) per feature): long questions do not dominate, and the
    # step size stays stable whatever the number of features
    value = (1.0 / np.sqrt(np.repeat(lengths[keep], lengths[keep]).astype(float)))[:, None]
    starts = np.concatenate([[0], np.cumsum(lengths[keep])[:-1]]).astype(np.int64)
    labels = np.array([classes.index(intent) for (_, intent), k in zip(examples, keep, strict=True) if k])
    target = np.eye(len(classes))[labels]
    n = max(len(labels), 1)
    weights = np.zeros((len(index), len(classes)))
    bias = np.zeros(len(classes))
    for _ in range(_STEPS if len(labels) else 0):
        z = np.add.reduceat(weights[flat] * value, starts, axis=0) + bias
        p = np.exp(z - z.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        d = (p - target) / n
        grad = np.zeros_like(weights)
        np.add.at(grad, flat, d[owner] * value)
        weights -= _RATE * (grad + _L2 * weights)
        bias -= _RATE * d.sum(axis=0)
    counts = Counter(intent for _, intent in examples)
    return IntentModel(sorted(index, key=index.__getitem__), classes, weights, bias, [counts[c] for c in classes])


def examples_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _features(question: str) -> set[str]:
    tokens = stems(question.lower())
    return {*tokens, *(f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False))}


_MODEL: list[IntentModel] = []
_LOCK = threading.Lock()


def use_intent_model(model: IntentModel | None) -> None:
    """Use ``model`` from now on (None: the shipped weights again)."""
    with _LOCK:
        _MODEL[:] = [model] if model is not None else []


def _model() -> IntentModel:
    with _LOCK:
        if not _MODEL:
            _MODEL.append(IntentModel.load(WEIGHTS_FILE)[0])
        return _MODEL[0]


def learned_intents() -> frozenset[str]:
    """The intents the vote has examples of (it cannot speak against a reading it never learned)."""
    return frozenset(_model().classes)


def intent_vote(question: str) -> IntentVote | None:
    """The learned reading of ``question``'s intent, or None when it knows none of its words."""
    return _model().vote(question)
