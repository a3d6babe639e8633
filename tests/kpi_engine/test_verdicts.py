"""Three verdicts with numbers behind them: intervals, MDE and the decision rule, by hand."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pytest

from kpi_engine import Engine, MemorySource
from kpi_engine.periods import Period
from kpi_engine.stats import (
    ChangeTest,
    bh_adjust,
    decide_verdict,
    difference_change_test,
    ratio_change_test,
)
from tests.kpi_engine.frames import dataset, posts

Z = 1.959963984540054
ZP = 0.8416212335729143
T1, T1P = 12.706204736174694, 1.3763819204711738  # t quantiles 0.975 and 0.80 with 1 df


def test_ratio_interval_and_mde_by_hand():
    # current: rates 0.1, 0.2, 0.3 on equal denominators -> r1 = 0.2, residuals (-1, 0, 1) / 30
    # previous: both posts at 0.1 -> r0 = 0.1, residuals 0
    # leverage h = 1/3 for every post: e^2 / (1 - h) = 3/2 * e^2 -> var = 3/2 * 2/900 = 1/300
    # t quantiles with min(3, 2) - 1 = 1 df
    t = ratio_change_test(["a", "b", "c"], np.array([1.0, 2, 3]), np.array([10.0, 10, 10]),
                          ["d", "e"], np.array([1.0, 1]), np.array([10.0, 10]))
    se = math.sqrt(1 / 300)
    assert t.estimate == pytest.approx(0.1) and t.df == 1
    assert t.se == pytest.approx(se)
    assert (t.low, t.high) == pytest.approx((0.1 - T1 * se, 0.1 + T1 * se))
    assert t.low == pytest.approx(-0.633593, abs=1e-6) and t.high == pytest.approx(0.833593, abs=1e-6)
    assert t.mde == pytest.approx((T1 + T1P) * se) and t.mde == pytest.approx(0.813059, abs=1e-6)
    assert t.p_value == pytest.approx(2 * (0.5 - math.atan(0.1 / se) / math.pi))  # t with 1 df is Cauchy


def test_a_post_with_a_large_share_of_impressions_counts_for_more():
    # previous: rates 0.1 on 10 and 0.3 on 30 -> r0 = 10/40 = 0.25; residuals (1 - 2.5, 9 - 7.5) / 40
    # = (-0.0375, +0.0375); leverage 0.25 and 0.75 -> e^2/(1-h) = 0.001875 + 0.005625 = 0.0075
    t = ratio_change_test(["a", "b"], np.array([1.0, 1]), np.array([10.0, 10]),
                          ["c", "d"], np.array([1.0, 9]), np.array([10.0, 30]))
    assert t.se == pytest.approx(math.sqrt(0.0075))


def test_a_post_in_both_periods_is_one_cluster_and_its_covariance_counts():
    # current: posts a, b at 0.2 and 0.4 -> r1 = 0.3, e1 = (-0.05, +0.05)
    # previous: the same posts at 0.15 and 0.25 -> r0 = 0.2, e0 = (-0.025, +0.025)
    # var = 2*0.005 + 2*0.00125 - 2*2*0.0025 = 0.0025 -> se 0.05; as four separate posts: 0.0125
    cur = (np.array([2.0, 4]), np.array([10.0, 10]))
    prev = (np.array([1.5, 2.5]), np.array([10.0, 10]))
    shared = ratio_change_test(["a", "b"], *cur, ["a", "b"], *prev)
    apart = ratio_change_test(["a", "b"], *cur, ["c", "d"], *prev)
    assert shared.se == pytest.approx(0.05)
    assert apart.se == pytest.approx(math.sqrt(0.0125))


def test_too_few_posts_gives_no_test():
    assert ratio_change_test(["a"], np.array([1.0]), np.array([10.0]), ["b", "c"], np.array([1.0, 2]),
                             np.array([10.0, 10])) is None


def test_window_test_interval_and_mde_use_t_quantiles():
    # earlier windows 10, 12, 11, 13, 12 -> differences 2, -1, 2, -1: scale sqrt(2.5); 4 differences
    # of one series -> 3 df
    t = difference_change_test(20.0, 12.0, np.array([10.0, 12, 11, 13, 12]))
    scale = math.sqrt(2.5)
    t975, t80 = 3.1824463052837078, 0.9784723123633042  # t quantiles, 3 df
    assert t.df == 3 and t.se == pytest.approx(scale)
    assert (t.low, t.high) == pytest.approx((8 - t975 * scale, 8 + t975 * scale))
    assert t.low == pytest.approx(2.9681, abs=1e-4)
    assert t.mde == pytest.approx((t975 + t80) * scale) and t.mde == pytest.approx(6.5790, abs=1e-4)
    assert t.p_value < 0.05


@pytest.mark.parametrize(("test", "reference", "verdict"), [
    (ChangeTest(3.0, 1.0, 3 - Z, 3 + Z, Z + ZP, 0.0027), 100.0, "up"),      # interval excludes 0
    (ChangeTest(-3.0, 1.0, -3 - Z, -3 + Z, Z + ZP, 0.0027), 100.0, "down"),
    (ChangeTest(0.5, 1.0, 0.5 - Z, 0.5 + Z, Z + ZP, 0.62), 100.0, "flat"),   # MDE 2.8% <= 10%
    (ChangeTest(0.5, 1.0, 0.5 - Z, 0.5 + Z, Z + ZP, 0.62), 20.0, "unclear"),  # MDE 14% > 10%
    (ChangeTest(0.5, 1.0, 0.5 - Z, 0.5 + Z, Z + ZP, 0.62), 0.0, "unclear"),   # no relative MDE
    (None, 100.0, "not_enough_data"),
])
def test_each_verdict_is_reached(test, reference, verdict):
    assert decide_verdict(test, reference) == verdict


def test_material_change_is_the_kpis_own():
    t = ChangeTest(0.5, 1.0, 0.5 - Z, 0.5 + Z, Z + ZP, 0.62)
    assert decide_verdict(t, 20.0, material=0.15) == "flat"  # MDE 14.0% <= 15%


def _engine(cur_engagements, prev_engagements) -> Engine:
    rows = []
    for i, e in enumerate(prev_engagements):
        rows.append({"date": date(2025, 3, 2), "platform": "instagram", "post_id": f"p{i}",
                     "impressions": 1000, "engagements": e})
    for i, e in enumerate(cur_engagements):
        rows.append({"date": date(2025, 3, 3), "platform": "instagram", "post_id": f"c{i}",
                     "impressions": 1000, "engagements": e})
    return Engine(source=MemorySource(dataset(posts=posts(rows))), today=date(2025, 3, 10))


DAY = Period(start=date(2025, 3, 3), end=date(2025, 3, 3), label="that day", kind="day")


def test_report_carries_estimate_se_interval_and_mde_in_pp_and_relative():
    # the first hand computation at scale 100: +10 pp from 10%, se 5.7735 pp, 1 df
    r = _engine([100, 200, 300], [100, 100]).compute_report("engagement_rate", DAY)
    c = r.previous
    se = 100 * math.sqrt(1 / 300)
    assert c.abs_change == pytest.approx(10.0) and c.rel_change == pytest.approx(1.0)
    assert c.se == pytest.approx(se)
    assert (c.ci_low, c.ci_high) == pytest.approx((10 - T1 * se, 10 + T1 * se))
    assert c.mde == pytest.approx((T1 + T1P) * se)
    # relative figures are the absolute ones over the previous value (10%)
    assert (c.rel_ci_low, c.rel_ci_high) == pytest.approx(((10 - T1 * se) / 10, (10 + T1 * se) / 10))
    assert c.rel_mde == pytest.approx((T1 + T1P) * se / 10)
    assert c.verdict == "unclear" and c.good is None
    assert c.material_change == pytest.approx(0.10)
    assert r.last_year.verdict == "not_enough_data" and r.last_year.ci_low is None


def test_report_json_exposes_the_uncertainty():
    r = _engine([100, 200, 300], [100, 100]).compute_report("engagement_rate", DAY)
    dumped = r.model_dump(mode="json")["previous"]
    for key in ("se", "ci_low", "ci_high", "mde", "rel_ci_low", "rel_ci_high", "rel_mde", "p_value"):
        assert isinstance(dumped[key], float), key


def test_a_clear_rise_is_meaningful():
    r = _engine([200, 210, 190, 205], [100, 98, 102, 100]).compute_report("engagement_rate", DAY)
    assert r.previous.verdict == "up" and r.previous.good is True and r.previous.ci_low > 0


def test_a_precise_small_move_is_no_meaningful_change():
    # many posts with steady rates: the MDE is well under 10% of the previous value
    r = _engine([101, 99, 100, 102, 98, 100] * 5, [100, 99, 101, 100, 100, 100] * 5).compute_report(
        "engagement_rate", DAY)
    assert r.previous.verdict == "flat" and r.previous.rel_mde < 0.10
    assert r.previous.ci_low < 0 < r.previous.ci_high


def test_bh_adjusted_p_values_by_hand():
    # p sorted 0.01, 0.02, 0.03, 0.04, 0.20 (m = 5): raw p*m/rank = 0.05, 0.05, 0.05, 0.05, 0.20,
    # then the running minimum from the largest down
    p = [0.04, 0.01, None, 0.20, 0.03, 0.02]
    adj = bh_adjust(p)
    assert adj[2] is None
    assert adj == pytest.approx([0.05, 0.05, None, 0.20, 0.05, 0.05])
    # a case where the running minimum matters: 0.001, 0.04, 0.045 (m = 3) -> 0.003, 0.045, 0.045
    assert bh_adjust([0.045, 0.001, 0.04]) == pytest.approx([0.045, 0.003, 0.045])
