"""Buttons, modals and App Home, through the real HTTP adapter."""

from __future__ import annotations

import json

import pytest

from tests.bot.harness import block_action


def _view(call):
    v = call["params"]["view"]
    return json.loads(v) if isinstance(v, str) else v


@pytest.mark.parametrize("action_id", ["show_value", "explain", "breakdown", "trend", "recommend", "choose_goal",
                                       "choose_kpi"])
def test_answer_buttons_reply_in_the_message_thread(bot, slack, advisor, action_id):
    payload = {"kpi_id": "engagement_rate", "workspace": "T2", "team_id": "T2"}  # forged extras
    suffix = ".1" if action_id.startswith("choose_") else ""  # pick-one buttons carry their number
    r = bot.interact(block_action(f"kpi.{action_id}{suffix}", json.dumps(payload), message_ts="1600000000.000100"))
    assert r.status_code == 200
    post = slack.wait_for("chat.postMessage")[0]
    assert post["params"]["thread_ts"] == "1600000000.000100"
    assert f"action={action_id}" in post["params"]["text"]
    call = advisor.of("run_action")[0]
    assert call["workspace"] == "T1" and call["payload"] == {"kpi_id": "engagement_rate"}
    assert call["thread"] == "T1:C1:1600000000.000100"


def test_button_on_ephemeral_answer_replies_ephemerally(bot, slack, advisor):
    bot.interact(block_action("kpi.explain", '{"kpi_id":"reach"}', ephemeral=True, message_ts=None,
                              response_url=slack.url + "response/btn"))
    resp = slack.wait_for("response_url")[0]["params"]
    assert resp["response_type"] == "ephemeral" and "action=explain" in resp["text"]
    assert advisor.of("run_action")[0]["thread"] == "T1:C1:kpi-U1"
    assert not slack.of("chat.postMessage")


def test_share_to_channel_posts_the_answer_seen_and_removes_the_ephemeral(bot, slack, advisor):
    bot.command("engagement_rate last 28 days")
    resp = slack.wait_for("response_url")[0]["params"]
    share = next(e for b in resp["blocks"] if b["type"] == "actions" for e in b["elements"]
                 if e["action_id"] == "kpi.share")
    bot.interact(block_action("kpi.share", share["value"], ephemeral=True, message_ts=None,
                              response_url=slack.url + "response/share"))
    post = slack.wait_for("chat.postMessage")[0]["params"]
    assert post["channel"] == "C1" and "thread_ts" not in post
    assert "Answer: engagement_rate last 28 days" in post["text"]
    assert "Shared by <@U1>" in json.dumps(post["blocks"])
    deleted = slack.wait_for("response_url", 2)[1]["params"]
    assert deleted.get("delete_original") is True
    assert len(advisor.of("answer")) == 1  # the cached answer was posted, not recomputed
    assert slack.wait_for("files.completeUploadExternal")  # the chart goes with the shared answer


def test_share_into_a_channel_the_bot_is_not_in_says_how_to_fix_it(bot, slack):
    slack.errors["chat.postMessage"] = "not_in_channel"
    bot.interact(block_action("kpi.share", json.dumps({"q": "reach"}), ephemeral=True, message_ts=None,
                              response_url=slack.url + "response/share"))
    text = slack.wait_for("response_url")[0]["params"]["text"]
    assert "/invite @kpi-advisor" in text


def test_subscribe_button_opens_modal_and_submission_subscribes(bot, slack, digests):
    bot.interact(block_action("kpi.subscribe", '{"goal":"engagement"}'))
    view = _view(slack.wait_for("views.open")[0])
    assert view["callback_id"] == "subscribe_modal" and view["private_metadata"] == "C1"
    assert view["blocks"][0]["element"]["initial_value"] == "weekly mon 09:00 goal=engagement"

    def submit(spec):
        return bot.interact({
            "type": "view_submission", "team": {"id": "T1"}, "user": {"id": "U1", "team_id": "T1"},
            "api_app_id": "A1", "token": "legacy", "trigger_id": "t",
            "view": {"id": "V1", "type": "modal", "callback_id": "subscribe_modal",
                     "private_metadata": "C1", "team_id": "T1",
                     "state": {"values": {"spec": {"value": {"type": "plain_text_input", "value": spec}}}}},
        })

    bad = submit("whenever")
    assert bad.json()["response_action"] == "errors" and "daily" in bad.json()["errors"]["spec"]
    ok = submit("weekly fri 16:00 goal=engagement")
    assert ok.status_code == 200 and ok.json()["response_action"] == "update"  # the modal confirms
    assert "Subscribed" in json.dumps(ok.json()["view"])
    assert [s.spec_text for s in digests.list("T1")] == ["weekly fri 16:00 goal=engagement"]
    dm = slack.wait_for("chat.postMessage")[0]["params"]  # and a DM, never lost in a channel
    assert dm["channel"] == "U1" and "weekly fri 16:00 goal=engagement" in dm["text"]


