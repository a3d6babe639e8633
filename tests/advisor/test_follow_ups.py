"""Follow-ups resolve against the thread's previous turn."""

from __future__ import annotations

from advisor.answer import Context
from advisor.parse import parse_question
from kpi_engine.catalog import default_catalog

CAT = default_catalog()
VALUE_CTX = Context(intent="value", kpi_id="engagement_rate", period="last_28_days", by="platform")


def test_and_on_tiktok_keeps_kpi_and_period():
    p = parse_question("and on tiktok?", catalog=CAT, context=VALUE_CTX)
    assert (p.intent, p.kpi_id, p.period, p.filters) == ("value", "engagement_rate", "last_28_days",
                                                         {"platform": ["tiktok"]})
    assert p.by is None  # a filtered follow-up drops the breakdown it no longer needs


def test_why_did_it_drop_asks_why_about_the_same_kpi():
    p = parse_question("why did it drop?", catalog=CAT, context=VALUE_CTX)
    assert (p.intent, p.kpi_id) == ("why", "engagement_rate")


def test_explain_that_one():
    p = parse_question("explain that one", catalog=CAT, context=VALUE_CTX)
    assert (p.intent, p.kpi_id) == ("explain", "engagement_rate")


def test_a_new_period_alone_reuses_the_question():
    p = parse_question("last month?", catalog=CAT, context=VALUE_CTX)
    assert (p.intent, p.kpi_id, p.period) == ("value", "engagement_rate", "last_month")


def test_a_new_topic_is_not_hijacked_by_context():
    p = parse_question("what's a vanity metric", catalog=CAT, context=VALUE_CTX)
    assert p.intent == "explain" and p.kpi_id is None
    p = parse_question("which KPI for leads?", catalog=CAT, context=VALUE_CTX)
    assert (p.intent, p.goal, p.kpi_id) == ("recommend", "leads", "leads")


def test_structured_slash_command_text_reads_as_a_value_question():
    for text in ("value engagement_rate last 28 days by platform", "what is engagement_rate last 28 days",
                 "show ctr on linkedin"):
        assert parse_question(text, catalog=CAT).intent == "value", text
