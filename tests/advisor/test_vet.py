"""Slot narratives: what passes, what is removed, and how the engine's figures are put in."""

from __future__ import annotations

import pytest

from advisor.answer import Fact
from advisor.slots import build_slots
from advisor.vet import vet_narrative
from tests.advisor.narration_cases import FACTS, FAITHFUL, RENDERED_0

SLOTS = build_slots(FACTS, primary_kpi="engagement_rate")


def vet(text: str):
    return vet_narrative(text, SLOTS)


def removed(text: str) -> list[str]:
    return [r.category for r in vet(text).removed]


def test_facts_say_what_they_are():
    by_key = {f.key: f for f in FACTS}
    pp = by_key["engagement_rate.previous.abs_change"]
    assert (pp.kind, pp.unit, pp.period, pp.sign, pp.good_direction) == ("abs_change", "pp", "previous", -1, "up")
    assert pp.display == "-1.32 pp"
    rel = by_key["engagement_rate.last_year.rel_change"]
    assert (rel.kind, rel.period, rel.sign, rel.display) == ("rel_change", "last_year", 1, "+17.1%")
    assert by_key["engagement_rate.last_year.value"].period_label == "same period last year"
    seg = by_key["engagement_rate.by_platform.tiktok.contribution"]
    assert (seg.kind, seg.segment, seg.dimension, seg.unit, seg.sign) == ("contribution", "tiktok", "platform",
                                                                           "pp", -1)
    assert by_key["median_response_time.previous.rel_change"].good_direction == "down"
    assert by_key["engagement_rate.start"].kind == "start" and by_key["engagement_rate.start"].sign is None


def test_slots_cover_facts_and_names():
    assert SLOTS.get("engagement_rate.value").text == "3.63%"
    assert SLOTS.get("engagement_rate.name").text == "Engagement rate"
    assert SLOTS.get("engagement_rate.period").text == "last week"
    assert SLOTS.get("engagement_rate.last_year.period").text == "same period last year"
    assert SLOTS.get("engagement_rate.by_platform.tiktok.name").text == "tiktok"
    row = next(r for r in SLOTS.describe() if r["slot"] == "engagement_rate.previous.rel_change")
    assert row == {"slot": "engagement_rate.previous.rel_change", "shows": "-26.7%",
                   "is": "relative change vs previous period (Engagement rate)", "direction": "down", "good": "bad"}
    rt = next(r for r in SLOTS.describe() if r["slot"] == "median_response_time.previous.rel_change")
    assert (rt["direction"], rt["good"]) == ("down", "good")


@pytest.mark.parametrize("narrative", FAITHFUL)
def test_faithful_narratives_stand_whole(narrative):
    out = vet(narrative)
    assert out.fallback is None and out.removed == [], [str(r) for r in out.removed]
    assert "{" not in out.text and out.text


def test_slots_render_as_the_engine_displays_them():
    assert vet(FAITHFUL[0]).text == RENDERED_0
    # a change right after its direction word is shown without its sign; elsewhere with it
    assert vet("Engagement rate changed by {engagement_rate.previous.abs_change}.").text == \
        "Engagement rate changed by -1.32 pp."


@pytest.mark.parametrize("sentence, category", [
    ("Engagement rate was down 1.32% last week.", "invented number"),
    ("Engagement rate fell by a third.", "quantity word"),
    ("Reach grew tenfold.", "quantity word"),
    ("Saves went x{engagement_rate.value}.", "slot glued to text"),
    ("Engagement rate is up x three.", "quantity word"),
    ("Engagement rate was about three percent.", "quantity word"),
    ("Engagement rate doubled.", "quantity word"),
    ("Half of the drop came from TikTok.", "quantity word"),
    ("Engagement rate dropped in June.", "typed date"),
    ("It fell on Monday.", "typed date"),
    ("Engagement rate was {engagement_rate.value} percent.", "typed unit"),
    ("Engagement rate was {engagement_rate.value}%.", "slot glued to text"),
    ("Engagement rate fell by {engagement_rate.previous.abs_change} \u2030.", "typed unit"),
    ("Engagement rate was {engagement_rate.value}{engagement_rate.value}.", "slot glued to text"),
    ("Engagement rate was {engagement_rate.magic}.", "unknown slot"),
    ("Engagement rate was {engagement_rate.value.", "malformed slot"),
    ("Engagement rate was \u0663.\u0666\u0663 in Arabic digits.", "invented number"),
    ("Engagement rate improved by {engagement_rate.previous.rel_change}.", "direction"),
    ("Engagement rate rose {engagement_rate.previous.abs_change} on the previous period.", "direction"),
    ("Engagement rate was above the previous period.", "direction"),
    ("Engagement rate is ahead of the previous period's {engagement_rate.previous.value}.", "direction"),
    ("Engagement rate is worse than last year.", "direction"),
    ("Median response time worsened by {median_response_time.previous.rel_change}.", "direction"),
    ("Engagement rate held steady at {engagement_rate.value}.", "direction"),
    ("Engagement rate rose.", "direction"),
    ("TikTok grew.", "direction"),
    ("Engagement rate was {engagement_rate.last_year.value} last week.", "period"),
    ("Engagement rate fell {engagement_rate.previous.rel_change} on last year.", "period"),
    ("Last year engagement rate was {engagement_rate.previous.value}.", "period"),
    ("Engagement rate was {engagement_rate.value} over {engagement_rate.last_year.period}.", "period"),
    ("On TikTok engagement rate was {engagement_rate.by_platform.linkedin.value}.", "wrong segment"),
    ("Median response time was {engagement_rate.value}.", "wrong KPI"),
])
def test_sentences_that_misstate_a_figure_are_removed(sentence, category):
    lead = "Engagement rate was {engagement_rate.value} over {engagement_rate.period}. "
    out = vet(lead + sentence)
    assert out.text == "Engagement rate was 3.63% over last week."
    assert [r.category for r in out.removed] == [category], [str(r) for r in out.removed]


