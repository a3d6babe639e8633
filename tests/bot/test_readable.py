"""Answers people can read on a phone, and buttons that do what they say (signed requests into the
real app over the real Advisor on the bundled sample; assertions on what reaches the fake Web API)."""

from __future__ import annotations

import json
import re

import pytest

from bot.render.measure import PHONE_SCREEN_LINES, phone_lines
from tests.bot.harness import block_action, mention

KINDS = {
    "recommend": "which KPI for awareness?",
    "explain": "explain engagement_rate",
    "value": "engagement_rate last 28 days",
    "value by platform": "engagement_rate last 28 days by platform",
    "why": "why did engagement rate change last week",
    "trend": "engagement rate trend last 90 days by week",
}


@pytest.fixture
def real_bot(real_bot_with_digests):
    return real_bot_with_digests


def _blocks(message: dict) -> list[dict]:
    blocks = message.get("blocks") or []
    return json.loads(blocks) if isinstance(blocks, str) else blocks


def _buttons(message: dict) -> dict[str, dict]:
    return {e["action_id"]: e for b in _blocks(message) if b["type"] == "actions" for e in b["elements"]}


def _final_post(slack, n: int = 1) -> dict:
    post = slack.wait_for("chat.postMessage", n, timeout=30)[n - 1]["params"]
    if "Working on it" in post["text"]:
        post = {**slack.wait_for("chat.update", timeout=30)[-1]["params"], "thread_ts": post.get("thread_ts")}
    return post


def _reply(slack, n: int = 1) -> dict:
    """The n-th /kpi reply through response_url that is not the placeholder."""
    def ready():
        done = [c["params"] for c in slack.of("response_url") if "Working on it" not in str(c["params"].get("text"))]
        return done if len(done) >= n else None
    from tests.bot.fake_slack import wait_until

    return wait_until(ready, timeout=30)[n - 1]


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_answer_kind_fits_a_phone_screen_with_the_answer_first(real_bot, slack, kind):
    real_bot.event(mention(KINDS[kind], ts="1600000300.000001"))
    post = _final_post(slack)
    blocks = _blocks(post)
    lines = phone_lines(post)
    assert lines <= PHONE_SCREEN_LINES, (kind, lines)
    assert not any("fields" in b for b in blocks)  # no audit trail of two-column fields
    assert blocks[0]["type"] == "header"
    headline = blocks[0]["text"]["text"] + " " + blocks[1]["text"]["text"]
    if kind not in ("recommend", "explain"):
        assert re.search(r"\d", headline), headline  # the number is in the first lines
    buttons = _buttons(post)
    assert "kpi.details" in buttons  # the rest is one click away
    assert blocks[-1]["type"] == "actions"


def test_scorecard_renders_like_a_digest_within_a_screen(real_bot, slack):
    real_bot.command("scorecard awareness")
    reply = _reply(slack)
    assert phone_lines(reply) <= PHONE_SCREEN_LINES
    assert not any("fields" in b for b in _blocks(reply))
    assert "Reach" in reply["text"]


def test_show_numbers_posts_exact_values_in_the_thread_and_sources_once(real_bot, slack, real_advisor):
    root = "1600000400.000001"
    real_bot.event(mention("engagement_rate last 28 days by platform", ts=root))
    post = _final_post(slack)
    details = _buttons(post)["kpi.details"]
    assert details["text"]["text"] == "Show numbers"
    slack.clear()
    click = block_action("kpi.details", details["value"], message_ts="1600000400.000500")
    click["message"] = {"ts": "1600000400.000500", "thread_ts": root}
    real_bot.interact(click)
    shown = slack.wait_for("chat.postMessage", timeout=30)[0]["params"]
    assert shown["thread_ts"] == root
    text = json.dumps(_blocks(shown))
    answer = real_advisor.answer("engagement_rate last 28 days by platform")
    denominator = next(f for f in answer.facts if f.key == "engagement_rate.denominator")
    assert f"{denominator.value:,.0f}" in text  # unabbreviated, copyable (the reply said 4.60M)
    value = next(f for f in answer.facts if f.key == "engagement_rate.value")
    assert f"{value.value:.4f}".rstrip("0") in text and "%" in text  # with its unit
    assert text.count("period start") == 0  # dates ride with their period, labels said once

    slack.clear()
    real_bot.event(mention("which KPI for awareness?", ts="1600000500.000001"))
    post = _final_post(slack)
    assert "Sources:" not in json.dumps(_blocks(post))  # named once, in one context line
    sources = _buttons(post)["kpi.sources"]
    slack.clear()
    real_bot.interact(block_action("kpi.sources", sources["value"], message_ts="1600000500.000001"))
    shown = json.dumps(_blocks(slack.wait_for("chat.postMessage", timeout=30)[0]["params"]), ensure_ascii=False)
    assert "**" not in shown and "..." not in shown  # mrkdwn, and whole sentences
    titles = re.findall(r"\*([^*]+ › [^*]+)\*", shown)
    assert titles and len(titles) == len(set(titles))


