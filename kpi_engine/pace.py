"""Pace toward a target: the projected end-of-period value, its interval, and a status.

The projection respects the KPI's formula: a count is its actual sum so far plus
the projected daily sums of the rest; a rate is the ratio of (actual + projected)
numerator and denominator sums; a stock is its projected level on the end day;
a percentile pools the values so far with the recent weeks' values standing in
for the rest. Daily parts are projected by :func:`kpi_engine.forecast.forecast`.

The interval is empirical: the same projection is made at the same point of up
to 52 earlier, weekday-aligned copies of the period, and the errors it made
there (realised over projected) give the 80% range and a bias correction. The
status follows from that range alone: *on track* when the whole range meets the
target, *off track* when none of it does, *at risk* otherwise.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict

from .catalog import Kpi
from .compute import compute_value
from .daily import DailyParts, load_daily, period_value
from .forecast import METHOD_WORDS, METHODS, RATE_WEEKS, forecast, weekday_rates
from .periods import Period
from .source import Filters, Source

__all__ = ["LEVEL", "MIN_BACKTESTS", "Pace", "PaceStatus", "compute_pace", "meets", "pace_status"]

PaceStatus = Literal["on_track", "at_risk", "off_track", "achieved", "missed", "no_data", "not_enough_history"]

LEVEL = 0.8  # the interval's nominal coverage
MIN_BACKTESTS = 8  # earlier copies of the period needed before a range (and a status) is given
MAX_BACKTESTS = 52
_HISTORY_DAYS = 800
_WEEK = 7


class Pace(BaseModel):
    """A KPI's pace toward a target over a target period."""

    model_config = ConfigDict(frozen=True)

    kpi_id: str
    name: str
    unit: str
    direction: Literal["up", "down"]
    period: Period
    target: float
    filters: dict[str, list[str]] = {}
    as_of: date  # the last day with data the projection starts from
    elapsed_days: int  # days of the period up to as_of
    remaining_days: int  # days of the period after as_of
    actual: float | None = None  # the KPI over the elapsed days
    projected: float | None = None  # end-of-period value
    low: float | None = None
    high: float | None = None
    level: float = LEVEL
    required: float | None = None  # what the remaining days need to deliver (counts: a sum; rates: a rate)
    projected_rest: float | None = None  # what the projection expects of the remaining days, same terms
    status: PaceStatus
    backtests: int = 0  # earlier copies of the period behind the range
    method: str = ""
    message: str | None = None


def meets(value: float, target: float, direction: str) -> bool:
    """Whether ``value`` reaches ``target`` in the KPI's good direction."""
    return value >= target if direction == "up" else value <= target


def pace_status(low: float, high: float, target: float, direction: str) -> PaceStatus:
    """On track when the whole interval meets the target, off track when none of it does."""
    worst, best = (low, high) if direction == "up" else (high, low)
    if meets(worst, target, direction):
        return "on_track"
    if not meets(best, target, direction):
        return "off_track"
    return "at_risk"


def _base(kpi: Kpi, period: Period, target: float, filters: Filters | None, as_of: date) -> dict[str, Any]:
    elapsed = max(0, min((as_of - period.start).days + 1, period.days))
    return dict(kpi_id=kpi.id, name=kpi.name, unit=kpi.unit, direction=kpi.target_direction, period=period,
                target=float(target), filters={k: list(v) for k, v in (filters or {}).items()},
                as_of=as_of, elapsed_days=elapsed, remaining_days=period.days - elapsed)


