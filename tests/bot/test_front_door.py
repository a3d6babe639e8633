"""The HTTP front door, driven at the wire: size cap, signature before parsing, malformed bodies,
nothing logged from a body, replays acted on once, unknown interactions acknowledged."""

from __future__ import annotations

import json
import logging
import socket
import time
from urllib.parse import urlencode

import pytest

from bot.logs import RedactSecrets
from tests.bot.harness import Harness, block_action, command_payload, sign

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


def _post(bot: Harness, body: bytes, content_type: str, *, signed: bool = True, secret: str | None = None):
    headers = {"Content-Type": content_type}
    if signed:
        headers.update(sign(body, secret=secret) if secret else sign(body))  # type: ignore[arg-type]
    return bot.http.post("/slack/events", content=body, headers=headers)


MALFORMED = [
    pytest.param(JSON, b'{"type": "event_callback", "event": ', id="bad-json"),
    pytest.param(JSON, b'{"type": "\xff\xfe event_callback"}', id="invalid-utf8"),
    pytest.param(JSON, b"[1, 2, 3]", id="json-not-an-object"),
    pytest.param(FORM, b"payload=%7Bjunk%7D%7D", id="junk-payload"),
    pytest.param(FORM, b"payload=%5B%22a%22%5D", id="payload-not-an-object"),
    pytest.param(FORM, b"command=%2Fkpi&text=\xff\xfe", id="form-invalid-utf8"),
    pytest.param("text/plain", b"hello", id="unknown-content-type"),
]


@pytest.mark.parametrize("content_type,body", MALFORMED)
def test_malformed_bodies_get_400_signed_and_401_unsigned(bot, slack, advisor, caplog, content_type, body):
    caplog.set_level(logging.DEBUG)
    assert _post(bot, body, content_type).status_code == 400
    assert _post(bot, body, content_type, signed=False).status_code == 401
    bot.idle()
    assert slack.calls == [] and advisor.calls == []
    assert "Traceback" not in caplog.text and not any(r.exc_info for r in caplog.records)
    rejections = [r for r in caplog.records if r.name == "bot.http"]
    assert len(rejections) == 2 and all(len(r.getMessage()) < 200 for r in rejections)
    assert "hello" not in caplog.text and "junk" not in caplog.text


def test_a_forged_body_is_never_logged(bot, slack, caplog):
    caplog.set_level(logging.DEBUG)
    marker = "FORGED-CONTENT-" + "x" * 500_000
    body = json.dumps({"type": "event_callback", "team_id": "T1", "event": {"type": "app_mention", "text": marker}})
    r = _post(bot, body.encode(), JSON, secret="not-the-signing-secret")
    assert r.status_code == 401
    r = _post(bot, body.encode(), JSON, signed=False)
    assert r.status_code == 401
    assert "FORGED-CONTENT" not in caplog.text
    server_side = [r for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))]
    assert [r.name for r in server_side] == ["bot.http", "bot.http"]
    assert all(len(r.getMessage()) < 200 for r in server_side)
    assert slack.calls == []


def test_bolts_own_body_logging_is_cut_by_the_log_filter():
    record = logging.LogRecord("slack_bolt.middleware.request_verification", logging.INFO, __file__, 1,
                               "Invalid request signature detected (signature: v0=ab, timestamp: 1, body: %s)",
                               ("token=xyz&text=private+question",), None)
    assert RedactSecrets().filter(record)
    assert "private" not in record.getMessage() and "body: [not logged]" in record.getMessage()


def test_an_oversized_body_is_refused_from_its_length(bot):
    r = bot.http.post("/slack/events", content=b"x" * 1_200_000, headers={"Content-Type": JSON})
    assert r.status_code == 413


