"""Benjamini-Hochberg over the comparisons one digest or scorecard makes, by hand."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from kpi_engine import Engine, MemorySource
from kpi_engine.multiplicity import adjust_comparisons, fdr_note
from kpi_engine.periods import Period
from kpi_engine.results import Comparison, KpiValue
from kpi_engine.sample import generate_flat

DAY = Period(start=date(2025, 3, 3), end=date(2025, 3, 3), label="that day", kind="day")


def _cmp(p: float | None, verdict: str) -> Comparison:
    ref = KpiValue(kpi_id="x", name="X", unit="count", period=DAY, value=100.0, status="ok")
    return Comparison(against="previous period", reference=ref, abs_change=5.0, rel_change=0.05, verdict=verdict,
                      good=True if verdict == "up" else (False if verdict == "down" else None), method="m",
                      p_value=p, ci_low=1.0 if verdict == "up" else -1.0, ci_high=9.0)


def test_bh_keeps_what_survives_and_downgrades_the_rest():
    # p = 0.01, 0.04, 0.3, 0.6 (m = 4): p*m/rank = 0.04, 0.08, 0.4, 0.6 -> q the same (already monotone)
    out = adjust_comparisons([_cmp(0.01, "up"), _cmp(0.04, "up"), _cmp(0.3, "unclear"), _cmp(0.6, "flat")])
    assert [c.q_value for c in out] == pytest.approx([0.04, 0.08, 0.4, 0.6])
    assert [c.verdict for c in out] == ["up", "unclear", "unclear", "flat"]
    assert out[1].good is None and out[0].good is True
    assert {c.family_size for c in out} == {4}


def test_untested_comparisons_are_not_in_the_family():
    out = adjust_comparisons([_cmp(0.001, "up"), _cmp(None, "not_enough_data"), _cmp(0.02, "down")])
    # m = 2: 0.002, 0.02 * 2 / 2 = 0.02
    assert out[0].q_value == pytest.approx(0.002) and out[2].q_value == pytest.approx(0.02)
    assert out[1].q_value is None and out[0].family_size == 2
    assert [c.verdict for c in out] == ["up", "not_enough_data", "down"]


def test_scorecard_adjusts_every_comparison_it_makes_and_says_so():
    end = date(2025, 6, 30)
    engine = Engine(source=MemorySource(generate_flat(end=end, seed=3, days=400)), today=end + timedelta(days=1))
    card = engine.compute_scorecard("engagement", "last_7_days")
    comparisons = [c for r in (card.primary, *card.diagnostics) for c in (r.previous, r.last_year)]
    tested = [c for c in comparisons if c.q_value is not None]
    assert tested and all(c.family_size == len(tested) for c in tested)
    assert all(c.q_value >= c.p_value for c in tested)
    note = fdr_note([card.primary, *card.diagnostics])
    assert note == ("Changes called meaningful survive a false-discovery-rate control (Benjamini-Hochberg, "
                    f"q = 0.05) over the {len(tested)} comparisons in this digest.")
