"""Backtest of the pace forecasters on rolling origins: which method projects a KPI's period best?

Series: the daily parts the pace module projects (counts and the numerators and
denominators of rates, totals and per platform; follower levels), read through
the engine's Source from the bundled sample generator:

* dev: ``generate_sample(seed=7)`` (the sample the product ships);
* held-out: ``generate_sample(seed=11)`` ending on another weekday and season, and
  ``generate_flat(seed=3)`` (no trend, no yearly season: a method must not invent them).

For each series, horizon (28 and 91 days) and origin (every 14 days once a year
and eight weeks of history exist, so every candidate sees the same cases) it
reports MASE (mean absolute error of the daily forecasts over the in-sample mean
absolute error of a lag-7 seasonal naive forecast; lower is better, the seasonal
naive forecast itself is the reference) and the absolute error of the horizon's
total, which is what a pace projection adds up. Then it checks the calibration
of the pace intervals (the chosen method plus the backtest interval) on month and
quarter targets of the held-out sample.

Run: PYTHONPATH=. python bench/bench_pace.py [--quick]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from collections import defaultdict
from datetime import date, timedelta

import numpy as np

from kpi_engine import forecast as fc
from kpi_engine.catalog import default_catalog
from kpi_engine.daily import load_daily
from kpi_engine.memory import MemorySource
from kpi_engine.sample import PLATFORMS, generate_flat, generate_sample

FLOW_KPIS = ("impressions", "engagements", "video_views", "leads", "product_page_views", "inquiries")
RATE_PARTS = ("click_through_rate", "save_rate", "landing_conversion_rate", "response_rate")
HORIZONS = (28, 91)
STEP = 14


def holt_winters(y: np.ndarray, h: int) -> np.ndarray:
    """statsmodels' ETS: additive damped trend, weekly season (multiplicative when positive)."""
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    y = np.asarray(y[-365:], dtype=float)
    seasonal = "mul" if (y > 0).all() else "add"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = ExponentialSmoothing(y, trend="add", damped_trend=True, seasonal=seasonal,
                                     seasonal_periods=7, initialization_method="estimated")
        return np.asarray(model.fit(optimized=True, use_brute=False).forecast(h))


def series_of(source: MemorySource, end: date, days: int) -> list[tuple[str, str, np.ndarray]]:
    """(name, flow|stock, daily values) for the parts the pace module projects."""
    cat = default_catalog()
    start = end - timedelta(days=days - 1)
    out: list[tuple[str, str, np.ndarray]] = []
    for k in FLOW_KPIS:
        out.append((k, "flow", load_daily(source, cat.get(k), start, end).num))
    for k in RATE_PARTS:
        kpi = cat.kpis.get(k)
        if kpi is None:
            continue
        parts = load_daily(source, kpi, start, end)
        out.append((f"{k}.num", "flow", parts.num))
        out.append((f"{k}.den", "flow", parts.den))
    for p in PLATFORMS:
        for k in ("impressions", "engagements"):
            out.append((f"{k}[{p}]", "flow", load_daily(source, cat.get(k), start, end, {"platform": [p]}).num))
    followers = cat.get("followers")
    out.append(("followers", "stock", load_daily(source, followers, start, end).num))
    for p in PLATFORMS:
        out.append((f"followers[{p}]", "stock", load_daily(source, followers, start, end, {"platform": [p]}).num))
    return out


def backtest(series, candidates, *, quick: bool) -> tuple[dict, dict]:
    """Per (candidate, kind, horizon): (MASE, total error) per case; and time per forecast call.

    Each candidate forecasts the longest horizon once per origin; shorter horizons are
    its first days (every candidate's forecast for h days is the start of its longer one).
    """
    scores: dict[tuple[str, str, int], list[tuple[float, float]]] = defaultdict(list)
    timing: dict[str, list[float]] = defaultdict(list)
    first = fc.YEAR + 8 * fc.WEEK + fc.WEEK
    longest = max(HORIZONS)
    for _name, kind, y in series:
        n = len(y)
        for o in range(first, n - longest + 1, STEP * (2 if quick else 1)):
            hist = y[:o]
            scale_hist = hist[-365:]
            naive_err = np.abs(scale_hist[7:] - scale_hist[:-7]).mean()
            if not np.isfinite(naive_err) or naive_err <= 0:
                continue
            for cname, fn in candidates.items():
                t0 = time.perf_counter()
                pred_all = fn(hist, longest)
                timing[cname].append(time.perf_counter() - t0)
                for h in HORIZONS:
                    pred, actual = pred_all[:h], y[o:o + h]
                    mase = float(np.abs(pred - actual).mean() / naive_err)
                    if kind == "stock":  # a stock's "total" is its level on the last day
                        tot = abs(pred[-1] - actual[-1]) / abs(actual[-1])
                    else:
                        tot = abs(pred.sum() - actual.sum()) / max(abs(actual.sum()), 1e-9)
                    scores[(cname, kind, h)].append((mase, float(tot)))
    return scores, timing