def test_an_oversized_chunked_body_is_refused_before_it_is_all_sent(bot):
    """2 MB in chunks and no Content-Length: the server answers 413 once it has read past its cap,
    while the client still has most of the body unsent."""
    host, port = "127.0.0.1", bot.server.port
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(f"POST /slack/events HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: {JSON}\r\n"
                     "Transfer-Encoding: chunked\r\n\r\n".encode())
        chunk = b"y" * 65_536
        sent = 0
        sock.settimeout(0.05)
        response = b""
        while sent < 2_000_000:
            try:
                sock.sendall(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += len(chunk)
            try:
                response += sock.recv(4096)
            except TimeoutError:
                continue
            if response:
                break
        sock.settimeout(10)
        while b"\r\n" not in response:
            data = sock.recv(4096)
            if not data:
                break
            response += data
    assert response.startswith(b"HTTP/1.1 413"), response[:100]
    assert sent < 1_500_000  # refused after about its 1 MB cap, not after reading all 2 MB
    assert bot.http.get("/healthz").status_code == 200


def _signed_form(fields: dict[str, str]) -> tuple[bytes, dict[str, str]]:
    body = urlencode(fields).encode()
    return body, {"Content-Type": FORM, **sign(body)}


def test_a_replayed_command_is_answered_once(bot, slack, advisor):
    body, headers = _signed_form(command_payload("engagement_rate last 28 days", team="T1", channel="C1",
                                                 user="U1", response_url=slack.url + "response/cmd"))
    for _ in range(3):  # the original, then two copies inside the 5-minute window
        assert bot.http.post("/slack/events", content=body, headers=headers).status_code == 200
    slack.wait_for("response_url")
    bot.idle()
    time.sleep(0.2)
    assert len(slack.of("response_url")) == 1 and len(advisor.of("answer")) == 1
    # The same text typed again is a new request (new timestamp or trigger): answered.
    bot.command("engagement_rate last 28 days")
    slack.wait_for("response_url", 2)
    assert len(advisor.of("answer")) == 2


def test_a_replayed_button_click_is_acted_on_once(bot, slack, advisor):
    body, headers = _signed_form({"payload": json.dumps(block_action("kpi.explain", '{"kpi_id": "reach"}'))})
    for _ in range(2):
        assert bot.http.post("/slack/events", content=body, headers=headers).status_code == 200
    slack.wait_for("chat.postMessage")
    bot.idle()
    time.sleep(0.2)
    assert len(advisor.of("run_action")) == 1 and len(slack.of("chat.postMessage")) == 1


def test_a_replayed_modal_submission_subscribes_once(bot, slack, digests):
    view = {"type": "view_submission", "team": {"id": "T1"}, "user": {"id": "U1", "team_id": "T1"},
            "api_app_id": "A1", "token": "legacy", "trigger_id": "trig-sub",
            "view": {"id": "V1", "type": "modal", "callback_id": "subscribe_modal", "private_metadata": "C1",
                     "state": {"values": {"spec": {"value": {"type": "plain_text_input",
                                                             "value": "weekly mon 09:00 goal=awareness"}}}}}}
    body, headers = _signed_form({"payload": json.dumps(view)})
    replies = [bot.http.post("/slack/events", content=body, headers=headers) for _ in range(2)]
    assert [r.status_code for r in replies] == [200, 200]
    assert replies[0].json()["response_action"] == "update"  # the modal turns into the confirmation
    assert replies[1].text == ""  # the replay only closes it
    bot.idle()
    assert len(digests.subs) == 1


def test_replays_are_recognised_by_every_process_on_the_state_database(settings, slack, advisor, digests):
    body, headers = _signed_form(command_payload("reach last week", team="T1", channel="C1", user="U1",
                                                 response_url=slack.url + "response/cmd"))
    first = Harness(settings=settings, advisor=advisor, slack=slack, digests=digests)
    second = Harness(settings=settings, advisor=advisor, slack=slack, digests=digests)
    try:
        assert first.http.post("/slack/events", content=body, headers=headers).status_code == 200
        slack.wait_for("response_url")
        first.idle()
        assert second.http.post("/slack/events", content=body, headers=headers).status_code == 200
        second.idle()
        time.sleep(0.2)
    finally:
        first.close()
        second.close()
    assert len(slack.of("response_url")) == 1 and len(advisor.of("answer")) == 1


def _interaction(kind: str) -> dict:
    base = {"team": {"id": "T1", "domain": "x"}, "user": {"id": "U1", "team_id": "T1"}, "api_app_id": "A1",
            "token": "legacy", "trigger_id": "trig-x"}
    if kind == "button":
        return block_action("legacy.button_from_an_old_message", "1")
    if kind == "shortcut":
        return {**base, "type": "shortcut", "callback_id": "old_shortcut", "action_ts": "1"}
    if kind == "message_shortcut":
        return {**base, "type": "message_action", "callback_id": "old_message_shortcut", "action_ts": "1",
                "channel": {"id": "C1"}, "message": {"ts": "1.1", "text": "x"}, "response_url": ""}
    if kind == "view_submission":
        return {**base, "type": "view_submission",
                "view": {"id": "V9", "type": "modal", "callback_id": "modal_from_v0", "state": {"values": {}}}}
    if kind == "view_closed":
        return {**base, "type": "view_closed", "view": {"id": "V9", "type": "modal", "callback_id": "modal_from_v0"}}
    if kind == "options":
        return {**base, "type": "block_suggestion", "action_id": "old_select", "block_id": "b", "value": "a"}
    raise ValueError(kind)


@pytest.mark.parametrize("kind", ["button", "shortcut", "message_shortcut", "view_submission", "view_closed",
                                  "options"])
def test_unknown_interactions_are_acknowledged_so_slack_shows_no_warning(bot, slack, advisor, caplog, kind):
    caplog.set_level(logging.INFO)
    r = bot.interact(_interaction(kind))
    assert r.status_code == 200, r.text
    if kind == "options":
        assert r.json() == {"options": []}
    else:
        assert r.text == ""
    bot.idle()
    assert slack.calls == [] and advisor.calls == []
    assert "Unhandled request" not in caplog.text


def test_an_unknown_command_and_an_unknown_event_are_acknowledged(bot, slack):
    r = bot.post(urlencode({**command_payload("x", team="T1", channel="C1", user="U1", response_url=""),
                            "command": "/kpi-old"}), content_type=FORM)
    assert r.status_code == 200 and "/kpi help" in r.json()["text"]
    r = bot.event({"type": "reaction_added", "user": "U1", "reaction": "tada", "item": {}})
    assert r.status_code == 200
    bot.idle()
    assert slack.calls == []


PASSWORD = "pw-Zq81-never-shown"


@pytest.mark.parametrize("data_url", [
    f"kpi:{PASSWORD}@warehouse.example/kpis",  # no scheme: "is not a database URL"
    f"postgresql+psycopg://kpi:{PASSWORD}@127.0.0.1:1/kpis",  # nothing listening
    f"postgresql+psycopg://kpi:{PASSWORD}@warehouse.example:port/kpis",  # a port that is not a number
    f"mysql://kpi:{PASSWORD}@warehouse.example/kpis",  # a driver that is not installed
    f"postgresql+psycopg://kpi:{PASSWORD} and more@127.0.0.1:1/kpis",  # a password no pattern can see
], ids=["no-scheme", "unreachable", "bad-port", "no-driver", "spaces"])
def test_a_bad_data_url_never_shows_its_password_in_slack_or_the_log(tmp_path, slack, caplog, data_url):
    from advisor import Advisor
    from tests.bot.fake_slack import wait_until
    from tests.bot.harness import make_settings, mention

    caplog.set_level(logging.DEBUG)
    settings = make_settings(tmp_path / "home", slack.api_url, data_url=data_url)
    h = Harness(settings=settings, advisor=Advisor.from_settings(settings), slack=slack, digests=None)
    try:
        h.command("engagement_rate last 28 days")
        h.event(mention("engagement rate last 28 days by platform", ts="1600000301.000001"))
        reply = slack.wait_for("response_url", timeout=30)[0]["params"]
        post = wait_until(lambda: [c for c in slack.of("chat.postMessage", "chat.update")
                                   if "Working on it" not in c["params"]["text"]], timeout=30)[0]["params"]
        h.idle(30)
    finally:
        h.close()
    assert "Engagement rate" not in reply["text"]  # it is an error message, not an answer
    everything = json.dumps([c["params"] for c in slack.calls]) + caplog.text
    assert PASSWORD not in everything
    assert post["text"] and reply["text"]
