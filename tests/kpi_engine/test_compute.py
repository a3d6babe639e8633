"""Engine numbers against hand-computed expectations on tiny frames."""

from __future__ import annotations

import json
import math
from datetime import date

import pytest

from kpi_engine import Engine, MemorySource
from kpi_engine.errors import FilterError, UnknownKpi
from kpi_engine.periods import Period

from .frames import accounts, dataset, interactions, posts

D1 = date(2025, 3, 3)  # a Monday
P = Period(start=D1, end=D1, label="that day", kind="day")


def engine_for(**tables) -> Engine:
    return Engine(source=MemorySource(dataset(**tables)), today=date(2025, 3, 10))


def test_rate_is_ratio_of_sums_not_mean_of_post_rates():
    # post a: 10/100 = 10%; post b: 9/900 = 1%. Mean of rates 5.5%; ratio of sums 19/1000 = 1.9%.
    eng = engine_for(posts=posts([
        {"date": D1, "platform": "instagram", "account": "a", "post_id": "a", "impressions": 100, "engagements": 10},
        {"date": D1, "platform": "instagram", "account": "a", "post_id": "b", "impressions": 900, "engagements": 9},
    ]))
    v = eng.compute_value("engagement_rate", P)
    assert v.numerator == 19 and v.denominator == 1000
    assert v.value == pytest.approx(1.9)


def test_followers_are_a_stock_not_summed_over_days():
    rows = []
    for i, (a, b) in enumerate([(100, 50), (110, 50), (120, 60)]):
        day = date(2025, 3, 1 + i)
        rows += [{"date": day, "platform": "instagram", "account": "main", "followers": a},
                 {"date": day, "platform": "tiktok", "account": "tt", "followers": b}]
    eng = engine_for(accounts=accounts(rows))
    period = Period(start=date(2025, 3, 2), end=date(2025, 3, 3), label="2 days")
    level = eng.compute_value("followers", period)
    assert level.value == 180  # 120 + 60 on the last day, not 110+50+120+60
    growth = eng.compute_value("follower_growth_rate", period)
    # start = end of the day before the period: 100 + 50 = 150; end 180 -> +20%
    assert growth.denominator == 150 and growth.numerator == 30
    assert growth.value == pytest.approx(20.0)


def test_reach_carries_its_non_additivity_caveat_wherever_summed():
    eng = engine_for(posts=posts([
        {"date": D1, "platform": "x", "account": "a", "post_id": "p1", "impressions": 5000, "reach": 4000},
        {"date": D1, "platform": "x", "account": "a", "post_id": "p2", "impressions": 3000, "reach": 2500},
    ]))
    v = eng.compute_value("reach", P)
    assert v.value == 6500
    assert "overcounts" in v.caveat
    assert "overcounts" in eng.compute_breakdown("reach", "platform", P).note
    assert "overcounts" in eng.compute_trend("reach", P).caveat
    assert "overcounts" in (eng.compute_value("engagement_rate_by_reach", P).caveat or "")


def test_median_response_time_is_a_median_and_ignores_unanswered():
    eng = engine_for(interactions=interactions([1, 2, 3, 100, None], D1))
    v = eng.compute_value("median_response_time", P)
    assert v.value == pytest.approx(2.5)  # the mean would be 26.5
    assert v.volume == 4
    p90 = eng.compute_value("p90_response_time", P)
    assert p90.value == pytest.approx(3 + 0.7 * 97)  # linear interpolation at 0.9 of 4 values
    rate = eng.compute_value("response_rate", P)
    assert rate.value == pytest.approx(80.0)


@pytest.mark.parametrize("kpi", ["engagement_rate", "click_through_rate", "save_rate"])
def test_zero_denominator_is_no_data_never_zero_inf_or_nan(kpi):
    eng = engine_for(posts=posts([
        {"date": D1, "platform": "x", "account": "a", "post_id": "p1", "impressions": 0, "engagements": 3,
         "clicks": 1, "saves": 1},
    ]))
    v = eng.compute_value(kpi, P)
    assert v.value is None and v.status == "no_data"
    assert "undefined (not 0)" in v.message
    text = json.dumps(v.model_dump(mode="json"))
    assert "NaN" not in text and "Infinity" not in text


