"""Digest and alert content -> Slack message (Block Kit + text fallback).

Text is the primary carrier: every number is in the text (and in the blocks)
so it can be read and copied without the chart, which is uploaded as a PNG in
the message's thread. A filtered digest names its segment in the title, the
text and the chart; the narrative appears once; a late digest says when it was
due and names (and summarises) the earlier periods it missed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from advisor.digest_compose import is_material, scope_label
from advisor.format import fmt_change, fmt_value
from bot.render.mrkdwn import escape, to_mrkdwn

if TYPE_CHECKING:
    from advisor.alerts import AlertResult
    from advisor.answer import Answer

    from .schedule import Due

__all__ = [
    "Message",
    "Missed",
    "fmt_change",
    "fmt_value",
    "is_material",
    "late_note",
    "missed_note",
    "period_phrase",
    "render_alert",
    "render_digest",
    "render_quiet",
    "scope_label",
]

_SECTION_LIMIT = 2900  # Slack caps a section's text at 3000 characters
_MAX_BLOCKS = 48
DOWNTIME = "the service was down or could not post then"


@dataclass
class Message:
    """What gets posted: text (fallback and primary carrier), blocks, an optional chart."""

    kind: str  # digest | quiet | alert
    text: str  # Slack's fallback: escaped, so a name in the data can never ping a channel
    blocks: list[dict[str, Any]]
    png: bytes | None = None
    chart_title: str = "chart"
    answer: Any = None  # the Answer behind a digest, remembered for follow-ups in its thread
    numbers: list[str] = field(default_factory=list)
    plain: str = ""  # the same text unescaped, for terminals (`digest preview`)
    alt_text: str = ""  # what the chart shows, in words and numbers (screen readers, no-image clients)


def _message(kind: str, plain_text: str, blocks: list[dict[str, Any]], **kw: Any) -> Message:
    return Message(kind=kind, text=escape(plain_text), blocks=blocks, plain=plain_text, **kw)


@dataclass(frozen=True)
class Missed:
    """An earlier period whose fire passed undelivered; ``answer`` (its digest) when summarised."""

    due: Due
    answer: Any = None


def _day(d: date) -> str:
    return f"{d.day} {d:%b}"


def period_phrase(start: date, end: date, label: str | None = None) -> str:
    """'on 29 Jun 2025 (yesterday)', 'from 23 Jun to 29 Jun 2025 (last week)'."""
    when = (f"on {_day(start)} {start.year}" if start == end
            else f"from {_day(start)}{'' if start.year == end.year else f' {start.year}'} to {_day(end)} {end.year}")
    if label and label not in (str(start), f"{start}..{end}", "span"):
        when += f" ({label})"
    return when


def missed_note(missed: Sequence[Missed]) -> str | None:
    """'Missed: 2 Jun, 9 Jun (the service was down or could not post then).'"""
    if not missed:
        return None
    days = ", ".join(_day(m.due.local.date()) for m in missed)
    return f"Missed: {days} ({DOWNTIME})."


def late_note(due: Due | None, missed: Sequence[Missed] = ()) -> str | None:
    parts = []
    if due is not None and due.late:
        when = due.local.strftime("%a %d %b %H:%M %Z")
        parts.append(f"Late: this was due {when}; the bot was not running then. Numbers are as of {due.as_of}.")
    note = missed_note(missed)
    if note:
        parts.append(note + " Their numbers are summarised below.")
    return " ".join(parts) or None


def _missed_line(m: Missed) -> str:
    p = m.due.period
    head = f"- {_day(m.due.local.date())} ({_day(p.start)} to {_day(p.end)})" if p.start != p.end \
        else f"- {_day(m.due.local.date())} ({_day(p.start)})"
    answer = m.answer
    if answer is None:
        return head + ": not summarised (older); `/kpi value` gives any period's numbers."
    kpi = answer.kpi_id
    facts = {f.key: f for f in answer.facts}
    value = facts.get(f"{kpi}.value")
    change = facts.get(f"{kpi}.previous.rel_change") or facts.get(f"{kpi}.previous.abs_change")
    if value is None:
        return f"{head}: {answer.summary}"
    name = value.label.rsplit(", ", 1)[0]
    line = f"{head}: {name} {value.display}"
    if change is not None and change.display:
        line += f", {change.display} vs the period before"
    return line + ("; something material moved" if is_material(answer) else "; nothing material moved")


def _missed_section(missed: Sequence[Missed]) -> str | None:
    if not missed:
        return None
    return "*Missed periods*\n" + "\n".join(_missed_line(m) for m in missed)


def _section(raw: str) -> list[dict[str, Any]]:
    """Section blocks of escaped mrkdwn (the raw text comes from data and the advisor)."""
    out = []
    text = to_mrkdwn(raw)
    while text:
        chunk = text[:_SECTION_LIMIT]
        if len(text) > _SECTION_LIMIT and "\n" in chunk:
            chunk = chunk[: chunk.rindex("\n")]
        out.append({"type": "section", "text": {"type": "mrkdwn", "text": chunk}})
        text = text[len(chunk):].lstrip("\n")
    return out


def _header(title: str) -> dict[str, Any]:
    return {"type": "header", "text": {"type": "plain_text", "text": title[:150], "emoji": False}}


def _context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": to_mrkdwn(text)[:2900]}]}


_HEADLINE = re.compile(r"^[a-z0-9_]+\.(value|previous\.value|previous\.abs_change|previous\.rel_change)$")


def _headline(facts: list[Any]) -> list[Any]:
    """Each KPI's value, previous value and change (the audit trail's other facts stay in the Answer)."""
    return [f for f in facts if _HEADLINE.match(f.key)]


def _missing_numbers(answer: Answer, text: str) -> list[str]:
    """Headline fact lines whose displayed number the text does not already carry."""
    # each KPI's own name, from its all-segment value fact: a breakdown fact ("... for youtube")
    # also ends in ".value", and its label must not name the all-platform figure
    names = {f.kpi_id: f.label.rsplit(", ", 1)[0] for f in answer.facts
             if f.kpi_id and f.key == f"{f.kpi_id}.value"}
    lines = []
    for f in _headline(answer.facts):
        if not f.display or f.display in text:
            continue
        name = names.get(f.kpi_id, "")
        label = f.label if not name or f.label.startswith(name) else f"{name}: {f.label}"
        lines.append(f"- {label}: {f.display}")
    return lines


def _scoped_title(title: str, filters: dict[str, list[str]] | None) -> str:
    scope = scope_label(filters)
    if not scope or all(v in title for vs in (filters or {}).values() for v in vs):
        return title
    return f"{title} | {scope}"


def _segment_line(filters: dict[str, list[str]] | None) -> str | None:
    scope = scope_label(filters)
    return f"Segment: {scope}. Every number here covers this segment only." if scope else None


def _lead_and_sections(answer: Answer) -> list[str]:
    """The narrative once: the narrator's section when there is one, else the summary; then the rest."""
    narrative = next((s for s in answer.sections if s.kind == "narrative"), None)
    lead = narrative.text if narrative is not None else answer.summary
    rest = [f"*{s.title}*\n{s.text}" if s.title else s.text for s in answer.sections if s.kind != "narrative"]
    return [lead, *rest]


