"""Benchmark: 1,000 digest subscriptions across 50 workspaces, computed, rendered (charts) and posted.

Posting goes to a local fake Slack Web API with pacing switched off, so the
time is the product's own work (scheduling, claims, engine, narration, charts,
Block Kit, HTTP) and not Slack's one-message-per-second rule. The reference
measured in the same run is the naive path that recomputes every
subscription's digest and chart; the real path shares identical
(workspace data, goal/KPIs, period, filters, day) computations within a run.

    .venv/bin/python bench/bench_digests.py [--subs 1000] [--teams 50] [--naive-sample 100]
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

SAMPLE_END = date(2025, 6, 29)
TICK = datetime(2025, 6, 30, 16, 0, tzinfo=UTC)  # Monday, after 09:00 in all zones used
GOALS = (["awareness"] * 7 + ["engagement"] * 5 + ["traffic"] * 3 + ["leads", "ecommerce", "community",
         "brand_health", "local", "efficiency"])
KPI_LISTS = ["engagement_rate,click_through_rate", "reach,impressions", "engagement_rate"]
FILTERS = ["", "", "", "", " platform=instagram", " platform=tiktok"]
ZONES = ["UTC", "Europe/Berlin", "Europe/London", "America/New_York"]


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def build_advisor(home: Path, teams: list[str]):
    """The real Advisor, with a per-workspace engine over each workspace's own synthetic data."""
    from advisor import Advisor, Settings
    from advisor.workspaces import EngineProvider
    from kpi_engine.memory import MemorySource
    from kpi_engine.sample import generate_sample

    class PerTeamData(EngineProvider):
        def __init__(self) -> None:
            super().__init__(sample_end=SAMPLE_END)
            self.by_team = {t: MemorySource(generate_sample(end=SAMPLE_END, days=400, seed=i, scale=0.3))
                            for i, t in enumerate(teams)}

        def _source(self, config):
            return self.by_team[config.team_id]

    adv = Advisor.from_settings(Settings(home=home), sample_end=SAMPLE_END)
    adv._engines = PerTeamData()  # noqa: SLF001 - a benchmark wiring its own data
    return adv


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--subs", type=int, default=1000)
    ap.add_argument("--teams", type=int, default=50)
    ap.add_argument("--naive-sample", type=int, default=100, help="subscriptions timed on the naive path")
    args = ap.parse_args()

    from slack_sdk import WebClient

    from advisor.db import open_database
    from bot.digests.poster import SlackPoster
    from bot.digests.schedule import due_for
    from bot.digests.service import DigestService
    from tests.digests.fake_slack import FakeSlack

    rng = random.Random(7)
    teams = [f"T{i:03d}" for i in range(args.teams)]
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        adv = build_advisor(Path(tmp) / "home", teams)
        setup_s = time.perf_counter() - t0
        slack = FakeSlack().start()
        clock_now = [TICK - timedelta(days=3)]
        svc = DigestService(engine=open_database(f"sqlite:///{tmp}/state.db"), advisor=adv,
                            clock=lambda: clock_now[0],
                            poster=SlackPoster(pace_seconds=0.0),
                            client_factory=lambda team: WebClient(token="x", base_url=slack.url))
        for i in range(args.subs):
            team = teams[i % len(teams)]
            what = (f"goal={rng.choice(GOALS)}" if rng.random() < 0.85 else f"kpis={rng.choice(KPI_LISTS)}")
            spec = f"weekly mon 09:00 {rng.choice(ZONES)} {what}{rng.choice(FILTERS)} quiet=full"
            svc.subscribe(team, f"C{i:04d}", "U1", spec)
        clock_now[0] = TICK
        # warm-up outside the timings: imports, matplotlib fonts, first engine calls
        svc.preview(teams[0], goal="awareness", period="last_week", as_of=SAMPLE_END)

        # naive reference: a sample of subscriptions, each computed and charted from scratch
        subs = svc.all_active()
        sample = rng.sample(subs, min(args.naive_sample, len(subs)))
        t0 = time.perf_counter()
        for sub in sample:
            svc.compose_message(sub, due_for(sub, TICK), cache=None)
        naive_per_sub = (time.perf_counter() - t0) / len(sample)

        # the same computations sharing a per-run cache, without posting (apples to apples)
        from bot.digests.compose import RunCache

        cache = RunCache()
        t0 = time.perf_counter()
        for sub in subs:
            svc.compose_message(sub, due_for(sub, TICK), cache=cache)
        cached_s = time.perf_counter() - t0

        # the real path: one run_due delivering everything (claims, compute, charts, posts)
        t0, c0 = time.perf_counter(), time.process_time()
        report = svc.run_due(TICK)
        real_s, real_cpu = time.perf_counter() - t0, time.process_time() - c0
        slack.stop()

    posted = len(report.posted)
    naive_total = naive_per_sub * len(subs)
    print(f"subscriptions: {len(subs)} across {len(teams)} workspaces (data set-up {setup_s:.1f}s, not timed)")
    print(f"run_due (compute + render + charts + post to fake Slack, no pacing): {real_s:.1f}s "
          f"({real_cpu:.1f}s CPU in this process; the fake Slack runs in a thread of it) "
          f"for {posted} posts, {len(slack.files)} charts; failed {len(report.failed)}")
    load = os.getloadavg()[0]
    print(f"machine load average (1 min) at the end: {load:.1f} on {os.cpu_count()} cores")
    print(f"naive reference: {naive_per_sub * 1000:.0f} ms per subscription (compute + chart, measured on "
          f"{len(sample)}), {naive_total:.1f}s for all {len(subs)} (extrapolated)")
    print(f"cached compute + charts, no posting: {cached_s:.1f}s ({len(cache.answers)} distinct digests, "
          f"{len(cache.charts)} distinct charts, {cache.hits} cache hits)")
    print(f"ratio naive / cached (same work, no posting): {naive_total / cached_s:.2f}x; "
          f"naive / full run_due: {naive_total / real_s:.2f}x")
    print(f"peak RSS: {_peak_rss_mb():.0f} MB")
    if posted != len(subs) or report.failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