def compute_pace(source: Source, kpi: Kpi, period: Period, target: float, filters: Filters | None = None,
                 *, as_of: date) -> Pace:
    """Pace of ``kpi`` toward ``target`` over ``period``, with data up to ``as_of`` (the last complete day)."""
    table = kpi.formula.table
    span = source.date_range(table) if source.has_table(table) else None
    if span is None or span[0] > as_of:
        return Pace(**_base(kpi, period, target, filters, as_of), status="no_data",
                    message=f"No {table} data is loaded, so {kpi.name} cannot be projected.")
    last = min(as_of, span[1])
    stale = (f"The {table} data ends on {span[1]}, so the projection starts there." if last < as_of else None)
    base = _base(kpi, period, target, filters, last)
    if period.end <= last:
        v = compute_value(source, kpi, period, filters).value
        if v is None:
            return Pace(**base, status="no_data", message=f"No data for {kpi.name} in {period.label}.")
        return Pace(**base, actual=v, projected=v, low=v, high=v, method="the period is over",
                    status="achieved" if meets(v, target, kpi.target_direction) else "missed")
    actual = None
    if period.start <= last:
        actual = compute_value(source, kpi, Period(start=period.start, end=last, label="so far",
                                                   kind="custom"), filters).value
    if period.start < span[0]:
        return Pace(**base, status="no_data", message=(
            f"The {table} data starts on {span[0]}, after {period.label} began, so the period cannot be "
            "added up."))
    if kpi.formula.kind == "percentile":
        out = _percentile(source, kpi, period, filters, last, span[0])
    else:
        start = max(span[0], min(period.start - timedelta(days=1), last - timedelta(days=_HISTORY_DAYS - 1)))
        parts = load_daily(source, kpi, start, last, filters)
        if parts.rows[-28:].sum() == 0:
            return Pace(**base, actual=actual, status="no_data",
                        message=f"No {kpi.name} data in the 28 days to {last} to project from.")
        out = _additive(parts, period, target, kpi)
    projected, errors, extra = out
    method = _method_words(kpi) + f"; range from {len(errors)} earlier copies of the period"
    if projected is None:
        return Pace(**base, actual=actual, status="no_data", method=method, message=stale or
                    f"{kpi.name} cannot be projected for {period.label} (no denominator in the data).")
    if len(errors) < MIN_BACKTESTS:
        return Pace(**base, actual=actual, projected=projected, backtests=len(errors), method=method,
                    status="not_enough_history", **extra, message=(
                        f"Only {len(errors)} earlier periods like this one to check the projection against; "
                        f"at least {MIN_BACKTESTS} are needed for a range, so there is no status yet."))
    point, low, high = _interval(projected, errors)
    return Pace(**base, actual=actual, projected=point, low=low, high=high, backtests=len(errors),
                method=method, status=pace_status(low, high, target, kpi.target_direction), message=stale, **extra)


def _method_words(kpi: Kpi) -> str:
    kind = kpi.formula.kind
    if kind.startswith("stock"):
        return f"Projected as {METHOD_WORDS[METHODS['stock']]}"
    if kind == "percentile":
        return "Projected from the values so far and the last 28 days' values for the days to come"
    daily = f"Daily values projected from {METHOD_WORDS[METHODS['flow']]}"
    if kind == "ratio" and METHODS["rate"] != "parts":
        return f"{daily}; the rate's numerator as its denominator times {METHOD_WORDS[METHODS['rate']]}"
    return daily


def _interval(projected: float, errors: list[tuple[float, float]]) -> tuple[float, float, float]:
    """Bias-corrected point and the LEVEL range from (projected, realised) pairs of earlier periods.

    The range's ends are the split-conformal order statistics of the errors (the
    ceil((n + 1) * q)-th smallest), not plain quantiles: with a few dozen overlapping
    copies plain quantiles covered 75% instead of 80% (bench/bench_pace.py, dev sample).
    """
    pairs = np.array(errors)
    n = len(pairs)
    tail = (1 - LEVEL) / 2
    ratio = projected > 0 and bool((pairs > 0).all())
    e = np.sort(np.log(pairs[:, 1] / pairs[:, 0]) if ratio else pairs[:, 1] - pairs[:, 0])
    lo = e[max(1, math.floor((n + 1) * tail)) - 1]
    hi = e[min(n, math.ceil((n + 1) * (1 - tail))) - 1]
    m = float(np.median(e))
    if ratio:
        return projected * math.exp(m), projected * math.exp(lo), projected * math.exp(hi)
    return projected + m, projected + float(lo), projected + float(hi)


def _project(parts: DailyParts, n: int, h: int) -> tuple[np.ndarray, np.ndarray | None]:
    """History [0, n) of the parts followed by ``h`` projected days.

    A rate's denominator is projected as a flow and its numerator as that times each
    weekday's recent rate (rates move less than volumes; see bench/bench_pace.py).
    """
    if parts.den is None:
        stock = parts.kind.startswith("stock")
        return np.concatenate([parts.num[:n], forecast(parts.num[:n], h, stock=stock)]), None
    den_f = forecast(parts.den[:n], h)
    rates = weekday_rates(parts.num[:n], parts.den[:n], weeks=RATE_WEEKS) if METHODS["rate"] != "parts" else None
    num_f = den_f * rates[np.arange(h) % _WEEK] if rates is not None else forecast(parts.num[:n], h)
    return np.concatenate([parts.num[:n], num_f]), np.concatenate([parts.den[:n], den_f])