def render_digest(answer: Answer, *, png: bytes | None = None, due: Due | None = None,
                  missed: Sequence[Missed] = ()) -> Message:
    """A full digest: title, narrative, scorecard/movers sections, every number in text."""
    filters = answer.context.filters
    title = _scoped_title(answer.title, filters)
    notes = [n for n in (_segment_line(filters), late_note(due, missed)) if n]
    body = _lead_and_sections(answer)
    extra = _missing_numbers(answer, "\n\n".join(body))
    if extra:
        body.append("*Numbers*\n" + "\n".join(extra))
    section = _missed_section(missed)
    if section:
        body.append(section)
    footer = _footer(answer)
    blocks: list[dict[str, Any]] = [_header(title)]
    blocks += [_context((":hourglass: " if n.startswith(("Late", "Missed")) else "") + n) for n in notes]
    for part in body:
        blocks.extend(_section(part))
    blocks.append(_context(footer))
    if len(blocks) > _MAX_BLOCKS:  # keep the head and the footer; the text fallback has it all
        blocks = blocks[: _MAX_BLOCKS - 1] + [blocks[-1]]
    text = "\n\n".join([title, *notes, *body, footer])
    chart_title = answer.chart.title if answer.chart and answer.chart.title else answer.title
    return _message("digest", text, blocks, png=png, chart_title=_scoped_title(chart_title, filters),
                   answer=answer, numbers=[f.display for f in _headline(answer.facts)])


