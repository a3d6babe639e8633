"""The resolution pipeline end to end: goals from indirect wording, verdicts, clarifying answers, unknown KPIs."""

from __future__ import annotations

from datetime import date

import pytest

from advisor.core import Advisor
from advisor.errors import BadQuestion
from advisor.settings import Settings
from advisor.understand import understand
from kpi_engine.catalog import default_catalog

END = date(2025, 6, 30)
CATALOG = default_catalog()


@pytest.fixture(scope="module")
def advisor(tmp_path_factory):
    return Advisor.from_settings(Settings(home=tmp_path_factory.mktemp("home")), sample_end=END)


# ---------------------------------------------------------------------- the scenarios


@pytest.mark.parametrize("question,goal,kpi", [
    ("which number tells us the community likes our discord AMAs?", "engagement", "engagement_rate"),
    ("how do we prove our organic tiktoks grow the email list?", "leads", "leads"),
    ("what's the best way to measure thought leadership on linkedin?", "engagement", "save_rate"),
    ("we promote our webinars on linkedin, what should we measure?", "leads", "leads"),
    ("our app is free, we want more installs from instagram. which kpi", "leads", "leads"),
    ("newsletter sign-ups from social, what's the kpi?", "leads", "leads"),
    ("what kpi for our employer brand on linkedin?", "brand_health", "net_sentiment"),
    ("customer retention is the focus, what should social track?", "community", "median_response_time"),
    ("what should we track for our podcast clips on instagram?", "engagement", "engagement_rate"),
])
def test_indirect_goals_get_the_right_family_and_primary_kpi(advisor, question, goal, kpi):
    answer = advisor.answer(question)
    assert (answer.intent, answer.goal, answer.kpi_id) == ("recommend", goal, kpi), answer.understood_as
    assert answer.confidence is not None and 0 < answer.confidence <= 1
    assert answer.understood_as.startswith("which KPI to use for")
    assert any(e.startswith("resolved by") for e in answer.evidence)


def test_thought_leadership_is_the_b2b_authority_scenario_read_by_topic(advisor):
    answer = advisor.answer("what's the best way to measure thought leadership on linkedin?")
    assert "Saves per 1,000 impressions" in answer.title
    assert "by topic" in answer.text and "Engagement rate" in answer.text  # the family default stays a diagnostic
    assert any(c.source == "scenario-b2b-authority" for c in answer.citations)


def test_board_question_gets_a_governance_answer_that_asks_for_the_objective(advisor):
    answer = advisor.answer("what do I report to the board about social?", thread="board")
    assert answer.intent == "clarify" and answer.goal is None and answer.kpi_id is None
    assert "one primary KPI per objective" in answer.summary
    picks = [a for a in answer.actions if a.id == "choose_goal"]
    assert 2 <= len(picks) <= 4
    # picking one answers the original question for that goal, in the same thread
    leads = next(a for a in picks if a.payload["goal"] == "leads")
    picked = advisor.run_action("choose_goal", leads.payload, thread="board")
    assert (picked.intent, picked.goal, picked.kpi_id) == ("recommend", "leads", "leads")
    assert picked.question == "what do I report to the board about social?"
    assert advisor.has_thread("board", workspace="local")
    follow = advisor.answer("and its value last month?", thread="board")
    assert (follow.intent, follow.kpi_id) == ("value", "leads")


@pytest.mark.parametrize("question", ["what should we track on social", "which kpi should we use?",
                                      "give me the kpis", "our cmo wants a dashboard by friday, what goes on it?"])
def test_no_goal_means_a_clarifying_answer_not_a_guess_nor_a_traceback(advisor, question):
    answer = advisor.answer(question)
    assert answer.intent == "clarify" and answer.goal is None and answer.kpi_id is None
    options = [a for a in answer.actions if a.id == "choose_goal"]
    assert 2 <= len(options) <= 4
    assert all(a.payload["question"] == question for a in options)
    lines = [line for line in answer.sections[0].text.splitlines() if line[:2] in {"1.", "2.", "3.", "4."}]
    assert len(lines) == len(options)  # one line per goal


def test_picking_a_goal_keeps_the_original_intent(advisor):
    answer = advisor.answer("show me the digest")
    if answer.intent == "clarify":
        pick = next(a for a in answer.actions if a.id == "choose_goal")
        answer = advisor.run_action("choose_goal", pick.payload)
    assert answer.intent == "digest"


# ---------------------------------------------------------------------- verdicts


@pytest.mark.parametrize("question,goal,kpi,start", [
    ("is follower count a good KPI?", "awareness", "reach", "Not as a KPI"),
    ("likes keep going up, are we doing well?", "engagement", "engagement_rate", "Not necessarily"),
    ("is engagement rate a good kpi?", "engagement", "engagement_rate", "Yes"),
    ("is save rate a good kpi?", "engagement", "engagement_rate", "As a diagnostic"),
    ("is engagement rate a good kpi for lead gen?", "leads", "leads", "As a diagnostic"),
])
def test_caveat_questions_get_a_straight_verdict_first(advisor, question, goal, kpi, start):
    answer = advisor.answer(question)
    assert (answer.intent, answer.goal, answer.kpi_id) == ("verdict", goal, kpi)
    assert answer.summary.startswith(start)
    assert answer.sections[0].title == "Verdict"


