"""What sits behind an answer's "Show numbers" and "Sources" buttons.

The first message says the answer; these views hold the audit trail: every number the
engine produced, unabbreviated and with its unit (so it can be copied), grouped by period
and segment with each label said once; the sections the first message left out; and the
guidance the answer drew on, in whole sentences, each source once.
"""

from __future__ import annotations

import math
import re
from typing import Any

from advisor.answer import Answer, Fact, Section
from bot.render.mrkdwn import cut_sentences, escape, to_mrkdwn

__all__ = ["MAIN_KINDS", "exact_value", "numbers_text", "sources_text", "split_sections", "unique_citations"]

# The sections an answer's first message shows (the "why"), by intent, in order; the rest
# (definitions, traps, full lists) are behind "Show numbers" / "More detail".
MAIN_KINDS: dict[str, tuple[str, ...]] = {
    "value": ("breakdown", "drivers", "values"),
    "compare": ("values", "breakdown"),
    "why": ("drivers", "values"),
    "recommend": ("formula",),
    "verdict": ("formula", "summary"),
    "explain": ("formula",),
    "digest": ("values", "drivers", "note"),
    "brief": ("summary",),  # the ranked lines; every KPI's numbers behind "Show numbers" / "More detail"
}
ALL_KINDS = ("help", "clarify", "out_of_scope")  # short by nature: shown whole
# Number answers show only the first of their main kinds: their "values" section restates the
# headline, so it is shown only when there is no breakdown or driver to say why.
FIRST_ONLY = ("value", "compare", "why")

_UNIT_WORDS = {"per_1000": " per 1,000 impressions", "per_post": " per post", "seconds": " s",
               "minutes": " min", "points": " pts"}
_KIND_WORDS = {"numerator": "numerator", "denominator": "denominator", "volume": "volume",
               "abs_change": "change", "rel_change": "relative change", "contribution": "contribution to the change",
               "share": "share", "mix": "mix effect", "rate": "rate effect", "mde": "smallest detectable change"}


_SIGNED = ("abs_change", "rel_change", "contribution", "mix", "rate", "mde")


def _plain_number(v: float, decimals: int = 4) -> str:
    if float(v).is_integer():
        return f"{v:,.0f}"
    return f"{v:,.{decimals}f}".rstrip("0").rstrip(".")


def exact_value(f: Fact) -> str:
    """The fact's number unabbreviated, with its unit: '4.1180%', '4,598,729', '-0.1660 pp'."""
    v = f.value
    if v is None or not isinstance(v, (int, float)) or not math.isfinite(v):
        return f.display
    if f.unit == "percent":
        return f"{_plain_number(v)}%"
    sign = "+" if v > 0 and f.kind in _SIGNED else ""  # a change says its direction; a share does not
    if f.unit == "pp":
        return f"{sign}{_plain_number(v)} pp"
    if f.unit == "fraction":
        return f"{sign}{_plain_number(v * 100, 2)}%"
    if f.unit == "currency":
        return f"{sign}{v:,.2f}"
    return sign + _plain_number(v) + _UNIT_WORDS.get(f.unit, "")


def _group_key(f: Fact) -> tuple[str, str, str]:
    if not f.kind:  # a fact that does not say what it is stands alone, under its own label
        return ("", "", f.key)
    if f.segment:  # a segment's numbers, this period and the previous one, on one line
        return (f.kpi_id or "", f.segment, "")
    return (f.kpi_id or "", "", f.period or "")


def _dates(group: list[Fact]) -> str:
    start = next((f.display for f in group if f.kind == "start"), None)
    end = next((f.display for f in group if f.kind == "end"), None)
    return f" ({start} to {end})" if start and end else ""