def _footer(answer: Answer) -> str:
    as_of = answer.context.as_of
    snap = f" (snapshot {as_of})" if as_of else ""
    method = f" {answer.footnote}" if getattr(answer, "footnote", None) else ""
    return f"Every number is computed by the KPI engine{snap}.{method} Reply in this thread to ask about it."


def render_quiet(answer: Answer, *, due: Due | None = None, missed: Sequence[Missed] = ()) -> Message:
    """Nothing material moved: one sober line and the primary KPI's numbers, no narrative."""
    filters = answer.context.filters
    title = _scoped_title(answer.title, filters)
    if due is not None:
        when = period_phrase(due.period.start, due.period.end, due.period.label)
    else:
        start, _, end = (answer.context.period or "").partition("..")
        try:
            when = period_phrase(date.fromisoformat(start), date.fromisoformat(end or start))
        except ValueError:
            when = "in this period"
    kpi = answer.kpi_id
    primary = [f for f in answer.facts if kpi and f.key in (f"{kpi}.value", f"{kpi}.previous.rel_change")]
    values = "; ".join(f"{f.label}: {f.display}" for f in primary)
    scope = scope_label(filters)
    line = f"Nothing material changed {when}{f' for {scope}' if scope else ''}: no change holds up (none is meaningful)."
    if values:
        line += f" {values}."
    notes = [n for n in (late_note(due, missed),) if n]
    section = _missed_section(missed)
    blocks: list[dict[str, Any]] = [_section(f"*{title}*\n{line}")[0]]
    blocks += [_context(n) for n in notes]
    if section:
        blocks.extend(_section(section))
    text = "\n".join([title, line, *notes, *([section] if section else [])])
    return _message("quiet", text, blocks, answer=answer,
                   numbers=[f.display for f in primary])


def render_alert(result: AlertResult, *, png: bytes | None = None, due: Due | None = None,
                 missed: Sequence[Missed] = ()) -> Message:
    """What moved, by how much, against what, why it fired, and which segments drove it."""
    late = late_note(due, ()) if not missed else " ".join(
        n for n in (late_note(due, ()), missed_note(missed)) if n)
    lines = [result.headline, result.detail, f"Why this alert: {result.reason}"]
    if result.drivers:
        lines.append(f"*Drivers (by {result.driver_dimension.replace('_', ' ')})*\n"
                     + "\n".join(f"- {d}" for d in result.drivers))
    elif result.drivers_note:
        lines.append(f"*Drivers*\n{result.drivers_note}")
    if result.caveat:
        lines.append(f"_{result.caveat}_")
    blocks: list[dict[str, Any]] = [_header(result.title)]
    if late:
        blocks.append(_context(late))
    for part in lines:
        blocks.extend(_section(part))
    blocks.append(_context("Every number is computed by the KPI engine. Reply in this thread to ask about it."))
    text = "\n\n".join([result.title] + ([late] if late else []) + lines)
    return _message("alert", text, blocks, png=png, chart_title=f"{result.name} trend",
                    numbers=result.numbers, alt_text=getattr(result, "chart_alt", ""))
