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


def _score_var(cur, prev, delta):
    """sum over posts of (s1 - s0)^2, s = (num - rate x den) / sum(den), at the rates fitted under
    r1 - r0 = delta: r0* = (E1 + E0 - delta D1) / (D1 + D0), r1* = r0* + delta (posts: key -> (num, den))."""
    e1, d1 = sum(v[0] for v in cur.values()), sum(v[1] for v in cur.values())
    e0, d0 = sum(v[0] for v in prev.values()), sum(v[1] for v in prev.values())
    r0 = (e1 + e0 - delta * d1) / (d1 + d0)
    total = 0.0
    for k in cur.keys() | prev.keys():
        n1, m1 = cur.get(k, (0.0, 0.0))
        n0, m0 = prev.get(k, (0.0, 0.0))
        total += ((n1 - (r0 + delta) * m1) / d1 - (n0 - r0 * m0) / d0) ** 2
    return total


def _call(cur, prev):
    ck, pk = list(cur), list(prev)
    return ratio_change_test(ck, np.array([cur[k][0] for k in ck]), np.array([cur[k][1] for k in ck]),
                             pk, np.array([prev[k][0] for k in pk]), np.array([prev[k][1] for k in pk]))


def test_ratio_score_test_se_interval_and_mde_by_hand():
    # current: rates 0.1, 0.2, 0.3 on 10 impressions each -> r1 = 0.2; previous 0.1, 0.1 -> r0 = 0.1
    # under no change both periods share the pooled rate 8/50 = 0.16:
    # s1 = (1 - 1.6, 2 - 1.6, 3 - 1.6) / 30, s0 = (1 - 1.6) / 20 twice
    # var = (0.36 + 0.16 + 1.96) / 900 + 2 * 0.0009 = 41/9000
    t = ratio_change_test(["a", "b", "c"], np.array([1.0, 2, 3]), np.array([10.0, 10, 10]),
                          ["d", "e"], np.array([1.0, 1]), np.array([10.0, 10]))
    se = math.sqrt(41 / 9000)
    assert t.estimate == pytest.approx(0.1) and t.df is None
    assert t.se == pytest.approx(se) and t.se == pytest.approx(0.0674949, abs=1e-6)
    assert t.mde == pytest.approx((Z + ZP) * se)
    assert t.p_value == pytest.approx(math.erfc(0.1 / se / math.sqrt(2)))
    # interval: every delta with (0.1 - delta)^2 <= z^2 V(delta). In u = 0.1 - delta,
    # V = A + 2Bu + Cu^2 with A = 2/900 (each period around its own rate), B = 0 (the residuals
    # -1/30, 0, +1/30 sit on equal shares) and C = 3 (0.4/3)^2 + 2 (0.6/2)^2 = 7/30 (shares h of
    # each post weighted by the other period's share of impressions, 20/50 and 30/50):
    # u = +- z sqrt(A / (1 - z^2 C))
    half = Z * math.sqrt((2 / 900) / (1 - Z * Z * 7 / 30))
    assert (t.low, t.high) == pytest.approx((0.1 - half, 0.1 + half))
    assert (t.low, t.high) == pytest.approx((-0.186970, 0.386970), abs=1e-6)
    # the endpoints are where the test statistic equals z, checked from the restricted fit
    cur = {"a": (1.0, 10.0), "b": (2.0, 10.0), "c": (3.0, 10.0)}
    prev = {"d": (1.0, 10.0), "e": (1.0, 10.0)}
    for end in (t.low, t.high):
        assert (0.1 - end) ** 2 == pytest.approx(Z * Z * _score_var(cur, prev, end))


def test_interval_leans_where_the_posts_carrying_the_impressions_lean():
    # previous: 0.1 on 10 impressions and 0.3 on 30 -> r0 = 0.25; the big post sits above the rate,
    # so the interval is not symmetric about the estimate; its ends still solve the score equation
    cur = {"a": (1.0, 10.0), "b": (1.5, 10.0), "c": (2.0, 10.0)}
    prev = {"d": (1.0, 10.0), "e": (9.0, 30.0), "f": (2.0, 10.0)}
    t = _call(cur, prev)
    est = 4.5 / 30 - 12 / 50
    assert t.estimate == pytest.approx(est)
    assert t.se == pytest.approx(math.sqrt(_score_var(cur, prev, 0.0)))
    for end in (t.low, t.high):
        assert (est - end) ** 2 == pytest.approx(Z * Z * _score_var(cur, prev, end))
    assert t.high - est != pytest.approx(est - t.low, rel=1e-3)
    assert t.low < est < t.high


