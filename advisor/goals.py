"""Goal family of a question, with a confidence and the evidence for it.

Design note (issue 9 follow-up, i9b). Fresh hand-written questions missed for reasons of design,
not of vocabulary, so the scorer now reads a question's structure:
- what the team *wants* (objective cues) outweighs who or where it is (``CONTEXT_CUES``: business
  types, places, formats), which decides only when no cue of weight 2+ states an objective: "most
  people in our city don't know we exist" is awareness, "dental clinic here, which KPI?" local;
- words in the scope of an exclusion ("not chasing leads", "no links", "rather than sales") count
  for nothing, cues and vote alike; a problem stated in the negative ("don't know we exist") still counts;
- words a neutraliser covers ("we care about") do not vote either; a cue said twice counts once;
- no stem is a cue for two families (a test checks it): the stemmer folded "conversation" onto
  "conversion", "books" onto "bookings", "direction" onto "directions" (``OWN_STEMS`` keeps them apart);
- other forms of a one-word cue are read through a derivational root ("recognised" -> "recognition",
  "trustworthy" -> "trust"), and a multi-word cue with one word inside it still matches ("book a free
  demo"); goals named in the catalog's own words ("local service demand") state the goal outright;
- objectives two kinds of business share (a quote or a call: local for a plumber, leads for a
  software company; an order: e-commerce for a web shop, local for a bakery) follow the context given
  (``SHARED_OBJECTIVES``); what follows the last "but" is the concern and the cues before it count half;
- with only weak hints (no cue of weight 2+), the knowledge-base vote decides and the hints nudge it.
Tried and dropped by measurement: the retrieval lexicon's concepts as extra cues, and a stop list of
question-frame words for the vote (both lowered the development figures).

Two offline scorers, both over word stems so inflection, hyphenation and most
typos do not matter:

- cues: the phrases of ``goal_lexicon`` (longest match first, never two cues on
  the same words), typo-corrected against the cue vocabulary;
- a naive Bayes vote trained on the knowledge base (each section counts for the
  goal families in its document's front matter) and the catalog (goal names,
  objectives and synonyms; each KPI's name, definition and synonyms for its
  families) and the labelled goal questions of the development sets
  (``question_examples.yaml``: how people actually ask). It knows words the
  lexicon lacks and is consulted when cues are weak.

The two are mixed into one distribution over families; ``GoalEstimate`` says how
sure it is and why.
"""

from __future__ import annotations

import itertools
import math
import re
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from kpi_engine.catalog import Catalog

from .goal_lexicon import CONTEXT_CUES, GOAL_CUES, NEUTRALISERS, OWN_STEMS, SCENARIOS, SHARED_OBJECTIVES
from .stemming import _save_stems, _stem, _words, stems

__all__ = ["GoalEstimate", "GoalModel", "concept_stems", "load_goal_model"]

_STOP = frozenset(
    "a an the of to for in on at by with and or but is are was were be been being it its this that these those "
    "we our us i my me you your they their them he she his her do does did doing have has had will would can "
    "could should shall may might must what which who whom how why when where there here if then than so as "
    "about into from up down out over under again just also very really pls please hi hey ok okay lol tbh rn "
    "any some all more most much many one s t".split()
)


@dataclass(frozen=True)
class GoalEstimate:
    """A distribution over goal families, its best guess, and why."""

    probs: dict[str, float]
    cue_scores: dict[str, float]
    evidence: tuple[str, ...]
    scenario: str | None = None
    corrected: tuple[tuple[str, str], ...] = ()

    @property
    def ranked(self) -> list[tuple[str, float]]:
        return sorted(self.probs.items(), key=lambda kv: kv[1], reverse=True)

    @property
    def best(self) -> str | None:
        ranked = self.ranked
        return ranked[0][0] if ranked and ranked[0][1] > 0 else None

    @property
    def confidence(self) -> float:
        """Top probability, lowered when the runner-up is close (a margin-aware certainty)."""
        ranked = self.ranked
        if not ranked or ranked[0][1] <= 0:
            return 0.0
        top = ranked[0][1]
        second = ranked[1][1] if len(ranked) > 1 else 0.0
        return round(top * min(1.0, 0.5 + (top - second) * 1.5), 3)

    @property
    def cue_strength(self) -> float:
        return max(self.cue_scores.values(), default=0.0)