def test_app_home_shows_this_workspace_only(bot, slack, advisor, digests):
    advisor.update_workspace("T1", followed_kpis=["reach"], timezone="Europe/Berlin")
    advisor.update_workspace("T2", followed_kpis=["secret_t2_kpi"])
    digests.subscribe("T1", "C1", "U1", "weekly mon 09:00 goal=awareness")
    digests.subscribe("T2", "C9", "U9", "daily 08:00 kpis=secret")
    bot.event({"type": "app_home_opened", "user": "U1", "channel": "D1", "tab": "home"})
    call = slack.wait_for("views.publish")[0]["params"]
    assert call["user_id"] == "U1"
    view = json.dumps(_view({"params": call}))
    assert "reach" in view and "goal=awareness" in view and "Europe/Berlin" in view
    assert "secret" not in view
    bot.event({"type": "app_home_opened", "user": "U1", "channel": "D1", "tab": "messages"})
    bot.idle()
    assert len(slack.of("views.publish")) == 1


def test_home_quick_actions(bot, slack, advisor, digests):
    digests.subscribe("T1", "C1", "U1", "weekly mon 09:00 goal=awareness")
    home = {"type": "block_actions", "team": {"id": "T1"}, "user": {"id": "U1", "team_id": "T1"},
            "api_app_id": "A1", "token": "legacy", "trigger_id": "trig-home",
            "container": {"type": "view", "view_id": "V1"}, "view": {"id": "V1", "type": "home"}}
    bot.interact({**home, "actions": [{"action_id": "home.ask", "type": "button", "block_id": "b"}]})
    assert _view(slack.wait_for("views.open")[0])["callback_id"] == "ask_modal"
    bot.interact({**home, "actions": [{"action_id": "home.scorecard", "type": "button", "block_id": "b"}]})
    dm = slack.wait_for("chat.postMessage")[0]["params"]
    assert dm["channel"] == "U1" and "Scorecard" in dm["text"]
    bot.interact({**home, "actions": [{"action_id": "digest.pause", "type": "button", "block_id": "b",
                                       "value": "1"}]})
    slack.wait_for("views.publish")
    assert digests.subs[0].status == "paused"
    bot.interact({
        "type": "view_submission", "team": {"id": "T1"}, "user": {"id": "U1", "team_id": "T1"},
        "api_app_id": "A1", "token": "legacy", "trigger_id": "t",
        "view": {"id": "V2", "type": "modal", "callback_id": "ask_modal", "private_metadata": "", "team_id": "T1",
                 "state": {"values": {"question": {"value": {"type": "plain_text_input", "value": "what is reach"}}}}},
    })
    assert slack.wait_for("chat.postMessage", 2)[1]["params"]["channel"] == "U1"
    assert advisor.of("answer")[-1]["question"] == "what is reach"


def test_home_subscribe_modal_asks_for_a_channel_and_subscribes_it(bot, slack, digests):
    home = {"type": "block_actions", "team": {"id": "T1"}, "user": {"id": "U1", "team_id": "T1"},
            "api_app_id": "A1", "token": "legacy", "trigger_id": "trig-home",
            "container": {"type": "view", "view_id": "V1"}, "view": {"id": "V1", "type": "home"}}
    bot.interact({**home, "actions": [{"action_id": "home.subscribe", "type": "button", "block_id": "b"}]})
    view = _view(slack.wait_for("views.open")[0])
    assert view["callback_id"] == "subscribe_modal" and view["private_metadata"] == ""
    assert view["blocks"][0]["element"]["type"] == "conversations_select"
    ok = bot.interact({
        "type": "view_submission", "team": {"id": "T1"}, "user": {"id": "U1", "team_id": "T1"},
        "api_app_id": "A1", "token": "legacy", "trigger_id": "t",
        "view": {"id": "V3", "type": "modal", "callback_id": "subscribe_modal", "private_metadata": "",
                 "team_id": "T1",
                 "state": {"values": {
                     "channel": {"value": {"type": "conversations_select", "selected_conversation": "C7"}},
                     "spec": {"value": {"type": "plain_text_input", "value": "daily 08:30 UTC goal=traffic"}}}}},
    })
    assert ok.status_code == 200 and ok.json()["response_action"] == "update"
    subs = digests.list("T1")
    assert [(s.channel_id, s.spec_text) for s in subs] == [("C7", "daily 08:30 UTC goal=traffic")]
