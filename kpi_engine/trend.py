"""Trend series by day, week or month, with anomaly flags.

A bucket's expectation is its own baseline: for days, the same weekday over
the previous eight weeks (weekly seasonality); for weeks and months, the
previous eight buckets. Only buckets with the KPI's minimum volume are judged.
A bucket is flagged when its robust z (see :func:`kpi_engine.stats.robust_scores`)
reaches 3, or when it is part of a run of three or more buckets moving the same
way by 2.5 or more: a sustained shift rather than a single odd day.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Literal

import numpy as np

from .catalog import Kpi
from .compute import _combine, compute_value, day_positions, matched_filters, sums
from .periods import Period, overlaps
from .results import Trend, TrendPoint
from .source import Filters, Source
from .stats import flag_anomalies, robust_scores

__all__ = ["compute_trend"]

Grain = Literal["day", "week", "month"]
_HISTORY = 8


def _buckets(start: date, end: date, grain: Grain) -> list[tuple[date, date]]:
    out = []
    if grain == "day":
        d = start
        while d <= end:
            out.append((d, d))
            d += timedelta(days=1)
    elif grain == "week":
        d = start - timedelta(days=start.weekday())
        while d <= end:
            out.append((d, d + timedelta(days=6)))
            d += timedelta(days=7)
    else:
        d = start.replace(day=1)
        while d <= end:
            nxt = (d.replace(day=28) + timedelta(days=4)).replace(day=1)
            out.append((d, nxt - timedelta(days=1)))
            d = nxt
    return out


def _history_start(period: Period, grain: Grain) -> date:
    if grain == "day":
        return period.start - timedelta(days=7 * _HISTORY)
    if grain == "week":
        return period.start - timedelta(days=7 * (_HISTORY + 1))
    d = period.start.replace(day=1)
    for _ in range(_HISTORY):
        d = (d - timedelta(days=1)).replace(day=1)
    return d


def _series(source: Source, kpi: Kpi, buckets: list[tuple[date, date]],
            filters: Filters | None) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(value, numerator, denominator, volume) per bucket."""
    f = kpi.formula
    n = len(buckets)
    if f.kind in ("sum", "ratio"):
        frame = sums(source, f.table, f.measures, buckets[0][0], buckets[-1][1],
                     matched_filters(source, kpi, filters), by=["date"])
        days = day_positions(frame["date"])
        starts = np.array([np.datetime64(b[0], "D") for b in buckets])
        idx = np.searchsorted(starts, days, side="right") - 1
        num = np.bincount(idx, weights=_combine(frame, f.numerator_terms), minlength=n)
        rows = np.bincount(idx, weights=np.asarray(frame["rows"], dtype=float), minlength=n)
        if f.kind == "sum":
            # an empty bucket inside the data's range counts 0; outside it, no data
            span = source.date_range(f.table)
            inside = np.array([overlaps(s, e, span) for s, e in buckets])
            value = np.where((rows > 0) | inside, num, np.nan)
            return value, num, np.full(n, np.nan), num
        den = np.bincount(idx, weights=_combine(frame, f.denominator_terms), minlength=n)
        with np.errstate(divide="ignore", invalid="ignore"):
            value = np.where(den > 0, num / den * f.scale, np.nan)
        return value, num, den, den
    points = [compute_value(source, kpi, Period(start=s, end=e, label="bucket"), filters) for s, e in buckets]
    value = np.array([np.nan if p.value is None else p.value for p in points])
    num = np.array([np.nan if p.numerator is None else p.numerator for p in points])
    den = np.array([np.nan if p.denominator is None else p.denominator for p in points])
    vol = np.array([p.volume for p in points], dtype=float)
    return value, num, den, vol


def compute_trend(
    source: Source,
    kpi: Kpi,
    period: Period,
    grain: Grain = "day",
    filters: Filters | None = None,
) -> Trend:
    """The KPI per bucket over ``period`` with expected values and anomaly flags."""
    buckets = _buckets(_history_start(period, grain), period.end, grain)
    value, num, den, vol = _series(source, kpi, buckets, filters)
    baselines = []
    for i in range(len(buckets)):
        if grain == "day":
            idx = [i - 7 * j for j in range(1, _HISTORY + 1) if i - 7 * j >= 0]
        else:
            idx = list(range(max(0, i - _HISTORY), i))
        baselines.append(value[idx] if idx else np.array([]))
    expected, score = robust_scores(value, baselines)
    # judge a bucket only with the KPI's minimum volume behind it
    judged = np.isfinite(score) & (vol >= kpi.min_volume)
    flags = flag_anomalies(score, judged)
    points = []
    for i, (s, e) in enumerate(buckets):
        if e < period.start:
            continue
        points.append(TrendPoint(
            start=s, end=e,
            value=None if np.isnan(value[i]) else float(value[i]),
            numerator=None if np.isnan(num[i]) else float(num[i]),
            denominator=None if np.isnan(den[i]) else float(den[i]),
            volume=float(vol[i]),
            expected=None if np.isnan(expected[i]) else float(expected[i]),
            anomaly=bool(flags[i]),
            score=None if np.isnan(score[i]) else float(score[i]),
        ))
    caveat = kpi.caveat if "reach" in kpi.formula.measures else None
    return Trend(kpi_id=kpi.id, name=kpi.name, unit=kpi.unit, grain=grain, period=period,
                 points=points, caveat=caveat)