RATE_KPIS = ("engagement_rate", "click_through_rate", "save_rate", "share_rate", "landing_conversion_rate",
             "video_completion_rate", "response_rate")


def rate_backtest(source: MemorySource, end: date, candidates, *, quick: bool) -> dict:
    """Error of a projected rate over the horizon: both parts projected alike (``parts:``) or the
    denominator projected and the numerator as it times each weekday's rate over the last 4, 8 or
    13 weeks (``rate4w:`` ...)."""
    cat = default_catalog()
    start = end - timedelta(days=729)
    jobs = [(k, None) for k in RATE_KPIS] + [("engagement_rate", {"platform": [p]}) for p in PLATFORMS]
    out: dict[tuple[str, int], list[float]] = defaultdict(list)
    first = fc.YEAR + 8 * fc.WEEK + fc.WEEK
    longest = max(HORIZONS)
    for kpi_id, filters in jobs:
        parts = load_daily(source, cat.get(kpi_id), start, end, filters)
        num, den = parts.num, parts.den
        for o in range(first, len(num) - longest + 1, STEP * (2 if quick else 1)):
            rates = {w: fc.weekday_rates(num[:o], den[:o], weeks=w) for w in (4, 8, 13)}
            for cname, fn in candidates.items():
                if cname == "holt_winters":
                    continue  # two fits per case; the flow table already shows where it stands
                d_all = fn(den[:o], longest)
                n_all = fn(num[:o], longest)
                for h in HORIZONS:
                    truth = num[o:o + h].sum() / den[o:o + h].sum()
                    d, n_ = d_all[:h], n_all[:h]
                    if d.sum() > 0:
                        out[(f"parts:{cname}", h)].append(abs(n_.sum() / d.sum() / truth - 1))
                    for w, r in rates.items():
                        if r is not None and d.sum() > 0:
                            held = (d * r[np.arange(h) % fc.WEEK]).sum() / d.sum()
                            out[(f"rate{w}w:{cname}", h)].append(abs(held / truth - 1))
    return out


def print_rates(results: dict[str, dict]) -> None:
    sets = list(results)
    print("Rates: mean abs. error of the projected rate over the horizon (ratio of projected sums)")
    print(f"{'method':<24}{'h':>4}" + "".join(f"{s:>12}" for s in sets))
    names = sorted({k[0] for r in results.values() for k in r})
    for h in HORIZONS:
        for name in names:
            vals = [results[s].get((name, h), []) for s in sets]
            print(f"{name:<24}{h:>4}" + "".join(f"{100 * np.mean(v):>11.2f}%" if v else f"{'-':>12}"
                                             for v in vals))
        print()


def _mean(values: list[tuple[float, float]], i: int) -> float:
    return float(np.mean([v[i] for v in values])) if values else float("nan")


def print_table(results: dict[str, tuple[dict, dict]], candidates) -> None:
    sets = list(results)
    print("\nMASE (vs lag-7 seasonal naive, in-sample scale) and mean abs. error of the horizon total")
    head = f"{'method':<15}{'kind':<6}{'h':>4}"
    for s in sets:
        head += f"{s + ' MASE':>16}{s + ' tot%':>16}"
    print(head + f"{'ms/call':>10}")
    for kind in ("flow", "stock"):
        for h in HORIZONS:
            for cname in candidates:
                row = f"{cname:<15}{kind:<6}{h:>4}"
                any_ = False
                for s in sets:
                    vals = results[s][0].get((cname, kind, h), [])
                    any_ = any_ or bool(vals)
                    row += f"{_mean(vals, 0):>16.3f}{100 * _mean(vals, 1):>15.1f}%"
                ms = 1000 * float(np.mean(results[sets[0]][1][cname])) if results[sets[0]][1][cname] else 0
                if any_:
                    print(row + f"{ms:>10.2f}")
            print()


