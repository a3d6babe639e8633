"""A KPI's trend as an answer ("Show the trend", "... trend last 90 days by week"), and chart alt text.

The reply carries the trend itself: a compact text sparkline and the value of every bucket
(each one an engine fact), so it reads without the chart; the chart follows where images can.
Alt text for any chart states the numbers the chart shows (first, last, low, high, every point
when they fit), for screen readers and clients that show no images.
"""

from __future__ import annotations

import math
import re
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from kpi_engine.format import fmt_value
from kpi_engine.periods import Period

from .answer import Action, Answer, ChartSpec, Context, Fact, Section

if TYPE_CHECKING:
    from kpi_engine.engine import Engine
    from kpi_engine.results import Breakdown, Trend

__all__ = ["asks_for_trend", "compose_trend", "describe_breakdown", "describe_chart", "describe_trend", "sparkline"]

_BARS = "▁▂▃▄▅▆▇█"
_TREND_WORDS = re.compile(r"\b(trend|trending|over time|week by week|by week|weekly values|sparkline)\b", re.IGNORECASE)
ALT_LIMIT = 1000  # Slack's alt text limit for files


def asks_for_trend(question: str) -> bool:
    """Whether a value question asks for the trend ("engagement rate trend last 90 days by week")."""
    return bool(_TREND_WORDS.search(question or ""))


def sparkline(values: list[float | None]) -> str:
    """'▁▃▅█▆' from values (a gap for a missing one)."""
    known = [v for v in values if v is not None and math.isfinite(v)]
    if not known:
        return ""
    lo, hi = min(known), max(known)
    span = hi - lo
    out = []
    for v in values:
        if v is None or not math.isfinite(v):
            out.append(" ")
        else:
            out.append(_BARS[round((v - lo) / span * (len(_BARS) - 1)) if span else 3])
    return "".join(out)


def _day(d: date) -> str:
    return f"{d.day} {d:%b}"


def _bucket(p: Any, grain: str) -> str:
    return {"week": f"week of {_day(p.start)}", "month": f"{p.start:%b %Y}"}.get(grain, _day(p.start))


def describe_trend(trend: Trend, *, title: str = "") -> str:
    """Alt text: what the trend chart shows, with its numbers."""
    pts = [p for p in trend.points if p.value is not None]
    head = title or f"{trend.name} by {trend.grain}"
    if not pts:
        return f"{head}: no data from {trend.period.start} to {trend.period.end}."
    unit = trend.unit
    lo = min(pts, key=lambda p: p.value or 0.0)  # pts holds only points with a value
    hi = max(pts, key=lambda p: p.value or 0.0)
    text = (f"{head}, line chart, {trend.period.start} to {trend.period.end}: from "
            f"{fmt_value(pts[0].value, unit)} ({_bucket(pts[0], trend.grain)}) to {fmt_value(pts[-1].value, unit)} "
            f"({_bucket(pts[-1], trend.grain)}); low {fmt_value(lo.value, unit)} ({_bucket(lo, trend.grain)}), "
            f"high {fmt_value(hi.value, unit)} ({_bucket(hi, trend.grain)}).")
    every = " Values: " + ", ".join(f"{_bucket(p, trend.grain)} {fmt_value(p.value, unit)}" for p in pts) + "."
    return text + every if len(text) + len(every) <= ALT_LIMIT else text


def describe_breakdown(bd: Breakdown, *, limit: int = 8, title: str = "") -> str:
    """Alt text: the bars of a breakdown chart, this period against the previous one."""
    head = title or f"{bd.name} by {bd.dimension.replace('_', ' ')}"
    segs = [s for s in bd.segments if s.value is not None or s.previous_value is not None][:limit]
    parts = [f"{s.key} {fmt_value(s.value, bd.unit)} (previous {fmt_value(s.previous_value, bd.unit)})"
             for s in segs]
    text = f"{head}, bar chart, this period against the previous one: " + "; ".join(parts) + "."
    return text if len(text) <= ALT_LIMIT else text[: ALT_LIMIT - 1].rsplit(";", 1)[0] + "."