def test_missing_period_is_no_data_with_the_data_span():
    eng = engine_for(posts=posts([{"date": D1, "platform": "x", "account": "a", "post_id": "p", "impressions": 10}]))
    v = eng.compute_value("impressions", Period(start=date(2024, 1, 1), end=date(2024, 1, 7), label="old"))
    assert v.value is None and v.status == "no_data"
    assert "2025-03-03 to 2025-03-03" in v.message


def test_small_volume_is_flagged_not_enough_data():
    eng = engine_for(posts=posts([
        {"date": D1, "platform": "x", "account": "a", "post_id": "p", "impressions": 20, "engagements": 2},
    ]))
    v = eng.compute_value("engagement_rate", P)
    assert v.value == pytest.approx(10.0)
    assert v.status == "not_enough_data" and "1,000" in v.message


def test_net_sentiment_uses_signed_terms():
    frame = interactions([5, 5, 5, 5], D1)
    frame.loc[:, ["positive", "neutral", "negative"]] = [[1, 0, 0], [1, 0, 0], [0, 0, 1], [0, 1, 0]]
    eng = engine_for(interactions=frame)
    assert eng.compute_value("net_sentiment", P).value == pytest.approx(25.0)  # (2-1)/4


def test_filters_validate_dimension_and_value():
    eng = engine_for(posts=posts([{"date": D1, "platform": "instagram", "account": "a", "post_id": "p", "impressions": 10}]))
    assert eng.compute_value("impressions", P, {"platform": ["Instagram"]}).value == 10
    with pytest.raises(FilterError, match="Did you mean instagram"):
        eng.compute_value("impressions", P, {"platform": ["instagramm"]})
    with pytest.raises(FilterError, match="cannot be filtered by 'sentiment'"):
        eng.compute_value("impressions", P, {"sentiment": ["positive"]})
    with pytest.raises(UnknownKpi, match="engagement_rate"):
        eng.kpi("engagment rate")


def test_breakdown_splits_rate_change_into_mix_and_rate_effects():
    prev, cur = date(2025, 3, 2), D1
    rows = [
        # previous day: ig 50/1000 (5%), tt 10/1000 (1%) -> 3%
        {"date": prev, "platform": "instagram", "account": "a", "post_id": "p1", "impressions": 1000, "engagements": 50},
        {"date": prev, "platform": "tiktok", "account": "b", "post_id": "p2", "impressions": 1000, "engagements": 10},
        # current day: ig 30/600 (5%), tt 28/1400 (2%) -> 58/2000 = 2.9%
        {"date": cur, "platform": "instagram", "account": "a", "post_id": "p3", "impressions": 600, "engagements": 30},
        {"date": cur, "platform": "tiktok", "account": "b", "post_id": "p4", "impressions": 1400, "engagements": 28},
    ]
    eng = engine_for(posts=posts(rows))
    b = eng.compute_breakdown("engagement_rate", "platform", P)
    total_change = b.total.value - b.previous_total.value
    assert total_change == pytest.approx(-0.1)
    assert sum(s.contribution for s in b.segments) == pytest.approx(total_change)
    seg = {s.key: s for s in b.segments}
    # instagram's rate did not move: all of its effect is mix (its share fell from 50% to 30%)
    assert seg["instagram"].rate_effect == pytest.approx(0.0)
    assert seg["instagram"].mix_effect == pytest.approx((0.3 - 0.5) * (5 - 3))
    # tiktok's rate rose 1% -> 2% on a 70% share
    assert seg["tiktok"].rate_effect == pytest.approx(0.7 * 1.0)
    assert seg["tiktok"].mix_effect == pytest.approx((0.7 - 0.5) * (1 - 3))


