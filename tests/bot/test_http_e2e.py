"""End to end through the real HTTP adapter: signed requests in, fake Slack Web API out."""

from __future__ import annotations

import json

from tests.bot.harness import mention


def test_mention_gets_threaded_reply_with_chart(bot, slack, advisor):
    r = bot.event(mention("engagement rate last 28 days", ts="1600000000.000001"))
    assert r.status_code == 200
    post = slack.wait_for("chat.postMessage")[0]
    assert post["params"]["thread_ts"] == "1600000000.000001"
    assert post["params"]["channel"] == "C1"
    assert post["token"] == "xoxb-T1-test-bot-token"
    assert "Answer: engagement rate last 28 days" in post["params"]["text"]
    blocks = json.loads(post["params"]["blocks"]) if isinstance(post["params"]["blocks"], str) else post["params"]["blocks"]
    assert blocks[0]["type"] == "header"
    call = advisor.of("answer")[0]
    assert call["workspace"] == "T1" and call["thread"] == "T1:C1:1600000000.000001"
    assert call["question"] == "engagement rate last 28 days"  # the bot's mention is stripped
    complete = slack.wait_for("files.completeUploadExternal")[0]
    assert complete["params"]["thread_ts"] == "1600000000.000001"
    assert slack.of("upload")  # bytes went to the upload URL


def _blocks(call):
    b = call["params"].get("blocks")
    return json.loads(b) if isinstance(b, str) else (b or [])


def test_direct_message_answered_in_thread_and_bot_echoes_ignored(bot, slack, advisor):
    dm = {"type": "message", "channel": "D1", "channel_type": "im", "user": "U1",
          "text": "which KPI for awareness?", "ts": "1600000001.000001"}
    assert bot.event(dm).status_code == 200
    post = slack.wait_for("chat.postMessage")[0]
    assert post["params"]["channel"] == "D1" and post["params"]["thread_ts"] == "1600000001.000001"
    # Our own posts, edits and channel chatter come back as events too: acknowledged, ignored.
    for ev in (
        {**dm, "ts": "1600000001.000002", "bot_id": "BBOTT1", "user": "UBOTT1"},
        {**dm, "ts": "1600000001.000003", "subtype": "message_changed"},
        {**dm, "ts": "1600000001.000004", "channel_type": "channel", "channel": "C9"},
    ):
        assert bot.event(ev).status_code == 200
    bot.idle()
    assert len(advisor.of("answer")) == 1
    assert len(slack.of("chat.postMessage")) == 1


def test_slow_answer_posts_placeholder_then_updates_it_in_place(settings, slack, digests):
    from tests.bot.fake_advisor import FakeAdvisor
    from tests.bot.harness import Harness

    slow = FakeAdvisor(delay=0.6)
    h = Harness(settings=settings, advisor=slow, slack=slack, digests=digests, placeholder_after=0.1)
    try:
        h.event(mention("slow one", ts="1600000002.000001"))
        placeholder = slack.wait_for("chat.postMessage")[0]
        assert "Working on it" in placeholder["params"]["text"]
        update = slack.wait_for("chat.update")[0]
        assert update["params"]["ts"] == placeholder["ts"]  # the placeholder itself was edited
        assert "Answer: slow one" in update["params"]["text"]
        h.idle()
        assert len(slack.of("chat.postMessage")) == 1  # no second message: updated in place
    finally:
        h.close()


