"""A period verdict and the anomaly flags inside it do not contradict each other; every flag is listed."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from advisor.answer import ParsedQuestion
from advisor.compose_numbers import compose_why
from advisor.why_evidence import flagged_runs as _flagged_runs
from advisor.why_evidence import run_text as _run_text
from kpi_engine import Engine, MemorySource
from kpi_engine.periods import Period
from kpi_engine.results import Trend, TrendPoint
from kpi_engine.sample import PLANTED_EVENTS, generate_sample

D0 = date(2025, 11, 1)


def _trend(flags: list[bool], values, expected, dens=None) -> Trend:
    pts = [TrendPoint(start=D0 + timedelta(days=i), end=D0 + timedelta(days=i), value=v, expected=x,
                      denominator=None if dens is None else dens[i], anomaly=f)
           for i, (f, v, x) in enumerate(zip(flags, values, expected, strict=True))]
    return Trend(kpi_id="k", name="K", unit="count", grain="day",
                 period=Period(start=D0, end=D0 + timedelta(days=len(flags) - 1), label="p", kind="custom"),
                 points=pts)


def test_runs_group_consecutive_flags_and_measure_them_against_usual():
    t = _trend([True, True, False, True], [60, 40, 100, 150], [100, 100, 100, 100])
    runs = _flagged_runs(t, "sum")
    assert [(r.start, r.end, r.days) for r in runs] == [(D0, D0 + timedelta(days=1), 2), (D0 + timedelta(days=3),) * 2
                                                        + (1,)]
    assert runs[0].rel == pytest.approx(-0.5) and runs[1].rel == pytest.approx(0.5)
    assert _run_text(runs[0]) == "2025-11-01 to 2025-11-02 (-50% against usual)"


def test_a_rate_run_weighs_days_by_their_denominator():
    # rates 2% on 1,000 and 4% on 3,000 vs usual 4% on both: (20 + 120) / (40 + 120) - 1 = -12.5%
    t = _trend([True, True], [2.0, 4.0], [4.0, 4.0], dens=[1000, 3000])
    assert _flagged_runs(t, "ratio")[0].rel == pytest.approx(-0.125)


def test_planted_tiktok_drop_lists_all_seven_flagged_days():
    end = date(2025, 6, 30)
    event = {e.name: e for e in PLANTED_EVENTS}["tiktok_engagement_drop"]
    start, stop = event.window(end)
    engine = Engine(source=MemorySource(generate_sample(end=end)), today=end + timedelta(days=1))
    q = ParsedQuestion(intent="why", kpi_id="engagement_rate", period=f"{start}..{start + timedelta(days=27)}",
                       filters={"platform": ["tiktok"]})
    answer = compose_why(engine, q)
    note = next(s for s in answer.sections if s.title == "Unusual days")
    assert note.text.startswith("The engine flags 7 days as unusual")
    assert f"{start} to {stop}" in note.text
    assert any(f.key == "engagement_rate.unusual.1.vs_usual" and f.value < -0.3 for f in answer.facts)


def test_a_diluted_run_is_named_when_the_period_verdict_is_not_meaningful():
    # daily impressions with 30% lognormal noise, and a week at 45% of usual inside a 28-day period:
    # over the period the drop is too early to tell, but the flagged day inside it is named
    import numpy as np

    from tests.kpi_engine.frames import dataset, posts

    rng = np.random.default_rng(3)
    rows = []
    for i in range(311):
        day = date(2024, 7, 1) + timedelta(days=i)
        dip = 0.45 if date(2025, 5, 1) <= day <= date(2025, 5, 7) else 1.0
        rows.append({"date": day, "platform": "instagram", "post_id": f"p{i}",
                     "impressions": round(10000 * rng.lognormal(0, 0.3) * dip), "engagements": 10})
    engine = Engine(source=MemorySource(dataset(posts=posts(rows))), today=date(2025, 5, 8))
    period = "2025-04-10..2025-05-07"
    assert engine.compute_report("impressions", period).previous.verdict == "unclear"
    answer = compose_why(engine, ParsedQuestion(intent="why", kpi_id="impressions", period=period))
    assert "too early to tell" in answer.summary
    assert ("Inside the period, though, a sharp drop on 2025-05-02 (-77% against usual) is flagged as unusual; "
            "over the whole 2025-04-10 to 2025-05-07 it is diluted.") in answer.summary


def test_planted_drop_inside_a_longer_period_is_named_as_clear_on_its_own():
    # the case: over 28 days the TikTok drop is diluted (too early to tell), but its week is
    # flagged and, tested against the week before it, clear
    from advisor.numbers import check_numbers

    end = date(2025, 6, 30)
    event = {e.name: e for e in PLANTED_EVENTS}["tiktok_engagement_drop"]
    start, stop = event.window(end)
    engine = Engine(source=MemorySource(generate_sample(end=end)), today=end + timedelta(days=1))
    first = start - timedelta(days=21)  # the drop is the last of four weeks
    q = ParsedQuestion(intent="why", kpi_id="engagement_rate", period=f"{first}..{first + timedelta(days=27)}",
                       filters={"platform": ["tiktok"]})
    answer = compose_why(engine, q)
    assert "too early to tell" in answer.summary
    assert f"a sharp drop on {start} to {stop} (" in answer.summary
    assert "is flagged as unusual and clear on its own (" in answer.summary and "it is diluted." in answer.summary
    names = [k.name for k in engine.catalog.kpis.values()]
    assert check_numbers(answer.summary, answer.facts, allowed=names) == []