@dataclass
class _Cues:
    table: dict[tuple[str, ...], list[tuple[str, float]]] = field(default_factory=dict)
    longest: int = 1
    vocab: frozenset[str] = frozenset()
    neutral: tuple[tuple[str, ...], ...] = ()


@lru_cache(maxsize=1)
def _build_cues() -> _Cues:
    best: dict[tuple[str, ...], dict[str, float]] = defaultdict(dict)
    for family, cues in GOAL_CUES.items():
        context = set(CONTEXT_CUES.get(family, ()))
        for phrase, weight in cues.items():
            if weight > 0:  # inflections of one word share a stem: the strongest wording counts
                key = tuple(stems(phrase))
                name = f"context:{family}" if phrase in context else family
                best[key][name] = max(best[key].get(name, 0.0), float(weight))
    for name, spec in SCENARIOS.items():
        for phrase, weight in spec["cues"].items():
            key = tuple(stems(phrase))
            best[key][f"scenario:{name}"] = max(best[key].get(f"scenario:{name}", 0.0), float(weight))
    table = {key: sorted(fams.items()) for key, fams in best.items()}
    words = [w for cues in GOAL_CUES.values() for p in cues for w in _words(p)]
    words += [w for spec in SCENARIOS.values() for p in spec["cues"] for w in _words(p)]
    vocab = frozenset(w for w in words if len(w) >= 4)
    neutral = tuple(tuple(stems(p)) for p in NEUTRALISERS)
    return _Cues(table=table, longest=max(len(k) for k in table), vocab=vocab, neutral=neutral)


def _edit_distance_at_most(a: str, b: str, limit: int) -> bool:
    """Damerau-Levenshtein distance <= limit (small limits, short words)."""
    if abs(len(a) - len(b)) > limit:
        return False
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return False
        prev2, prev = prev, cur
    return prev[-1] <= limit


