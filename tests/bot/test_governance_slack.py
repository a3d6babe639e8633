"""Targets and notes in Slack, driven by signed requests against the fake Web API, over the real Advisor."""

from __future__ import annotations

import json
from datetime import date

import pytest

from bot.oauth import make_web_client
from bot.target_alerts import deliver_target_alerts
from tests.bot.fake_slack import wait_until
from tests.bot.harness import Harness, make_settings

END = date(2026, 11, 28)
HOME = {"type": "block_actions", "api_app_id": "A1", "token": "legacy",
        "container": {"type": "view", "view_id": "V1"}, "view": {"id": "V1", "type": "home"}}


@pytest.fixture(scope="module")
def real_advisor(tmp_path_factory):
    from advisor import Advisor
    from advisor.settings import Settings

    return Advisor.from_settings(Settings(home=tmp_path_factory.mktemp("gov-slack") / "home"), sample_end=END)


@pytest.fixture
def real_bot(tmp_path, slack, real_advisor):
    # no "working on it" placeholder: a cold first answer on a loaded machine may take seconds
    h = Harness(settings=make_settings(tmp_path / "home", slack.api_url), advisor=real_advisor, slack=slack,
                placeholder_after=120)
    slack.clear()
    yield h
    h.close()


def _responses(slack, n=1):
    return [c["params"] for c in slack.wait_for("response_url", n, timeout=30)]


def _text(message) -> str:
    return json.dumps(message.get("blocks") or message.get("text"))


def _view(call) -> dict:
    view = call["params"]["view"]
    return json.loads(view) if isinstance(view, str) else view


def test_target_commands_per_workspace(real_bot, slack, real_advisor):
    real_bot.command("target set engagement_rate 5% by 2027-03-31 platform=instagram owner=<@U0MARIA|maria>",
                     team="TA")
    reply = _text(_responses(slack)[0])
    assert "Set target #" in reply and "Q1 2027" in reply and "Owner: @maria" in reply
    assert any(w in reply for w in ("on track", "at risk", "off track"))
    target_id = real_advisor.targets.list("TA")[0].id
    real_bot.command("target list", team="TA")
    assert "Engagement rate on instagram" in _text(_responses(slack, 2)[1])
    real_bot.command("target list", team="TB")  # another workspace sees none of it
    other = _text(_responses(slack, 3)[2])
    assert "No targets are set" in other and "Engagement rate" not in other
    real_bot.command(f"target remove {target_id}", team="TB")
    assert f"No target #{target_id} here" in _text(_responses(slack, 4)[3])
    assert [t.id for t in real_advisor.targets.list("TA")] == [target_id]
    real_bot.command("target set engagement_rate lots", team="TA")  # bad input: a clear message
    assert "is not a number" in _text(_responses(slack, 5)[4])
    real_bot.command(f"target remove {target_id}", team="TA")
    assert f"Removed target #{target_id}" in _text(_responses(slack, 6)[5])
    assert real_advisor.targets.list("TA") == []


def test_target_suggest_and_notes_commands(real_bot, slack, real_advisor):
    real_bot.command("target suggest engagement_rate next_quarter", team="TS")
    assert "Suggestion (not a commitment)" in _text(_responses(slack)[0])
    real_bot.command('note 2026-11-18 "LinkedIn feed change" platform=linkedin', team="TS")
    assert "A note on 18 Nov 2026 says: LinkedIn feed change (platform=linkedin)" in _text(_responses(slack, 2)[1])
    real_bot.command("note list", team="TS")
    assert "LinkedIn feed change" in _text(_responses(slack, 3)[2])
    real_bot.command("note list", team="TOTHERNOTES")
    assert "No notes" in _text(_responses(slack, 4)[3])
    real_bot.command('note 2026-11-18 "unclosed', team="TS")
    assert "quote is not closed" in _text(_responses(slack, 5)[4])


def test_help_lists_the_target_and_note_commands(real_bot, slack):
    assert "/kpi target set" in real_bot.command("help").text


def test_app_home_target_modal_sets_a_target_and_shows_it(real_bot, slack, real_advisor):
    team, user = "THOME", "U0HOME"
    real_bot.event({"type": "app_home_opened", "user": user, "channel": "D1", "tab": "home"}, team=team)
    home = json.dumps(_view(slack.wait_for("views.publish", timeout=30)[0]))
    assert "*Targets*" in home and "home.target" in home and "home.note" in home
    real_bot.interact({**HOME, "team": {"id": team}, "user": {"id": user, "team_id": team}, "trigger_id": "trig-t",
                       "actions": [{"action_id": "home.target", "type": "button", "block_id": "b"}]})
    modal = _view(slack.wait_for("views.open")[0])
    assert modal["callback_id"] == "target_modal"
    assert [b["block_id"] for b in modal["blocks"]] == ["kpi", "value", "period", "filters", "owner"]

    def submit(**values):
        state = {k: {"value": ({"type": "users_select", "selected_user": v} if k == "owner"
                               else {"type": "plain_text_input", "value": v})} for k, v in values.items()}
        return real_bot.interact({
            "type": "view_submission", "team": {"id": team}, "user": {"id": user, "team_id": team},
            "api_app_id": "A1", "token": "legacy", "trigger_id": "t",
            "view": {"id": "V9", "type": "modal", "callback_id": "target_modal", "private_metadata": "",
                     "team_id": team, "state": {"values": state}}})

    bad = submit(kpi="engagement_rate", value="lots", period="whenever", filters="instagram")
    errors = bad.json()["errors"]
    assert set(errors) == {"value", "period", "filters"} and "Cannot read the target period" in errors["period"]
    assert real_advisor.targets.list(team) == []
    ok = submit(kpi="impressions", value="4.5M", period="this month", filters="", owner="U0OWNER")
    assert ok.status_code == 200 and ok.text == ""
    dm = slack.wait_for("chat.postMessage", timeout=30, where=lambda c: c["params"].get("channel") == user)[0]
    assert "Set target #" in _text(dm["params"]) and "4.50M" in _text(dm["params"])
    stored = real_advisor.targets.list(team)
    assert [(t.kpi_id, t.value, t.owner, t.period_label) for t in stored] == [("impressions", 4.5e6, "U0OWNER",
                                                                              "Nov 2026")]
    refreshed = wait_until(lambda: [c for c in slack.of("views.publish") if "Impressions, Nov 2026" in json.dumps(
        _view(c))], timeout=30)
    assert "<@U0OWNER>" in json.dumps(_view(refreshed[-1]))