def calibration(source: MemorySource, end: date, today: date, name: str) -> None:
    """Coverage of the pace intervals on the last year's month/quarter targets of one sample."""
    from kpi_engine.engine import Engine
    from kpi_engine.pace import compute_pace
    from kpi_engine.periods import Period

    engine = Engine(source=source, today=today)
    cat = engine.catalog
    kpis = ("impressions", "engagement_rate", "click_through_rate", "save_rate", "leads", "followers",
            "follower_growth_rate", "median_response_time", "response_rate")
    inside: dict[tuple[str, float], list[bool]] = defaultdict(list)
    by_kpi: dict[str, list[bool]] = defaultdict(list)
    months = []
    d = date(end.year - 1, end.month, 1)
    while True:
        nxt = (d.replace(day=28) + timedelta(days=4)).replace(day=1)
        if nxt - timedelta(days=1) > end:
            break
        months.append(Period(start=d, end=nxt - timedelta(days=1), label="month", kind="month"))
        d = nxt
    quarters = [Period(start=months[i].start, end=months[i + 2].end, label="quarter", kind="quarter")
                for i in range(0, len(months) - 2, 3)]
    t0 = time.perf_counter()
    calls = 0
    for kpi_id in kpis:
        kpi = cat.get(kpi_id)
        for p in months + quarters:
            final = engine.compute_value(kpi_id, p).value
            if final is None:
                continue
            for frac in (0.25, 0.5, 0.75):
                as_of = p.start + timedelta(days=int(p.days * frac) - 1)
                pace = compute_pace(source, kpi, p, target=final, as_of=as_of)
                calls += 1
                if pace.low is None or pace.high is None:
                    continue
                hit = pace.low <= final <= pace.high
                inside[(p.kind, frac)].append(hit)
                by_kpi[kpi_id].append(hit)
    elapsed = time.perf_counter() - t0
    print(f"\nPace interval coverage, {name} (nominal 80%): the period's final value inside the range")
    for (kind, frac), hits in sorted(inside.items()):
        print(f"  {kind:<8} {int(frac * 100):>3}% elapsed: {100 * np.mean(hits):5.1f}% of {len(hits)}")
    print("  by KPI: " + ", ".join(f"{k} {100 * np.mean(v):.0f}%" for k, v in by_kpi.items()))
    every = [x for v in inside.values() for x in v]
    print(f"  overall: {100 * np.mean(every):.1f}% of {len(every)}; {1000 * elapsed / max(calls, 1):.1f} ms per pace")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="every other origin")
    ap.add_argument("--no-cal", action="store_true", help="skip the interval calibration")
    ap.add_argument("--no-hw", action="store_true", help="skip statsmodels' Holt-Winters (~2 s per fit here)")
    ap.add_argument("--cal-only", action="store_true", help="only the interval calibration")
    args = ap.parse_args()
    load = os.getloadavg()[0]
    print(f"machine: {os.cpu_count()} cores, load average {load:.2f} at start")
    candidates = dict(fc.CANDIDATES)
    if not args.no_hw:
        candidates["holt_winters"] = holt_winters
    data = {
        "dev": (generate_sample(seed=7, end=date(2026, 6, 30)), date(2026, 6, 30)),
        "held": (generate_sample(seed=11, end=date(2025, 10, 15)), date(2025, 10, 15)),
        "flat": (generate_flat(seed=3, end=date(2026, 2, 1)), date(2026, 2, 1)),
    }
    results = {}
    sources = {}
    for name, (ds, end) in data.items():
        src = MemorySource(ds)
        sources[name] = (src, end)
        if args.cal_only:
            continue
        t0 = time.perf_counter()
        results[name] = backtest(series_of(src, end, 730), candidates, quick=args.quick)
        print(f"{name}: backtest {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    if not args.cal_only:
        print_table(results, candidates)
        rates = {name: rate_backtest(src, end, candidates, quick=args.quick) for name, (src, end) in sources.items()}
        print_rates(rates)
    print(f"chosen: {fc.METHODS}, rate weeks {fc.RATE_WEEKS}")
    if not args.no_cal:
        for name in ("dev", "held"):
            src, end = sources[name]
            calibration(src, end, end + timedelta(days=1), name)
    print(f"load average at end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