class GoalModel:
    """Scores goal families for a question (thread-safe, built once per catalog)."""

    def __init__(self, *, catalog: Catalog, documents: Iterable[tuple[Sequence[str], str]] = (),
                 examples: Callable[[], Iterable[tuple[str, str]]] = tuple, cue_weight: float = 1.0,
                 vote_weight: float = 0.35):
        self.families = tuple(catalog.goals)
        self._catalog = catalog
        self._documents = list(documents)
        self._examples = examples  # read when the vote first trains
        self._cues = _build_cues()
        # A goal named by the catalog in several words ("local service demand", "lead generation") states
        # it outright; one-word synonyms ("brand", "retail") are the lexicon's to weigh.
        self._table = dict(self._cues.table)
        for goal in catalog.goals.values():
            for name in (goal.name, *goal.synonyms):
                key = tuple(w for w in stems(name.replace("_", " ").replace("/", " ")) if w not in ("and",))
                if len(key) >= 2:
                    hits = dict(self._table.get(key, ()))
                    hits[goal.id] = max(hits.get(goal.id, 0.0), 3.0)
                    self._table[key] = sorted(hits.items())
        self._longest = max(len(k) for k in self._table)
        self._roots = _cue_roots()
        self._known: set[str] = set(self._cues.vocab)
        self._by_letter: dict[str, list[str]] = defaultdict(list)
        self.cue_weight = cue_weight
        self.vote_weight = vote_weight
        self._vote_lock = threading.Lock()
        self._log_prob: dict[str, dict[str, float]] | None = None
        self._log_unseen: dict[str, float] = {}
        self._informative: set[str] = set()
        for _, text in self._documents:
            self._known.update(_words(text))
        for kpi in catalog.kpis.values():
            self._known.update(_words(" ".join([kpi.id.replace("_", " "), kpi.name, kpi.definition, *kpi.synonyms])))
        targets = set(self._cues.vocab) | {w for k in catalog.kpis.values()
                                            for w in _words(" ".join([k.name, *k.synonyms])) if len(w) >= 4}
        for w in sorted(targets):
            self._by_letter[w[0]].append(w)

    # ------------------------------------------------------------------ training

    def _trained(self) -> dict[str, dict[str, float]]:
        """The vote's tables, trained on first use (stemming the knowledge base takes about a second,
        which a question with clear goal words never pays)."""
        with self._vote_lock:
            if self._log_prob is None:
                self._train(self._catalog, self._documents, self._examples())
                _save_stems()
            assert self._log_prob is not None
            return self._log_prob

    def _train(self, catalog: Catalog, documents: Iterable[tuple[Sequence[str], str]],
               examples: Iterable[tuple[str, str]] = ()) -> None:
        counts: dict[str, dict[str, float]] = {f: defaultdict(float) for f in self.families}

        def add(families: Sequence[str], text: str, weight: float = 1.0) -> None:
            fams = [f for f in families if f in counts]
            if not fams:
                return
            feats = _features(stems(text))
            for f in fams:
                for feat in feats:
                    counts[f][feat] += weight / len(fams)

        for goal in catalog.goals.values():
            text = " ".join([goal.name, goal.objective, *(s.replace("_", " ") for s in goal.synonyms)])
            add([goal.id], text, 3.0)
        for kpi in catalog.kpis.values():
            add(list(kpi.families), " ".join([kpi.name, kpi.definition, *kpi.synonyms]))
        for families, text in documents:
            if 0 < len(families) <= 3:  # cross-cutting documents say little about any one goal
                add(list(families), text)
        for family, cues in GOAL_CUES.items():
            add([family], " ".join(p for p, w in cues.items() if w >= 2), 2.0)
        for question, family in examples:  # labelled questions: how people actually ask
            add([family], question)
        vocab = set().union(*(c.keys() for c in counts.values()))
        total_vocab = len(vocab) + 1
        log_prob: dict[str, dict[str, float]] = {}
        for f, c in counts.items():
            total = sum(c.values()) + total_vocab * 0.1
            log_prob[f] = {feat: math.log((n + 0.1) / total) for feat, n in c.items()}
            self._log_unseen[f] = math.log(0.1 / total)
        # Informative features only: a stem every family uses ("social", "post") votes for none.
        informative = set()
        for feat in vocab:
            values = [log_prob[f].get(feat, self._log_unseen[f]) for f in self.families]
            if max(values) - min(values) > 1.0:
                informative.add(feat)
        self._informative = informative
        self._log_prob = log_prob

    # ------------------------------------------------------------------ scoring

    def knows(self, word: str) -> bool:
        """Whether ``word`` occurs in the knowledge base, the catalog or the goal cues."""
        return word in self._known

    def add_targets(self, words: Iterable[str]) -> None:
        """More words typos may be corrected to (the parser's KPI, period and command words)."""
        with _LOCK:
            for w in sorted(set(words)):
                if len(w) >= 4 and w.isalpha() and w not in self._by_letter.get(w[0], ()):
                    self._by_letter[w[0]].append(w)
                    self._known.add(w)

    def correct(self, words: list[str]) -> tuple[list[str], list[tuple[str, str]]]:
        """Words with likely typos replaced by the closest goal or KPI word (edit distance 1, 2 if long)."""
        out, fixed = [], []
        for word in words:
            if len(word) >= 6 and word.isalpha() and word not in self._known and word not in _STOP:
                limit = 1 if len(word) < 10 else 2  # "climbing" is not a typo of "clicking"
                match = next((v for v in self._by_letter.get(word[0], ())
                              if _edit_distance_at_most(word, v, limit)), None)
                if match and _stem(match) != _stem(word):  # another inflection is not a typo
                    fixed.append((word, match))
                    word = match
            out.append(word)
        return out, fixed

    def estimate(self, text: str, *, vote: bool = True) -> GoalEstimate:
        """Goal probabilities for ``text``; ``vote=False`` reads the cues only (no training on first use)."""
        words, fixed = self.correct(_words(text))
        tokens = [_stem(w) for w in words]
        excluded = excluded_positions(words)
        neutral = self._neutralised(tokens)
        cue_scores, evidence, scenario_score = self._match_cues(tokens, list(neutral), excluded, words)
        ranked = sorted(cue_scores.values(), reverse=True)
        # The vote settles weak or split cues; clear ones ("which KPI for awareness") do not need it.
        clear = bool(ranked) and ranked[0] >= 3 and (len(ranked) == 1 or ranked[1] <= 0.5 * ranked[0])
        # "not chasing leads" votes for no leads, "we care about X" for no customer care
        kept = [t for t, out, n in zip(tokens, excluded, neutral, strict=True) if not (out or n)]
        votes = {} if clear or not vote or self.vote_weight <= 0 else self._vote(kept)
        scenario = None
        if scenario_score:
            name, score = max(scenario_score.items(), key=lambda kv: kv[1])
            goal = SCENARIOS[name]["goal"]
            cue_scores[goal] = cue_scores.get(goal, 0.0) + score
            scenario = name
        if votes and max(cue_scores.values(), default=0.0) < 2:
            # Only weak hints ("posts", "content", a business type): the vote decides, the hints nudge it.
            nudged = {f: votes.get(f, 0.0) + WEAK_NUDGE * cue_scores.get(f, 0.0) for f in self.families}
            total = sum(nudged.values()) or 1.0
            probs = {f: round(v / total, 4) for f, v in nudged.items()}
        else:
            probs = self._mix(cue_scores, votes)
        if scenario and max(probs, key=lambda f: probs[f]) != SCENARIOS[scenario]["goal"]:
            scenario = None
        if votes:
            top = max(votes, key=lambda f: votes[f])
            evidence.append(f"vote (knowledge base and example questions): {top} {votes[top]:.2f}")
        return GoalEstimate(probs=probs, cue_scores=cue_scores, evidence=tuple(evidence), scenario=scenario,
                            corrected=tuple(fixed))

    def _neutralised(self, tokens: list[str]) -> list[bool]:
        """Per token, whether a neutraliser covers it ("care about" is not customer care)."""
        used = [False] * len(tokens)
        for key in self._cues.neutral:
            for i in range(len(tokens) - len(key) + 1):
                if tuple(tokens[i:i + len(key)]) == key:
                    for j in range(i, i + len(key)):
                        used[j] = True
        return used

    def _match_cues(self, tokens: list[str], used: list[bool], excluded: list[bool] | None = None,
                    words: list[str] | None = None) -> tuple[dict[str, float], list[str], dict[str, float]]:
        """Cue scores over ``tokens``; ``used`` marks tokens no cue may take (neutralised ones)."""
        scores: dict[str, float] = {}
        scenarios: dict[str, float] = {}
        context: list[tuple[str, str, float]] = []
        evidence: list[str] = []
        seen: set[str] = set()
        taken: list[tuple[tuple[str, ...], str, float]] = []
        strongest = 0.0
        # "our posts get seen but nobody reacts": what follows the last "but" is the concern; what comes
        # before it is background and counts half (when the concern itself names a goal).
        turn = max((i for i, w in enumerate(words or ()) if w in ("but", "however")), default=-1)
        after_turn = turn >= 0 and any(self._table.get((t,)) for t in tokens[turn + 1:])

        def take(positions: list[int], hits: list[tuple[str, float]]) -> None:
            nonlocal strongest
            for j in positions:
                used[j] = True
            phrase = " ".join(tokens[j] for j in positions)
            if excluded and excluded[positions[0]]:
                evidence.append(f"'{phrase}' ruled out by the question")
                return
            if phrase in seen:  # saying a word twice does not make it more of a goal
                return
            seen.add(phrase)
            factor = 0.5 if after_turn and positions[0] < turn else 1.0
            for family, weight in hits:
                weight *= factor
                if family.startswith("scenario:"):
                    name = family.split(":", 1)[1]
                    scenarios[name] = scenarios.get(name, 0.0) + weight
                elif family.startswith("context:"):
                    context.append((phrase, family.split(":", 1)[1], weight))
                    continue
                else:
                    scores[family] = scores.get(family, 0.0) + weight
                    taken.append((tuple(tokens[j] for j in positions), family, weight))
                strongest = max(strongest, weight)
                evidence.append(f"'{phrase}' -> {family} (+{weight:g})")

        # Longest first; at each length, a cue of two content words or more may also have one word
        # inside it ("book a free demo"): adjectives and names do not unmake a phrase.
        for length in range(min(self._longest, len(tokens)), 0, -1):
            for i in range(len(tokens) - length + 1):
                if any(used[i:i + length]):
                    continue
                hits = self._table.get(tuple(tokens[i:i + length]))
                if hits:
                    take(list(range(i, i + length)), hits)
            for i in range(len(tokens) - length if length >= 2 else 0):
                for skip in range(i + 1, i + length):
                    positions = [k for k in range(i, i + length + 1) if k != skip]
                    inserted = words[skip] if words else tokens[skip]
                    if any(used[k] for k in positions) or inserted in _STOP or inserted in ("not", "no", "never"):
                        continue
                    key = tuple(tokens[k] for k in positions)
                    hits = self._table.get(key)
                    if hits and sum(t not in _STOP for t in key) >= 2:
                        take(positions, hits)
                        break
        # Another form of a one-word cue ("recognised" for "recognition", "trustworthy" for "trust"), for
        # words no cue took: the stemmer folds inflections, not derivations.
        for i, word in enumerate(words or ()):
            if used[i] or (excluded and excluded[i]) or len(word) < 6:
                continue
            hit = self._roots.get(_root(word))
            if hit and f"~{hit[0]}:{_root(word)}" not in seen:
                seen.add(f"~{hit[0]}:{_root(word)}")
                family, weight = hit
                scores[family] = scores.get(family, 0.0) + weight
                strongest = max(strongest, weight)
                evidence.append(f"'{word}' -> {family} (a form of a cue word, +{weight:g})")
        # An objective two kinds of business share goes to the family whose context the question gives.
        present = {family for _, family, _ in context}
        for (family, other), phrases in _shared_keys().items():
            if other in present and family not in present:
                moved = sum(w for (ph, fam, w) in taken if fam == family and ph in phrases)
                if moved:
                    scores[family] -= moved
                    scores[other] = scores.get(other, 0.0) + moved
                    evidence.append(f"{family} words read as {other} for this kind of business (+{moved:g})")
        # Who or where the team is decides only when an objective is stated by no cue of weight 2 or more
        # (weak hints adding up do not state one); otherwise it breaks ties.
        stated = strongest >= 2
        factor = CONTEXT_FACTOR if stated else 1.0
        for phrase, family, weight in context:
            scores[family] = scores.get(family, 0.0) + weight * factor
            evidence.append(f"'{phrase}' -> {family} (context, +{weight * factor:.2g})")
        return scores, evidence, scenarios

    def _vote(self, tokens: list[str]) -> dict[str, float]:
        log_prob = self._trained()
        feats = [f for f in _features(tokens) if f in self._informative]
        if not feats:
            return {}
        logp = {f: sum(log_prob[f].get(x, self._log_unseen[f]) for x in feats) for f in self.families}
        # Tempered: a short question must not look certain because of one rare word.
        temp = max(2.0, len(feats) / 1.5)
        top = max(logp.values())
        exp = {f: math.exp((v - top) / temp) for f, v in logp.items()}
        total = sum(exp.values())
        return {f: v / total for f, v in exp.items()}

    def _mix(self, cues: dict[str, float], vote: dict[str, float]) -> dict[str, float]:
        uniform = 1.0 / len(self.families)
        cue_total = sum(cues.values())
        if cue_total <= 0 and not vote:
            return {f: 0.0 for f in self.families}
        # Cue evidence as pseudo-counts: weight 3 for one family out of nothing is ~0.8 confident.
        raw = {}
        for f in self.families:
            c = cues.get(f, 0.0)
            v = vote.get(f, uniform) if vote else uniform
            raw[f] = self.cue_weight * c + self.vote_weight * 3.0 * v + 0.1
        total = sum(raw.values())
        return {f: round(v / total, 4) for f, v in raw.items()}