# ---------------------------------------------------------------------- unknown KPIs and ignored words


def test_unknown_kpi_is_named_with_suggestions_and_never_replaced_by_thread_context(advisor):
    first = advisor.answer("engagement rate last week", thread="T-unknown")
    assert first.kpi_id == "engagement_rate"
    answer = advisor.answer("value fluffiness_index last week", thread="T-unknown")
    assert answer.intent == "clarify" and answer.kpi_id is None
    assert answer.summary.startswith("I don't know the KPI 'fluffiness_index'. Did you mean")
    assert not answer.facts
    picks = [a for a in answer.actions if a.id == "choose_kpi"]
    assert picks and all(a.payload["kpi_id"] in CATALOG.kpis for a in picks)
    chosen = advisor.run_action("choose_kpi", picks[0].payload, thread="T-unknown")
    assert chosen.intent == "value" and chosen.kpi_id == picks[0].payload["kpi_id"]
    assert chosen.context.period == "last_week"


@pytest.mark.parametrize("question,unknown", [
    ("explain fluffiness", "fluffiness"),
    ("explain the vibe coefficient", "vibe coefficient"),
    ("what's our blorp rate on tiktok last week", "blorp rate"),
    ("net promoter score last month", "promoter score"),
])
def test_explaining_or_valuing_an_unknown_kpi_never_answers_about_another(advisor, question, unknown):
    answer = advisor.answer(question)
    assert answer.intent == "clarify" and answer.kpi_id is None
    assert f"'{unknown}'" in answer.summary


def test_misspelt_kpi_id_suggests_the_real_one(advisor):
    answer = advisor.answer("value engagment_rte last week")
    assert answer.actions[0].payload["kpi_id"] == "engagement_rate"


def test_words_not_understood_are_named(advisor):
    answer = advisor.answer("engagement rate by zodiac sign since the big bang")
    assert answer.intent == "value" and answer.kpi_id == "engagement_rate"
    text = " ".join(answer.warnings)
    assert ("I ignored 'by zodiac sign': breakdowns are by platform, account, content type, topic or campaign"
            in text)
    assert "I ignored 'since the big bang'" in text


def test_a_platform_missing_from_the_data_is_named_not_dropped(advisor):
    answer = advisor.answer("engagement rate on pinterest last week")
    assert answer.intent == "clarify" and "pinterest" in answer.summary and not answer.facts
    assert answer.actions[0].id == "show_value" and answer.actions[0].payload["kpi_id"] == "engagement_rate"


@pytest.mark.parametrize("text,platform", [
    ("reach on youtube shorts last week", "youtube"), ("ER on pinterest", "pinterest"),
    ("impressions on threads last week", "threads"), ("reach on reddit", "reddit"),
    ("engagement rate on discord", "discord"), ("reach on bluesky", "bluesky"),
])
def test_platforms_are_recognised(text, platform):
    u = understand(text, catalog=CATALOG)
    assert platform in u.parsed.filters.get("platform", [])


def test_reddit_threads_are_not_the_threads_platform():
    u = understand("reach of our reddit threads last week", catalog=CATALOG)
    assert u.parsed.filters.get("platform") == ["reddit"]


# ---------------------------------------------------------------------- every answer says how it understood


@pytest.mark.parametrize("question", [
    "which KPI for awareness?", "engagement rate last 28 days", "what is share of voice?", "help",
    "tell me a joke", "is follower count a good KPI?", "what should we track on social",
])
def test_every_answer_carries_goal_kpi_confidence_and_understood_as(advisor, question):
    data = advisor.answer(question).model_dump(mode="json")
    assert {"goal", "kpi_id", "confidence", "understood_as"} <= set(data)
    assert isinstance(data["confidence"], float) and data["understood_as"]


def test_picks_with_bad_payloads_are_user_errors(advisor):
    with pytest.raises(BadQuestion):
        advisor.run_action("choose_goal", {"goal": "world_domination", "question": "x"})
    with pytest.raises(BadQuestion):
        advisor.run_action("choose_kpi", {"kpi_id": "fluffiness_index"})


def test_typos_in_goal_words_are_read():
    u = understand("best kpi for brand awarenss", catalog=CATALOG)
    assert u.parsed.goal == "awareness"
    assert "typos read as: awarenss -> awareness" in u.evidence


def test_real_words_are_not_corrected_into_cues():
    u = understand("mentions keep climbing, is that a good sign for the brand?", catalog=CATALOG)
    assert (u.parsed.intent, u.parsed.goal) == ("verdict", "brand_health")


def test_stems_are_cached_for_the_next_cold_start(tmp_path):
    from advisor import stemming

    path = tmp_path / "cache" / "stems.json"
    stemming.use_stem_cache(path)
    stemming.stems("awareness visibility")
    stemming._save_stems()
    import json

    data = json.loads(path.read_text())
    assert data["stems"]["awareness"] == "awar" and data["version"] == stemming._stem_version()
    path.write_text(json.dumps({"version": "other", "stems": {"awareness": "WRONG"}}))
    stemming._STEMS.pop("awareness", None)
    stemming.use_stem_cache(path)  # a cache from another stemmer version is ignored
    assert stemming.stems("awareness") == ["awar"]
