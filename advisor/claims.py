"""The claims one sentence of a slot narrative makes, checked against its slots.

A sentence is read as tokens (words, punctuation, slot references) split into clauses.
Its period phrases must describe the figures beside them, KPI and segment names must sit
with their own figures, and direction words ("up", "fell", "above", "better", "improved")
must agree with the sign of the change they describe and with the KPI's good direction.
Anything that cannot be checked is treated as wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .slots import Slot, SlotTable
from .wording import (
    BE_VERBS,
    CLAUSE_WORDS,
    DIRECTION_WORDS,
    NEGATIONS,
    PHRASAL_UP_DOWN,
    PeriodMention,
    Polarity,
    find_periods,
    find_typed_quantities,
)

__all__ = ["MARK", "Rejected", "check_sentence"]

MARK = "\ue000"  # stands for one slot reference while prose is checked
_TOKEN = re.compile(MARK + r"|[A-Za-z]+(?:['\u2019][A-Za-z]+)*|[^\sA-Za-z" + MARK + "]")
# What may touch a slot: space, brackets, quotes, punctuation after it, Slack's *bold* and _italics_.
_BEFORE_SLOT = set(" \t\n([\"'\u201c\u2018*_`")
_AFTER_SLOT = set(" \t\n)],.;:!?\"'\u201d\u2019*_`")
_CLAUSE_PUNCT = set(",;:\u2014\u2013")
_BARE_BEFORE, _BARE_AFTER = 3, 1  # a change this close to its direction word is shown without its sign


class Rejected(Exception):
    """The sentence claims something its slots do not support."""

    def __init__(self, category: str, detail: str):
        super().__init__(category)
        self.category, self.detail = category, detail


@dataclass
class _Tok:
    kind: str  # "slot", "word" or "punct"
    text: str
    start: int
    clause: int = 0
    slot: Slot | None = None
    ref: int = -1  # index of the slot reference in the narrative


def check_sentence(sentence: str, names: list[str], slots: SlotTable) -> set[int]:
    """Raise Rejected for the first problem; return the slot references to render without their sign.

    ``sentence`` has one ``MARK`` per slot reference, ``names`` the referenced slot names in order.
    """
    for name in names:
        if name not in slots:
            raise Rejected("unknown slot", "{" + name + "}")
    for i, ch in enumerate(sentence):
        if ch == MARK:
            if i > 0 and sentence[i - 1] not in _BEFORE_SLOT:
                raise Rejected("slot glued to text", repr(sentence[max(0, i - 3):i + 1]))
            if i + 1 < len(sentence) and sentence[i + 1] not in _AFTER_SLOT:
                raise Rejected("slot glued to text", repr(sentence[i:i + 4]))
    sign = re.search(r"\b(?:minus|plus)\s*" + MARK + r"|\bminus\b", sentence, re.IGNORECASE)
    if sign:  # "down minus {x}": a sign typed next to the engine's own
        raise Rejected("typed sign", repr(sign.group(0).replace(MARK, "{}")))
    plain = sentence.replace(MARK, " ")
    if "{" in plain or "}" in plain:
        raise Rejected("malformed slot", plain[plain.find("{" if "{" in plain else "}"):][:30])
    typed = find_typed_quantities(plain)
    if typed:
        raise Rejected(typed[0][0], repr(typed[0][1]))
    s = _Sentence(sentence, plain, names, slots)
    s.check_periods()
    s.check_names()
    return s.check_directions()


@dataclass(frozen=True)
class _Period:
    index: int  # token index
    clause: int
    text: str
    mention: PeriodMention | None = None
    slot: Slot | None = None

    @property
    def names_last_year(self) -> bool:
        if self.slot is not None:
            return "last_year" in self.slot.roles
        return self.mention is not None and self.mention.cls == "last_year"

    def fits(self, s: Slot) -> bool:
        if self.slot is not None:
            return bool(self.slot.roles & s.roles) or bool(self.slot.labels & s.labels)
        assert self.mention is not None
        return (self.mention.cls is not None and self.mention.cls in s.roles) or self.mention.label in s.labels


@dataclass(frozen=True)
class _Entity:
    index: int
    clause: int
    text: str
    kpi_id: str | None = None
    segment: str | None = None


_BASEMARKERS = frozenset("vs versus against than on from over with to since".split())


class _Sentence:
    """One sentence as tokens and clauses, with its slots, periods and named KPIs or segments."""

    def __init__(self, sentence: str, plain: str, names: list[str], slots: SlotTable):
        self.slots = slots
        self.toks: list[_Tok] = []
        self.opened_by: dict[int, str] = {0: "start"}  # clause -> "punct" or "word"
        clause, ref = 0, 0
        for m in _TOKEN.finditer(sentence):
            t = m.group(0)
            if t == MARK:
                self.toks.append(_Tok("slot", names[ref], m.start(), clause, slots.get(names[ref]), ref))
                ref += 1
            elif t[0].isalpha():
                if t.lower() in CLAUSE_WORDS and self.toks:
                    clause += 1
                    self.opened_by[clause] = "word"
                self.toks.append(_Tok("word", t, m.start(), clause))
            else:
                if t in _CLAUSE_PUNCT or (t == "-" and sentence[m.start() - 1:m.start()] == " "):
                    clause += 1
                    self.opened_by[clause] = "punct"
                self.toks.append(_Tok("punct", t, m.start(), clause))
        self.periods = [_Period(i, t.clause, "{" + t.text + "}", slot=t.slot) for i, t in enumerate(self.toks)
                        if t.kind == "slot" and t.slot is not None and t.slot.kind == "period"]
        for pm in find_periods(plain):
            i = self._token_at(pm.start)
            self.periods.append(_Period(i, self.toks[i].clause if self.toks else 0, pm.text, mention=pm))
        self.entities = self._entities(plain)

    # -- helpers

    def _token_at(self, pos: int) -> int:
        for i, t in enumerate(self.toks):
            if t.start >= pos:
                return i
        return max(0, len(self.toks) - 1)

    def figures(self, clause: int | None = None) -> list[int]:
        return [i for i, t in enumerate(self.toks) if t.kind == "slot" and t.slot is not None and t.slot.numeric
                and (clause is None or t.clause == clause)]

    @staticmethod
    def nearest(at: int, candidates: list[int]) -> int | None:
        return min(candidates, key=lambda i: (abs(i - at), i < at)) if candidates else None

    def words_before(self, i: int, n: int) -> list[str]:
        return [t.text.lower() for t in self.toks[max(0, i - n):i] if t.kind == "word"]

    def slot_at(self, i: int) -> Slot:
        slot = self.toks[i].slot
        assert slot is not None
        return slot

    def _entities(self, plain: str) -> list[_Entity]:
        """KPIs and segments named in words ("engagement rate", "TikTok"), longest names first."""
        names: dict[str, tuple[str | None, str | None]] = {}
        for kpi_id, name in self.slots.kpi_names().items():
            names[name.lower()] = (kpi_id, None)
            names.setdefault(kpi_id.replace("_", " "), (kpi_id, None))
        for seg in self.slots.segments():
            names[seg.lower()] = (None, seg)
            names.setdefault(seg.lower().replace("_", " "), (None, seg))
        lowered = plain.lower()
        taken = [False] * len(plain)
        out: list[_Entity] = []
        for name in sorted(names, key=len, reverse=True):
            for m in re.finditer(r"(?<![\w])" + re.escape(name) + r"(?![\w])", lowered):
                if any(taken[m.start():m.end()]) or lowered[max(0, m.start() - 3):m.start()] == "to ":
                    continue  # "to reach": the verb
                taken[m.start():m.end()] = [True] * (m.end() - m.start())
                i = self._token_at(m.start())
                kpi, segment = names[name]
                out.append(_Entity(i, self.toks[i].clause if self.toks else 0, name, kpi, segment))
        for i, t in enumerate(self.toks):  # {kpi.name}, {segment.name}
            if t.slot is not None and t.slot.kind in ("name", "segment_name"):
                out.append(_Entity(i, t.clause, t.slot.text, t.slot.kpi_id if t.slot.kind == "name" else None,
                                   t.slot.segment))
        return out

    # -- periods

    def _names_a_base(self, p: _Period) -> bool:
        """'below last year', 'up on the previous period': the period is what a figure is compared with."""
        if p.mention is None:
            return False
        before = self.words_before(p.index, 2)
        return bool(before) and (before[-1] in _BASEMARKERS or before[-1] in DIRECTION_WORDS)

    def check_periods(self) -> None:
        # A year-ago figure read without its label passes for the previous period's: say so.
        yearly = [i for i in self.figures() if "last_year" in self.slot_at(i).roles]
        if yearly and not any(p.names_last_year for p in self.periods):
            raise Rejected("period", f"{{{self.toks[yearly[0]].text}}} is a year-ago figure and the sentence "
                                    "does not say so")
        for p in self.periods:
            near = self.figures(p.clause)
            if not near and self._names_a_base(p):
                # "below last year": the base a figure is compared with. The direction word's check
                # compares the values; a change in the sentence must be a change against that base.
                changes = [i for i in self.figures() if self.slot_at(i).signed]
                if changes and not any(p.fits(self.slot_at(i)) for i in changes):
                    raise Rejected("period", f"'{p.text}' is not what {{{self.toks[changes[0]].text}}} "
                                            "is measured against")
                continue
            if near:
                i = self.nearest(p.index, near)
                assert i is not None
                if not p.fits(self.slot_at(i)):
                    raise Rejected("period", f"'{p.text}' does not describe {{{self.toks[i].text}}}")
                if p.mention is not None and p.mention.cls in ("previous", "last_year"):
                    for k in near:  # a comparison base is the base of every change beside it
                        if self.slot_at(k).signed and not p.fits(self.slot_at(k)):
                            raise Rejected("period", f"'{p.text}' is not what {{{self.toks[k].text}}} "
                                                    "is measured against")
                continue
            anywhere = self.figures()
            if anywhere and not any(p.fits(self.slot_at(i)) for i in anywhere):
                raise Rejected("period", f"'{p.text}' describes none of the figures in the sentence")

    # -- names

    def check_names(self) -> None:
        """A KPI or segment named next to another one's figure is a figure moved to the wrong subject;
        a segment's figure must sit with its segment's name (in its clause, else in its sentence)."""
        segments = [e for e in self.entities if e.segment is not None]
        for i in self.figures():
            seg = self.slot_at(i).segment
            if seg is None:
                continue
            named = {e.segment for e in segments if e.clause == self.toks[i].clause} or {e.segment for e in segments}
            if seg not in named:
                raise Rejected("wrong segment", f"{{{self.toks[i].text}}} is not shown with its segment's name")
        for e in self.entities:
            if e.kpi_id is not None:
                near = [j for j in self.figures(e.clause) if self.slot_at(j).kpi_id]
                k = self.nearest(e.index, near)
                if k is not None and self.slot_at(k).kpi_id != e.kpi_id:
                    raise Rejected("wrong KPI", f"'{e.text}' next to {{{self.toks[k].text}}}")
            else:
                near = [j for j in self.figures(e.clause) if self.slot_at(j).segment]
                k = self.nearest(e.index, near)
                if k is not None and self.slot_at(k).segment != e.segment:
                    raise Rejected("wrong segment", f"'{e.text}' next to {{{self.toks[k].text}}}")

    # -- directions

    def check_directions(self) -> set[int]:
        bare: set[int] = set()
        for i, t in enumerate(self.toks):
            if t.kind != "word":
                continue
            word = t.text.lower()
            polarity = DIRECTION_WORDS.get(word)
            if polarity is None:
                continue
            before = self.words_before(i, 2)
            if word in ("up", "down") and before and before[-1] in PHRASAL_UP_DOWN:
                continue
            strong = polarity.strong or (word in ("up", "down") and bool(before) and before[-1] in BE_VERBS)
            negated = any(w in NEGATIONS or w.endswith("n't") for w in before)
            anchor = self._anchor(i, polarity, strong)
            if anchor is None:
                continue
            sign, slot, at = anchor
            if not _agrees(polarity, sign, slot, negated):
                shown = f"{{{self.toks[at].text}}}" if at >= 0 else "the change it describes"
                raise Rejected("direction", f"'{t.text}' disagrees with {shown}")
            if (at >= 0 and self.slot_at(at).signed and self.toks[at].clause == t.clause
                    and (0 < at - i <= _BARE_BEFORE or 0 < i - at <= _BARE_AFTER)):
                bare.add(self.toks[at].ref)
        return bare

    def _anchor(self, i: int, p: Polarity, strong: bool) -> tuple[int, Slot | None, int] | None:
        """(sign the word must agree with, the slot it comes from, its token or -1); None: not a claim."""
        clause = self.toks[i].clause
        in_clause = self.figures(clause)
        signed = [k for k in in_clause if self.slot_at(k).signed]
        k = self.nearest(i, signed)
        if k is not None:
            # "down {abs} ({rel})": every change in the clause is read with the word
            other = next((j for j in signed if (self.slot_at(j).sign or 0) != (self.slot_at(k).sign or 0)), None)
            if other is not None and p.axis != "flat":
                raise Rejected("direction", f"'{self.toks[i].text}' sits with changes of both signs "
                                           f"({{{self.toks[k].text}}}, {{{self.toks[other].text}}})")
            return self.slot_at(k).sign or 0, self.slot_at(k), k
        compared = self._compared(i, p)
        if compared is not None:
            return compared
        clause_periods = [q for q in self.periods if q.clause == clause]
        if not (strong or in_clause or clause_periods):
            return None  # advice ("post more carousels"), not a claim about a figure
        role = "last_year" if any(q.names_last_year for q in (clause_periods or self.periods)) else "previous"
        k = self.nearest(i, in_clause)
        ref = self.slot_at(k) if k is not None else self._subject(clause, i)
        if ref is None:
            raise Rejected("direction", f"'{self.toks[i].text}' with no figure to check it against")
        at = -1 if k is None else k
        if ref.signed and (k is not None or role in ref.roles):
            return ref.sign or 0, ref, at
        if k is None:  # a subject from outside the clause: its current figure against the period named here
            ref = self.slots.find(kpi_id=ref.kpi_id, segment=ref.segment, kinds=("value",)) or ref
        now: Slot | None = None
        then: Slot | None = None
        if ref.roles == frozenset({"current"}):  # the figure against the same figure before
            now, then = ref, self.slots.twin(ref, role)
        elif len(ref.roles) == 1 and ref.roles <= {"previous", "last_year"}:  # "higher than {previous}"
            now, then = self.slots.twin(ref, "current"), ref
        if now is None or then is None or now.value is None or then.value is None:
            raise Rejected("direction", f"'{self.toks[i].text}' cannot be checked against {{{ref.name}}}")
        return (now.value > then.value) - (now.value < then.value), now, at

    def _subject(self, clause: int, i: int) -> Slot | None:
        """What a clause with no figure talks about: the segment or KPI it names, else the sentence's
        nearest figure, else the answer's headline KPI."""
        named = [e for e in self.entities if e.clause == clause]
        for e in sorted(named, key=lambda e: abs(e.index - i)):
            if e.segment is not None:
                found = self.slots.find(segment=e.segment, kinds=("contribution", "value"))
            else:
                found = self.slots.find(kpi_id=e.kpi_id, kinds=("value",))
            if found is not None:
                return found
        k = self.nearest(i, self.figures())
        return self.slot_at(k) if k is not None else self.slots.headline()

    def _compared(self, i: int, p: Polarity) -> tuple[int, Slot | None, int] | None:
        """'{a} is above {b}' compares two values; 'rose from {a} to {b}' is the move between them."""
        clause = self.toks[i].clause
        values = [k for k in self.figures() if self.slot_at(k).kind == "value" and self.slot_at(k).value is not None]
        if p.kind in ("move", "judge"):  # "fell to {now}, from {before}" may span a comma
            later = [self.slot_at(k) for k in values if k > i]
            for cur in later:
                for ref in later:
                    if ("current" in cur.roles and ref.roles & {"previous", "last_year"}
                            and ref.kpi_id == cur.kpi_id and ref.segment == cur.segment):
                        assert cur.value is not None and ref.value is not None
                        return (cur.value > ref.value) - (cur.value < ref.value), cur, -1
        if p.kind in ("compare", "judge"):
            # The left side: this clause, or the clause before when a comma opened this one
            # ("{a}, above the {b}"); after "but" or "and" the subject is the sentence's, unnamed.
            sides = {clause} | ({clause - 1} if self.opened_by.get(clause) == "punct" else set())
            before = [k for k in values if k < i and self.toks[k].clause in sides]
            after = [k for k in values if k > i and self.toks[k].clause == clause]
            if before and after:
                a, b = self.slot_at(max(before)), self.slot_at(min(after))
                if a.fact and b.fact and a.fact.unit == b.fact.unit:
                    assert a.value is not None and b.value is not None
                    return (a.value > b.value) - (a.value < b.value), a, max(before)
        return None


def _agrees(p: Polarity, sign: int, slot: Slot | None, negated: bool) -> bool:
    if p.axis == "flat":
        ok = sign == 0 or (slot is not None and slot.shows_zero)
    elif p.axis == "sign":
        ok = sign == p.direction
    else:
        good = slot.good_direction if slot is not None else None
        if good not in ("up", "down"):
            return False  # "improved" cannot be checked without knowing which way is good
        is_good = (sign > 0) == (good == "up")
        ok = sign != 0 and is_good == (p.direction > 0)
    return not ok if negated else ok
