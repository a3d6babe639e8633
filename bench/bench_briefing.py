"""Warm briefing latency on the bundled sample: `advisor.answer("how are we doing ...?")` end to end.

Two workspaces: one with nothing set (every goal's primary KPI, 9 KPIs) and one with two digest
subscriptions and a target (awareness and engagement scorecards plus the target: 11 KPIs and a
pace). Questions rotate over platforms and periods. The reference, measured in the same run, is
one digest (`advisor.compose_digest`, awareness, last 7 days): the ratio says what a briefing
costs next to the scorecard path it is built on. Target: warm briefing p95 < 300 ms.

Run: PYTHONPATH=. python bench/bench_briefing.py [--runs 50]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

END = date(2025, 6, 30)
QUESTIONS = [
    "how are we doing?",
    "how are we doing on linkedin last month?",
    "anything I should know about tiktok last week?",
    "what changed on instagram in the last 28 days?",
    "give me the weekly update",
]


def _pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]


def _time(fn, runs: int) -> list[float]:
    out = []
    for i in range(runs):
        t = time.perf_counter()
        fn(i)
        out.append((time.perf_counter() - t) * 1000)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=50)
    args = ap.parse_args()

    from advisor.core import Advisor
    from advisor.db import open_database
    from advisor.governance import set_target
    from advisor.settings import Settings
    from bot.digests.subscriptions import Subscriptions

    home = Path(tempfile.mkdtemp(prefix="bench-brief-"))
    advisor = Advisor.from_settings(Settings(home=home), sample_end=END)
    subs = Subscriptions(engine=open_database(Settings(home=home).state_url), advisor=advisor)
    for spec in ("weekly mon 09:00 goal=awareness", "weekly mon 09:00 goal=engagement"):
        subs.subscribe("TEAM", "C1", "U1", spec)
    set_target(advisor, "TEAM", kpi="leads", value="400", period="2025-Q3")

    t = time.perf_counter()
    advisor.answer(QUESTIONS[0])
    advisor.answer(QUESTIONS[0], workspace="TEAM")
    cold = (time.perf_counter() - t) * 1000
    for q in QUESTIONS:  # warm: data loaded, every scope seen once
        advisor.answer(q)
        advisor.answer(q, workspace="TEAM")

    rows = []
    for ws in ("local", "TEAM"):
        ms = _time(lambda i, ws=ws: advisor.answer(QUESTIONS[i % len(QUESTIONS)], workspace=ws), args.runs)
        rows.append((ws, ms))
    ref = _time(lambda i: advisor.compose_digest(workspace="local", goal="awareness", period="last_7_days"),
                max(10, args.runs // 5))

    print(f"cold start (data load, two first briefings): {cold:.0f} ms")
    ref_p50 = statistics.median(ref)
    print(f"reference: digest (awareness, last 7 days), {len(ref)} runs: p50 {ref_p50:.1f} ms, "
          f"p95 {_pct(ref, 0.95):.1f} ms")
    for ws, ms in rows:
        p50, p95 = statistics.median(ms), _pct(ms, 0.95)
        scope = "nothing set: 9 primary KPIs" if ws == "local" else "2 digests + 1 target"
        print(f"briefing, {scope}, {len(ms)} runs: p50 {p50:.1f} ms, p95 {p95:.1f} ms, max {max(ms):.1f} ms "
              f"({p50 / ref_p50:.2f}x the digest) -> {'OK' if p95 < 300 else 'OVER'} the 300 ms target")


if __name__ == "__main__":
    main()
