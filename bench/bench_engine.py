"""KPI values over millions of post-day rows: the engine vs a plain pandas filter-and-sum.

Generates the data (nothing committed), then times, in the same run, the engine's
`compute_value` and a pandas baseline that masks the whole frame and sums, checks
they agree, and prints the ratio. Also times a full report (value, previous
period, last year, tested verdicts) and a breakdown.

    .venv/bin/python bench/bench_engine.py [--rows 10000000] [--repeat 30]
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import date
from functools import partial

import numpy as np
import pandas as pd

from kpi_engine import Engine, MemorySource
from kpi_engine.sample import generate_sample

END = date(2025, 6, 30)
ROWS_AT_SCALE_1 = 111_000

QUERIES = [
    ("engagement_rate", "last_28_days", {}),
    ("engagement_rate", "last_28_days", {"platform": ["instagram"]}),
    ("click_through_rate", "last_7_days", {"platform": ["linkedin", "x"]}),
    ("impressions", "last_90_days", {}),
]


def _timed(fn, repeat: int) -> tuple[float, float, object]:
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    times.sort()
    return statistics.median(times) * 1000, times[int(0.95 * (len(times) - 1))] * 1000, result


def _pandas_value(posts: pd.DataFrame, kpi, period, filters) -> float:
    mask = (posts["date"] >= pd.Timestamp(period.start)) & (posts["date"] <= pd.Timestamp(period.end))
    for dim, values in filters.items():
        mask &= posts[dim].isin(values)
    sub = posts.loc[mask]
    num = sum(sign * sub[m].sum() for sign, m in kpi.formula.numerator_terms)
    if kpi.formula.kind == "sum":
        return float(num)
    den = sum(sign * sub[m].sum() for sign, m in kpi.formula.denominator_terms)
    return float(num / den * kpi.formula.scale)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--repeat", type=int, default=30)
    args = ap.parse_args()

    t = time.perf_counter()
    data = generate_sample(end=END, scale=max(args.rows / ROWS_AT_SCALE_1, 0.01))
    print(f"generated {len(data.posts):,} post-day rows in {time.perf_counter() - t:.1f} s")
    t = time.perf_counter()
    engine = Engine(source=MemorySource(data), today=date(2025, 7, 1))
    print(f"indexed for the engine in {time.perf_counter() - t:.2f} s")
    posts = data.posts

    print(f"\n{'query':58} {'engine p50':>11} {'p95':>8} {'pandas p50':>11} {'ratio':>7}")
    ratios = []
    for kpi_id, period_text, filters in QUERIES:
        kpi = engine.kpi(kpi_id)
        period = engine.period(period_text)
        e50, e95, value = _timed(partial(engine.compute_value, kpi_id, period, filters), args.repeat)
        b50, _, expected = _timed(partial(_pandas_value, posts, kpi, period, filters), max(3, args.repeat // 5))
        assert np.isclose(value.value, expected), (kpi_id, value.value, expected)
        ratios.append(b50 / e50)
        label = f"{kpi_id} {period_text} {filters or ''}"
        print(f"{label:58} {e50:9.2f}ms {e95:6.2f}ms {b50:9.2f}ms {b50 / e50:6.1f}x")
    print(f"\nengine is {statistics.geometric_mean(ratios):.1f}x faster than the pandas baseline "
          f"(geometric mean over {len(ratios)} queries, same data, same run)")

    r50, r95, _ = _timed(lambda: engine.compute_report("engagement_rate", "last_28_days", {}), 5)
    print(f"full report (value + previous + last year + delta-method tests): p50 {r50:.1f} ms, p95 {r95:.1f} ms")
    b50, b95, _ = _timed(lambda: engine.compute_breakdown("engagement_rate", "platform", "last_28_days"), 5)
    print(f"breakdown by platform with mix/rate effects: p50 {b50:.1f} ms, p95 {b95:.1f} ms")


if __name__ == "__main__":
    main()