def test_with_one_post_carrying_each_period_the_interval_falls_back_to_the_symmetric_one():
    # shares h: 100/101 and 1/101 in each period, weights 1/2: C = 2 (0.495^2 + 0.00495^2) = 0.49 > 1/z^2,
    # so the score test bounds no interval; est +- z SE0 with the null (pooled-rate) SE instead
    cur = {"a": (10.0, 100.0), "b": (0.5, 1.0)}
    prev = {"c": (5.0, 100.0), "d": (0.5, 1.0)}
    t = _call(cur, prev)
    h = 100 / 101
    assert 2 * ((h / 2) ** 2 + ((1 - h) / 2) ** 2) * Z * Z > 1
    se = math.sqrt(_score_var(cur, prev, 0.0))
    est = 10.5 / 101 - 5.5 / 101
    assert t.estimate == pytest.approx(est) and t.se == pytest.approx(se)
    assert (t.low, t.high) == pytest.approx((est - Z * se, est + Z * se))
    assert (t.low > 0) == (t.p_value < 0.05)


def test_a_post_in_both_periods_is_one_cluster_and_its_covariance_counts():
    # current: posts a, b at 0.2 and 0.4 -> r1 = 0.3; previous: the same posts at 0.15 and 0.25 -> r0 = 0.2
    # pooled rate 10/40 = 0.25: s1 = (2 - 2.5, 4 - 2.5) / 20 = (-0.025, 0.075), s0 = (-0.05, 0)
    # one cluster per post: (0.025)^2 + (0.075)^2 = 0.00625; as four separate posts 0.00875
    cur = (np.array([2.0, 4]), np.array([10.0, 10]))
    prev = (np.array([1.5, 2.5]), np.array([10.0, 10]))
    shared = ratio_change_test(["a", "b"], *cur, ["a", "b"], *prev)
    apart = ratio_change_test(["a", "b"], *cur, ["c", "d"], *prev)
    assert shared.se == pytest.approx(math.sqrt(0.00625))
    assert apart.se == pytest.approx(math.sqrt(0.00875))


def test_the_interval_excludes_zero_exactly_when_p_is_below_5_percent():
    rng = np.random.default_rng(3)
    seen = set()
    for _ in range(200):
        n1, n0 = rng.integers(2, 12, 2)
        d1, d0 = rng.integers(5, 500, n1).astype(float), rng.integers(5, 500, n0).astype(float)
        e1 = rng.binomial(d1.astype(int), rng.uniform(0.02, 0.2, n1)).astype(float)
        e0 = rng.binomial(d0.astype(int), rng.uniform(0.02, 0.2, n0)).astype(float)
        keys1 = [f"p{i}" for i in range(n1)]
        keys0 = [f"p{i + n1 // 2}" for i in range(n0)]  # some posts in both periods
        t = ratio_change_test(keys1, e1, d1, keys0, e0, d0)
        excludes = t.low > 0 or t.high < 0
        assert excludes == (t.p_value < 0.05)
        assert t.low <= t.estimate <= t.high
        seen.add(excludes)
    assert seen == {True, False}


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
    # the first hand computation at scale 100: +10 pp from 10%, se 100 sqrt(41/9000) pp
    r = _engine([100, 200, 300], [100, 100]).compute_report("engagement_rate", DAY)
    c = r.previous
    se = 100 * math.sqrt(41 / 9000)
    half = 100 * Z * math.sqrt((2 / 900) / (1 - Z * Z * 7 / 30))
    assert c.abs_change == pytest.approx(10.0) and c.rel_change == pytest.approx(1.0)
    assert c.se == pytest.approx(se)
    assert (c.ci_low, c.ci_high) == pytest.approx((10 - half, 10 + half))
    assert c.mde == pytest.approx((Z + ZP) * se)
    # relative figures are the absolute ones over the previous value (10%)
    assert (c.rel_ci_low, c.rel_ci_high) == pytest.approx(((10 - half) / 10, (10 + half) / 10))
    assert c.rel_mde == pytest.approx((Z + ZP) * se / 10)
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