# Words that rule out what follows ("we're not chasing leads", "no links", "reach rather than sales"): the
# cues in their scope count for nothing. A state described in the negative ("people don't know we exist",
# "nobody knows us") is the problem to fix, not an exclusion, so plain verb negation is not one.
_PURSUIT = frozenset(
    "chasing chase after about looking trying aiming going interested focused focusing worried into "
    "targeting prioritising prioritizing optimising optimizing measuring judging".split())
_AUXILIARY = frozenset("do does did are is am was were be can could will would should have has had may might "
                       "must re s m ll d t or if why whether".split())
_NOT_AN_EXCLUSION = frozenset("one idea longer matter clue way doubt problem worries".split())
_SCOPE = 4  # words after the trigger


def excluded_positions(words: Sequence[str]) -> list[bool]:
    """Per word, whether it is inside the scope of an exclusion (see ``_PURSUIT`` above)."""
    out = [False] * len(words)
    n = len(words)

    def rule_out(start: int, length: int = _SCOPE) -> None:
        for j in range(start, min(n, start + length)):
            out[j] = True

    for i, w in enumerate(words):
        nxt = words[i + 1] if i + 1 < n else ""
        if w == "not":
            k = i + 1
            while k < n and words[k] in ("just", "explicitly", "really", "even", "necessarily", "so", "primarily"):
                k += 1
            after = words[k] if k < n else ""
            if after in _PURSUIT or (k > i + 1 and words[i + 1] == "just"):
                rule_out(k if after in _PURSUIT else i + 2)
            elif i == 0 or words[i - 1] not in _AUXILIARY and words[i - 1] not in _STOP:
                rule_out(i + 1, 3)  # "awareness not sales"
        elif w == "no" and nxt and nxt not in _NOT_AN_EXCLUSION and (i == 0 or words[i - 1] not in ("or", "yes")):
            rule_out(i + 1, 2)  # "no links, no offer"
        elif (w, nxt) in (("rather", "than"), ("instead", "of"), ("other", "than"), ("less", "about")):
            rule_out(i + 2)
        elif w == "without" or (w in ("dont", "t") and nxt == "care"):
            rule_out(i + 1)
    return out


