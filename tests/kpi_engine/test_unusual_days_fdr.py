"""Unusual days a briefing names: t p-values, runs tested as one, Benjamini-Hochberg over the days (by hand)."""

from __future__ import annotations

import math
from datetime import date, timedelta

from scipy.special import ndtri, stdtr

from kpi_engine.multiplicity import day_p_values, unusual_days
from kpi_engine.periods import Period
from kpi_engine.results import Trend, TrendPoint

START = date(2025, 3, 3)
WEEK = Period(start=START, end=START + timedelta(days=6), label="week", kind="custom")


def _trend(kpi: str, scores: list[float], flagged: set[int]) -> Trend:
    pts = [TrendPoint(start=START + timedelta(days=i), end=START + timedelta(days=i), value=100.0 + s,
                      expected=100.0, score=s, anomaly=i in flagged) for i, s in enumerate(scores)]
    return Trend(kpi_id=kpi, name=kpi, unit="count", grain="day", period=WEEK, points=pts)


def _t7(z: float) -> float:
    return float(2 * stdtr(7, -abs(z)))  # two-sided Student t, 7 df


def test_a_single_flag_needs_to_survive_the_control_over_every_judged_day():
    # 7 judged days; flags at z = 6.0 and z = 3.2. t(7) p-values: 6.0 -> 0.00054, 3.2 -> 0.0150.
    # BH over m = 7: rank 1: 0.00054 x 7 = 0.0038 < 0.05 (named); rank 2: 0.0150 x 7/2 = 0.0526 (not)
    t = _trend("reach", [0.1, -0.5, 6.0, 0.3, 3.2, 0.2, -0.1], {2, 4})
    p = day_p_values(t)
    assert p[START + timedelta(days=2)] == _t7(6.0) and p[START + timedelta(days=4)] == _t7(3.2)
    assert _t7(6.0) * 7 < 0.05 <= _t7(3.2) * 7 / 2 and 0.0150 < _t7(3.2) < 0.0151
    assert unusual_days([t]) == {"reach": [START + timedelta(days=2)]}


def test_an_unflagged_day_is_never_named_however_small_its_p():
    # the engine's flag stays the first gate: a z of 4 it did not flag is not named
    t = _trend("reach", [4.0, 0, 0, 0, 0, 0, 0], set())
    assert unusual_days([t]) == {}


def test_a_run_is_tested_as_one_and_the_family_spans_the_kpis():
    # three same-sign days at -2.6, -2.7, -2.8 (each p ~ 0.03 under t(7)); with two quiet KPIs the
    # family is 21 days, where no day alone passes (best: 0.0265 x 21 > 0.05). As a run: each p
    # to a one-sided normal z (2.10, 2.16, 2.22), Stouffer Z = sum / sqrt(3) = 3.74, p = 1.8e-4,
    # which every day of the run takes; ranks 1-3 share it: 1.8e-4 x 21 / 3 = 0.0013 < 0.05
    run = _trend("engagement_rate", [0.2, -2.6, -2.7, -2.8, 0.1, 0.4, -0.3], {1, 2, 3})
    quiet = [_trend(k, [0.5, -0.4, 0.3, 0.0, -0.2, 0.1, 0.6], set()) for k in ("reach", "clicks")]
    zs = [float(ndtri(1 - _t7(z) / 2)) for z in (-2.6, -2.7, -2.8)]
    combined = math.erfc(sum(zs) / math.sqrt(3) / math.sqrt(2))
    assert 1.7e-4 < combined < 1.9e-4 and min(_t7(2.8) * 21, combined * 21 / 3) == combined * 7
    p = day_p_values(run)
    for i in (1, 2, 3):
        assert math.isclose(p[START + timedelta(days=i)], combined, rel_tol=1e-12)
    assert p[START] == _t7(0.2)
    assert unusual_days([run, *quiet]) == {"engagement_rate": [START + timedelta(days=i) for i in (1, 2, 3)]}
    # in a family of 120 KPIs x 7 days the same run does not survive: 1.8e-4 x 840 / 3 = 0.051
    many = [run] + [_trend(f"k{i}", [0.5, -0.4, 0.3, 0.0, -0.2, 0.1, 0.6], set()) for i in range(119)]
    assert combined * 840 / 3 > 0.05 and unusual_days(many) == {}
