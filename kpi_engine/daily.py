"""A KPI's additive parts as daily arrays, read through the Source, for forecasting.

A rate over a period is a ratio of sums, so its parts (daily numerator and
denominator sums) are what can be projected and added up; a count is its daily
sums; a stock is its level on each day (each account's latest value within the
snapshot lookback, summed over accounts, as :meth:`Source.snapshot` reads it).
Percentiles have no additive parts and are handled by the caller from raw values.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from .catalog import Kpi
from .compute import matched_filters
from .source import Filters, Source

__all__ = ["SNAPSHOT_LOOKBACK", "DailyParts", "load_daily", "period_value"]

SNAPSHOT_LOOKBACK = 14  # days, as Source.snapshot's default


@dataclass(frozen=True)
class DailyParts:
    """Daily arrays of a KPI's parts from ``start``: ``num`` (sums, or stock levels), ``den`` (rates)."""

    kind: str
    start: date
    num: np.ndarray
    den: np.ndarray | None
    rows: np.ndarray  # fact rows behind each day (0: no data that day)
    scale: float = 1.0

    @property
    def days(self) -> int:
        return len(self.num)

    def index(self, d: date) -> int:
        return (d - self.start).days

    def day(self, i: int) -> date:
        return self.start + timedelta(days=i)


def _combine(frame: pd.DataFrame, terms: list[tuple[int, str]]) -> np.ndarray:
    total = np.zeros(len(frame))
    for sign, measure in terms:
        total = total + sign * frame[measure].to_numpy(dtype=float)
    return total


def _positions(frame: pd.DataFrame, start: date) -> np.ndarray:
    days = pd.to_datetime(frame["date"]).to_numpy(dtype="datetime64[D]")
    return (days - np.datetime64(start, "D")).astype(np.int64)


def load_daily(source: Source, kpi: Kpi, start: date, end: date, filters: Filters | None = None) -> DailyParts:
    """The KPI's parts per day over [start, end] (one rollup call)."""
    f = kpi.formula
    n = (end - start).days + 1
    if f.kind in ("sum", "ratio"):
        frame = source.rollup(f.table, f.measures, start, end, matched_filters(source, kpi, filters), by=["date"])
        idx = _positions(frame, start)
        num = np.zeros(n)
        rows = np.zeros(n)
        np.add.at(num, idx, _combine(frame, f.numerator_terms))
        np.add.at(rows, idx, frame["rows"].to_numpy(dtype=float))
        den = None
        if f.kind == "ratio":
            den = np.zeros(n)
            np.add.at(den, idx, _combine(frame, f.denominator_terms))
        return DailyParts(kind=f.kind, start=start, num=num, den=den, rows=rows, scale=f.scale)
    if f.kind in ("stock_level", "stock_growth"):
        return _stock_levels(source, kpi, start, end, filters)
    raise ValueError(f"{kpi.id} is a percentile: it has no additive daily parts")


def _stock_levels(source: Source, kpi: Kpi, start: date, end: date, filters: Filters | None) -> DailyParts:
    """Each day's level: every account's latest value within the lookback, summed over accounts."""
    f = kpi.formula
    n = (end - start).days + 1
    first = start - timedelta(days=SNAPSHOT_LOOKBACK)
    frame = source.rollup(f.table, [str(f.measure)], first, end, filters, by=["date", "platform", "account"])
    width = n + SNAPSHOT_LOOKBACK
    levels = np.zeros(n)
    seen = np.zeros(n)
    if len(frame):
        idx = _positions(frame, first)
        accounts = pd.factorize(frame["platform"].astype(str) + "\x1f" + frame["account"].astype(str))[0]
        grid = np.full((int(accounts.max()) + 1, width), np.nan)
        grid[accounts, idx] = frame[str(f.measure)].to_numpy(dtype=float)
        # carry each account's last value forward, at most SNAPSHOT_LOOKBACK days
        filled = pd.DataFrame(grid.T).ffill(limit=SNAPSHOT_LOOKBACK).to_numpy().T
        window = filled[:, SNAPSHOT_LOOKBACK:]
        levels = np.nansum(window, axis=0)
        seen = np.isfinite(window).sum(axis=0).astype(float)
    levels = np.where(seen > 0, levels, np.nan)
    return DailyParts(kind=f.kind, start=start, num=levels, den=None, rows=seen, scale=f.scale)


def period_value(parts: DailyParts, lo: int, hi: int, *, num: np.ndarray | None = None,
                 den: np.ndarray | None = None, before: float | None = None) -> float | None:
    """The KPI over day positions [lo, hi] of ``num``/``den`` (default: the parts' own arrays).

    ``before`` is a stock's level on the day before ``lo`` (growth needs it).
    """
    x = parts.num if num is None else num
    if parts.kind == "sum":
        return float(np.sum(x[lo:hi + 1]))
    if parts.kind == "ratio":
        d = parts.den if den is None else den
        total = float(np.sum(d[lo:hi + 1]))  # type: ignore[index]
        return float(np.sum(x[lo:hi + 1])) / total * parts.scale if total > 0 else None
    level = float(x[hi])
    if not math.isfinite(level):
        return None
    if parts.kind == "stock_level":
        return level
    if before is None or not math.isfinite(before) or before <= 0:
        return None
    return (level - before) / before * parts.scale