@pytest.mark.parametrize("sentence", [
    "Engagement rate was not up on the previous period.",
    "Engagement rate has not improved since the previous period.",
    "Median response time improved on the previous period.",
    "Post more carousels and break down the drop by platform.",
    "Follow up with a look at saves per impression.",
    "One of the platforms to watch is TikTok.",
    "Check again when the next quarter starts.",
    "Engagement rate was {engagement_rate.value}, below last year.".replace("below", "above"),
    "Compared with the previous period, TikTok fell the most ({engagement_rate.by_platform.tiktok.contribution}).",
])
def test_true_or_neutral_sentences_stay(sentence):
    lead = "Engagement rate was {engagement_rate.value} over {engagement_rate.period}. "
    out = vet(lead + sentence)
    assert out.removed == [], [str(r) for r in out.removed]


def test_a_sentence_leaning_on_a_removed_one_goes_too():
    out = vet("Engagement rate was {engagement_rate.value}. TikTok rose {engagement_rate.by_platform.tiktok."
              "contribution}. This is worth a look. Check saves next. Check shares too.")
    assert [r.category for r in out.removed] == ["direction", "orphan"]
    assert out.text == "Engagement rate was 3.63%. Check saves next. Check shares too."


@pytest.mark.parametrize("narrative, why", [
    ("Engagement rate rose {engagement_rate.previous.rel_change}. Check saves next.", "rejected: direction"),
    ("Engagement rate was {engagement_rate.value}. It doubled. It fell by half.",
     "rejected: quantity word"),
    ("   ", "empty reply"),
])
def test_what_cannot_stand_falls_back(narrative, why):
    out = vet(narrative)
    assert out.text == "" and out.fallback and out.fallback.startswith(why)


def test_slack_emphasis_may_wrap_a_slot():
    assert vet("Engagement rate was *{engagement_rate.value}* over _{engagement_rate.period}_.").text == \
        "Engagement rate was *3.63%* over _last week_."


def test_abbreviations_do_not_split_sentences():
    out = vet("Engagement rate was {engagement_rate.value} vs. the previous period's "
              "{engagement_rate.previous.value}, e.g. on TikTok.")
    assert out.sentences == 1 and out.removed == []


def test_label_slots_hold_digits_the_model_may_not_type():
    facts = [Fact(key="save_rate.value", label="Saves per 1,000 impressions, last 28 days", value=2.1,
                  display="2.1 per 1k impressions", unit="per_1000", kpi_id="save_rate", kind="value",
                  period="current", period_label="last 28 days", name="Saves per 1,000 impressions",
                  good_direction="up")]
    slots = build_slots(facts, primary_kpi="save_rate")
    out = vet_narrative("{save_rate.name} were {save_rate.value} over the {save_rate.period}.", slots)
    assert out.text == "Saves per 1,000 impressions were 2.1 per 1k impressions over the last 28 days."
    assert vet_narrative("Saves per 1,000 impressions were {save_rate.value}.", slots).fallback


def test_facts_without_structure_still_work_as_slots():
    facts = [Fact(key="reach.value", label="Reach", value=12345.0, display="12.3k", kpi_id="reach")]
    slots = build_slots(facts)
    assert vet_narrative("Reach was {reach.value}.", slots).text == "Reach was 12.3k."
    assert vet_narrative("Reach was {reach.value} last week.", slots).fallback  # no period to check against
    assert vet_narrative("Reach rose to {reach.value}.", slots).fallback  # no direction to check against
