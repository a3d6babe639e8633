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

__all__ = ["ratio_se", "ratio_test", "difference_test", "robust_scores", "verdict_for", "ALPHA"]

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
    """Robust z of each value against its own baseline (median and scaled MAD).

    Returns (expected, score); NaN where the baseline has fewer than 4 points.
    """
    expected = np.full(len(values), np.nan)
    score = np.full(len(values), np.nan)
    for i, (v, base) in enumerate(zip(values, baselines, strict=True)):
        base = base[np.isfinite(base)]
        if len(base) < 4 or not np.isfinite(v):
            continue
        med = float(np.median(base))
        mad = 1.4826 * float(np.median(np.abs(base - med)))
        # floor the spread so a very regular baseline does not flag tiny moves
        spread = max(mad, 0.05 * abs(med), 1e-9)
        expected[i] = med
        score[i] = (v - med) / spread
    return expected, score


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
