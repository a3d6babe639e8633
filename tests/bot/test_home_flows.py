"""App Home flows over signed requests: subscribing checks membership first and confirms in the
modal, by DM and on a refreshed Home; following KPIs from answers; Home's 100-block room."""

from __future__ import annotations

import json

from tests.bot.harness import block_action

HOME = {"type": "block_actions", "team": {"id": "T1"}, "user": {"id": "U1", "team_id": "T1"},
        "api_app_id": "A1", "token": "legacy", "trigger_id": "trig-home",
        "container": {"type": "view", "view_id": "V1"}, "view": {"id": "V1", "type": "home"}}


def _submit(bot, channel: str, spec: str = "daily 08:30 UTC goal=traffic"):
    return bot.interact({
        "type": "view_submission", "team": {"id": "T1"}, "user": {"id": "U1", "team_id": "T1"},
        "api_app_id": "A1", "token": "legacy", "trigger_id": "t",
        "view": {"id": "V3", "type": "modal", "callback_id": "subscribe_modal", "private_metadata": "",
                 "team_id": "T1", "state": {"values": {
                     "channel": {"value": {"type": "conversations_select", "selected_conversation": channel}},
                     "spec": {"value": {"type": "plain_text_input", "value": spec}}}}},
    })


def _view(call: dict) -> dict:
    view = call["params"]["view"]
    return json.loads(view) if isinstance(view, str) else view


def test_subscribing_checks_membership_before_saving(bot, slack, digests):
    slack.outside_channels.add("C7")
    slack.hidden_channels.add("G8")
    for channel in ("C7", "G8"):
        resp = _submit(bot, channel)
        errors = resp.json()["errors"]
        assert resp.json()["response_action"] == "errors" and "/invite @kpi-advisor" in errors["channel"]
        assert len(errors["channel"]) <= 150 and "`" not in errors["channel"]
    assert digests.list("T1") == []
    assert [c["params"]["channel"] for c in slack.of("conversations.info")] == ["C7", "G8"]


def test_subscribing_confirms_in_the_modal_by_dm_and_on_home(bot, slack, digests):
    resp = _submit(bot, "C9")
    body = resp.json()
    assert body["response_action"] == "update"
    assert body["view"]["title"]["text"] == "Subscribed" and "&lt;#C9&gt;" not in json.dumps(body["view"])
    assert "<#C9>" in json.dumps(body["view"])  # a channel link the bot made, not data
    assert [(s.channel_id, s.spec_text) for s in digests.list("T1")] == [("C9", "daily 08:30 UTC goal=traffic")]
    dm = slack.wait_for("chat.postMessage")[0]["params"]
    assert dm["channel"] == "U1" and "daily 08:30 UTC goal=traffic" in dm["text"]
    home = _view(slack.wait_for("views.publish")[0])
    assert "daily 08:30 UTC goal=traffic" in json.dumps(home)
    assert slack.of("chat.postEphemeral") == []  # nothing that a non-member channel would swallow


def test_home_uses_up_to_100_blocks(bot, slack, digests):
    for i in range(120):
        digests.subscribe("T1", f"C{i}", "U1", f"weekly mon 09:{i % 60:02d} goal=awareness")
    bot.event({"type": "app_home_opened", "user": "U1", "channel": "D1", "tab": "home"})
    blocks = _view(slack.wait_for("views.publish")[0])["blocks"]
    assert 50 < len(blocks) <= 100
    assert "more (all channels)" in json.dumps(blocks)


def test_follow_from_an_answer_and_unfollow_from_home(bot, slack, advisor):
    bot.command("engagement_rate last week")
    reply = slack.wait_for("response_url")[0]["params"]
    follow = next(e for b in reply["blocks"] if b["type"] == "actions" for e in b["elements"]
                  if e["action_id"] == "kpi.follow")
    slack.clear()
    bot.interact(block_action("kpi.follow", follow["value"], ephemeral=True, message_ts=None,
                              response_url=slack.url + "response/follow"))
    home = _view(slack.wait_for("views.publish")[0])
    assert advisor.configs["T1"]["followed_kpis"] == ["engagement_rate"]
    unfollow = next(b["accessory"] for b in home["blocks"] if b.get("accessory", {}).get("action_id") == "home.unfollow")
    assert "Following `engagement_rate`" in slack.wait_for("response_url")[0]["params"]["text"]
    slack.clear()
    bot.interact({**HOME, "actions": [{"action_id": "home.unfollow", "type": "button", "block_id": "b",
                                       "value": unfollow["value"]}]})
    slack.wait_for("views.publish")
    assert advisor.configs["T1"]["followed_kpis"] == []
