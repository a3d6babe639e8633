"""Precedence between intent cues: what a question asks for when several readings are possible."""

from __future__ import annotations

import pytest

from advisor.goals import load_goal_model
from advisor.understand import understand
from kpi_engine.catalog import default_catalog

CATALOG = default_catalog()


def _read(q: str) -> tuple[str, str | None, str | None]:
    u = understand(q, catalog=CATALOG)
    return ("clarify" if u.clarify else u.parsed.intent), u.parsed.goal, u.parsed.kpi_id


@pytest.mark.parametrize("question,expected", [
    # any judgement word after "X is our KPI" makes a verdict
    ("our CEO wants total likes as the main KPI. is that silly?", ("verdict", "engagement", "engagement_rate")),
    ("impressions are what we report every month. is that fine?", ("verdict", "awareness", "reach")),
    # a definition asked outright, even of a goal's word
    ("define brand awareness for me", ("explain", None, None)),
    ("how is engagement rate defined?", ("explain", None, "engagement_rate")),
    ("what's the difference between reach and a kpi", ("explain", None, "reach")),
    # a number asked for outright is not a digest because a report is mentioned
    ("doing the quarterly report for the board: can you pull reach for last quarter by platform?",
     ("value", None, "reach")),
    ("send me the weekly digest for awareness", ("digest", "awareness", "reach")),
    # tasks on the accounts are out of scope; "write us" is customers messaging
    ("could you publish this reel tonight?", ("out_of_scope", None, None)),
    ("how can we tell if people who write us on facebook feel taken care of? which metric?",
     ("recommend", "community", "median_response_time")),
    ("how do i ask you for reach by platform?", ("help", None, None)),
    ("which numbers should we care about?", ("clarify", None, None)),
    ("help me pick kpis for social", ("clarify", None, None)),
    ("our consultant says reach is the best kpi for us. agree?", ("verdict", "awareness", "reach")),
    ("the CMO wants impressions as our north star. thoughts?", ("verdict", "awareness", "reach")),
    # "we write a blog" is about the team, "write a blog post" is a task
    ("we write a blog and want instagram to send people to it. which kpi?",
     ("recommend", "traffic", "click_through_rate")),
    ("write a blog post about our reach", ("out_of_scope", None, None)),
])
def test_intent_precedence(question, expected):
    assert _read(question) == expected


@pytest.mark.parametrize("question,kpi", [
    ("what is the rate of video completion on tiktok last week", "video_completion_rate"),
    ("what makes an inquiry qualified? define it", "qualified_inquiries"),
    ("how many leads did we get last month", "leads"),
    ("we got every single lead from linkedin last month, show me", "leads"),
    # the KPI named first stays the subject; a longer name later does not take over
    ("why is reach bigger than our follower count?", "reach"),
    ("difference between leads and qualified inquiries?", "leads"),
    ("how is engagement rate calculated - by reach or impressions?", "engagement_rate"),
])
def test_kpis_are_read_in_any_inflection_and_order(question, kpi):
    assert understand(question, catalog=CATALOG).parsed.kpi_id == kpi


def test_a_verdict_on_a_singular_kpi_takes_the_family_from_the_business():
    u = understand("our physio clinic treats every DM as a lead. good kpi or not?", catalog=CATALOG)
    assert (u.parsed.intent, u.parsed.goal, u.subject_kpi) == ("verdict", "local", "leads")


@pytest.mark.parametrize("question", ["what are utm tags and why do they matter", "what is dark social?",
                                      "what are vanity metrics"])
def test_a_concept_the_knowledge_base_explains_is_explained_even_when_it_hints_a_goal(question):
    assert _read(question) == ("explain", None, None)


def test_the_best_way_to_a_goal_is_a_recommendation_not_a_definition():
    assert _read("what's the best way to get more leads?") == ("recommend", "leads", "leads")


def test_a_stated_goal_with_a_close_runner_up_is_answered_with_alternatives_not_asked_back():
    question = "which KPI for our instagram community to be more active in the comments?"
    u = understand(question, catalog=CATALOG)
    assert (u.clarify, u.parsed.goal) == (None, "engagement")
    # the runner-up is offered while it is within half of the answer's probability (the example
    # questions' vote made this one surer: community is now the runner-up at under half)
    ranked = load_goal_model(CATALOG).estimate(question).ranked
    assert [g for g, _ in ranked[:2]] == ["engagement", "community"]
    assert ("community" in u.alternatives) == (ranked[1][1] >= 0.5 * ranked[0][1])


def test_a_question_stating_no_goal_is_still_asked_back():
    assert _read("which metrics matter for a social team?") == ("clarify", None, None)


def test_a_word_from_elsewhere_does_not_unmake_a_goal_question():
    assert _read("our mobile game needs more installs from tiktok. which metric?") == ("recommend", "leads", "leads")


@pytest.mark.parametrize("question,expected", [
    ("is there a kpi for how much our brand gets talked about vs rivals?", "recommend"),
    ("we use follower count as our main KPI. bad idea?", "verdict"),
    ("what is behind the drop in reach this week?", "why"),
    ("what can I ask you?", "help"),
])
def test_more_wordings_of_an_intent(question, expected):
    assert _read(question)[0] == expected


def test_a_kpi_word_naming_a_team_names_no_kpi():
    u = understand("our sales team says leads is the only kpi that matters. are they right?", catalog=CATALOG)
    assert (u.parsed.intent, u.subject_kpi, u.parsed.goal) == ("verdict", "leads", "leads")


def test_success_is_a_judgement():
    assert _read("our reel got 500k views. is that a success?")[0] == "verdict"


def test_movement_in_any_tense_and_a_kpi_to_track():
    assert _read("why is our reach tanking on tiktok?")[0] == "why"
    assert _read("kpi to track our posting cadence?")[:2] == ("recommend", "efficiency")
    assert _read("what is a conversion window?") == ("explain", None, None)


@pytest.mark.parametrize("question,expected", [
    ("is a 3% click-through rate good?", ("verdict", "traffic", "click_through_rate")),
    ("our reach doubled but sales did not move. is reach the wrong kpi?", ("verdict", "awareness", "reach")),
    ("make a content calendar for january", ("out_of_scope", None, None)),
    ("make me a weekly digest for awareness", ("digest", "awareness", "reach")),
])
def test_judging_a_value_and_tasks(question, expected):
    assert _read(question) == expected


@pytest.mark.parametrize("question,expected", [
    ("shares doubled this month, can we call that a win?", ("verdict", "engagement", "engagement_rate")),
    ("should we make reach our headline kpi?", ("verdict", "awareness", "reach")),
    ("what are the most important kpis?", ("clarify", None, None)),
])
def test_more_verdicts_and_no_definition_of_the_most_important(question, expected):
    assert _read(question) == expected


def test_are_we_fine_is_a_verdict():
    assert _read("reach is up 80% this month, are we fine?")[0] == "verdict"


def test_two_equal_goal_cues_are_settled_by_the_vote_and_the_other_goal_offered():
    u = understand("what metric tells us if people trust our bank after the outage?", catalog=CATALOG)
    assert u.clarify is None and u.parsed.goal in ("brand_health", "community")
    assert {u.parsed.goal, *u.alternatives} >= {"brand_health", "community"}
