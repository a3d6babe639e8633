"""The words a narrative is checked for: typed quantities, directions, judgements and periods.

Data, not logic: ``advisor.vet`` applies them. When in doubt a word counts as a claim:
a wrongly removed sentence costs a little prose, a wrongly kept one costs trust.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "ABBREVIATIONS",
    "ANAPHORA",
    "BE_VERBS",
    "CLAUSE_WORDS",
    "DIRECTION_WORDS",
    "NEGATIONS",
    "PHRASAL_UP_DOWN",
    "PeriodMention",
    "Polarity",
    "find_periods",
    "find_typed_quantities",
    "normalise_label",
]

_I = re.IGNORECASE

# --- things the model may never type -------------------------------------------------------

_NUMBER_WORDS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred hundreds "
    "thousand thousands million millions billion billions trillion trillions dozen dozens couple single"
).split()
_FRACTIONS_AND_ORDINALS = (
    "half halves halved halve halving third thirds quarters fifth fifths sixth sixths seventh eighth ninth "
    "tenth tenths eleventh twelfth twentieth hundredth hundredths thousandth second"
).split()
_MULTIPLIERS = (
    "twice thrice double doubled doubles doubling triple tripled triples tripling quadruple quadrupled "
    "quadruples quintupled tenfold"
).split()
_UNIT_WORDS = r"percent|per\s*cent|pct|pp|ppts?|bps|pts|percentage[\s-]points?|basis[\s-]points?"
_MONTHS = ("January February March April June July August September October November December "
           "Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec").split()
_WEEKDAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()

_QUANTITY = re.compile(
    r"(?<![\w'])(?P<word>" + "|".join(_NUMBER_WORDS + _FRACTIONS_AND_ORDINALS + _MULTIPLIERS) + r")(?![\w'])"
    r"|(?<![\w'])(?P<fold>\w+[\s-]?fold)(?![\w'])"
    r"|(?<![\w'])(?P<unit>" + _UNIT_WORDS + r")(?![\w'])"
    r"|(?<![\w'])(?P<quarter>quarter)(?![\w'-])",
    _I,
)
_TIMES = re.compile(r"(?<![\w'])x(?![\w'])")  # "x3", "3 x": a multiplier (lowercase; "X" is a platform)
_DATE_WORDS = re.compile(r"(?<![\w'])(?P<date>" + "|".join(_MONTHS + _WEEKDAYS) + r"|May)\.?(?![\w'])")
_SYMBOLS = re.compile("[%\u2030\u2031$\u20ac\u00a3\u00a5\u20b9\u00d7\u00bd\u00bc\u00be\u2153\u2154]")
_FOLD_OK = {"manifold", "scaffold", "unfold", "fold", "enfold", "billfold", "blindfold", "threshold"}
_QUARTER_PERIOD = re.compile(r"(?:this|last|previous|prior|next|same|the|that|a\s+calendar)\s+$", _I)


def find_typed_quantities(text: str, *, sentence_start: int = 0) -> list[tuple[str, str]]:
    """(category, text) for every number, quantity word, unit or date written in ``text``.

    Slots must already be replaced by non-word characters. ``sentence_start`` is where the
    sentence begins in ``text`` (a capitalised "May" there is the verb).
    """
    found: list[tuple[str, str]] = []
    digits = "".join(c for c in text if c.isdigit() or c.isnumeric())
    if digits:
        found.append(("invented number", digits[:12]))
    for m in _SYMBOLS.finditer(text):
        found.append(("typed unit", m.group(0)))
    for m in _QUANTITY.finditer(text):
        if m.group("fold") and m.group("fold").lower().replace(" ", "") in _FOLD_OK:
            continue
        if m.group("quarter") and _QUARTER_PERIOD.search(text[:m.start()]):
            continue  # "last quarter", "the quarter": a period, checked as one
        word = m.group(0)
        if word.lower() == "one" and (re.match(r"\s+(?:of|another)\b", text[m.end():], _I)
                                      or re.search(r"\bno\s+$", text[:m.start()], _I)):
            continue  # "one of the", "no one"
        if word.lower() == "second" and re.match(r"\s+(?:look|opinion|thought)\b", text[m.end():], _I):
            continue
        category = "typed unit" if m.group("unit") else "quantity word"
        found.append((category, word))
    for m in _TIMES.finditer(text):
        found.append(("quantity word", m.group(0)))
    for m in _DATE_WORDS.finditer(text):
        if m.group("date") == "May" and not text[sentence_start:m.start()].strip(" \"'(\u201c"):
            continue
        found.append(("typed date", m.group(0)))
    return found


# --- directions and judgements ------------------------------------------------------------

Axis = Literal["sign", "good", "flat"]
Kind = Literal["move", "compare", "judge"]


@dataclass(frozen=True)
class Polarity:
    """What a word claims: a sign (+1 up, -1 down), a judgement (+1 good, -1 bad) or no change."""

    axis: Axis
    direction: int
    kind: Kind
    strong: bool = False  # checked even in a sentence with no figure ("engagement rate fell")


def _words(spec: str, axis: Axis, direction: int, kind: Kind, strong: bool = False) -> dict[str, Polarity]:
    return {w: Polarity(axis, direction, kind, strong) for w in spec.split()}


DIRECTION_WORDS: dict[str, Polarity] = {
    **_words("up upward upwards rise rises rising increase increases increasing grow grows growing growth "
             "climb climbs climbing jump jumps gain gains surge surging rebound uptick boost lift spike "
             "expansion positive", "sign", 1, "move"),
    **_words("rose risen increased grew grown climbed jumped gained surged rebounded recovered soared spiked "
             "boosted lifted expanded", "sign", 1, "move", strong=True),
    **_words("higher more above ahead exceed exceeds exceeded outperform outperforms outperformed beat beats "
             "topped larger bigger greater", "sign", 1, "compare"),
    **_words("down downward downwards fall falls falling drop drops dropping decline declines declining "
             "decrease decreases decreasing dip dips slip slips slide slides sliding shrink shrinks shrinking "
             "sink sinks loss losses lose loses losing downtick contraction negative erosion slump plunge",
             "sign", -1, "move"),
    **_words("fell fallen dropped declined decreased dipped slipped slid shrank shrunk sank sunk plunged "
             "tumbled slumped lost eroded softened cooled contracted", "sign", -1, "move", strong=True),
    **_words("lower less fewer below behind lag lags lagged lagging trail trails trailed trailing underperform "
             "underperforms underperformed smaller", "sign", -1, "compare"),
    **_words("better good strong stronger healthy healthier encouraging promising improvement improving improve "
             "improves", "good", 1, "judge"),
    **_words("improved strengthened", "good", 1, "judge", strong=True),
    **_words("worse bad weak weaker poor poorer concerning worrying disappointing alarming troubling "
             "deterioration worsening worsen worsens", "good", -1, "judge"),
    **_words("worsened deteriorated weakened", "good", -1, "judge", strong=True),
    **_words("flat unchanged stable steady plateaued", "flat", 0, "move"),
}

NEGATIONS = frozenset("not never no nor neither without hardly barely".split())
BE_VERBS = frozenset("is was are were be been being stays stayed remains remained came went".split())
# "follow up", "break down": particles, not directions.
PHRASAL_UP_DOWN = frozenset(
    "follow set pick look sign back open show bring keep line make break speed wrap clean catch end build "
    "stand sum add drill narrow boil slow scale tone write track pin calm settle shut turn note jot hold "
    "dig double step tune mix split".split())

# --- periods --------------------------------------------------------------------------------

PeriodClass = Literal["previous", "last_year", "current"] | None


@dataclass(frozen=True)
class PeriodMention:
    text: str
    start: int
    end: int
    cls: PeriodClass  # the comparison it names, None for a calendar name ("last week")
    label: str  # normalised, to match a slot's period label


_PERIOD_SPECS: list[tuple[PeriodClass, str]] = [
    ("last_year", (r"\b(?:the\s+)?same\s+(?:period|week|month|quarter|time|days|window)\s+(?:a\s+year\s+ago"
                  r"|last\s+year|the\s+year\s+before|of\s+last\s+year|in\s+the\s+previous\s+year)\b")),
    ("last_year", (r"\bthis\s+time\s+last\s+year\b|\b(?:a|one)\s+year\s+(?:ago|earlier|before)\b"
                  r"|\byear[\s-](?:over|on)[\s-]year\b|\byoy\b|\b(?:the\s+)?(?:previous|prior|preceding)\s+year\b")),
    ("last_year", r"\blast\s+year(?:'s)?\b|\b(?:the\s+)?year\s+before\b"),
    ("previous", (r"\b(?:the\s+)?(?:previous|prior|preceding|earlier)\s+(?:period|week|month|quarter|fortnight"
                 r"|days|window|stretch)(?:'s)?\b|\b(?:the\s+)?(?:period|week|month|quarter)\s+before\b")),
    ("previous", (r"\b(?:a|one)\s+(?:week|month|quarter)\s+(?:earlier|before|ago)\b|\blast\s+period\b"
                 r"|\b(?:week|month|quarter)[\s-](?:over|on)[\s-](?:week|month|quarter)\b|\b(?:wow|mom|qoq)\b"
                 r"|\bsequentially\b|\bbefore\s+that\b")),
    ("current", (r"\b(?:this|the\s+current|the\s+latest|the\s+same)\s+period\b|\bso\s+far\b|\bcurrently\b"
                r"|\bright\s+now\b")),
    (None, (r"\b(?:last|this|past)\s+(?:week|month|quarter|fortnight)(?:'s)?\b|\bthis\s+year(?:'s)?\b"
           r"|\byesterday(?:'s)?\b|\btoday(?:'s)?\b|\b(?:month|quarter|year)[\s-]to[\s-]date\b|\b(?:mtd|qtd|ytd)\b")),
]
_PERIODS = [(cls, re.compile(p, _I)) for cls, p in _PERIOD_SPECS]
_ABBREVIATED = {"mtd": "month to date", "qtd": "quarter to date", "ytd": "year to date"}


def normalise_label(label: str) -> str:
    """'Last week', 'the last week's', 'month-to-date', 'last week (incomplete)' -> comparable words."""
    text = label.lower().replace("..", " to ").replace("-", " ").replace("\u2019", "'")
    text = re.sub(r"\(incomplete\)|'s\b", "", text)
    text = re.sub(r"^\s*the\s+", "", text)
    text = re.sub(r"\s+", " ", text).strip()
    return _ABBREVIATED.get(text, text)


def find_periods(text: str) -> list[PeriodMention]:
    """Period phrases in ``text``, longest first where they overlap, in order of appearance."""
    taken = [False] * len(text)
    found: list[PeriodMention] = []
    for cls, pattern in _PERIODS:
        for m in pattern.finditer(text):
            if any(taken[m.start():m.end()]):
                continue
            for i in range(m.start(), m.end()):
                taken[i] = True
            found.append(PeriodMention(m.group(0), m.start(), m.end(), cls, normalise_label(m.group(0))))
    return sorted(found, key=lambda p: p.start)


# --- sentences and clauses ------------------------------------------------------------------

ABBREVIATIONS = frozenset("vs e.g i.e etc approx cf al".split())
# A sentence opening with these leans on the one before it.
ANAPHORA = frozenset("this that these those it its they their which also and but so still meanwhile however "
                     "thus hence yet".split())
CLAUSE_WORDS = frozenset("and but while whereas although though yet".split())
