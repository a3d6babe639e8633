"""Alerts name drivers by the advisor's one drivers rule: the segment that carries a change that holds."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest

from advisor.alerts import evaluate_alert
from advisor.why_evidence import find_drivers, material_movers
from kpi_engine import Engine, MemorySource
from kpi_engine.periods import Period
from kpi_engine.sample import PLANTED_EVENTS, generate_sample
from tests.kpi_engine.frames import dataset, posts

END = date(2025, 6, 30)
DAY0 = date(2025, 3, 3)


@pytest.fixture(scope="module")
def engine():
    return Engine(source=MemorySource(generate_sample(end=END)), today=END + timedelta(days=1))


def _week_of(name: str) -> Period:
    event = next(e for e in PLANTED_EVENTS if e.name == name)
    start, _ = event.window(END)
    return Period(start=start, end=start + timedelta(days=6), label="the event's week", kind="custom")


def _spike_engine() -> Engine:
    """Two platforms, 30 posts a day each for ten weeks (the history a count's test needs); in the last
    week LinkedIn's posts get three times the views."""
    rng = np.random.default_rng(7)
    rows = []
    for day in range(70):
        for platform, base in (("instagram", 1000), ("linkedin", 800)):
            lift = 3 if platform == "linkedin" and day >= 63 else 1
            for i in range(30):
                rows.append({"date": DAY0 + timedelta(days=day), "platform": platform, "account": platform[:2],
                             "post_id": f"{platform}-{day}-{i}", "posts_published": 1,
                             "impressions": int(rng.poisson(base * lift)), "engagements": 10})
    return Engine(source=MemorySource(dataset(posts=posts(rows))), today=DAY0 + timedelta(days=70))


def test_a_spike_alert_names_the_segment_the_chat_why_names():
    engine = _spike_engine()
    period = Period(start=DAY0 + timedelta(days=63), end=DAY0 + timedelta(days=69), label="week 10", kind="custom")
    res = evaluate_alert(engine, kpi_id="impressions", period=period, filters=None,
                         threshold_kind="unusual", threshold_value=None, direction="both")
    assert res.triggered and res.verdict == "up"
    b, movers = find_drivers(engine, "impressions", period, {}, limit=3,
                             dimensions=("platform", "content_type", "account"))
    chat = [s.key for s in material_movers(b, movers)]
    assert res.driver_dimension == b.dimension and chat[0] == "linkedin"
    assert [d.split(":")[0] for d in res.drivers] == chat


def test_a_broad_move_says_no_single_segment_stands_out(engine):
    period = _week_of("tiktok_engagement_drop")
    # a change alert (>= 20%): the week's -38% is a meaningful drop (p = 0.014), not below the
    # unusual-alert level of 1%, and no segment carries it out of proportion
    res = evaluate_alert(engine, kpi_id="engagement_rate", period=period, filters={"platform": ["tiktok"]},
                         threshold_kind="change", threshold_value=0.2, direction="bad")
    assert res.triggered and res.verdict == "down" and res.drivers == []
    assert res.drivers_note.startswith("No single segment stands out")


def test_a_level_alert_without_a_change_that_holds_names_no_driver(engine):
    period = _week_of("tiktok_engagement_drop")
    res = evaluate_alert(engine, kpi_id="engagement_rate", period=period, filters=None,
                         threshold_kind="above", threshold_value=0.0, direction="bad")
    assert res.triggered
    if res.verdict not in ("up", "down"):
        assert res.drivers == [] and res.driver_dimension == ""
