"""Suggested targets from the baseline: same period last year, the trailing trend, seasonality.

For counts, rates and percentiles the *realistic* target is last year's value
for the target period, moved by the trailing year-over-year change (the last
``period.days`` days against the same days a year earlier): last year carries
the season, the trailing change the trend. Without a year of history, and for
stocks (whose level is its own trend), it is the pace projection instead. The
*stretch* target is the good end of the projection's 80% range, applied to the
realistic value: on the current course about one period in ten gets there.
Every number is the engine's; the words around them are the advisor's.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from .catalog import Kpi
from .compute import compute_value
from .pace import Pace, compute_pace
from .periods import Period, same_period_last_year
from .source import Filters, Source

__all__ = ["TargetSuggestion", "suggest_targets"]


class TargetSuggestion(BaseModel):
    """A realistic and a stretch target for a KPI over a period, with the numbers behind them."""

    model_config = ConfigDict(frozen=True)

    kpi_id: str
    name: str
    unit: str
    direction: Literal["up", "down"]
    period: Period
    filters: dict[str, list[str]] = {}
    basis: Literal["last_year", "projection", "none"]
    realistic: float | None = None
    stretch: float | None = None
    last_year: float | None = None  # the KPI over the period a year earlier
    last_year_period: Period
    trailing: float | None = None  # the KPI over the trailing window ending on as_of
    trailing_period: Period
    trailing_last_year: float | None = None
    trend: float | None = None  # trailing / trailing a year earlier - 1
    season: float | None = None  # last year: period / trailing window - 1
    pace: Pace
    message: str | None = None


def suggest_targets(source: Source, kpi: Kpi, period: Period, filters: Filters | None = None,
                    *, as_of: date) -> TargetSuggestion:
    """Realistic and stretch targets for ``kpi`` over ``period`` from data up to ``as_of``."""
    span = source.date_range(kpi.formula.table) if source.has_table(kpi.formula.table) else None
    last = min(as_of, span[1]) if span else as_of
    days = max(period.days, 28)
    trailing_p = Period(start=last - timedelta(days=days - 1), end=last, label=f"last {days} days",
                        kind="rolling")
    trailing_ly_p = same_period_last_year(trailing_p)
    ly_p = same_period_last_year(period)

    def value(p: Period) -> float | None:
        if span is None or p.start < span[0] or p.end > span[1]:
            return None  # a partial period would understate counts
        v = compute_value(source, kpi, p, filters)
        return v.value if v.status == "ok" else None

    last_year, trailing, trailing_ly = value(ly_p), value(trailing_p), value(trailing_ly_p)
    # the pace projection's range sets the stretch; a neutral target keeps its status out of the way
    pace = compute_pace(source, kpi, period, trailing or last_year or 0.0, filters, as_of=as_of)
    trend = trailing / trailing_ly - 1 if trailing is not None and trailing_ly else None
    season = last_year / trailing_ly - 1 if last_year is not None and trailing_ly else None
    base: dict[str, Any] = dict(kpi_id=kpi.id, name=kpi.name, unit=kpi.unit, direction=kpi.target_direction, period=period,
                filters={k: list(v) for k, v in (filters or {}).items()}, last_year=last_year,
                last_year_period=ly_p, trailing=trailing, trailing_period=trailing_p,
                trailing_last_year=trailing_ly, trend=trend, season=season, pace=pace)
    if not kpi.formula.kind.startswith("stock") and last_year is not None and trend is not None:
        realistic = last_year * (1 + trend)
        basis: Literal["last_year", "projection", "none"] = "last_year"
    elif pace.projected is not None:
        realistic, basis = pace.projected, "projection"
    else:
        return TargetSuggestion(**base, basis="none", message=pace.message or (
            f"Not enough {kpi.name} history to suggest a target for {period.label}."))
    stretch = None
    if pace.projected and pace.low is not None and pace.high is not None:
        good = pace.high if kpi.target_direction == "up" else pace.low
        if pace.projected > 0 and good > 0:
            stretch = realistic * good / pace.projected
        else:
            stretch = realistic + (good - pace.projected)
    return TargetSuggestion(**base, basis=basis, realistic=realistic, stretch=stretch,
                            message=None if stretch is not None else pace.message)
