"""Signatures, retries (also across a restart), rate limits, and workspace isolation."""

from __future__ import annotations

import json
import logging
import re
import time

import pytest

from bot.logs import install_redaction
from tests.bot.fake_advisor import FakeAdvisor
from tests.bot.harness import SIGNING_SECRET, Harness, make_settings, mention, sign


def _event_body() -> str:
    return json.dumps({"type": "event_callback", "team_id": "T1", "event_id": "EvX", "api_app_id": "A1",
                       "event": mention("hello")})


@pytest.mark.parametrize("headers", [
    pytest.param(lambda b: sign(b, secret="wrong-secret"), id="forged"),
    pytest.param(lambda b: sign(b, timestamp=int(time.time()) - 600), id="stale"),
    pytest.param(lambda b: sign(b, timestamp=int(time.time()) + 600), id="future"),
    pytest.param(lambda b: {**sign(b), "X-Slack-Request-Timestamp": "soon"}, id="bad-timestamp"),
    pytest.param(lambda b: sign(b + " "), id="tampered"),
    pytest.param(lambda b: {}, id="missing"),
    pytest.param(lambda b: {"X-Slack-Request-Timestamp": str(int(time.time()))}, id="no-signature"),
])
def test_bad_signatures_get_401_and_touch_nothing(bot, slack, advisor, headers):
    body = _event_body()
    r = bot.http.post("/slack/events", content=body,
                      headers={"Content-Type": "application/json", **headers(body)})
    assert r.status_code == 401
    bot.idle()
    time.sleep(0.05)  # nothing is queued, but give a stray thread a chance to misbehave
    assert slack.calls == [] and advisor.calls == []


def test_url_verification_echoes_the_challenge(bot, slack):
    body = json.dumps({"token": "legacy", "challenge": "ch4ll3nge", "type": "url_verification"})
    r = bot.post(body, content_type="application/json")
    assert r.status_code == 200 and "ch4ll3nge" in r.text
    assert bot.http.get("/healthz").json()["ok"] is True


def test_retried_delivery_is_answered_once_also_after_restart(settings, slack, advisor, digests):
    ev = mention("once please", ts="1600000003.000001")
    first = Harness(settings=settings, advisor=advisor, slack=slack, digests=digests)
    try:
        assert first.event(ev, event_id="EvSame").status_code == 200
        for n in (1, 2):
            assert first.event(ev, event_id="EvSame", retry_num=n).status_code == 200
        slack.wait_for("chat.postMessage")
        first.idle()
    finally:
        first.close()
    # A new process on the same state database still remembers the delivery.
    second = Harness(settings=settings, advisor=advisor, slack=slack, digests=digests)
    try:
        assert second.event(ev, event_id="EvSame", retry_num=3).status_code == 200
        assert second.event(mention("new question"), event_id="EvOther").status_code == 200
        slack.wait_for("chat.postMessage", 2)
        second.idle()
    finally:
        second.close()
    posts = slack.of("chat.postMessage")
    assert sum("once please" in p["params"]["text"] for p in posts) == 1
    assert [c["question"] for c in advisor.of("answer")] == ["once please", "new question"]


def test_rate_limited_call_is_retried_after_retry_after(bot, slack):
    slack.rate_limit_once.add("chat.postMessage")
    bot.event(mention("under pressure"))
    calls = slack.wait_for("chat.postMessage", 2, timeout=8)
    assert [c["status"] for c in calls] == [429, 200]
    assert calls[1]["at"] - calls[0]["at"] >= 0.9  # waited for Retry-After: 1


def _install(h: Harness, slack, team: str) -> None:
    slack.oauth_team = team
    page = h.http.get("/slack/install")
    assert page.status_code == 200
    state = re.search(r"state=([^&\"']+)", page.text).group(1)
    cookie = page.headers["set-cookie"].split(";")[0]
    done = h.http.get(f"/slack/oauth_redirect?code=code-{team}&state={state}", headers={"Cookie": cookie})
    assert done.status_code == 200, done.text


def test_workspaces_are_isolated_under_oauth(tmp_path, slack, digests, caplog):
    caplog.set_level(logging.DEBUG)
    install_redaction([caplog.handler], secrets=["oauth-client-secret"])
    advisor = FakeAdvisor()
    settings = make_settings(tmp_path / "home", slack.api_url, slack_bot_token=None,
                             slack_client_id="111.222", slack_client_secret="oauth-client-secret")
    h = Harness(settings=settings, advisor=advisor, slack=slack, digests=digests)
    try:
        _install(h, slack, "T1")
        _install(h, slack, "T2")
        assert [c["params"]["code"] for c in slack.of("oauth.v2.access")] == ["code-T1", "code-T2"]
        slack.clear()
        advisor.update_workspace("T1", followed_kpis=["t1_only_kpi"])
        # Same channel id and thread ts in both workspaces: contexts must not mix.
        h.event(mention("t1 question", channel="C1", ts="1600000009.000001", team="T1"), team="T1")
        slack.wait_for("chat.postMessage")
        h.event(mention("t2 question", channel="C1", thread_ts="1600000009.000001", team="T2"), team="T2")
        posts = slack.wait_for("chat.postMessage", 2)
        h.idle()
        by_team = {p["token"]: p["params"]["text"] for p in posts}
        assert set(by_team) == {"xoxb-T1-secret-oauth-token", "xoxb-T2-secret-oauth-token"}
        t2_text = by_team["xoxb-T2-secret-oauth-token"]
        assert "ws=T2" in t2_text and "earlier=-" in t2_text and "t1_only_kpi" not in t2_text
        assert {c["thread"] for c in advisor.of("answer")} == {"T1:C1:1600000009.000001",
                                                               "T2:C1:1600000009.000001"}
        # A T1 share token is useless in T2, and T1's subscriptions cannot be paused from T2.
        h.command("engagement_rate", team="T1")
        token = json.loads(next(
            e["value"] for b in slack.wait_for("response_url")[0]["params"]["blocks"]
            if b["type"] == "actions" for e in b["elements"] if e["action_id"] == "kpi.share"))["t"]
        digests.subscribe("T1", "C1", "U1", "weekly mon 09:00")
        h.command("digest pause 1", team="T2")
        assert "No subscription 1" in slack.wait_for("response_url", 2)[1]["params"]["text"]
        assert digests.subs[0].status == "active"
        from tests.bot.harness import block_action

        h.interact(block_action("kpi.share", json.dumps({"t": token, "q": "other"}), team="T2",
                                ephemeral=True, message_ts=None, response_url=slack.url + "response/s"))
        shared = slack.wait_for("chat.postMessage", 3)[2]
        assert shared["token"] == "xoxb-T2-secret-oauth-token" and "ws=T2" in shared["params"]["text"]
        h.idle()
    finally:
        h.close()
    # slack_sdk logs OAuth responses at DEBUG; the redaction filter keeps tokens out of the log.
    assert "secret-oauth-token" not in caplog.text and "oauth-client-secret" not in caplog.text
    assert SIGNING_SECRET not in caplog.text
