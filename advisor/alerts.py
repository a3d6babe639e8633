"""KPI alerts: decide whether one KPI crossed the team's threshold or moved unusually, and say how.

An alert subscription rides on the digest machinery (schedule, delivery log,
once-only posting, in bot.digests); this module only evaluates, with the same
drivers algorithm as the advisor's "why" answers, so chat and alerts name the same
segments. Conditions:

* ``below`` / ``above``: the KPI's value (in its own unit) is past the threshold;
* ``change``: the relative change against the previous period is at least the threshold;
* ``unusual`` (default): the engine's test says the change is real (verdict up/down,
  which already requires the minimum volume on both sides) at the stricter
  ALERT_ALPHA, since an alert re-tests every day (at 5% a calm KPI would raise a
  false alarm every few weeks); by default only moves in the KPI's bad direction
  count (``direction=bad``): good news belongs in the digest, not in an alert.

Every condition needs the KPI's minimum volume. The service adds hysteresis: an
alert fires when its subscription goes from normal to alarm, and stays quiet
while the KPI remains out of line, so a shift is reported once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, Literal

from .facts import input_reading
from .format import fmt_change, fmt_value

if TYPE_CHECKING:
    from kpi_engine.engine import Engine
    from kpi_engine.periods import Period
    from kpi_engine.results import KpiReport

__all__ = ["ALERT_ALPHA", "AlertResult", "compute_alert", "evaluate_alert", "render_alert_chart"]

ALERT_ALPHA = 0.01

_DRIVER_DIMS = {"posts": ("platform", "content_type", "account"),
                "interactions": ("platform", "channel", "account"),
                "accounts": ("platform", "account")}


@dataclass
class AlertResult:
    triggered: bool
    kpi_id: str
    name: str
    unit: str
    period: Period
    value: float | None
    previous_value: float | None
    abs_change: float | None
    rel_change: float | None
    verdict: str
    title: str = ""
    headline: str = ""
    detail: str = ""
    reason: str = ""
    drivers: list[str] = field(default_factory=list)
    driver_dimension: str = ""
    drivers_note: str = ""  # said instead of drivers when the change holds but no segment carries it
    caveat: str | None = None
    numbers: list[str] = field(default_factory=list)
    chart_alt: str = ""  # what the alert's chart shows, with its numbers


def _where(filters: dict[str, list[str]] | None) -> str:
    if not filters:
        return ""
    return " (" + ", ".join(f"{k}={'/'.join(v)}" for k, v in filters.items()) + ")"


def evaluate_alert(engine: Engine, *, kpi_id: str, period: Period,
                   filters: dict[str, list[str]] | None, threshold_kind: str,
                   threshold_value: float | None, direction: str = "bad") -> AlertResult:
    """Compute the KPI for ``period`` against the previous period and test the condition."""
    report = engine.compute_report(kpi_id, period, filters)
    cur, cmp = report.current, report.previous
    unit, name = cur.unit, cur.name
    res = AlertResult(triggered=False, kpi_id=kpi_id, name=name, unit=unit, period=period,
                      value=cur.value, previous_value=cmp.reference.value,
                      abs_change=cmp.abs_change, rel_change=cmp.rel_change, verdict=cmp.verdict,
                      caveat=cur.caveat)
    if cur.value is None or cur.status != "ok":
        res.reason = cur.message or "not enough data to judge"
        return res
    t = threshold_value
    if threshold_kind == "below":
        res.triggered = t is not None and cur.value < t
        res.reason = f"{name} is below your threshold of {fmt_value(t, unit)}."
    elif threshold_kind == "above":
        res.triggered = t is not None and cur.value > t
        res.reason = f"{name} is above your threshold of {fmt_value(t, unit)}."
    elif threshold_kind == "change":
        rel = cmp.rel_change
        res.triggered = (t is not None and rel is not None and abs(rel) >= t
                         and cmp.reference.status == "ok")
        res.reason = f"the change is at least your threshold of {t * 100 if t else 0:g}% against the previous period."
    else:
        # an input KPI (posts published) has no good direction: only direction=both alerts on it
        wanted = {"bad": (False,), "good": (True,), "both": (True, False, None)}.get(direction, (False,))
        res.triggered = (cmp.verdict in ("up", "down") and cmp.p_value is not None
                         and cmp.p_value < ALERT_ALPHA and cmp.good in wanted)
        how = (f"{input_reading(cmp)} (an input is neither good nor bad by itself)" if cmp.read_against
               else f"it moves {'against' if cmp.good is False else 'with'} the KPI's good direction")
        res.reason = (f"the engine's test says this change is very unlikely to be noise "
                      f"(p < {ALERT_ALPHA:g}) and {how}.")
    if res.triggered:
        _describe(engine, res, report, filters, threshold_kind, t)
    return res


def _describe(engine: Engine, res: AlertResult, report: KpiReport,
              filters: dict[str, list[str]] | None, threshold_kind: str = "unusual",
              threshold_value: float | None = None) -> None:
    cur, cmp = report.current, report.previous
    unit, where = res.unit, _where(filters)
    p, ref = cur.period, cmp.reference.period
    move = "unchanged" if not cmp.abs_change else ("up" if cmp.abs_change > 0 else "down")
    rel = f" {abs(cmp.rel_change) * 100:.1f}%" if cmp.rel_change is not None and move != "unchanged" else ""
    value, previous = fmt_value(cur.value, unit), fmt_value(cmp.reference.value, unit)
    change = fmt_change(cmp.abs_change, cmp.rel_change, unit)
    if threshold_kind in ("below", "above"):
        # a level alert's news is the level against the threshold, not the move against last period
        # (a KPI can be up 7% and still below the threshold: "up" in the title would contradict the reason)
        limit = fmt_value(threshold_value, unit)
        res.title = f"Alert: {res.name}{where} {value}, {threshold_kind} {limit} in {p.label}"
        res.headline = (f"*{res.name}{where}* is {value} in {p.label} ({p.start} to {p.end}), "
                        f"{threshold_kind} your threshold of {limit}.")
    else:
        res.title = f"Alert: {res.name}{where} {move}{rel} in {p.label}"
        res.headline = f"*{res.name}{where}* is {value} in {p.label} ({p.start} to {p.end})."
    verdict = {"up": "a real increase", "down": "a real decrease", "unclear": "too early to tell",
               "flat": "no meaningful change", "not_enough_data": "not testable (too little data)"}[cmp.verdict]
    pv = f", p={cmp.p_value:.3f}" if cmp.p_value is not None else ""
    res.detail = (f"Against the previous period ({ref.start} to {ref.end}): {previous}, a change of "
                  f"{change}. Engine verdict: {verdict} ({cmp.method}{pv}). "
                  f"Volume behind it: {cur.volume:,.0f}.")
    res.numbers = [value, previous, change]
    dim, lines = _drivers(engine, res, filters)
    res.driver_dimension, res.drivers = dim, lines


def _drivers(engine: Engine, res: AlertResult, filters: dict[str, list[str]] | None) -> tuple[str, list[str]]:
    """The segments that carry the change, by the advisor's drivers rule (find_drivers): named only
    when the change holds up and a segment carries a material share of it."""
    if not res.abs_change or res.verdict not in ("up", "down"):
        return "", []
    from .why_evidence import find_drivers, material_movers

    table = engine.kpi(res.kpi_id).formula.table
    b, movers = find_drivers(engine, res.kpi_id, res.period, filters or {}, limit=3,
                             dimensions=_DRIVER_DIMS.get(table, ()))
    segs = material_movers(b, movers) if b is not None else []
    if b is None or not segs:
        res.drivers_note = ("No single segment stands out: no platform, format or account carries the change "
                            "out of proportion to its size, so the move is broad-based.")
        return "", []
    total = fmt_change(res.abs_change, None, res.unit)
    return b.dimension, [f"{s.key}: {fmt_value(s.value, res.unit)} (was {fmt_value(s.previous_value, res.unit)}), "
                         f"{fmt_change(s.contribution, None, res.unit)} of the {total} change" for s in segs]


def render_alert_chart(engine: Engine, res: AlertResult,
                       filters: dict[str, list[str]] | None = None) -> bytes | None:
    """Daily trend of the KPI over the 8 weeks to the period's end, the period highlighted."""
    from datetime import timedelta

    from kpi_engine.charts import render_trend_png
    from kpi_engine.periods import Period as P

    span = P(start=res.period.end - timedelta(days=55), end=res.period.end, label="last 8 weeks",
             kind="custom")
    grain: Literal["day", "week"] = "day" if res.period.days <= 14 else "week"
    trend = engine.compute_trend(res.kpi_id, span, grain, filters)
    title = f"{res.name}{_where(filters)}, last 8 weeks"
    from .compose_trend import describe_trend

    res.chart_alt = describe_trend(trend, title=title)
    return render_trend_png(trend, highlight=res.period, title=title)


def compute_alert(advisor: Any, team_id: str, *, kpi_id: str, period: Period | str, timezone: str,
                  as_of: date | None, filters: dict[str, list[str]] | None, threshold_kind: str,
                  threshold_value: float | None, direction: str, chart: bool) -> tuple[AlertResult, bytes | None]:
    """Evaluate (and chart, when ``chart`` and it fires) an alert where the advisor's engine lives.

    A module-level function so that ``call_in_advisor`` can run it in a worker process:
    the bot process never builds an engine for an alert.
    """
    engine_for = getattr(advisor, "engine", None)
    if not callable(engine_for):
        from .errors import ConfigError

        raise ConfigError("Alerts need the KPI engine, and this advisor does not expose one.")
    engine = engine_for(team_id)
    if isinstance(period, str):
        from kpi_engine.periods import resolve_period

        today = as_of + timedelta(days=1) if as_of else engine.today()
        period = resolve_period(period, today=today, timezone=timezone)
    res = evaluate_alert(engine, kpi_id=kpi_id, period=period, filters=filters, threshold_kind=threshold_kind,
                         threshold_value=threshold_value, direction=direction)
    png = render_alert_chart(engine, res, filters) if chart and res.triggered else None
    return res, png