def describe_chart(advisor: Any, spec: ChartSpec, *, workspace: str = "local", as_of: date | None = None) -> str:
    """Alt text for the chart ``advisor.render_chart(spec)`` draws (a module-level function, so the
    bot can run it where the advisor lives)."""
    engine = advisor.engine(workspace, as_of=as_of)
    if spec.kind == "breakdown" and spec.by:
        return describe_breakdown(engine.compute_breakdown(spec.kpi_id, spec.by, spec.period, spec.filters),
                                  title=spec.title)
    return describe_trend(engine.compute_trend(spec.kpi_id, spec.period, spec.grain, spec.filters), title=spec.title)


def compose_trend(engine: Engine, kpi_id: str, *, period: str | None = None,
                  filters: dict[str, list[str]] | None = None, grain: str | None = None) -> Answer:
    """The KPI's trend: by week over the 12 weeks to the period's end (or the period asked, by
    the grain asked), as a sparkline and every bucket's value."""
    kpi = engine.catalog.get(kpi_id)
    end_period = engine.period(period or "last_28_days")
    if period and end_period.days >= 56:
        span = end_period
    else:
        span = Period(start=end_period.end - timedelta(days=83), end=end_period.end, label="last 12 weeks",
                      kind="custom")
    grain = grain or ("day" if span.days <= 31 else "week" if span.days <= 366 else "month")
    trend = engine.compute_trend(kpi.id, span, grain, filters or {})  # type: ignore[arg-type]
    pts = trend.points
    unit = trend.unit
    known = [p for p in pts if p.value is not None]
    facts = [Fact(key=f"{kpi.id}.trend.{p.start}", label=f"{kpi.name}, {_bucket(p, grain)}", value=p.value,
                  display=fmt_value(p.value, unit), unit=unit, kpi_id=kpi.id, kind="value",
                  period=str(p.start), period_label=_bucket(p, grain), name=kpi.name, source="compute_trend")
             for p in pts]
    scope = "".join(f" for {', '.join(v)}" for v in (filters or {}).values() if v)
    when = f"{_day(span.start)} to {_day(span.end)} {span.end.year}"
    if known:
        first, last = known[0], known[-1]
        lo = min(known, key=lambda p: p.value or 0.0)
        hi = max(known, key=lambda p: p.value or 0.0)
        summary = (f"{kpi.name}{scope} by {grain}, {when}: {fmt_value(first.value, unit)} in the "
                   f"{_bucket(first, grain)}, {fmt_value(last.value, unit)} in the {_bucket(last, grain)}; "
                   f"low {fmt_value(lo.value, unit)}, high {fmt_value(hi.value, unit)}.")
        title = f"{kpi.name}{scope} trend: {fmt_value(first.value, unit)} → {fmt_value(last.value, unit)}"
    else:
        summary = f"No data for {kpi.name}{scope} from {span.start} to {span.end}."
        title = f"{kpi.name}{scope} trend: no data"
    cells = [f"{_bucket(p, grain).removeprefix('week of ')} {fmt_value(p.value, unit)}" for p in pts]
    rows = [" · ".join(cells[i : i + 3]) for i in range(0, len(cells), 3)]
    text = "\n".join([f"`{sparkline([p.value for p in pts])}`", *rows]) if known else ""
    odd = [p for p in pts if p.anomaly]
    if odd:
        text += "\nUnusual: " + ", ".join(f"{_bucket(p, grain)} ({fmt_value(p.value, unit)})" for p in odd[:4])
    period_key = f"{span.start}..{span.end}"
    return Answer(
        question=f"trend {kpi.id}", intent="value", title=title, summary=summary, kpi_id=kpi.id,
        sections=[Section(title=f"By {grain}" + (" (oldest first)" if known else ""), text=text, kind="values")]
        if text else [],
        facts=facts,
        chart=ChartSpec(kind="trend", kpi_id=kpi.id, period=period_key, grain=grain,  # type: ignore[arg-type]
                        filters=filters or {}, title=f"{kpi.name}{scope} by {grain}"),
        actions=[Action(id="explain", label="Explain this KPI", payload={"kpi_id": kpi.id}),
                 Action(id="show_value", label="Show the value",
                        payload={"kpi_id": kpi.id, "period": str(period or "last_28_days"), "filters": filters or {}})],
        context=Context(intent="value", kpi_id=kpi.id, period=period_key, filters=filters or {}),
        warnings=[trend.caveat] if trend.caveat else [],
    )
