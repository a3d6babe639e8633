"""Terminal rendering of advisor answers and engine results (rich)."""

from __future__ import annotations

import re
from typing import Any

from rich.panel import Panel
from rich.table import Table

from advisor.facts import fmt_contribution, verdict_phrase
from advisor.format import fmt_change, fmt_value

from .common import console

__all__ = ["render_answer", "render_report", "render_breakdown", "render_trend", "render_scorecard"]

_VERDICT_STYLE = {"up": "green", "down": "red", "flat": "dim", "unclear": "yellow", "not_enough_data": "yellow"}


def _rich(text: str) -> str:
    """Slack-style *bold*, _italic_ and `code` to rich markup; escape everything else."""
    text = text.replace("[", r"\[")
    text = re.sub(r"\*([^*\n]+)\*", r"[bold]\1[/bold]", text)
    text = re.sub(r"(?<![A-Za-z0-9])_([^_\n]+)_(?![A-Za-z0-9])", r"[italic]\1[/italic]", text)
    return re.sub(r"`([^`\n]+)`", r"[cyan]\1[/cyan]", text)


def render_answer(answer: Any) -> None:
    body = [_rich(answer.summary)]
    for s in answer.sections:
        if s.kind == "narrative" and s.text == answer.summary:
            continue
        body.append(f"\n[bold underline]{_rich(s.title)}[/]\n{_rich(s.text)}" if s.title else f"\n{_rich(s.text)}")
    choices = [a for a in answer.actions if a.id in ("choose_goal", "choose_kpi")]
    others = [a for a in answer.actions if a not in choices]
    hint = "[dim](type its number in chat, or ask again with --pick N)[/]"
    if choices and answer.intent == "clarify":  # the sections already number the options
        body.append(f"\n{hint}")
    elif choices:  # numbered: `chat` takes the number, `ask --pick N` the option
        body.append(f"\n[bold]Not what you meant?[/] {hint}\n" + "\n".join(
            f"  [bold]{i}.[/] {_rich(a.label)}" for i, a in enumerate(choices, 1)))
    if others:
        body.append("\n[dim]Next: " + " | ".join(_rich(a.label) for a in others) + "[/]")
    subtitle = f"{answer.intent} · {answer.narrator}"
    if getattr(answer, "confidence", None) is not None:
        subtitle += f" · {answer.confidence:.0%} sure"
    console.print(Panel("\n".join(body), title=_rich(answer.title), title_align="left", subtitle=subtitle,
                        subtitle_align="right",
                        expand=console.is_terminal))  # piped: as wide as the text, not the (unbounded) page
    for w in answer.warnings:
        console.print(f"[yellow]Note:[/] {w}")


def render_report(r: Any) -> None:
    v = r.current
    scope = " ".join(f"{k}={'/'.join(x)}" for k, x in v.filters.items())
    console.print(f"[bold]{v.name}[/] {scope} · {v.period.label} ({v.period.start} to {v.period.end})")
    console.print(f"  [bold]{fmt_value(v.value, v.unit)}[/]   formula: {r.formula}")
    if v.numerator is not None and v.denominator is not None:
        console.print(f"  numerator {v.numerator:,.2f} / denominator {v.denominator:,.2f}")
    if v.message:
        console.print(f"  [yellow]{v.message}[/]")
    for c in (r.previous, r.last_year):
        style = _VERDICT_STYLE[c.verdict]
        ref = c.reference
        console.print(f"  vs {c.against} ({ref.period.start} to {ref.period.end}): {fmt_value(ref.value, ref.unit)} · "
                      f"{fmt_change(c.abs_change, c.rel_change, v.unit)} · [{style}]{verdict_phrase(c)}[/]")
    if v.caveat:
        console.print(f"  [yellow]Note:[/] {v.caveat}")


def render_breakdown(b: Any) -> None:
    t = Table(title=f"{b.name} by {b.dimension}", title_justify="left")
    for col in ("segment", "value", "previous", "share", "contribution", "mix", "rate"):
        t.add_column(col, justify="left" if col == "segment" else "right")
    for s in b.segments:
        t.add_row(s.key or "(untagged)", fmt_value(s.value, b.unit), fmt_value(s.previous_value, b.unit),
                  f"{s.share * 100:.0f}%" if s.share is not None else "-",
                  fmt_contribution(s.contribution, b.unit), fmt_contribution(s.mix_effect, b.unit),
                  fmt_contribution(s.rate_effect, b.unit))
    console.print(t)
    if b.note:
        console.print(f"[yellow]Note:[/] {b.note}")


def render_trend(trend: Any) -> None:
    t = Table(title=f"{trend.name} by {trend.grain}", title_justify="left")
    for col in ("from", "to", "value", "expected", "flag"):
        t.add_column(col, justify="right")
    for p in trend.points:
        t.add_row(str(p.start), str(p.end), fmt_value(p.value, trend.unit),
                  fmt_value(p.expected, trend.unit) if p.expected is not None else "-",
                  "[red]unusual[/]" if p.anomaly else "")
    console.print(t)
    if trend.caveat:
        console.print(f"[yellow]Note:[/] {trend.caveat}")


def render_scorecard(card: Any) -> None:
    t = Table(title=f"{card.goal_name} · {card.period.label} ({card.period.start} to {card.period.end})",
              title_justify="left")
    for col in ("KPI", "value", "vs previous", "verdict", "vs last year"):
        t.add_column(col)
    for i, r in enumerate([card.primary, *card.diagnostics]):
        v = r.current
        name = f"[bold]{v.name}[/] (primary)" if i == 0 else v.name
        style = _VERDICT_STYLE[r.previous.verdict]
        t.add_row(name, fmt_value(v.value, v.unit), fmt_change(r.previous.abs_change, r.previous.rel_change, v.unit),
                  f"[{style}]{verdict_phrase(r.previous)}[/]",
                  fmt_change(r.last_year.abs_change, r.last_year.rel_change, v.unit))
    console.print(t)
    from kpi_engine.multiplicity import fdr_note

    note = fdr_note([card.primary, *card.diagnostics], "scorecard")
    if note:
        console.print(f"[dim]{note}[/]")