def numbers_text(answer: Answer) -> str:
    """Every fact, exact and with units: one line per period (or segment), its label said once."""
    groups: dict[tuple[str, str, str], list[Fact]] = {}
    for f in answer.facts:
        groups.setdefault(_group_key(f), []).append(f)
    lines = []
    for group in groups.values():
        head = next((f for f in group if f.kind in ("value", None) and f.period in (None, "current")), None) \
            or next((f for f in group if f.kind in ("value", None)), None)
        rest = [f for f in group if f is not head and f.kind not in ("start", "end")]
        items = []
        for f in rest:
            word = _KIND_WORDS.get(f.kind or "")
            if f.kind == "value" and head is not None and f.segment:
                word = f"{f.period_label or f.period or 'other period'}"
            name = word if word and (head is not None or f.kind != "value") else f.label
            items.append(f"{name}: {exact_value(f)}")
        if head is not None:
            line = f"*{head.label}*: {exact_value(head)}{_dates(group)}"
            if items:
                line += "\n    " + " · ".join(items)
        elif items:
            dates = _dates(group)
            line = "\n".join(f"• {i}" for i in items) if not dates else f"{dates.strip()}\n" + " · ".join(items)
        else:
            continue
        lines.append(line)
    return "\n".join(lines)


def unique_citations(answer: Answer) -> list[Any]:
    """The answer's citations, each (document, heading) once."""
    seen: set[tuple[str, str]] = set()
    out = []
    for c in answer.citations:
        key = (c.title, c.heading)
        if key not in seen:
            seen.add(key)
            out.append(c)
    return out


def whole_excerpt(text: str, limit: int = 400) -> str:
    """An excerpt in whole sentences: a trailing '...' cut is dropped back to the last full stop."""
    text = re.sub(r"\s*(\.\.\.|…)\s*$", "", " ".join(text.split()))
    ends = [m.end() for m in re.finditer(r"[.!?](?=\s|$)", text)]
    if ends and ends[-1] != len(text):
        text = text[: ends[-1]]  # the retriever cut mid-sentence: keep the sentences it finished
    return cut_sentences(text, limit)


def sources_text(answer: Answer) -> str:
    """The guidance behind the answer: each source once, its excerpt in whole sentences (escaped mrkdwn)."""
    parts = []
    for c in unique_citations(answer):
        where = f"{c.title} › {c.heading}" if c.heading else c.title
        parts.append(f"*{escape(where)}*\n{to_mrkdwn(whole_excerpt(c.excerpt))}")
    return "\n\n".join(parts)


def _norm(text: str) -> str:
    """Text without bullets, emphasis and end punctuation, for "was this already said?"."""
    text = re.sub(r"^\s*[-•*]\s+", "", text.strip())
    return re.sub(r"[*_`]", "", text).strip().rstrip(".").lower()


def split_sections(answer: Answer, max_lines: int) -> tuple[list[tuple[Section, list[str]]], list[Section]]:
    """(sections shown first with the lines shown, what is left for the details view).

    The first message shows the intent's main sections, at most ``max_lines`` lines in all;
    anything cut is left, whole lines only, under the same title, so nothing is shown twice.
    """
    kinds = MAIN_KINDS.get(answer.intent)
    body = [s for s in answer.sections if s.kind != "guidance" and s.text.strip()]
    if answer.intent in ALL_KINDS or kinds is None:
        return [(s, s.text.splitlines()) for s in body], []
    if answer.intent == "digest":  # the narrative leads, in the first message (as in a digest)
        body = [s for s in body if s.kind != "narrative" or s.text.strip() != answer.summary.strip()]
    shown: list[tuple[Section, list[str]]] = []
    left: list[Section] = []
    room = max_lines
    order = sorted(body, key=lambda s: (kinds.index(s.kind) if s.kind in kinds else len(kinds)))
    main = [s for s in order if s.kind in kinds or (answer.intent == "digest" and s.kind == "narrative")]
    if answer.intent in FIRST_ONLY and main:
        main = [s for s in main if s.kind == main[0].kind]
    said = _norm(answer.summary)
    for s in main:
        lines = [ln for ln in s.text.splitlines() if ln.strip() and not (len(_norm(ln)) > 20 and _norm(ln) in said)]
        take = lines[:room] if room > 0 else []
        # a bullet list cut short says so; a cut that would leave one line shows it instead
        if len(lines) - len(take) == 1 and room > 0:
            take = lines
        room -= len(take)
        if take:
            shown.append((s, take))
        if len(take) < len(lines):
            left.append(Section(title=f"{s.title} (continued)" if take else s.title,
                                text="\n".join(lines[len(take):]), kind=s.kind))
    left += [s for s in body if s not in main]
    # keep the answer's own order among the shown sections
    position = {id(s): i for i, s in enumerate(answer.sections)}
    shown.sort(key=lambda item: position.get(id(item[0]), 0))
    return shown, left
