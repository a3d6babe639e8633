"""Signal vs noise: planted shifts are found, flat data is not flagged (measured over seeds)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from kpi_engine import Engine, MemorySource
from kpi_engine.periods import Period
from kpi_engine.sample import PLANTED_EVENTS, generate_flat, generate_sample

ENDS = [date(2025, 6, 30), date(2024, 11, 5), date(2026, 2, 10)]
EVENTS = {e.name: e for e in PLANTED_EVENTS}


def _engine(data, end: date) -> Engine:
    return Engine(source=MemorySource(data), today=end + timedelta(days=1))


@pytest.fixture(scope="module", params=ENDS, ids=str)
def planted(request):
    end = request.param
    return end, _engine(generate_sample(end=end), end)


def _flagged_days(engine: Engine, end: date, event) -> list[date]:
    filters = {"platform": [event.platform]} if event.platform else None
    trend = engine.compute_trend(event.kpi, Period(start=end - timedelta(days=89), end=end, label="90d"),
                                 "day", filters)
    return [p.start for p in trend.points if p.anomaly]


@pytest.mark.parametrize("name", ["tiktok_engagement_drop", "response_time_slowdown", "linkedin_impressions_spike"])
def test_planted_anomalies_are_flagged_in_the_trend(planted, name):
    end, engine = planted
    event = EVENTS[name]
    start, stop = event.window(end)
    flagged = _flagged_days(engine, end, event)
    assert any(start <= d <= stop for d in flagged), f"{name} ({start}..{stop}) not flagged; flagged {flagged}"


def test_planted_step_is_a_meaningful_change(planted):
    end, engine = planted
    event = EVENTS["instagram_ctr_step"]
    start, _ = event.window(end)
    after = Period(start=start, end=start + timedelta(days=27), label="28 days after")
    report = engine.compute_report(event.kpi, after, {"platform": [event.platform]})
    assert report.previous.verdict == "up" and report.previous.good is True


def test_planted_drop_is_a_meaningful_week_over_week_change(planted):
    end, engine = planted
    event = EVENTS["tiktok_engagement_drop"]
    start, stop = event.window(end)
    report = engine.compute_report(event.kpi, Period(start=start, end=stop, label="drop week"),
                                   {"platform": [event.platform]})
    assert report.previous.verdict == "down" and report.previous.good is False


def test_flat_data_is_not_flagged_false_positive_rate_over_seeds():
    """On data with only weekly seasonality and noise, verdicts and trend flags are rare."""
    end = date(2025, 6, 30)
    kpis = ["engagement_rate", "impressions", "click_through_rate", "median_response_time",
            "leads", "follower_growth_rate", "net_sentiment"]
    verdicts = flagged = points = 0
    judged = 0
    for seed in range(12):
        engine = _engine(generate_flat(end=end, seed=seed, days=400), end)
        for kpi in kpis:
            for period in ("last_7_days", "last_28_days"):
                r = engine.compute_report(kpi, period)
                judged += 1
                verdicts += r.previous.verdict in ("up", "down")
            trend = engine.compute_trend(kpi, "last_90_days")
            flagged += sum(p.anomaly for p in trend.points)
            points += len(trend.points)
    verdict_fpr, flag_fpr = verdicts / judged, flagged / points
    print(f"\nflat data, 12 seeds: verdict false-positive rate {verdict_fpr:.3f} ({verdicts}/{judged}); "
          f"trend flags {flag_fpr:.4f} ({flagged}/{points})")
    assert verdict_fpr <= 0.10  # tests run at alpha = 0.05
    assert flag_fpr <= 0.01