def _features(tokens: Sequence[str]) -> list[str]:
    content = [t for t in tokens if t not in _STOP and not t.isdigit()]
    return content + [f"{a} {b}" for a, b in itertools.pairwise(content)]


_SUFFIXES = tuple(sorted(
    "isations izations isation ization ations ation itions ition ised ized ises izes ise ize ising izing worthy "
    "ability ibility able ible ness fully ful ively ive ments ment ity ly ers er ings ing ed es s".split(),
    key=len, reverse=True))


def _root(word: str) -> str:
    """A derivational root: suffixes off while five letters or more remain ("recognised", "recognition"
    -> "recogn"; "trustworthy" -> "trust")."""
    changed = True
    while changed:
        changed = False
        for suffix in _SUFFIXES:
            if word.endswith(suffix) and len(word) - len(suffix) >= 5:
                word = word[: -len(suffix)]
                changed = True
                break
    return word


@lru_cache(maxsize=1)
def _cue_roots() -> dict[str, tuple[str, float]]:
    """Roots of one-word objective cues of weight 2+ -> (family, weight); a root two families share
    belongs to neither."""
    roots: dict[str, dict[str, float]] = defaultdict(dict)
    for family, cues in GOAL_CUES.items():
        context = set(CONTEXT_CUES.get(family, ()))
        for phrase, weight in cues.items():
            if weight >= 2 and " " not in phrase and phrase not in context and len(phrase) >= 5 \
                    and phrase not in OWN_STEMS:  # words kept apart on purpose stay apart
                r = roots[_root(phrase)]
                r[family] = max(r.get(family, 0.0), float(weight))
    return {root: next(iter(fams.items())) for root, fams in roots.items() if len(fams) == 1}