def test_slash_command_acks_empty_then_answers_ephemerally_with_share(bot, slack, advisor):
    r = bot.command("engagement_rate last 28 days by platform")
    assert r.status_code == 200 and r.text == ""
    resp = slack.wait_for("response_url")[0]["params"]
    assert resp["response_type"] == "ephemeral"
    assert "Answer: engagement_rate last 28 days by platform" in resp["text"]
    buttons = [e for b in resp["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert {b["action_id"] for b in buttons} >= {"kpi.show_value", "kpi.explain", "kpi.share"}
    assert advisor.of("answer")[0]["thread"] == "T1:C1:kpi-U1"
    assert not slack.of("chat.postMessage")  # only the asker sees it


def test_slash_subcommands_route_to_the_advisor(bot, slack, advisor):
    bot.command("value engagement_rate last 7 days")
    bot.command("explain reach")
    bot.command("recommend awareness")
    bot.command("scorecard awareness last month")
    slack.wait_for("response_url", 4)
    questions = [c["question"] for c in advisor.of("answer")]
    assert sorted(questions) == sorted(["value engagement_rate last 7 days", "explain reach",
                                        "which KPI for awareness?"])
    assert advisor.of("compose_digest")[0] == {"kind": "compose_digest", "workspace": "T1",
                                                "goal": "awareness", "period": "last month"}


def test_slash_help_and_bad_input_are_answered_in_the_ack(bot, slack, advisor):
    r = bot.command("help")
    assert r.status_code == 200 and "/kpi value" in r.json()["text"]
    r = bot.command("value")
    assert "Which KPI?" in r.json()["text"]
    r = bot.command("x" * 3000)
    assert "under 2,000" in r.json()["text"]
    bot.idle()
    assert not advisor.calls and not slack.calls


def test_user_errors_are_short_and_specific_bugs_get_a_reference(bot, slack, caplog):
    bot.command("nosuchkpi last week")
    text = slack.wait_for("response_url")[0]["params"]["text"]
    assert "Unknown KPI 'nosuchkpi'" in text and "reach" in text and "/kpi list" in text
    slack.clear()
    bot.command("crash please")
    text = slack.wait_for("response_url")[0]["params"]["text"]
    assert "Sorry, something went wrong" in text and "ref" in text
    assert "xoxb" not in text and "Traceback" not in text
    assert "RuntimeError" in caplog.text  # the stack trace goes to the log


def test_digest_subcommands_delegate_to_the_digest_service(bot, slack, digests):
    bot.command("digest subscribe weekly mon 09:00 Europe/Berlin goal=awareness")
    assert "Subscribed this channel (id `1`)" in slack.wait_for("response_url")[0]["params"]["text"]
    assert digests.subs[0].team_id == "T1" and digests.subs[0].channel_id == "C1"
    bot.command("digest list")
    assert "weekly mon 09:00" in slack.wait_for("response_url", 2)[1]["params"]["blocks"][0]["text"]["text"]
    bot.command("digest pause 1")
    slack.wait_for("response_url", 3)
    assert digests.subs[0].status == "paused"
    bot.command("digest subscribe every full moon")
    assert "start with daily" in slack.wait_for("response_url", 4)[3]["params"]["text"]
    r = bot.command("digest frobnicate")
    assert "Unknown digest command" in r.json()["text"]


def test_mention_text_cannot_ping_the_channel(bot, slack):
    bot.event(mention("<!channel> what is reach"))
    post = slack.wait_for("chat.postMessage")[0]
    mrkdwn = [post["params"]["text"]] + [
        b["text"]["text"] for b in _blocks(post) if b.get("text", {}).get("type") == "mrkdwn"]
    assert all("<!channel>" not in t for t in mrkdwn)  # plain_text headers never ping
    assert "&lt;!channel&gt;" in post["params"]["text"]


def test_thread_replies_without_a_mention_are_follow_ups_only_in_the_bots_threads(bot, slack, advisor):
    root = "1600000100.000001"
    bot.event(mention("engagement rate last 28 days", ts=root))
    slack.wait_for("chat.postMessage")

    def reply(text, thread_ts, ts):
        return {"type": "message", "channel": "C1", "channel_type": "channel", "user": "U1",
                "text": text, "ts": ts, "thread_ts": thread_ts}

    bot.event(reply("and on tiktok?", root, "1600000100.000002"))
    posts = slack.wait_for("chat.postMessage", 2)
    assert posts[1]["params"]["thread_ts"] == root
    follow = advisor.of("answer")[-1]
    assert follow["question"] == "and on tiktok?" and follow["thread"] == f"T1:C1:{root}"
    assert "earlier=engagement rate last 28 days" in posts[1]["params"]["text"]

    bot.event(reply("lunch anyone?", "1600000200.000001", "1600000200.000002"))  # not the bot's thread
    bot.event(reply("<@UBOTT1> why did it drop?", root, "1600000100.000003"))  # arrives as app_mention too
    bot.idle()
    assert [c["question"] for c in advisor.of("answer")] == ["engagement rate last 28 days", "and on tiktok?"]
