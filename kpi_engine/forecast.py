"""Daily forecasts with weekly seasonality and trend (numpy only).

Each forecaster takes a daily history (oldest first, ending on the forecast
origin) and a horizon in days and returns that many daily values. Candidates are
compared by ``bench/bench_pace.py`` on rolling origins (MASE against a seasonal
naive forecast, error of the horizon total, interval coverage); the pace module
uses :data:`METHODS` by formula kind as that backtest chose.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = [
    "CANDIDATES",
    "METHODS",
    "METHOD_WORDS",
    "RATE_WEEKS",
    "Forecaster",
    "blend",
    "drift_log",
    "drift_weekly",
    "forecast",
    "history_needed",
    "level_drift",
    "seasonal_naive",
    "weekday_rates",
    "weekly_mean",
    "yoy_ratio",
]

Forecaster = Callable[[np.ndarray, int], np.ndarray]

WEEK = 7
YEAR = 364  # 52 weeks: last year's same weekday


def _clean(y: np.ndarray) -> np.ndarray:
    y = np.asarray(y, dtype=float)
    if not np.isnan(y).any():
        return np.asarray(y)
    # a gap (a stock with no snapshot) takes the last known value; a leading gap the first one
    out = y.copy()
    idx = np.where(np.isfinite(out), np.arange(len(out)), 0)
    np.maximum.accumulate(idx, out=idx)
    out = out[idx]
    first = np.flatnonzero(np.isfinite(out))
    return np.where(np.isfinite(out), out, out[first[0]] if len(first) else 0.0)


def _positions(n: int, h: int) -> np.ndarray:
    """For each forecast day, the index of the same weekday in the last observed week."""
    return n - WEEK + (np.arange(h) % WEEK)


def seasonal_naive(y: np.ndarray, h: int) -> np.ndarray:
    """Last week repeated: the reference every candidate is scaled against."""
    y = _clean(y)
    if len(y) < WEEK:
        return np.full(h, y[-1] if len(y) else 0.0)
    return np.asarray(y[_positions(len(y), h)], dtype=float)


def weekly_mean(y: np.ndarray, h: int, weeks: int = 4) -> np.ndarray:
    """Each weekday's mean over the last ``weeks`` weeks, no trend."""
    y = _clean(y)
    w = min(weeks, len(y) // WEEK)
    if w < 1:
        return seasonal_naive(y, h)
    block = y[len(y) - w * WEEK:].reshape(w, WEEK).mean(axis=0)
    return np.asarray(block[np.arange(h) % WEEK], dtype=float)


def _profile(y: np.ndarray, weeks: int) -> np.ndarray:
    """Weekday factors (mean 1) over the last ``weeks`` weeks, aligned with the last week's positions."""
    block = y[len(y) - weeks * WEEK:].reshape(weeks, WEEK)
    mean = block.mean()
    if mean <= 0:
        return np.ones(WEEK)
    return np.asarray(block.mean(axis=0) / mean, dtype=float)


def drift_weekly(y: np.ndarray, h: int, *, weeks: int = 13, profile_weeks: int = 8,
                 damping: float = 0.99) -> np.ndarray:
    """Weekly totals' robust linear trend (Theil-Sen, damped) times a weekday profile."""
    y = _clean(y)
    k = min(weeks, len(y) // WEEK)
    if k < 3:
        return weekly_mean(y, h)
    totals = y[len(y) - k * WEEK:].reshape(k, WEEK).sum(axis=1) / WEEK  # mean per day of each week
    j = np.arange(k, dtype=float)
    pairs = np.triu_indices(k, 1)
    slope = float(np.median((totals[pairs[1]] - totals[pairs[0]]) / (j[pairs[1]] - j[pairs[0]])))
    level = float(np.median(totals - slope * j)) + slope * (k - 1)  # at the centre of the last week
    per_day = slope / WEEK
    # days from the last week's centre (3 days before the origin) to each forecast day
    steps = np.arange(1, h + 1) + (WEEK // 2)
    damped = np.cumsum(damping ** np.arange(1, steps[-1] + 1))[steps - 1]
    base = level + per_day * damped
    prof = _profile(y, min(profile_weeks, len(y) // WEEK))
    out = base * prof[np.arange(h) % WEEK]
    if (y >= 0).all():
        out = np.maximum(out, 0.0)
    return np.asarray(out, dtype=float)


def drift_log(y: np.ndarray, h: int, *, weeks: int = 13, profile_weeks: int = 8,
              damping: float = 0.99) -> np.ndarray:
    """:func:`drift_weekly` with a multiplicative trend (on log weekly means): it can fall, not below 0."""
    y = _clean(y)
    k = min(weeks, len(y) // WEEK)
    if k < 3:
        return weekly_mean(y, h)
    means = y[len(y) - k * WEEK:].reshape(k, WEEK).mean(axis=1)
    if (means <= 0).any():
        return drift_weekly(y, h, weeks=weeks, profile_weeks=profile_weeks, damping=damping)
    logs = np.log(means)
    j = np.arange(k, dtype=float)
    pairs = np.triu_indices(k, 1)
    slope = float(np.median((logs[pairs[1]] - logs[pairs[0]]) / (j[pairs[1]] - j[pairs[0]])))
    level = float(np.median(logs - slope * j)) + slope * (k - 1)
    steps = np.arange(1, h + 1) + (WEEK // 2)
    damped = np.cumsum(damping ** np.arange(1, steps[-1] + 1))[steps - 1]
    base = np.exp(level + slope / WEEK * damped)
    return np.asarray(base * _profile(y, min(profile_weeks, len(y) // WEEK))[np.arange(h) % WEEK], dtype=float)


def weekday_rates(num: np.ndarray, den: np.ndarray, weeks: int = 4) -> np.ndarray | None:
    """Each weekday's ratio of sums over the last ``weeks`` weeks (aligned like the forecasts), or None."""
    num, den = _clean(num), _clean(den)
    w = min(weeks, len(den) // WEEK)
    if w < 1:
        return None
    n_block = num[len(num) - w * WEEK:].reshape(w, WEEK).sum(axis=0)
    d_block = den[len(den) - w * WEEK:].reshape(w, WEEK).sum(axis=0)
    if d_block.sum() <= 0:
        return None
    overall = n_block.sum() / d_block.sum()
    return np.asarray(np.where(d_block > 0, n_block / np.where(d_block > 0, d_block, 1.0), overall), dtype=float)


def yoy_ratio(y: np.ndarray, h: int, *, window: int = 8 * WEEK) -> np.ndarray:
    """Last year's same weekdays (smoothed over the neighbouring weeks) scaled by the recent
    year-over-year ratio; falls back to :func:`drift_weekly` without a year and a window of history."""
    y = _clean(y)
    n = len(y)
    if n < YEAR + window or h > YEAR - WEEK:
        return drift_weekly(y, h)
    recent, year_ago = y[n - window:].sum(), y[n - YEAR - window:n - YEAR].sum()
    if year_ago <= 0 or recent < 0:
        return drift_weekly(y, h)
    idx = n - YEAR + np.arange(h)
    base = (y[idx - WEEK] + y[idx] + y[idx + WEEK]) / 3  # one odd day last year is not a forecast
    return np.asarray(base * (recent / year_ago), dtype=float)


def blend(y: np.ndarray, h: int) -> np.ndarray:
    """The mean of :func:`weekly_mean` (recent level) and :func:`yoy_ratio` (season and trend);
    :func:`weekly_mean` alone without a year of history."""
    y = _clean(y)
    recent = weekly_mean(y, h)
    if len(y) < YEAR + 8 * WEEK or h > YEAR - WEEK:
        return recent
    return np.asarray((recent + yoy_ratio(y, h)) / 2, dtype=float)


def level_drift(y: np.ndarray, h: int, *, weeks: int = 8) -> np.ndarray:
    """A stock: the last level plus the recent robust daily change (no weekly profile)."""
    y = _clean(y)
    n = len(y)
    span = min(weeks * WEEK, n - 1)
    if span < WEEK:
        return np.full(h, y[-1] if n else 0.0)
    changes = np.diff(y[n - span - 1:])
    # weekly changes, so one day's jump (a late snapshot) does not set the slope
    weekly = changes[len(changes) % WEEK:].reshape(-1, WEEK).sum(axis=1)
    slope = float(np.median(weekly)) / WEEK
    return np.asarray(y[-1] + slope * np.arange(1, h + 1), dtype=float)


CANDIDATES: dict[str, Forecaster] = {
    "seasonal_naive": seasonal_naive,
    "weekly_mean": weekly_mean,
    "drift_weekly": drift_weekly,
    "drift_log": drift_log,
    "yoy_ratio": yoy_ratio,
    "blend": blend,
    "level_drift": level_drift,
}

# Chosen by bench/bench_pace.py on the dev sample (see the README): flows, stocks and rates separately.
METHODS: dict[str, str] = {"flow": "blend", "stock": "level_drift", "rate": "weekday_rates"}
RATE_WEEKS = 13
METHOD_WORDS = {
    "blend": "the last 4 weeks' weekday pattern averaged with last year's same weeks scaled by the "
             "year-over-year change",
    "level_drift": "the last level continued at the recent weekly change",
    "weekday_rates": f"each weekday's rate over the last {RATE_WEEKS} weeks",
}


def history_needed(method: str) -> int:
    """Days of history the method uses at most."""
    return {"yoy_ratio": YEAR + 8 * WEEK + WEEK, "drift_weekly": 13 * WEEK, "drift_log": 13 * WEEK,
            "weekly_mean": 4 * WEEK, "seasonal_naive": WEEK, "level_drift": 8 * WEEK + 1,
            "blend": YEAR + 8 * WEEK + WEEK}[method]


def forecast(y: np.ndarray, h: int, *, stock: bool = False) -> np.ndarray:
    """The chosen method's forecast for a flow (daily sums) or a stock (daily levels)."""
    if h <= 0:
        return np.zeros(0)
    return CANDIDATES[METHODS["stock" if stock else "flow"]](y, h)
