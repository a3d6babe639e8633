"""The three verdicts in words, with the interval or MDE they rest on, and as narratable facts."""

from __future__ import annotations

from datetime import date

from advisor.facts import comparison_uncertainty_facts, report_facts, verdict_phrase
from advisor.slots import build_slots
from kpi_engine import Engine, MemorySource
from kpi_engine.periods import Period
from kpi_engine.results import Comparison, KpiValue
from tests.kpi_engine.frames import dataset, posts

DAY = Period(start=date(2025, 3, 3), end=date(2025, 3, 3), label="that day", kind="day")


def _report(cur, prev):
    rows = [{"date": date(2025, 3, 2), "platform": "instagram", "post_id": f"p{i}", "impressions": 1000,
             "engagements": e} for i, e in enumerate(prev)]
    rows += [{"date": date(2025, 3, 3), "platform": "instagram", "post_id": f"c{i}", "impressions": 1000,
              "engagements": e} for i, e in enumerate(cur)]
    engine = Engine(source=MemorySource(dataset(posts=posts(rows))), today=date(2025, 3, 10))
    return engine.compute_report("engagement_rate", DAY)


def test_too_early_to_tell_shows_the_interval():
    # +10 pp from 10%; the score test's interval (tests/kpi_engine/test_verdicts.py) is
    # 10 +- 100 z sqrt((2/900) / (1 - z^2 7/30)) = -18.7 pp to +38.7 pp, i.e. -187% to +387% of 10%
    c = _report([100, 200, 300], [100, 100]).previous
    assert verdict_phrase(c) == "too early to tell (95% interval -187% to +387%)"


def test_no_meaningful_change_shows_the_mde():
    ref = KpiValue(kpi_id="x", name="X", unit="count", period=DAY, value=200.0, status="ok")
    c = Comparison(against="previous period", reference=ref, abs_change=2.0, rel_change=0.01, verdict="flat",
                   good=None, method="m", se=5.0, ci_low=-7.8, ci_high=11.8, mde=14.0, rel_ci_low=-0.039,
                   rel_ci_high=0.059, rel_mde=0.07)
    assert verdict_phrase(c) == "no meaningful change (a move of \u00b17.0% would likely have shown)"


def test_meaningful_change_says_good_or_bad_and_the_interval():
    c = _report([200, 210, 190, 205], [100, 98, 102, 100]).previous
    text = verdict_phrase(c)
    assert text.startswith("a meaningful rise (good; 95% interval +")


def test_a_change_that_fails_the_fdr_control_says_so():
    ref = KpiValue(kpi_id="x", name="X", unit="count", period=DAY, value=100.0, status="ok")
    c = Comparison(against="previous period", reference=ref, abs_change=20.0, rel_change=0.2, verdict="unclear",
                   good=None, method="m", p_value=0.03, se=9.0, ci_low=2.4, ci_high=37.6, mde=25.2,
                   rel_ci_low=0.024, rel_ci_high=0.376, rel_mde=0.252, q_value=0.15, family_size=10)
    assert verdict_phrase(c) == ("too early to tell (95% interval +2.4% to +38%; not clear once all 10 "
                                 "comparisons here are counted)")


def test_interval_and_mde_are_facts_with_units_and_slots():
    r = _report([100, 200, 300], [100, 100])
    facts = {f.key: f for f in report_facts(r)}
    rel_low, rel_high = facts["engagement_rate.previous.rel_ci_low"], facts["engagement_rate.previous.rel_ci_high"]
    assert (rel_low.display, rel_low.unit, rel_low.kind) == ("-187%", "fraction", "interval")
    assert rel_high.display == "+387%"
    rel_mde = facts["engagement_rate.previous.rel_mde"]
    # (z_0.975 + z_0.80) x sqrt(41/9000) / 0.10 = 2.8016 x 0.0675 / 0.1
    assert (rel_mde.display, rel_mde.kind) == ("\u00b1189%", "mde")
    # the text shows the relative figures, so the absolute ones are not repeated as facts
    assert "engagement_rate.previous.ci_low" not in facts and "engagement_rate.previous.mde" not in facts
    slots = build_slots(list(facts.values()), primary_kpi="engagement_rate")
    slot = slots.get("engagement_rate.previous.rel_ci_low")
    assert slot is not None and slot.text == "-187%" and "current" in slot.roles and not slot.signed
    # the model sees values and changes before the intervals
    kinds = [row.get("is", "") for row in slots.describe()]
    first_interval = next(i for i, k in enumerate(kinds) if "95% interval" in k)
    assert all("95% interval" in k or "likely see" in k for k in kinds[first_interval:])


def test_without_a_reference_value_the_interval_is_in_pp():
    ref = KpiValue(kpi_id="x", name="X", unit="percent", period=DAY, value=0.0, status="ok")
    c = Comparison(against="previous period", reference=ref, abs_change=0.4, rel_change=None, verdict="unclear",
                   good=None, method="m", se=0.3, ci_low=-0.19, ci_high=0.99, mde=0.84)
    facts = {f.key: f for f in comparison_uncertainty_facts(c, "x", "percent", "previous", {})}
    assert (facts["x.previous.ci_low"].display, facts["x.previous.ci_low"].unit) == ("-0.19 pp", "pp")
    assert (facts["x.previous.mde"].display, facts["x.previous.mde"].unit) == ("\u00b10.84 pp", "pp")
    assert verdict_phrase(c) == "too early to tell (95% interval -0.19 pp to +0.99 pp)"


def _posts_report():
    """Ten weeks of about 20 posts a week, then a week of 40: a clear rise in effort."""
    rows = []
    start = date(2025, 1, 6)  # a Monday
    for week in range(11):
        n = 40 if week == 10 else 20 + (week % 3) - 1
        for i in range(n):
            day = date.fromordinal(start.toordinal() + 7 * week + i % 7)
            rows.append({"date": day, "platform": "instagram", "post_id": f"w{week}p{i}", "impressions": 1000,
                         "engagements": 30, "posts_published": 1})
    engine = Engine(source=MemorySource(dataset(posts=posts(rows))), today=date(2025, 3, 31))
    week = Period(start=date(2025, 3, 17), end=date(2025, 3, 23), label="that week", kind="custom")
    return engine.compute_report("posts_published", week)


def test_an_input_is_never_good_or_bad_only_read_against_its_outcome():
    r = _posts_report()
    c = r.previous
    assert c.verdict == "up" and c.good is None and c.read_against == "impressions_per_post"
    text = verdict_phrase(c)
    assert text.startswith("a meaningful rise (more posts published, an input: read it against impressions per "
                           "post; 95% interval +")
    assert "good" not in text and "bad" not in text
    # the narrator sees no good direction either, so "improved" cannot be written next to it
    facts = report_facts(r)
    assert all(f.good_direction is None for f in facts)
    slots = build_slots(facts, primary_kpi="posts_published")
    assert not [row for row in slots.describe() if "good" in row]


def test_an_input_with_no_clear_change_still_says_what_to_read_it_against():
    ref = KpiValue(kpi_id="posts_published", name="Posts published", unit="count", period=DAY, value=100.0,
                   status="ok")
    c = Comparison(against="previous period", reference=ref, abs_change=4.5, rel_change=0.045, verdict="unclear",
                   good=None, method="m", ci_low=-10.0, ci_high=19.0, rel_ci_low=-0.10, rel_ci_high=0.19,
                   read_against="impressions_per_post")
    assert verdict_phrase(c) == ("too early to tell (an input: read it against impressions per post; "
                                 "95% interval -10% to +19%)")