def test_app_home_note_modal_adds_a_note(real_bot, slack, real_advisor):
    team, user = "THOMENOTE", "U0N"
    real_bot.interact({**HOME, "team": {"id": team}, "user": {"id": user, "team_id": team}, "trigger_id": "trig-n",
                       "actions": [{"action_id": "home.note", "type": "button", "block_id": "b"}]})
    assert _view(slack.wait_for("views.open")[0])["callback_id"] == "note_modal"
    state = {"start": {"value": {"type": "datepicker", "selected_date": "2026-11-18"}},
             "end": {"value": {"type": "datepicker", "selected_date": None}},
             "text": {"value": {"type": "plain_text_input", "value": "LinkedIn feed change"}},
             "filters": {"value": {"type": "plain_text_input", "value": "platform=linkedin"}}}
    ok = real_bot.interact({"type": "view_submission", "team": {"id": team}, "user": {"id": user, "team_id": team},
                            "api_app_id": "A1", "token": "legacy", "trigger_id": "t",
                            "view": {"id": "V8", "type": "modal", "callback_id": "note_modal", "team_id": team,
                                     "private_metadata": "", "state": {"values": state}}})
    assert ok.status_code == 200
    dm = slack.wait_for("chat.postMessage", timeout=30, where=lambda c: c["params"].get("channel") == user)[0]
    assert "LinkedIn feed change" in _text(dm["params"])
    notes = real_advisor.notes.list(team)
    assert [(n.start, n.text, n.filters, n.source) for n in notes] == [
        (date(2026, 11, 18), "LinkedIn feed change", {"platform": ["linkedin"]}, "home")]


def test_a_note_reply_in_a_digest_thread_is_dated_the_digests_week(real_bot, slack, real_advisor):
    team, channel, ts = "TDIG", "C5", "1700000001.000100"
    digest = real_advisor.compose_digest(workspace=team, goal="awareness", period="last_week")
    real_advisor.remember(f"{team}:{channel}:{ts}", digest, workspace=team)  # what a posted digest leaves
    real_bot.event({"type": "message", "channel": channel, "channel_type": "channel", "user": "U7",
                    "text": "note: LinkedIn feed change platform=linkedin", "ts": "1700000002.000100",
                    "thread_ts": ts}, team=team)
    reply = slack.wait_for("chat.postMessage", timeout=30)[0]["params"]
    assert reply["thread_ts"] == ts and "LinkedIn feed change" in _text(reply)
    note = real_advisor.notes.list(team)[0]
    assert (note.start, note.end, note.filters, note.author) == (date(2026, 11, 16), date(2026, 11, 22),
                                                                 {"platform": ["linkedin"]}, "U7")


def test_an_owner_is_told_once_when_a_target_goes_off_track(real_bot, slack, real_advisor):
    from advisor.governance import run_target_command

    run_target_command(real_advisor, "TAL1", "set engagement_rate 9% for 2027-Q1 owner=<@U0OWN1|ana>", user="U1")
    run_target_command(real_advisor, "TAL2", "set impressions 1 for 2027-Q1 owner=<@U0OWN2|bo>", user="U2")
    clients = {}

    def client_for(team):
        clients[team] = make_web_client(base_url=slack.api_url, token=f"xoxb-{team}-x")
        return clients[team]

    first = deliver_target_alerts(real_advisor, client_for, teams=["TAL1", "TAL2"])
    assert [(s["team"], s["user"], s["status"]) for s in first["sent"]] == [("TAL1", "U0OWN1", "off_track")]
    dm = slack.wait_for("chat.postMessage")[0]
    assert dm["params"]["channel"] == "U0OWN1" and dm["token"] == "xoxb-TAL1-x"
    assert "went off track" in _text(dm["params"])
    assert deliver_target_alerts(real_advisor, client_for, teams=["TAL1", "TAL2"]) == {"sent": [], "failed": []}
    assert len(slack.of("chat.postMessage")) == 1


def test_serve_runs_the_alert_loop_next_to_the_app(real_bot, slack, real_advisor):
    import time

    from advisor.governance import run_target_command
    from bot.target_alerts import start_target_alerts

    run_target_command(real_advisor, "TLOOP", "set save_rate 50 for 2027-Q1 owner=<@U0LOOP|lu>", user="U1")
    loop = start_target_alerts(real_bot.app, real_bot.settings, interval=0.05)
    try:
        dm = slack.wait_for("chat.postMessage", timeout=60, where=lambda c: c["params"].get("channel") == "U0LOOP")
        assert "went off track" in _text(dm[0]["params"])
        time.sleep(0.5)  # several more rounds: nothing new to tell
    finally:
        loop.shutdown()
    assert len([c for c in slack.of("chat.postMessage") if c["params"].get("channel") == "U0LOOP"]) == 1