def _value(parts: DailyParts, lo: int, hi: int, num: np.ndarray, den: np.ndarray | None) -> float | None:
    before = float(num[lo - 1]) if lo >= 1 else None
    return period_value(parts, lo, hi, num=num, den=den, before=before)


_Projection = tuple[float | None, list[tuple[float, float]], dict[str, Any]]


def _additive(parts: DailyParts, period: Period, target: float, kpi: Kpi) -> _Projection:
    n = parts.days
    lo, hi = parts.index(period.start), parts.index(period.end)
    h = hi - (n - 1)
    num, den = _project(parts, n, h)
    if lo < (1 if parts.kind == "stock_growth" else 0):
        return None, [], {}
    projected = _value(parts, lo, hi, num, den)
    errors: list[tuple[float, float]] = []
    k = math.ceil(h / _WEEK)
    while len(errors) < MAX_BACKTESTS:
        s = _WEEK * k
        o = n - s  # the copy's history has o days
        if lo - s < (1 if parts.kind == "stock_growth" else 0) or o < 28:
            break
        k += 1
        if parts.rows[max(0, lo - s):hi - s + 1].sum() == 0:
            continue
        cnum, cden = _project(parts, o, h)
        guess = _value(parts, lo - s, hi - s, cnum, cden)
        real = _value(parts, lo - s, hi - s, parts.num, parts.den)
        if guess is not None and real is not None and math.isfinite(guess) and math.isfinite(real):
            errors.append((guess, real))
    return projected, errors, _rest(parts, lo, hi, n, num, den, target)


def _rest(parts: DailyParts, lo: int, hi: int, n: int, num: np.ndarray, den: np.ndarray | None,
          target: float) -> dict[str, Any]:
    """What the remaining days need to deliver, and what they are projected to deliver."""
    first = max(lo, n)
    if parts.kind == "sum":
        done = float(num[lo:first].sum())
        return {"required": target - done, "projected_rest": float(num[first:hi + 1].sum())}
    if parts.kind == "ratio" and den is not None:
        num_a, den_a = float(num[lo:first].sum()), float(den[lo:first].sum())
        num_f, den_f = float(num[first:hi + 1].sum()), float(den[first:hi + 1].sum())
        if den_f <= 0:
            return {}
        need = (target / parts.scale * (den_a + den_f) - num_a) / den_f * parts.scale
        return {"required": need, "projected_rest": num_f / den_f * parts.scale}
    return {}


def _weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    order = np.argsort(values)
    v, w = values[order], weights[order]
    cum = np.cumsum(w) - 0.5 * w
    return float(np.interp(q * w.sum(), cum, v))


def _percentile(source: Source, kpi: Kpi, period: Period, filters: Filters | None, last: date,
                first: date) -> _Projection:
    """A percentile's end value: the values so far pooled with the last 28 days' values, weighted to
    stand in for the remaining days."""
    f = kpi.formula
    q, measure = float(f.quantile or 0.5), str(f.measure)

    def project(origin: date, start: date, end: date) -> float | None:
        so_far = (source.values(f.table, measure, start, origin, filters) if start <= origin
                  else np.zeros(0))
        recent = source.values(f.table, measure, origin - timedelta(days=27), origin, filters)
        rest_days = (end - max(start, origin + timedelta(days=1))).days + 1
        if not len(recent) and not len(so_far):
            return None
        pool = np.concatenate([so_far, recent])
        weights = np.concatenate([np.ones(len(so_far)), np.full(len(recent), rest_days / 28)])
        return _weighted_quantile(pool, weights, q)

    projected = project(last, period.start, period.end)
    h = (period.end - last).days
    errors: list[tuple[float, float]] = []
    k = math.ceil(h / _WEEK)
    while len(errors) < MAX_BACKTESTS // 2:  # raw values per copy: half as many copies
        s = timedelta(days=_WEEK * k)
        k += 1
        start, end, origin = period.start - s, period.end - s, last - s
        if start < first or origin - timedelta(days=27) < first:
            break
        real = compute_value(source, kpi, Period(start=start, end=end, label="copy", kind="custom"),
                             filters).value
        guess = project(origin, start, end)
        if guess is not None and real is not None:
            errors.append((guess, real))
    return projected, errors, {}