def test_breakdown_of_counts_contributions_add_up():
    rows = [
        {"date": date(2025, 3, 2), "platform": "x", "account": "a", "post_id": "p1", "impressions": 100},
        {"date": D1, "platform": "x", "account": "a", "post_id": "p2", "impressions": 250},
        {"date": D1, "platform": "linkedin", "account": "b", "post_id": "p3", "impressions": 50},
    ]
    b = engine_for(posts=posts(rows)).compute_breakdown("impressions", "platform", P)
    assert [s.key for s in b.segments] == ["x", "linkedin"]
    assert sum(s.contribution for s in b.segments) == pytest.approx(200)


def test_report_values_are_finite_or_none():
    eng = engine_for(posts=posts([{"date": D1, "platform": "x", "account": "a", "post_id": "p", "impressions": 10}]))
    r = eng.compute_report("engagement_rate", P)
    for number in (r.current.value, r.previous.abs_change, r.last_year.rel_change):
        assert number is None or math.isfinite(number)
    assert r.previous.verdict == "not_enough_data"


def test_same_account_name_on_two_platforms_is_two_stocks():
    rows = [{"date": date(2025, 3, 1), "platform": p, "account": "acme", "followers": n}
            for p, n in (("instagram", 100), ("tiktok", 40))]
    eng = engine_for(accounts=accounts(rows))
    assert eng.compute_value("followers", Period(start=date(2025, 3, 1), end=date(2025, 3, 1), label="d")).value == 140


def _posts_with_a_gap():
    # posts on Mar 3 and Mar 5, nothing on Mar 4: the data covers Mar 3 to Mar 5
    return posts([
        {"date": D1, "platform": "x", "account": "a", "post_id": "p1", "impressions": 100, "engagements": 5},
        {"date": date(2025, 3, 5), "platform": "x", "account": "a", "post_id": "p2", "impressions": 50,
         "engagements": 2},
    ])


def test_count_over_an_empty_day_inside_the_data_is_zero():
    eng = engine_for(posts=_posts_with_a_gap())
    gap = Period(start=date(2025, 3, 4), end=date(2025, 3, 4), label="Mar 4", kind="day")
    for kpi in ("impressions", "engagements"):
        v = eng.compute_value(kpi, gap)
        assert v.value == 0.0 and v.status != "no_data", kpi
        assert v.message is None or "No data" not in v.message


def test_filtered_count_with_no_matching_rows_inside_the_data_is_zero():
    eng = engine_for(posts=posts([
        {"date": D1, "platform": "x", "account": "a", "post_id": "p1", "impressions": 100},
        {"date": date(2025, 3, 5), "platform": "tiktok", "account": "a", "post_id": "p2", "impressions": 50},
    ]))
    v = eng.compute_value("impressions", Period(start=D1, end=D1, label="Mar 3", kind="day"),
                          filters={"platform": ["tiktok"]})
    assert v.value == 0.0


def test_rate_over_an_empty_day_stays_undefined_and_outside_the_data_is_no_data():
    eng = engine_for(posts=_posts_with_a_gap())
    gap = Period(start=date(2025, 3, 4), end=date(2025, 3, 4), label="Mar 4", kind="day")
    assert eng.compute_value("engagement_rate", gap).value is None
    after = Period(start=date(2025, 3, 6), end=date(2025, 3, 9), label="later", kind="custom")
    v = eng.compute_value("impressions", after)
    assert v.value is None and v.status == "no_data"
    assert "2025-03-03 to 2025-03-05" in v.message


def test_daily_trend_counts_zero_on_empty_days_inside_the_data_only():
    eng = engine_for(posts=_posts_with_a_gap())
    trend = eng.compute_trend("impressions", Period(start=date(2025, 3, 2), end=date(2025, 3, 6),
                                                    label="week", kind="custom"), grain="day")
    values = {p.start: p.value for p in trend.points}
    assert values[date(2025, 3, 3)] == 100 and values[date(2025, 3, 5)] == 50
    assert values[date(2025, 3, 4)] == 0.0
    assert values[date(2025, 3, 2)] is None and values[date(2025, 3, 6)] is None
    rate = eng.compute_trend("engagement_rate", Period(start=date(2025, 3, 3), end=date(2025, 3, 5),
                                                       label="week", kind="custom"), grain="day")
    assert {p.start: p.value for p in rate.points}[date(2025, 3, 4)] is None
