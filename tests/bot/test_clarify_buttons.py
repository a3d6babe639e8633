"""Clarifying answers in Slack over the real Advisor: pick-one buttons that answer the original question."""

from __future__ import annotations

import json

from tests.bot.harness import block_action, mention


def _final_post(slack, n: int = 1) -> dict:
    post = slack.wait_for("chat.postMessage", n, timeout=30)[n - 1]["params"]
    if "Working on it" in post["text"]:  # a cold start may take longer than the placeholder delay
        update = slack.wait_for("chat.update", timeout=30)[-1]["params"]
        post = {**update, "thread_ts": post.get("thread_ts")}
    return post


def _buttons(message: dict) -> list[dict]:
    blocks = message["blocks"]
    blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
    return [e for b in blocks if b["type"] == "actions" for e in b["elements"]]


def test_goal_buttons_answer_the_original_question_in_the_same_thread(real_bot, slack):
    root = "1600000100.000001"
    real_bot.event(mention("what do I report to the board about social?", ts=root))
    post = _final_post(slack)
    assert post["thread_ts"] == root and "Which objective" in post["text"]
    picks = [b for b in _buttons(post) if b["action_id"].startswith("kpi.choose_goal.")]
    assert 2 <= len(picks) <= 4
    leads = next(b for b in picks if json.loads(b["value"])["goal"] == "leads")
    click = block_action(leads["action_id"], leads["value"], message_ts="1600000100.000200")
    click["message"] = {"ts": "1600000100.000200", "thread_ts": root}  # the clarifying reply, in the thread
    slack.clear()
    real_bot.interact(click)
    answer = _final_post(slack)
    assert answer["thread_ts"] == root
    assert "For leads and pipeline, track Leads from organic social" in answer["text"]


def test_unknown_kpi_after_a_value_is_named_not_replaced(real_bot, slack):
    real_bot.command("value engagement_rate last week")
    first = slack.wait_for("response_url", timeout=30)[0]["params"]
    assert "Engagement rate" in first["text"]
    slack.clear()
    real_bot.command("value fluffiness_index last week")
    reply = slack.wait_for("response_url", timeout=30)[0]["params"]
    assert "I don't know the KPI 'fluffiness_index'" in reply["text"]
    assert "%" not in reply["text"]  # no engagement-rate number slipped in from the thread
    assert any(b["action_id"].startswith("kpi.choose_kpi.") for b in _buttons(reply))