@lru_cache(maxsize=1)
def _shared_keys() -> dict[tuple[str, str], frozenset[tuple[str, ...]]]:
    return {pair: frozenset(tuple(stems(p)) for p in phrases) for pair, phrases in SHARED_OBJECTIVES.items()}


CONTEXT_FACTOR = 1 / 3  # weight of a context cue next to a stated objective
WEAK_NUDGE = 0.05  # probability a weak cue adds to its family when the vote decides

_MODELS: dict[int, tuple[Catalog, GoalModel]] = {}
_LOCK = threading.Lock()


def load_goal_model(catalog: Catalog) -> GoalModel:
    """The goal model for ``catalog``, trained once on the bundled knowledge base and the catalog."""
    with _LOCK:
        cached = _MODELS.get(id(catalog))
        if cached and cached[0] is catalog:
            return cached[1]
        model = GoalModel(catalog=catalog, documents=_knowledge_sections(), examples=goal_examples)
        _save_stems()
        if len(_MODELS) > 8:
            _MODELS.clear()
        _MODELS[id(catalog)] = (catalog, model)
        return model


_GENERIC_TITLE_WORDS = frozenset(
    "social organic kpi kpis metric metrics goal goals content rate rates post posts what how when why check "
    "run fairly trustworthy included relating people vs".split())