def test_show_the_trend_shows_a_trend(real_bot, slack):
    real_bot.command("engagement_rate last 28 days")
    reply = _reply(slack)
    trend = _buttons(reply)["kpi.trend"]
    assert "kpi.chart" in _buttons(reply)  # a private reply says where its chart is
    slack.clear()
    real_bot.interact(block_action("kpi.trend", trend["value"], ephemeral=True, message_ts=None,
                                   response_url=slack.url + "response/btn"))
    shown = _reply(slack)
    text = json.dumps(_blocks(shown), ensure_ascii=False)
    assert "trend" in shown["text"] and re.search("[▁▂▃▄▅▆▇█]{8,}", text)
    assert len(re.findall(r"\d+\.\d\d%", text)) >= 8  # the weekly values themselves
    assert "kpi.trend" not in _buttons(shown)  # not the same value answer with the same button


def test_chart_by_dm_and_alt_text_states_the_numbers(real_bot, slack):
    real_bot.event(mention("engagement_rate last 28 days", ts="1600000600.000001"))
    alt = slack.wait_for("files.getUploadURLExternal", timeout=30)[0]["params"].get("alt_txt", "")
    assert len(re.findall(r"\d+\.\d\d%", alt)) >= 4 and "low" in alt and "high" in alt
    slack.clear()
    real_bot.command("engagement_rate last 28 days")
    chart = _buttons(_reply(slack))["kpi.chart"]
    slack.clear()
    real_bot.interact(block_action("kpi.chart", chart["value"], ephemeral=True, message_ts=None,
                                   response_url=slack.url + "response/btn"))
    opened = slack.wait_for("conversations.open", timeout=30)[0]["params"]
    assert opened["users"] == "U1"
    assert slack.wait_for("files.completeUploadExternal", timeout=30)


def test_scorecard_without_a_goal_uses_the_team_default_or_asks(real_bot, slack):
    real_bot.command("scorecard")
    picker = _reply(slack)
    picks = {b["text"]["text"]: b for aid, b in _buttons(picker).items() if aid.startswith("kpi.scorecard.")}
    assert "Awareness" in picks and "Which goal" in picker["text"]
    slack.clear()
    real_bot.interact(block_action(picks["Awareness"]["action_id"], picks["Awareness"]["value"], ephemeral=True,
                                   message_ts=None, response_url=slack.url + "response/btn"))
    card = _reply(slack)
    assert "Reach" in card["text"] and phone_lines(card) <= PHONE_SCREEN_LINES
    # a channel's digest goal becomes the team default: Home "Scorecard" and /kpi scorecard use it
    real_bot.command("digest subscribe weekly mon 09:00 UTC goal=traffic")
    real_bot.idle()
    slack.clear()
    real_bot.interact({"type": "block_actions", "team": {"id": "T1"}, "user": {"id": "U1", "team_id": "T1"},
                       "api_app_id": "A1", "token": "legacy", "trigger_id": "trig-home",
                       "container": {"type": "view", "view_id": "V1"}, "view": {"id": "V1", "type": "home"},
                       "actions": [{"action_id": "home.scorecard", "type": "button", "block_id": "b"}]})
    dm = _final_post(slack)
    assert dm["channel"] == "U1" and "Click-through rate" in json.dumps(dm)


def test_guidance_excerpts_end_on_a_whole_sentence():
    from advisor.compose_guidance import _excerpt

    text = "First sentence is here. Second one goes on; and on. " + "Third is very long " * 30
    assert _excerpt(text, limit=120) == "First sentence is here. Second one goes on; and on."
    one = _excerpt("word " * 100, limit=50)
    assert one.endswith("…") and len(one) <= 51 and "wor…" not in one


def test_show_numbers_on_a_private_reply_answers_privately(real_bot, slack):
    real_bot.command("engagement_rate last 28 days by platform")
    details = _buttons(_reply(slack))["kpi.details"]
    slack.clear()
    real_bot.interact(block_action("kpi.details", details["value"], ephemeral=True, message_ts=None,
                                   response_url=slack.url + "response/btn"))
    shown = _reply(slack)
    assert shown["response_type"] == "ephemeral" and shown["replace_original"] is False
    assert shown["text"].startswith("Numbers: ") and slack.of("chat.postMessage") == []


def test_follow_a_kpi_from_home(real_bot, slack, real_advisor):
    home = {"type": "block_actions", "team": {"id": "T1"}, "user": {"id": "U1", "team_id": "T1"},
            "api_app_id": "A1", "token": "legacy", "trigger_id": "trig-follow",
            "container": {"type": "view", "view_id": "V1"}, "view": {"id": "V1", "type": "home"}}
    real_bot.interact({**home, "actions": [{"action_id": "home.follow", "type": "button", "block_id": "b"}]})
    view = slack.wait_for("views.open", timeout=30)[0]["params"]["view"]
    view = json.loads(view) if isinstance(view, str) else view
    options = {o["value"] for o in view["blocks"][0]["element"]["options"]}
    assert "click_through_rate" in options and len(options) <= 100
    real_bot.interact({"type": "view_submission", "team": {"id": "T1"}, "user": {"id": "U1", "team_id": "T1"},
                       "api_app_id": "A1", "token": "legacy", "trigger_id": "t",
                       "view": {"id": "V2", "type": "modal", "callback_id": "follow_modal", "team_id": "T1",
                                "state": {"values": {"kpi": {"value": {
                                    "type": "static_select", "selected_option": {"value": "click_through_rate"}}}}}}})
    published = slack.wait_for("views.publish", timeout=30)[0]["params"]["view"]
    assert "click_through_rate" in json.dumps(published)
    assert "click_through_rate" in real_advisor.workspace("T1").followed_kpis
    real_advisor.update_workspace("T1", followed_kpis=[])
