"""Pace toward targets on tiny inline frames with hand-checked numbers, and status on planted trends."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest

from kpi_engine import Engine, MemorySource
from kpi_engine.catalog import default_catalog
from kpi_engine.daily import load_daily
from kpi_engine.forecast import drift_weekly, level_drift, seasonal_naive, weekly_mean, yoy_ratio
from kpi_engine.pace import LEVEL, compute_pace, pace_status
from kpi_engine.periods import Period

from .frames import accounts, dataset, interactions, posts

START = date(2025, 1, 6)  # a Monday
DAYS = 200  # to 2025-07-24
AS_OF = date(2025, 7, 15)
JULY = Period(start=date(2025, 7, 1), end=date(2025, 7, 31), label="July 2025", kind="month")
CAT = default_catalog()


def _daily_posts(fn) -> MemorySource:
    rows = []
    for i in range(DAYS):
        d = START + timedelta(days=i)
        imp, eng = fn(i, d)
        rows.append({"date": d, "platform": "instagram", "account": "a", "post_id": f"p{i}",
                     "impressions": imp, "engagements": eng})
    return MemorySource(dataset(posts=posts(rows)))


def _weekly(i: int, d: date) -> tuple[float, float]:
    return (50.0, 1.0) if d.weekday() >= 5 else (100.0, 5.0)


def _july_weekdays() -> tuple[int, int]:
    days = [JULY.start + timedelta(days=i) for i in range(31)]
    weekend = sum(d.weekday() >= 5 for d in days)
    return 31 - weekend, weekend


# ----------------------------------------------------------------------------- forecasters


def test_forecasters_on_hand_made_series():
    week = np.array([1, 2, 3, 4, 5, 6, 7], dtype=float)
    y = np.tile(week, 10)
    assert seasonal_naive(y, 9).tolist() == [1, 2, 3, 4, 5, 6, 7, 1, 2]
    assert weekly_mean(y, 3).tolist() == [1, 2, 3]
    # no trend: the weekly profile comes back exactly
    assert drift_weekly(y, 7) == pytest.approx(week)
    # a stock rising 10 a day continues at 10 a day
    assert level_drift(1000 + 10 * np.arange(60.0), 3) == pytest.approx([1600, 1610, 1620])
    # last year's same weekdays x the recent year-over-year ratio (1.5)
    last_year = np.tile(week, 52)
    this_year = 1.5 * np.tile(week, 12)
    z = yoy_ratio(np.concatenate([last_year, this_year]), 7)
    assert z == pytest.approx(1.5 * np.roll(week, 0))


# ----------------------------------------------------------------------------- formula kinds


def test_a_count_is_actual_so_far_plus_projected_rest_with_the_weekly_pattern():
    src = _daily_posts(_weekly)
    weekdays, weekend = _july_weekdays()  # 23 and 8
    total = 100 * weekdays + 50 * weekend  # 2,700
    pace = compute_pace(src, CAT.get("impressions"), JULY, total, as_of=AS_OF)
    assert pace.elapsed_days == 15 and pace.remaining_days == 16
    # 1-15 July 2025: 11 weekdays, 4 weekend days
    assert pace.actual == 11 * 100 + 4 * 50
    assert pace.projected == pytest.approx(total)
    assert (pace.low, pace.high) == (pytest.approx(total), pytest.approx(total))  # the past was exact
    assert pace.status == "on_track"
    assert pace.required == pytest.approx(total - 1300)
    assert pace.projected_rest == pytest.approx(total - 1300)
    assert pace.backtests >= 8
    # one more impression than the projection can reach: the whole range misses it
    assert compute_pace(src, CAT.get("impressions"), JULY, total + 1, as_of=AS_OF).status == "off_track"


def test_a_rate_is_the_ratio_of_projected_sums_not_an_average_of_daily_rates():
    src = _daily_posts(_weekly)
    weekdays, weekend = _july_weekdays()
    rate = (5 * weekdays + 1 * weekend) / (100 * weekdays + 50 * weekend) * 100  # 123 / 2700
    pace = compute_pace(src, CAT.get("engagement_rate"), JULY, 4.5, as_of=AS_OF)
    assert pace.projected == pytest.approx(rate)  # 4.556%, not the mean of 5% and 2%
    assert pace.status == "on_track"
    # 1-15 July: 59 engagements / 1,300 impressions; the rest needs (4.5% of 2,700 - 59) / 1,400
    assert pace.actual == pytest.approx(59 / 1300 * 100)
    assert pace.required == pytest.approx((0.045 * 2700 - 59) / 1400 * 100)
    assert pace.projected_rest == pytest.approx(64 / 1400 * 100)


def test_a_stock_is_projected_to_its_level_on_the_end_day():
    rows = [{"date": START + timedelta(days=i), "platform": "instagram", "account": "a",
             "followers": 1000 + 10 * i} for i in range(DAYS)]
    src = MemorySource(dataset(accounts=accounts(rows)))
    end_index = (JULY.end - START).days
    level = compute_pace(src, CAT.get("followers"), JULY, 2900, as_of=AS_OF)
    assert level.projected == pytest.approx(1000 + 10 * end_index)  # 3,060
    assert level.status == "on_track"
    growth = compute_pace(src, CAT.get("follower_growth_rate"), JULY, 20.0, as_of=AS_OF)
    before = 1000 + 10 * (end_index - 31)  # level on 30 June
    assert growth.projected == pytest.approx((10 * 31) / before * 100)  # +11.3%
    assert growth.status == "off_track"


def test_daily_stock_levels_match_the_engines_snapshot():
    rows = []
    for i in range(40):
        d = START + timedelta(days=i)
        rows.append({"date": d, "platform": "instagram", "account": "a", "followers": 100 + i})
        if i % 3 == 0 and i < 30:  # reports every third day, then stops: carried 14 days at most
            rows.append({"date": d, "platform": "tiktok", "account": "t", "followers": 50 + i})
    src = MemorySource(dataset(accounts=accounts(rows)))
    eng = Engine(source=src, today=START + timedelta(days=41))
    parts = load_daily(src, CAT.get("followers"), START, START + timedelta(days=39))
    for i in range(40):
        d = START + timedelta(days=i)
        assert parts.num[i] == eng.compute_value("followers", Period(start=d, end=d, label="d")).value


def test_a_percentile_pools_values_so_far_with_recent_days():
    frames = [interactions([10, 20, 30], START + timedelta(days=i)) for i in range(DAYS)]
    import pandas as pd

    frame = pd.concat(frames, ignore_index=True)
    frame["interaction_id"] = [f"i{i}" for i in range(len(frame))]
    src = MemorySource(dataset(interactions=frame))
    pace = compute_pace(src, CAT.get("median_response_time"), JULY, 25, as_of=AS_OF)
    assert pace.projected == pytest.approx(20) and pace.low == pytest.approx(20)
    assert pace.status == "on_track"  # down is good: 20 minutes is under 25
    assert compute_pace(src, CAT.get("median_response_time"), JULY, 15, as_of=AS_OF).status == "off_track"


def test_a_finished_period_is_achieved_or_missed_and_a_future_one_is_projected_whole():
    src = _daily_posts(_weekly)
    june = Period(start=date(2025, 6, 1), end=date(2025, 6, 30), label="June 2025", kind="month")
    done = compute_pace(src, CAT.get("impressions"), june, 2000, as_of=AS_OF)
    assert done.status == "achieved" and done.remaining_days == 0
    assert compute_pace(src, CAT.get("impressions"), june, 5000, as_of=AS_OF).status == "missed"
    august = Period(start=date(2025, 8, 1), end=date(2025, 8, 31), label="August 2025", kind="month")
    future = compute_pace(src, CAT.get("impressions"), august, 1000, as_of=AS_OF)
    assert future.actual is None and future.elapsed_days == 0
    # August 2025: 21 weekdays, 10 weekend days
    assert future.projected == pytest.approx(21 * 100 + 10 * 50)


def test_short_history_gives_a_projection_but_no_status():
    rows = [{"date": date(2025, 6, 1) + timedelta(days=i), "platform": "x", "account": "a",
             "post_id": f"p{i}", "impressions": 100} for i in range(45)]
    src = MemorySource(dataset(posts=posts(rows)))
    pace = compute_pace(src, CAT.get("impressions"), JULY, 3000, as_of=AS_OF)
    assert pace.status == "not_enough_history" and pace.low is None
    assert pace.projected == pytest.approx(3100)
    assert "earlier periods" in pace.message


def test_no_data_and_stale_data_say_so():
    src = _daily_posts(_weekly)
    none = compute_pace(src, CAT.get("followers"), JULY, 1, as_of=AS_OF)
    assert none.status == "no_data" and "accounts" in none.message
    late = compute_pace(src, CAT.get("impressions"), Period(start=date(2025, 8, 1), end=date(2025, 8, 31),
                                                            label="Aug"), 1, as_of=date(2025, 8, 10))
    assert late.as_of == date(2025, 7, 24) and "ends on 2025-07-24" in late.message


# ----------------------------------------------------------------------------- status on planted trends


def _noisy(growth: float, seed: int = 1) -> MemorySource:
    rng = np.random.default_rng(seed)

    def fn(i: int, d: date) -> tuple[float, float]:
        base = (1000 + growth * i) * (0.7 if d.weekday() >= 5 else 1.1)
        return float(rng.poisson(base)), float(rng.poisson(base * 0.04))

    return _daily_posts(fn)


def test_a_kpi_growing_toward_its_target_is_on_track_and_a_flat_one_below_it_is_off_track():
    # growing 5 a day: July's impressions end near 31 x (1000 + 5 x 195) ~ 61k
    growing = compute_pace(_noisy(5.0), CAT.get("impressions"), JULY, 55_000, as_of=AS_OF)
    assert growing.status == "on_track", growing
    assert growing.low > 55_000
    # flat at about 1,000 a day: about 31k, far below the same 55k
    flat = compute_pace(_noisy(0.0), CAT.get("impressions"), JULY, 55_000, as_of=AS_OF)
    assert flat.status == "off_track" and flat.high < 55_000
    assert flat.projected == pytest.approx(31 * 1000 * (23 * 1.1 + 8 * 0.7) / 31, rel=0.05)


@pytest.mark.parametrize("kpi_id", ["impressions", "engagement_rate"])
def test_the_status_boundary_follows_the_interval(kpi_id):
    src = _noisy(2.0, seed=4)
    pace = compute_pace(src, CAT.get(kpi_id), JULY, 1.0, as_of=AS_OF)
    lo, hi = pace.low, pace.high
    assert lo < pace.projected < hi and pace.level == LEVEL
    eps = (hi - lo) * 1e-6
    for target, status in [(lo - eps, "on_track"), (lo + eps, "at_risk"), (hi - eps, "at_risk"),
                           (hi + eps, "off_track")]:
        again = compute_pace(src, CAT.get(kpi_id), JULY, target, as_of=AS_OF)
        assert (again.low, again.high) == (lo, hi)  # the range does not depend on the target
        assert again.status == status, (target, lo, hi)


@pytest.mark.parametrize("low,high,target,direction,status", [
    (10, 12, 9, "up", "on_track"), (10, 12, 10, "up", "on_track"), (10, 12, 11, "up", "at_risk"),
    (10, 12, 12.5, "up", "off_track"), (10, 12, 13, "down", "on_track"), (10, 12, 12, "down", "on_track"),
    (10, 12, 11, "down", "at_risk"), (10, 12, 9, "down", "off_track"),
])
def test_pace_status_from_the_interval(low, high, target, direction, status):
    assert pace_status(low, high, target, direction) == status
