"""Find every number a reader would take as a claim, and check each one against engine facts.

The LLM narrator's prose is only posted when every number in it matches an engine
fact within display rounding; ``check_numbers`` returns the ones that do not.
When in doubt a number counts as a claim: a false rejection costs a template
answer, a false acceptance costs trust.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from .answer import Fact

__all__ = ["NumberMention", "Reading", "DateRef", "extract_numbers", "check_numbers"]

Kind = Literal["number", "percent", "points", "currency", "multiplier"]
MentionKind = Literal["number", "percent", "points", "currency", "multiplier", "date", "time"]


@dataclass(frozen=True)
class Reading:
    """One way to read a mention: a value, its display tolerance and what kind of quantity it is."""

    value: float
    tolerance: float  # half of the last shown digit: "4.2%" -> 0.05
    kind: Kind = "number"
    unit: str = ""  # duration unit ("minutes", "hours", "seconds") when one was written
    signed: bool = False  # an explicit sign or direction word ("+12%", "down 12%")


@dataclass(frozen=True)
class DateRef:
    """A calendar reference; None fields were not written ("March 3" has no year)."""

    year: int | None = None
    month: int | None = None
    day: int | None = None
    quarter: int | None = None
    half: int | None = None
    week: int | None = None

    def matches(self, d: date) -> bool:
        iso = d.isocalendar()
        if self.week is not None:
            return iso.week == self.week and self.year in (None, iso.year)
        return all(
            want is None or want == got
            for want, got in (
                (self.year, d.year), (self.month, d.month), (self.day, d.day),
                (self.quarter, (d.month - 1) // 3 + 1), (self.half, 1 if d.month <= 6 else 2),
            )
        )


@dataclass(frozen=True)
class NumberMention:
    """A number in text, with every plausible reading of it."""

    text: str
    start: int
    end: int
    kind: MentionKind
    readings: tuple[Reading, ...] = ()
    dates: tuple[DateRef, ...] = ()

    @property
    def value(self) -> float | None:
        return self.readings[0].value if self.readings else None


# --- patterns -----------------------------------------------------------------------------

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}
_MONTH = (r"\b(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
          r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
_ORD = r"(?:st|nd|rd|th)?"
_I = re.IGNORECASE

_DATE_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("iso", re.compile(r"(?<![\w])(?P<y>\d{4})[-/](?P<m>\d{1,2})[-/](?P<d>\d{1,2})(?![\w])")),
    ("dmy", re.compile(r"(?<![\w.])(?P<a>\d{1,2})[/.](?P<b>\d{1,2})[/.](?P<y>\d{4}|\d{2})(?![\w])")),
    ("mdy", re.compile(_MONTH + r"\s+(?P<d>\d{1,2})" + _ORD + r"(?:\s*[-\u2013]\s*(?P<d2>\d{1,2})" + _ORD
                       + r")?(?:,?\s+(?P<y>\d{4}))?(?![\w%.,]\d|[\w%])", _I)),
    ("dmy_name", re.compile(r"(?<![\w.])(?P<d>\d{1,2})" + _ORD + r"\s+(?:of\s+)?" + _MONTH
                            + r"(?![a-z])(?:,?\s+(?P<y>\d{4}))?", _I)),
    ("my", re.compile(_MONTH + r",?\s+(?P<y>\d{4})(?![\w])", _I)),
    ("quarter", re.compile(r"(?<![\w])(?:(?P<y1>\d{4})\s*[-/ ]?\s*)?Q(?P<q>[1-4])(?:\s*[-/ ]?\s*(?P<y>\d{4}|'\d{2}))?(?![\w])", _I)),
    ("half", re.compile(r"(?<![\w])H(?P<h>[12])(?:\s+(?P<y>\d{4}))?(?![\w])")),
    ("week", re.compile(r"(?<![\w])(?:week|wk|cw|kw|w)\s*#?(?P<w>\d{1,2})(?:\s+(?:of\s+)?(?P<y>\d{4}))?(?![\w])", _I)),
    ("time", re.compile(r"(?<![\w.])(?P<h>\d{1,2}):(?P<mi>\d{2})(?:\s*(?P<ap>[ap]\.?m\.?))?(?![\w])"
                        r"|(?<![\w.])(?P<h2>\d{1,2})\s*(?P<ap2>[ap]\.?m\.?)(?![a-z])", _I)),
]

# Unit denominators ("per 1,000 impressions") and formula scales are structure; so is list
# numbering, except where no list is expected ("37. That is how many posts went viral.").
_STRUCTURAL = re.compile(
    r"\bper\s+(?:1[,.\u00a0\u202f]?000|10[,.]?000|1\s?k|10\s?k|100|thousand|hundred)(?![\d.,]*\d)"
    r"|(?<=\s)[x\u00d7*]\s?(?:100|1,?000)(?![\d.,]*\d)",  # a formula's scale: "/ sum(impressions) x 100"
    _I,
)
_LIST_NUMBER = re.compile(r"^[ \t>*_]*\(?\d{1,2}[.)](?=\s)", re.MULTILINE)

_NUM = (
    r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\d,]\d)"  # 1,234,567.8
    r"|\d{1,3}(?:[\u00a0\u202f\u2009]\d{3})+(?:[.,]\d+)?"  # 12 345 (non-breaking / thin space)
    r"|\d+,\d{1,2}(?=\s?(?:%|percent|pp|pts))"  # 4,2 % (decimal comma)
    r"|\d+(?:\.\d+)?"
    r"|\.\d+)"
)
_NUMBER = re.compile(
    r"(?P<sign>[+\-\u2212])?"
    r"(?:(?P<cur>US\$|[$\u20ac\u00a3\u00a5\u20b9])\s?)?"
    + _NUM
    + r"(?P<sfx>[kKmMbB](?![A-Za-z])|\s?(?:bn|mn|mio|mln)\b|\s(?:thousand|million|billion)\b)?"
    r"(?P<unit>\s?(?:%|percent\b|per\s?cent\b|pct\b)"
    r"|\s?(?:pp\b|p\.p\.|ppts?\b|pts?\b|percentage[\s-]points?\b|points?\b)"
    r"|\s?(?:bps\b|basis\s+points?\b)"
    r"|[x\u00d7](?![A-Za-z0-9])|\s\u00d7|\s(?:times)\b"
    r"|\s?(?:USD|EUR|GBP|dollars?|euros?|pounds?)\b|\s?[\u20ac$\u00a3](?!\d)"
    r"|\s?(?:minutes?|mins?|min)\b|\s?(?:hours?|hrs?|h)\b|\s?(?:seconds?|secs?|s)\b"
    r"|(?:st|nd|rd|th)\b)?",
)
_WORD_NUMBERS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen".split())}
_WORD_NUMBERS.update({w: 10 * i for i, w in enumerate(
    "twenty thirty forty fifty sixty seventy eighty ninety".split(), start=2)})
_SCALES = {"hundred": 100, "thousand": 1e3, "million": 1e6, "billion": 1e9}
_WORDS = re.compile(
    r"\b(?P<w>(?:a|" + "|".join(_WORD_NUMBERS) + r")(?:[-\s](?:" + "|".join(list(_WORD_NUMBERS)[1:10])
    + r"))?)(?:\s+(?P<scale>hundred|thousand|million|billion))?(?P<unit>\s*(?:%|percent\b|per\s?cent\b"
    r"|percentage\s+points?\b|points?\b|times\b))?\b"
    r"|\b(?P<mult>twice|doubled|tripled|quadrupled|halved|dozen)\b"
    r"|(?<!first )(?<!second )(?<!last )(?<!this )(?<!next )\b(?P<half>half)\b(?!-?year)",
    _I,
)

_NEG_BEFORE = re.compile(r"\b(?:down|fell|fallen|dropped|declined|decreased|slipped|dipped|slid|plunged"
                         r"|sank|shrank)\s+(?:by\s+)?(?:about\s+|around\s+|roughly\s+|nearly\s+|almost\s+)?$", _I)
_POS_BEFORE = re.compile(r"\b(?:up|rose|risen|increased|grew|grown|climbed|jumped|gained|surged|added)"
                         r"\s+(?:by\s+)?(?:about\s+|around\s+|roughly\s+|nearly\s+|almost\s+)?$", _I)
_NEG_AFTER = re.compile(r"^\s+(?:drop|decline|decrease|fall|dip|lower|less|down|loss|slide)\b", _I)
_POS_AFTER = re.compile(r"^\s+(?:increase|rise|gain|jump|lift|uplift|growth|higher|more|up)\b", _I)
_HEDGE = re.compile(r"(?:\b(?:about|around|roughly|approximately|approx\.?|nearly|almost|some|close\s+to)\s+|[~\u2248]\s?)$", _I)
_RANGE_SEP = re.compile(r"^\s*(?:-|\u2013|\u2014|to|and)\s*$", _I)


def _to_float(raw: str) -> tuple[float, int]:
    """'1,234.5' -> (1234.5, 1 decimal); '4,2' -> (4.2, 1)."""
    s = re.sub(r"[\u00a0\u202f\u2009]", "", raw)
    if re.fullmatch(r"\d+,\d{1,2}", s):
        s = s.replace(",", ".")
    s = s.replace(",", "")
    decimals = len(s.split(".", 1)[1]) if "." in s else 0
    return float(s), decimals


def _year(raw: str | None) -> int | None:
    if not raw:
        return None
    raw = raw.lstrip("'")
    return int(raw) + 2000 if len(raw) == 2 else int(raw)


def _dates_for(name: str, m: re.Match[str]) -> tuple[DateRef, ...]:
    g = m.groupdict()
    mon = _MONTHS.get((g.get("mon") or "")[:3].lower())
    if name == "iso":
        return (DateRef(int(g["y"]), int(g["m"]), int(g["d"])),)
    if name == "dmy":  # 03/04/2025 is ambiguous: either reading may be the engine's date
        a, b, y = int(g["a"]), int(g["b"]), _year(g["y"])
        return tuple(dict.fromkeys(DateRef(y, mo, d) for d, mo in ((a, b), (b, a)) if mo <= 12 and d <= 31))
    if name in ("mdy", "dmy_name"):
        days = [int(g["d"])] + ([int(g["d2"])] if g.get("d2") else [])
        return tuple(DateRef(_year(g.get("y")), mon, d) for d in days if 1 <= d <= 31)
    if name == "my":
        return (DateRef(_year(g["y"]), mon),)
    if name == "quarter":
        return (DateRef(_year(g.get("y") or g.get("y1")), quarter=int(g["q"])),)
    if name == "half":
        return (DateRef(_year(g.get("y")), half=int(g["h"])),)
    if name == "week":
        return (DateRef(_year(g.get("y")), week=int(g["w"])),) if 1 <= int(g["w"]) <= 53 else ()
    return ()


def _free(taken: list[bool], start: int, end: int) -> bool:
    return not any(taken[start:end])


def _take(taken: list[bool], start: int, end: int) -> None:
    for i in range(start, end):
        taken[i] = True


def _number_mention(text: str, m: re.Match[str]) -> NumberMention | None:
    g = m.groupdict()
    start, end = m.start(), m.end()
    sign = g["sign"]
    if sign:
        before = text[start - 1] if start > 0 else " "
        if before.isalnum() or before in ")%":  # "3-5%", "covid-19": a hyphen, not a sign
            start += len(sign)
            sign = None
    value, decimals = _to_float(g["num"])
    tol = 0.5 * 10.0 ** -decimals
    sfx = (g["sfx"] or "").strip().lower()
    unit = (g["unit"] or "").strip().lower()
    head = text[max(0, start - 40):start]  # direction and hedge words sit just before the number
    if decimals == 0 and _HEDGE.search(head) and not sfx:
        zeros = len(g["num"].replace(",", "")) - len(g["num"].replace(",", "").rstrip("0"))
        tol = max(tol, 0.5 * 10.0 ** zeros)  # "about 12,000" is 12,345 rounded
    scales: list[tuple[float, str]] = [(1.0, "")]
    if sfx in ("k", "thousand"):
        scales = [(1e3, "")]
    elif sfx in ("mn", "mio", "mln", "million"):
        scales = [(1e6, "")]
    elif sfx in ("bn", "b", "billion"):
        scales = [(1e9, "")]
    elif sfx == "m":  # "12m": twelve million, or twelve minutes
        scales = [(1e6, ""), (1.0, "minutes")] if g["sfx"] == "m" else [(1e6, "")]
    signed = bool(sign)
    if sign:
        value = -value if sign.strip() in ("-", "\u2212") else value
    elif _NEG_BEFORE.search(head) or _NEG_AFTER.search(text[end:end + 12]):
        value, signed = -value, True
    elif _POS_BEFORE.search(head) or _POS_AFTER.search(text[end:end + 12]):
        signed = True
    kind: Kind = "number"
    dur = ""
    factor = 1.0
    if unit in ("st", "nd", "rd", "th"):
        pass  # an ordinal ("2nd"): a rank is a claim like any other number
    elif unit.startswith(("pp", "p.p", "pt", "point", "percentage")):
        kind = "points"
    elif unit in ("%", "percent", "per cent", "pct"):
        kind = "percent"
    elif unit.startswith(("bps", "basis")):
        kind, factor = "points", 0.01
    elif unit in ("x", "\u00d7", "times"):
        kind = "multiplier"
    elif g["cur"] or unit in ("usd", "eur", "gbp", "\u20ac", "$", "\u00a3") or unit.startswith(("dollar", "euro", "pound")):
        kind = "currency"
    elif unit.startswith("h"):
        dur = "hours"
    elif unit.startswith("min"):
        dur = "minutes"
    elif unit.startswith("s"):
        dur = "seconds"
    readings = [Reading(value * s * factor, tol * s * factor, kind, dur or d, signed) for s, d in scales]
    if unit == "times":
        readings.append(Reading(value, tol, "number", "", signed))
    kind_out: MentionKind = kind
    dates: tuple[DateRef, ...] = ()
    if (decimals == 0 and not sfx and not unit and not sign and not g["cur"]
            and re.fullmatch(r"(19|20)\d\d", g["num"])):
        dates = (DateRef(int(g["num"])),)  # a bare year: the number 2025 or the year 2025
    return NumberMention(text[start:end].strip(), start, end, kind_out, tuple(readings), dates)


def extract_numbers(text: str, *, list_numbering: bool = True) -> list[NumberMention]:
    """Every number in ``text`` a reader would take as a claim, in order of appearance.

    ``list_numbering``: a number opening a line ("1. ...") is numbering, not a claim.
    """
    taken = [False] * len(text)
    found: list[NumberMention] = []
    for m in _STRUCTURAL.finditer(text):
        _take(taken, m.start(), m.end())
    for m in _LIST_NUMBER.finditer(text) if list_numbering else ():
        _take(taken, m.start(), m.end())
    for name, pattern in _DATE_PATTERNS:
        for m in pattern.finditer(text):
            if not _free(taken, m.start(), m.end()):
                continue
            if name in ("mdy", "dmy_name") and m.group("mon").lower() == "may" and m.group("mon") != "May":
                continue  # "3 may change" is not a date
            if name == "time":
                _take(taken, m.start(), m.end())
                found.append(NumberMention(m.group(0), m.start(), m.end(), "time"))
                continue
            dates = _dates_for(name, m)
            if dates:
                _take(taken, m.start(), m.end())
                found.append(NumberMention(m.group(0), m.start(), m.end(), "date", (), dates))
    for m in _NUMBER.finditer(text):
        if m.group("num") is None or not _free(taken, m.start("num"), m.end("num")):
            continue
        if m.start("num") > 0 and (text[m.start("num") - 1].isalnum() or text[m.start("num") - 1] == "_"):
            continue  # "p90", "B2B", "mp4": part of a word
        mention = _number_mention(text, m)
        if mention is not None:
            _take(taken, mention.start, mention.end)
            found.append(mention)
    for m in _WORDS.finditer(text):
        if not _free(taken, m.start(), m.end()):
            continue
        mention = _word_mention(m)
        if mention is not None:
            found.append(mention)
    found.sort(key=lambda x: x.start)
    return _propagate_range_units(text, found)


def _word_mention(m: re.Match[str]) -> NumberMention | None:
    g = m.groupdict()
    if g["mult"]:
        word = g["mult"].lower()
        value = {"twice": 2.0, "doubled": 2.0, "tripled": 3.0, "quadrupled": 4.0, "halved": 0.5}.get(word)
        if word == "dozen":
            return NumberMention(m.group(0), m.start(), m.end(), "number", (Reading(12, 0.5),))
        return NumberMention(m.group(0), m.start(), m.end(), "multiplier",
                             (Reading(value or 0.0, 0.05, "multiplier"),))
    if g["half"]:
        return NumberMention(m.group(0), m.start(), m.end(), "percent", (
            Reading(50, 5, "percent"), Reading(0.5, 0.05, "multiplier")))
    words = re.split(r"[-\s]+", g["w"].lower())
    scale = g["scale"]
    if words == ["a"] and not scale:
        return None
    if words in (["one"], ["a"]) and not scale and not g["unit"]:
        return None  # "one of the", "no one": almost never a numeric claim
    value = float(sum(_WORD_NUMBERS.get(w, 1 if w == "a" else 0) for w in words))
    value *= _SCALES[scale.lower()] if scale else 1
    unit = (g["unit"] or "").strip().lower()
    tol = 0.5 * (_SCALES[scale.lower()] if scale else 1)
    if unit in ("%", "percent", "per cent"):
        return NumberMention(m.group(0), m.start(), m.end(), "percent", (Reading(value, tol, "percent"),))
    if unit.startswith(("percentage", "point")):
        return NumberMention(m.group(0), m.start(), m.end(), "points", (Reading(value, tol, "points"),))
    readings = [Reading(value, tol)]
    if unit == "times":
        readings.append(Reading(value, tol, "multiplier"))
    return NumberMention(m.group(0), m.start(), m.end(), "number", tuple(readings))


def _propagate_range_units(text: str, found: list[NumberMention]) -> list[NumberMention]:
    """'3-5%': the 3 is a percentage too."""
    out = list(found)
    for i in range(len(out) - 2, -1, -1):
        a, b = out[i], out[i + 1]
        if (a.kind == "number" and b.kind in ("percent", "points") and len(a.readings) == 1
                and _RANGE_SEP.match(text[a.end:b.start])):
            r = a.readings[0]
            out[i] = NumberMention(a.text, a.start, a.end, b.kind, (Reading(r.value, r.tolerance, b.kind),))
    return out


# --- checking -------------------------------------------------------------------------------

_DURATIONS = {"seconds": 1.0, "minutes": 60.0, "hours": 3600.0}
_PERIOD_PHRASE = re.compile(
    r"\b(?:last|past|previous|prior|next|trailing)\s+\d+\s+(?:days?|weeks?|months?|quarters?|years?)\b", _I)
# the confidence level and power a verdict is stated at: structure, not a claim about the data
STRUCTURE_PHRASES = ("95% interval", "80% power", "q = 0.05")


@dataclass(frozen=True)
class _Candidate:
    value: float
    kinds: frozenset[str]
    unit: str = ""
    tolerance: float = 0.0  # strict checks: the display's own rounding


def _close(a: float, b: float, tol: float) -> bool:
    return abs(a - b) <= tol + 1e-9 * max(1.0, abs(b))


def _fact_candidates(fact: Fact) -> list[_Candidate]:
    """Every value a fact may be quoted as: its raw value (and x100 for fractions) and its display."""
    shown = [r for m in extract_numbers(fact.display) for r in m.readings]
    unit = fact.unit if fact.unit in _DURATIONS else ""
    out = [_Candidate(r.value, frozenset({r.kind, "number"}), r.unit or unit) for r in shown]
    v = fact.value
    if v is None or not math.isfinite(v):
        return out
    kinds = {"number"}
    if fact.unit in ("ratio", "x", "multiplier"):
        kinds.add("multiplier")
    pct = [r for r in shown if r.kind == "percent"]
    fraction = any(_close(v * 100, r.value, r.tolerance) for r in pct)
    if fraction:  # 0.1234 shown as +12.3%: quoting 0.12 would read as a different claim
        kinds.discard("number")
    if any(_close(v, r.value, r.tolerance) for r in pct) or (not pct and fact.unit == "percent"):
        kinds.add("percent")
    if any(r.kind == "points" and _close(v, r.value, r.tolerance) for r in shown) or (
            fact.unit in ("points", "pp") and not any(r.kind == "points" for r in shown)):
        kinds.add("points")
    if fact.unit in ("currency", "usd", "eur", "gbp") or any(r.kind == "currency" for r in shown):
        kinds.add("currency")
    if kinds:
        out.append(_Candidate(v, frozenset(kinds), unit))
    if fraction:
        out.append(_Candidate(v * 100, frozenset({"number", "percent"})))
        if v > -1:
            out.append(_Candidate(1 + v, frozenset({"multiplier"})))  # +200% == 3x
    return out


def _display_candidates(fact: Fact) -> list[_Candidate]:
    """Strict checks: a fact may only be quoted as its display shows it (same kind, same rounding)."""
    unit = fact.unit if fact.unit in _DURATIONS else ""
    return [_Candidate(r.value, frozenset({r.kind}), r.unit or unit, r.tolerance)
            for m in extract_numbers(fact.display) for r in m.readings]


def _reading_matches_display(r: Reading, c: _Candidate) -> bool:
    if r.kind not in c.kinds or r.unit != c.unit or r.tolerance > c.tolerance * 1.001 + 1e-12:
        return False
    return _close(r.value if r.signed else abs(r.value), c.value if r.signed else abs(c.value), c.tolerance)


def _reading_matches(r: Reading, c: _Candidate) -> bool:
    if r.kind not in c.kinds:
        return False
    value, tol = r.value, r.tolerance
    if r.unit in _DURATIONS and c.unit in _DURATIONS:
        factor = _DURATIONS[r.unit] / _DURATIONS[c.unit]
        value, tol = value * factor, tol * factor
    if r.signed:
        return _close(value, c.value, tol)
    return _close(abs(value), abs(c.value), tol)


def _fact_dates(facts: Sequence[Fact], allowed: Sequence[str]) -> set[date]:
    texts = [t for f in facts for t in (f.key, f.label, f.display, f.source)] + list(allowed)
    out: set[date] = set()
    for t in texts:
        for m in extract_numbers(t):
            for d in m.dates:
                if d.year and d.month and d.day:
                    try:
                        out.add(date(d.year, d.month, d.day))
                    except ValueError:
                        continue
    return out


def _mask(text: str, phrases: Iterable[str]) -> str:
    """Blank out allowed phrases (whole words only), keeping every offset."""
    chars = list(text)
    for phrase in sorted({p.strip() for p in phrases if p and p.strip()}, key=len, reverse=True):
        pattern = re.compile(r"(?<![\w])" + re.escape(phrase) + r"(?![\w])", _I)
        for m in pattern.finditer(text):
            chars[m.start():m.end()] = " " * (m.end() - m.start())
    return "".join(chars)


def check_numbers(text: str, facts: Sequence[Fact], *, allowed: Iterable[str] = (),
                  strict: bool = False) -> list[NumberMention]:
    """The number mentions in ``text`` that match no fact within display rounding (empty = grounded).

    ``allowed`` lists phrases whose digits are structure, not claims ("last 28 days",
    "per 1,000", a KPI id); dates inside them also ground date mentions. ``strict`` (for
    text whose figures were put there from the facts' displays) accepts a number only as
    a display shows it: same kind, no coarser rounding, no raw value, no list numbering.
    """
    allowed = list(allowed)
    phrases = allowed + list(STRUCTURE_PHRASES) + [m.group(0) for f in facts for m in _PERIOD_PHRASE.finditer(f.label)]
    masked = _mask(text, phrases)
    candidates = [c for f in facts for c in (_display_candidates(f) if strict else _fact_candidates(f))]
    matches = _reading_matches_display if strict else _reading_matches
    dates = _fact_dates(facts, allowed)
    bad: list[NumberMention] = []
    for mention in extract_numbers(masked, list_numbering=not strict):
        mention = NumberMention(text[mention.start:mention.end].strip(), mention.start, mention.end,
                                mention.kind, mention.readings, mention.dates)
        if any(matches(r, c) for r in mention.readings for c in candidates):
            continue
        if any(ref.matches(d) for ref in mention.dates for d in dates):
            continue
        bad.append(mention)
    return bad
