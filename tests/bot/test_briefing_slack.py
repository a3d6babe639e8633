"""Briefings in Slack: signed `/kpi brief`, a mention and its thread follow-ups, the "why?" button.

The real Advisor on the bundled sample pinned to a day, behind the bot served over HTTP; Slack's
Web API is the local fake (tests/bot/fake_slack.py).
"""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from kpi_engine.sample import PLANTED_EVENTS
from tests.bot.harness import block_action, mention

END = date(2025, 6, 30)
DROP = next(e for e in PLANTED_EVENTS if e.name == "tiktok_engagement_drop")
START = DROP.window(END)[0]
WEEK = f"{START}..{START + timedelta(days=6)}"


@pytest.fixture(scope="module")
def real_advisor(tmp_path_factory):
    from advisor import Advisor
    from advisor.settings import Settings

    return Advisor.from_settings(Settings(home=tmp_path_factory.mktemp("advisor") / "home"), sample_end=END)


def _final_post(slack) -> dict:
    post = slack.wait_for("chat.postMessage", timeout=30)[-1]["params"]
    if "Working on it" in post["text"]:  # a slow first answer replaces its placeholder
        post = slack.wait_for("chat.update", timeout=30)[-1]["params"]
    return post


def test_slash_kpi_brief_answers_with_the_ranked_briefing(real_bot, slack):
    r = real_bot.command(f"brief tiktok {WEEK}")
    assert r.status_code == 200
    reply = slack.wait_for("response_url", timeout=30)[0]["params"]
    text = json.dumps(reply)
    assert "Briefing on tiktok" in reply["text"]
    assert "Engagement rate" in reply["text"] and ("meaningful drop" in reply["text"]
                                                   or "against a usual" in reply["text"])
    # the lead and the ranked lines come right after the header, before any detail (no field dump)
    assert reply["blocks"][1]["text"]["text"].startswith("*Engagement rate* on tiktok")
    assert not any("fields" in b for b in reply["blocks"]) and len(reply["blocks"]) <= 8
    buttons = [e["action_id"] for b in reply["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert {"kpi.why", "kpi.breakdown", "kpi.subscribe"} <= set(buttons)
    assert "Subscribe to this as a digest" in text
    # a follow-up to the same /kpi conversation keeps the briefing's period and scope
    slack.clear()
    real_bot.command("why did engagement rate drop?")
    follow = slack.wait_for("response_url", timeout=30)[0]["params"]
    assert "Why Engagement rate on tiktok moved" in follow["text"]


def test_a_mention_and_its_thread_follow_ups(real_bot, slack):
    real_bot.event(mention(f"how are we doing on tiktok {WEEK}?", ts="1600000100.000001"))
    first = _final_post(slack)
    assert first.get("thread_ts") == "1600000100.000001"
    assert "Briefing on tiktok" in first["text"]
    slack.clear()
    real_bot.event(mention("and on instagram?", ts="1600000101.000001", thread_ts="1600000100.000001"))
    second = _final_post(slack)
    assert "Briefing on instagram" in second["text"] and f"{START}" in second["text"]


def test_the_why_button_explains_the_lead_move(real_bot, slack):
    payload = {"kpi_id": "engagement_rate", "period": WEEK, "filters": {"platform": ["tiktok"]}}
    real_bot.interact(block_action("kpi.why", json.dumps(payload), message_ts="1600000200.000001"))
    post = _final_post(slack)
    assert "Why Engagement rate on tiktok moved" in post["text"]


@pytest.mark.parametrize("text,question", [
    ("brief", "brief"),
    ("brief linkedin last week", "brief linkedin last week"),
    ("BRIEF tiktok 2025-06-03..2025-06-09", "brief tiktok 2025-06-03..2025-06-09"),
])
def test_kpi_brief_is_a_subcommand_the_advisor_reads(text, question):
    from advisor.understand import understand
    from bot.parse import parse_command, question_for
    from kpi_engine.catalog import default_catalog

    cmd = parse_command(text)
    assert cmd.name == "brief" and question_for(cmd) == question
    assert understand(question, catalog=default_catalog()).parsed.intent == "brief"


def test_the_subscribe_button_keeps_the_briefings_scope(real_bot, slack):
    payload = {"goal": "engagement", "filters": {"platform": ["tiktok"]}}
    real_bot.interact(block_action("kpi.subscribe", json.dumps(payload), message_ts="1600000300.000001"))
    view = slack.wait_for("views.open", timeout=30)[0]["params"]["view"]
    assert "weekly mon 09:00 goal=engagement platform=tiktok" in json.dumps(view)
