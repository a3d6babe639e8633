"""Digest and alert content -> Slack message (Block Kit + text fallback).

Text is the primary carrier: every number is in the text (and in the blocks)
so it can be read and copied without the chart, which is uploaded as a PNG in
the message's thread.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from advisor.format import fmt_change, fmt_value

if TYPE_CHECKING:
    from advisor.answer import Answer

    from .alerts import AlertResult
    from .schedule import Due

__all__ = ["Message", "render_digest", "render_quiet", "render_alert", "late_note", "is_material",
           "fmt_value", "fmt_change"]

_SECTION_LIMIT = 2900  # Slack caps a section's text at 3000 characters
_MAX_BLOCKS = 48


@dataclass
class Message:
    """What gets posted: text (fallback and primary carrier), blocks, an optional chart."""

    kind: str  # digest | quiet | alert
    text: str
    blocks: list[dict[str, Any]]
    png: bytes | None = None
    chart_title: str = "chart"
    answer: Any = None  # the Answer behind a digest, remembered for follow-ups in its thread
    numbers: list[str] = field(default_factory=list)


def is_material(answer: Answer) -> bool:
    """Whether anything moved enough to report (the advisor's flag, else a drivers section)."""
    flag = getattr(answer, "material", None)
    if isinstance(flag, bool):
        return flag
    return any(s.kind == "drivers" for s in answer.sections)


def late_note(due: Due | None, now_text: str | None = None) -> str | None:
    if due is None or not due.late:
        return None
    when = due.local.strftime("%a %d %b %H:%M %Z")
    return f"Late: this was due {when}; the bot was not running then. Numbers are as of {due.as_of}."


def _section(text: str) -> list[dict[str, Any]]:
    out = []
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
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text[:2900]}]}


_HEADLINE = re.compile(r"^[a-z0-9_]+\.(value|previous\.value|previous\.abs_change|previous\.rel_change)$")


def _headline(facts: list[Any]) -> list[Any]:
    """Each KPI's value, previous value and change (the audit trail's other facts stay in the Answer)."""
    return [f for f in facts if _HEADLINE.match(f.key)]


def _missing_numbers(answer: Answer, text: str) -> list[str]:
    """Headline fact lines whose displayed number the text does not already carry."""
    names = {f.kpi_id: f.label.rsplit(", ", 1)[0] for f in answer.facts if f.key.endswith(".value")}
    lines = []
    for f in _headline(answer.facts):
        if not f.display or f.display in text:
            continue
        name = names.get(f.kpi_id, "")
        label = f.label if not name or f.label.startswith(name) else f"{name}: {f.label}"
        lines.append(f"- {label}: {f.display}")
    return lines


def render_digest(answer: Answer, *, png: bytes | None = None, due: Due | None = None) -> Message:
    """A full digest: title, summary, scorecard/movers/narrative sections, every number in text."""
    late = late_note(due)
    body = [answer.summary] + [f"*{s.title}*\n{s.text}" if s.title else s.text for s in answer.sections]
    text_so_far = "\n\n".join(body)
    extra = _missing_numbers(answer, text_so_far)
    if extra:
        body.append("*Numbers*\n" + "\n".join(extra))
    footer = _footer(answer)
    blocks: list[dict[str, Any]] = [_header(answer.title)]
    if late:
        blocks.append(_context(":hourglass: " + late))
    for part in body:
        blocks.extend(_section(part))
    blocks.append(_context(footer))
    if len(blocks) > _MAX_BLOCKS:  # keep the head and the footer; the text fallback has it all
        blocks = blocks[: _MAX_BLOCKS - 1] + [blocks[-1]]
    text = "\n\n".join([answer.title] + ([late] if late else []) + body + [footer])
    title = answer.chart.title if answer.chart and answer.chart.title else answer.title
    return Message(kind="digest", text=text, blocks=blocks, png=png, chart_title=title,
                   answer=answer, numbers=[f.display for f in _headline(answer.facts)])


def _footer(answer: Answer) -> str:
    as_of = answer.context.as_of
    snap = f" (snapshot {as_of})" if as_of else ""
    return f"Every number is computed by the KPI engine{snap}. Reply in this thread to ask about it."


def render_quiet(answer: Answer, *, due: Due | None = None) -> Message:
    """Nothing material moved: one sober line and the primary KPI's numbers, no narrative."""
    late = late_note(due)
    if due is not None:
        period = f"{due.period.label} ({due.period.start} to {due.period.end})"
    else:
        period = (answer.context.period or "this period").replace("..", " to ")
    kpi = answer.kpi_id
    primary = [f for f in answer.facts if kpi and f.key in (f"{kpi}.value", f"{kpi}.previous.rel_change")]
    values = "; ".join(f"{f.label}: {f.display}" for f in primary)
    line = f"Nothing material changed in {period}: every change is within normal variation."
    if values:
        line += f" {values}."
    blocks: list[dict[str, Any]] = [_section(f"*{answer.title}*\n{line}")[0]]
    if late:
        blocks.append(_context(late))
    text = "\n".join([answer.title, line] + ([late] if late else []))
    return Message(kind="quiet", text=text, blocks=blocks, answer=answer,
                   numbers=[f.display for f in primary])


def render_alert(result: AlertResult, *, png: bytes | None = None, due: Due | None = None) -> Message:
    """What moved, by how much, against what, why it fired, and which segments drove it."""
    late = late_note(due)
    lines = [result.headline, result.detail, f"Why this alert: {result.reason}"]
    if result.drivers:
        lines.append(f"*Drivers (by {result.driver_dimension.replace('_', ' ')})*\n"
                     + "\n".join(f"- {d}" for d in result.drivers))
    if result.caveat:
        lines.append(f"_{result.caveat}_")
    blocks: list[dict[str, Any]] = [_header(result.title)]
    if late:
        blocks.append(_context(late))
    for part in lines:
        blocks.extend(_section(part))
    blocks.append(_context("Every number is computed by the KPI engine. Reply in this thread to ask about it."))
    text = "\n\n".join([result.title] + ([late] if late else []) + lines)
    return Message(kind="alert", text=text, blocks=blocks, png=png,
                   chart_title=f"{result.name} trend", numbers=result.numbers)
