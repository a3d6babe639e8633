"""The bot over the real Advisor (bundled sample data, no network) and the real digest service."""

from __future__ import annotations

import json

import pytest

from tests.bot.harness import mention


@pytest.fixture
def real_bot(real_bot_with_digests):
    return real_bot_with_digests


def test_real_answers_reach_slack(real_bot, slack, real_advisor):
    real_bot.event(mention("engagement_rate last 28 days by platform", ts="1600000007.000001"))
    post = slack.wait_for("chat.postMessage", timeout=30)[0]["params"]
    assert post["thread_ts"] == "1600000007.000001"
    if "Working on it" in post["text"]:  # a cold start may take longer than the placeholder delay
        post = slack.wait_for("chat.update", timeout=30)[0]["params"]
    assert "Engagement rate" in post["text"]
    assert slack.wait_for("files.completeUploadExternal", timeout=30)
    real_bot.command("list")
    listing = slack.wait_for("response_url", timeout=30)[0]["params"]
    assert "engagement_rate" in json.dumps(listing["blocks"])
    real_bot.command("digest subscribe weekly mon 09:00 Europe/Berlin goal=awareness")
    real_bot.idle()
    real_bot.command("digest list")
    real_bot.idle()
    texts = [json.dumps(c["params"]) for c in slack.of("response_url")]
    assert any("Subscribed this channel" in t for t in texts)
    assert any("goal=awareness" in t for t in texts[-1:])


def test_real_workspace_settings_stay_in_their_workspace(real_bot, slack, real_advisor):
    real_advisor.update_workspace("T1", followed_kpis=["click_through_rate"], timezone="Europe/Berlin")
    real_bot.event({"type": "app_home_opened", "user": "U9", "channel": "D9", "tab": "home"}, team="T2")
    view = slack.wait_for("views.publish", timeout=30)[0]["params"]["view"]
    text = json.dumps(view)
    assert "click_through_rate" not in text and "Europe/Berlin" not in text
