"""A rate whose numerator some platforms do not report divides only by those platforms' denominator."""

from __future__ import annotations

from datetime import date

import pytest

from kpi_engine import Engine, MemorySource
from kpi_engine.catalog import default_catalog
from tests.kpi_engine.frames import dataset, posts

D1, D2 = date(2025, 3, 2), date(2025, 3, 3)


def _engine() -> Engine:
    rows = []
    for day in (D1, D2):
        rows += [
            {"date": day, "platform": "instagram", "account": "a", "post_id": f"i{day}", "impressions": 10000,
             "saves": 30, "video_views": 1000, "video_completions": 250, "watch_time_seconds": 9000},
            {"date": day, "platform": "x", "account": "b", "post_id": f"x{day}", "impressions": 20000,
             "saves": 0, "video_views": 3000, "video_completions": 0, "watch_time_seconds": 0},
        ]
    # instagram has no saves on D2, but it reports saves (it had some on D1): it stays in
    rows[2]["saves"] = 0
    return Engine(source=MemorySource(dataset(posts=posts(rows))), today=date(2025, 3, 10))


def test_save_rate_divides_by_impressions_of_platforms_that_report_saves():
    e = _engine()
    v = e.compute_value("save_rate", "2025-03-02..2025-03-02")
    # 30 saves / 10,000 instagram impressions x 1,000 = 3.0 (not 30 / 30,000 x 1,000 = 1.0)
    assert v.value == pytest.approx(3.0) and v.denominator == pytest.approx(10000)
    assert e.compute_value("save_rate", "2025-03-03..2025-03-03").value == pytest.approx(0.0)


def test_video_rates_match_their_denominators_too():
    e = _engine()
    assert e.compute_value("video_completion_rate", "2025-03-02..2025-03-02").value == pytest.approx(25.0)
    assert e.compute_value("avg_watch_time", "2025-03-02..2025-03-02").value == pytest.approx(9.0)


def test_engagement_rate_is_not_matched():
    rows = [{"date": D1, "platform": "instagram", "post_id": "i", "impressions": 10000, "engagements": 100},
            {"date": D1, "platform": "x", "post_id": "x", "impressions": 10000, "engagements": 0}]
    e = Engine(source=MemorySource(dataset(posts=posts(rows))), today=date(2025, 3, 10))
    assert e.compute_value("engagement_rate", "2025-03-02..2025-03-02").value == pytest.approx(0.5)


def test_breakdown_and_trend_use_the_matched_denominator():
    e = _engine()
    b = e.compute_breakdown("save_rate", "platform", "2025-03-03..2025-03-03")
    assert [s.key for s in b.segments] == ["instagram"]
    t = e.compute_trend("save_rate", "2025-03-02..2025-03-03")
    assert t.points[0].denominator == pytest.approx(10000)


def test_the_definition_says_so():
    kpi = default_catalog().get("save_rate")
    assert kpi.formula.matched_denominator
    assert "counted only on platforms that report saves and impressions" in kpi.formula.describe()
    assert "platforms that report saves" in kpi.denominator


def _ctr_engine() -> Engine:
    # LinkedIn reports impressions but no link clicks (its "Clicks" column is not mapped): NaN, not 0
    rows = [
        {"date": D1, "platform": "instagram", "account": "a", "post_id": "i", "impressions": 10000, "clicks": 100},
        {"date": D1, "platform": "facebook", "account": "f", "post_id": "f", "impressions": 5000, "clicks": 25},
        {"date": D1, "platform": "linkedin", "account": "l", "post_id": "l", "impressions": 20000,
         "clicks": float("nan")},
    ]
    return Engine(source=MemorySource(dataset(posts=posts(rows))), today=date(2025, 3, 10))


def test_linkedin_ctr_is_missing_and_does_not_dilute_the_all_platform_ctr():
    e = _ctr_engine()
    li = e.compute_value("click_through_rate", "2025-03-02..2025-03-02", {"platform": ["linkedin"]})
    assert li.value is None and li.status == "no_data"
    assert li.message is not None and "No data: LinkedIn does not report link clicks" in li.message
    # (100 + 25) / (10,000 + 5,000) x 100 = 0.8333%, not 125 / 35,000 x 100 = 0.357%
    total = e.compute_value("click_through_rate", "2025-03-02..2025-03-02")
    assert total.value == pytest.approx(125 / 15000 * 100) and total.denominator == pytest.approx(15000)
    both = e.compute_value("click_through_rate", "2025-03-02..2025-03-02", {"platform": ["linkedin", "facebook"]})
    assert both.value == pytest.approx(0.5)  # facebook alone: 25 / 5,000


def test_a_platform_without_the_measure_is_no_data_in_a_breakdown_and_a_report():
    e = _ctr_engine()
    b = e.compute_breakdown("click_through_rate", "platform", "2025-03-02..2025-03-02")
    assert {s.key for s in b.segments} == {"instagram", "facebook"}
    assert b.note is not None and "LinkedIn does not report link clicks" in b.note
    r = e.compute_report("click_through_rate", "2025-03-02..2025-03-02", {"platform": ["linkedin"]})
    assert r.current.value is None and r.previous.verdict == "not_enough_data" and r.previous.good is None


def test_linkedin_save_rate_is_missing_not_zero():
    e = _ctr_engine()  # no platform here reports saves at all
    v = e.compute_value("save_rate", "2025-03-02..2025-03-02")
    assert v.value is None and "do not report saves" in (v.message or "")


def test_ctr_definition_says_so():
    kpi = default_catalog().get("click_through_rate")
    assert kpi.formula.matched_denominator
    assert "counted only on platforms that report clicks and impressions" in kpi.formula.describe()
    assert "platforms that report link clicks" in kpi.denominator


def test_a_platform_without_the_denominator_measure_does_not_inflate_the_rate():
    # X reports no reach: its 500 engagements have no reach beside them
    rows = [{"date": D1, "platform": "instagram", "account": "a", "post_id": "i", "impressions": 12000,
             "reach": 8000, "engagements": 400},
            {"date": D1, "platform": "x", "account": "b", "post_id": "x", "impressions": 9000,
             "reach": float("nan"), "engagements": 500}]
    e = Engine(source=MemorySource(dataset(posts=posts(rows))), today=date(2025, 3, 10))
    v = e.compute_value("engagement_rate_by_reach", "2025-03-02..2025-03-02")
    # 400 / 8,000 x 100 = 5.0%, not (400 + 500) / 8,000 x 100 = 11.25%
    assert v.value == pytest.approx(5.0) and v.numerator == pytest.approx(400)
    x = e.compute_value("engagement_rate_by_reach", "2025-03-02..2025-03-02", {"platform": ["x"]})
    assert x.value is None and "X does not report reach" in (x.message or "")
    # engagement rate (per impression) has both measures on every platform: unchanged, 900 / 21,000
    assert e.compute_value("engagement_rate", "2025-03-02..2025-03-02").value == pytest.approx(900 / 21000 * 100)