@lru_cache(maxsize=1)
def concept_stems() -> frozenset[str]:
    """Stems of the terms the knowledge base explains as concepts (its non-goal, non-KPI documents'
    titles: "UTM tagging", "dark social", "vanity metrics", "leading vs lagging", ...)."""
    from knowledge.corpus import load_documents

    out: set[str] = set()
    for doc in load_documents():
        if doc.slug.startswith(("goal-", "kpi-", "scenario-")):
            continue
        term = doc.title.split(" - ")[0]
        out.update(_stem(w) for w in _words(term) if w not in _STOP and w not in _GENERIC_TITLE_WORDS)
    return frozenset(out)


@lru_cache(maxsize=1)
def _knowledge_sections() -> tuple[tuple[Sequence[str], str], ...]:
    from knowledge.corpus import load_documents

    out: list[tuple[Sequence[str], str]] = []
    for doc in load_documents():
        for section in re.split(r"\n(?=#)", doc.body):
            out.append((doc.families, section))
    return tuple(out)


EXAMPLES_FILE = Path(__file__).with_name("question_examples.yaml")
_GOAL_INTENTS = ("recommend", "verdict")


@lru_cache(maxsize=1)
def question_examples() -> tuple[dict[str, str], ...]:
    """The labelled questions the votes learn from, ``{q, intent[, family]}`` (generated from the
    development sets by tests/data/build_question_examples.py; never from a held-out set)."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    items = yaml.load(EXAMPLES_FILE.read_text(encoding="utf-8"), Loader=loader) or []
    return tuple({str(k): str(v) for k, v in item.items()} for item in items)


def goal_examples() -> tuple[tuple[str, str], ...]:
    """``(question, family)`` for every labelled goal question."""
    return tuple((e["q"], e["family"]) for e in question_examples()
                 if e["intent"] in _GOAL_INTENTS and e.get("family"))
