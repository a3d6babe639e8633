"""Advisor latency: warm deterministic `ask` p50/p95, and cold `kpi-advisor ask` processes.

References measured in the same run: for warm asks, the bare engine report the
answer is built on; for cold starts, a bare `python -c pass` and `import pandas`.

    .venv/bin/python bench/bench_advisor.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

QUESTIONS = [
    "which KPI for awareness?",
    "engagement rate last 28 days by platform",
    "what's our ER on insta last week",
    "and on tiktok?",
    "why did it drop?",
    "is follower count a good KPI?",
    "reach this month vs last month",
    "median response time yesterday?",
    "show me the weekly awareness digest",
    "need more DMs from locals asking for quotes",
]


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def warm(repeat: int, home: Path) -> None:
    from advisor.core import Advisor
    from advisor.settings import Settings

    advisor = Advisor.from_settings(Settings(home=home))
    advisor.answer("which KPI for awareness?")  # build the knowledge base, load data
    times: list[float] = []
    for r in range(repeat):
        for q in QUESTIONS:
            t = time.perf_counter()
            advisor.answer(q, thread=f"bench-{r}")
            times.append((time.perf_counter() - t) * 1000)
    engine = advisor.engine("local")
    ref = []
    for _ in range(repeat * 4):
        t = time.perf_counter()
        engine.compute_report("engagement_rate", "last_28_days")
        ref.append((time.perf_counter() - t) * 1000)
    p50, p95 = statistics.median(times), _pct(times, 0.95)
    print(f"warm ask over {len(times)} questions: p50 {p50:.1f} ms, p95 {p95:.1f} ms (target p95 < 300 ms)")
    print(f"reference, one bare engine report: p50 {statistics.median(ref):.1f} ms -> "
          f"ask p50 is {p50 / statistics.median(ref):.1f}x a bare report")


def cold(repeat: int, home: Path) -> None:
    exe = Path(sys.executable).with_name("kpi-advisor")
    env = {**os.environ, "KPI_ADVISOR_HOME_DIR": str(home)}

    def timed(cmd: list[str]) -> float:
        runs = []
        for _ in range(repeat):
            t = time.perf_counter()
            subprocess.run(cmd, env=env, capture_output=True, check=True, cwd=home.parent)
            runs.append(time.perf_counter() - t)
        return statistics.median(runs)

    subprocess.run([str(exe), "ask", "which KPI for awareness?"], env=env, capture_output=True, check=True,
                   cwd=home.parent)  # first run builds caches (sample, knowledge store)
    python = timed([sys.executable, "-c", "pass"])
    pandas = timed([sys.executable, "-c", "import pandas"])
    print(f"reference: python start {python:.2f} s, python + import pandas {pandas:.2f} s")
    for q in ("engagement rate last 28 days", "which KPI for awareness?", "is follower count a good KPI?"):
        t = timed([str(exe), "ask", q])
        print(f"cold `kpi-advisor ask \"{q}\"`: median {t:.2f} s ({t / pandas:.1f}x import pandas; target < 2 s)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        warm(args.repeat, home)
        cold(args.repeat, home)


if __name__ == "__main__":
    main()
