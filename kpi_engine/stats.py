"""Statistics that decide whether a change is meaningful or noise.

* Rate KPIs (ratio of sums): the delta method with clustering by post, since
  impressions and engagements of one post move together; a Welch-style z test
  between the two periods.
* Everything else (counts, stocks, percentiles): the current value against a
  baseline of earlier windows of the same length, shifted by whole weeks so
  weekdays line up; a t prediction interval from those windows.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = [
    "ratio_se", "ratio_test", "difference_test", "robust_scores", "flag_anomalies", "verdict_for", "ALPHA",
]

ALPHA = 0.05
FLAT_BAND = 0.02  # |relative change| under 2% and not significant reads as flat


def ratio_se(num: np.ndarray, den: np.ndarray) -> float | None:
    """Standard error of sum(num)/sum(den) with each element a cluster (post)."""
    n = len(num)
    total = float(den.sum())
    if n < 2 or total <= 0:
        return None
    r = float(num.sum()) / total
    resid = num - r * den
    var = n / (n - 1) * float(np.dot(resid, resid)) / total**2
    return math.sqrt(var)


def _normal_two_sided(z: float) -> float:
    return math.erfc(abs(z) / math.sqrt(2))


def ratio_test(
    cur_num: np.ndarray, cur_den: np.ndarray, prev_num: np.ndarray, prev_den: np.ndarray
) -> float | None:
    """Two-sided p-value for a change in a ratio of sums between two periods."""
    se1, se0 = ratio_se(cur_num, cur_den), ratio_se(prev_num, prev_den)
    if se1 is None or se0 is None:
        return None
    r1 = cur_num.sum() / cur_den.sum()
    r0 = prev_num.sum() / prev_den.sum()
    se = math.sqrt(se1**2 + se0**2)
    if se == 0:
        return 0.0 if r1 != r0 else 1.0
    return _normal_two_sided((r1 - r0) / se)


def difference_test(current: float, reference: float, baseline: np.ndarray) -> float | None:
    """Two-sided p-value for ``current - reference`` given earlier windows.

    ``baseline`` holds the KPI over earlier windows of the same length, shifted
    by whole weeks (most recent first). Differences between consecutive windows
    show how much the KPI moves from one window to the next when nothing
    happens; using differences rather than the spread of levels keeps a steady
    trend from passing for noise. A t test with (windows - 1) degrees of freedom.
    """
    baseline = baseline[np.isfinite(baseline)]
    diffs = np.diff(baseline)
    k = len(diffs)
    if k < 3:
        return None
    scale = math.sqrt(float(np.mean(diffs**2)))
    change = current - reference
    if scale == 0:
        return 0.0 if change != 0 else 1.0
    from scipy.special import stdtr

    return float(2 * stdtr(k, -abs(change) / scale))


def robust_scores(values: np.ndarray, baselines: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Expected value and robust z of each point against its own baseline.

    The expectation is the median of the point's baseline (e.g. the same
    weekday in earlier weeks). Deviations are taken on a log scale when the
    series is positive (marketing numbers move multiplicatively) and scaled by a
    robust spread pooled over the whole series (steadier than one from a handful
    of points), widened where the point's own baseline varies more. NaN where a
    point has fewer than 4 baseline values.
    """
    n = len(values)
    expected = np.full(n, np.nan)
    for i, base in enumerate(baselines):
        base = base[np.isfinite(base)]
        if len(base) >= 4 and np.isfinite(values[i]):
            expected[i] = float(np.median(base))
    ok = np.isfinite(expected) & np.isfinite(values)
    score = np.full(n, np.nan)
    if not ok.any():
        return expected, score
    use_log = bool(np.all(values[ok] > 0) and np.all(expected[ok] > 0))
    if use_log:
        resid = np.log(values[ok]) - np.log(expected[ok])
        floor = 0.02
    else:
        resid = values[ok] - expected[ok]
        floor = 0.02 * max(float(np.median(np.abs(expected[ok]))), 1e-9)
    spread = max(1.4826 * float(np.median(np.abs(resid - np.median(resid)))), floor)
    # a point whose own baseline is more variable (weekend response times) gets that wider spread
    local = np.full(n, spread)
    for i in np.flatnonzero(ok):
        base = baselines[i][np.isfinite(baselines[i])]
        if use_log:
            base = np.log(base[base > 0])
        if len(base) >= 4:
            local[i] = max(spread, 1.4826 * float(np.median(np.abs(base - np.median(base)))))
    score[ok] = resid / local[ok]
    return expected, score


def flag_anomalies(score: np.ndarray, judged: np.ndarray, *, single: float = 3.0,
                   run: float = 2.5, run_length: int = 3) -> np.ndarray:
    """A point far out (|z| >= single), or part of a run of same-sign moderate moves."""
    z = np.where(judged & np.isfinite(score), score, 0.0)
    flags = np.abs(z) >= single
    sign = np.sign(z) * (np.abs(z) >= run)
    i = 0
    while i < len(z):
        if sign[i] == 0:
            i += 1
            continue
        j = i
        while j + 1 < len(z) and sign[j + 1] == sign[i]:
            j += 1
        if j - i + 1 >= run_length:
            flags[i:j + 1] = True
        i = j + 1
    return flags


def verdict_for(rel_change: float | None, abs_change: float | None, p_value: float | None) -> str:
    """up / down / flat / noise from a change and its p-value."""
    if abs_change is None:
        return "not_enough_data"
    small = rel_change is not None and abs(rel_change) < FLAT_BAND
    if p_value is None:  # no test possible (too little history or too few posts)
        return "flat" if small or abs_change == 0 else "not_enough_data"
    if p_value < ALPHA and abs_change != 0:
        return "up" if abs_change > 0 else "down"
    return "flat" if small or abs_change == 0 else "noise"
