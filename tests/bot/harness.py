"""Test harness: the real bot app under uvicorn on a free port, signed requests, payload builders."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import socket
import threading
import time
from typing import Any
from urllib.parse import urlencode

import httpx
import uvicorn
from slack_sdk.signature import SignatureVerifier

from advisor.settings import Settings
from bot.app import build_app
from bot.http import create_http_app
from bot.workers import WorkerPool

__all__ = ["SIGNING_SECRET", "BOT_TOKEN", "Harness", "make_settings", "free_port", "UvicornThread"]

SIGNING_SECRET = "test-signing-secret-0123456789"
BOT_TOKEN = "xoxb-T1-test-bot-token"
_ids = itertools.count(1)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_settings(home: Any, api_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = dict(home=home, slack_bot_token=BOT_TOKEN,
                                  slack_signing_secret=SIGNING_SECRET, slack_api_url=api_url)
    values.update(overrides)
    return Settings(**values)


class UvicornThread:
    def __init__(self, asgi_app: Any):
        self.port = free_port()
        config = uvicorn.Config(asgi_app, host="127.0.0.1", port=self.port, log_level="warning",
                                lifespan="on", backlog=2048)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.url = f"http://127.0.0.1:{self.port}"

    def start(self) -> UvicornThread:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=5)


def sign(body: str | bytes, *, secret: str = SIGNING_SECRET, timestamp: int | None = None) -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    if isinstance(body, bytes):  # Slack signs bytes; slack_sdk's helper would decode them first
        sig = "v0=" + hmac.new(secret.encode(), b"v0:" + ts.encode() + b":" + body, hashlib.sha256).hexdigest()
    else:
        sig = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": sig}


class Harness:
    """One bot process: app built on a state database, served over real HTTP."""

    def __init__(self, *, settings: Settings, advisor: Any, slack: Any, digests: Any = None,
                 placeholder_after: float = 1.5, process_before_response: bool = True,
                 workers: WorkerPool | None = None):
        self.slack, self.advisor, self.settings = slack, advisor, settings
        self.workers = workers or WorkerPool(max_workers=8)
        self.app = build_app(settings=settings, advisor=advisor, digests=digests, workers=self.workers,
                             placeholder_after=placeholder_after,
                             process_before_response=process_before_response)
        self.server = UvicornThread(create_http_app(self.app)).start()
        self.http = httpx.Client(base_url=self.server.url, timeout=10)

    def close(self) -> None:
        self.workers.wait_idle(10)
        self.http.close()
        self.server.stop()
        self.workers.shutdown()

    def idle(self, timeout: float = 10) -> None:
        assert self.workers.wait_idle(timeout)

    # --- raw requests ------------------------------------------------------------------------
    def post(self, body: str, *, content_type: str, headers: dict[str, str] | None = None,
             signed: bool = True) -> httpx.Response:
        h = {"Content-Type": content_type, **(sign(body) if signed else {}), **(headers or {})}
        return self.http.post("/slack/events", content=body.encode(), headers=h)

    def event(self, event: dict[str, Any], *, team: str = "T1", event_id: str | None = None,
              retry_num: int | None = None) -> httpx.Response:
        body = json.dumps(event_payload(event, team=team, event_id=event_id))
        headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"} \
            if retry_num is not None else {}
        return self.post(body, content_type="application/json", headers=headers)

    def command(self, text: str, *, team: str = "T1", channel: str = "C1", user: str = "U1") -> httpx.Response:
        return self.post(urlencode(command_payload(text, team=team, channel=channel, user=user,
                                                   response_url=self.slack.url + "response/cmd")),
                         content_type="application/x-www-form-urlencoded")

    def interact(self, payload: dict[str, Any]) -> httpx.Response:
        return self.post(urlencode({"payload": json.dumps(payload)}),
                         content_type="application/x-www-form-urlencoded")


def event_payload(event: dict[str, Any], *, team: str = "T1", event_id: str | None = None) -> dict[str, Any]:
    return {"token": "legacy", "team_id": team, "api_app_id": "A1", "type": "event_callback",
            "event_id": event_id or f"Ev{next(_ids):08d}", "event_time": int(time.time()),
            "authorizations": [{"team_id": team, "user_id": f"UBOT{team}", "is_bot": True}],
            "event": event}


def mention(text: str, *, channel: str = "C1", ts: str | None = None, thread_ts: str | None = None,
            user: str = "U1", team: str = "T1") -> dict[str, Any]:
    ev = {"type": "app_mention", "user": user, "text": f"<@UBOT{team}> {text}", "channel": channel,
          "ts": ts or f"{1600000000 + next(_ids)}.000001", "team": team}
    if thread_ts:
        ev["thread_ts"] = thread_ts
    return ev


def command_payload(text: str, *, team: str, channel: str, user: str, response_url: str) -> dict[str, str]:
    return {"token": "legacy", "team_id": team, "team_domain": "x", "channel_id": channel,
            "channel_name": "general", "user_id": user, "user_name": "u", "command": "/kpi",
            "text": text, "api_app_id": "A1", "response_url": response_url,
            "trigger_id": f"trig{next(_ids)}"}


def block_action(action_id: str, value: str, *, team: str = "T1", channel: str = "C1", user: str = "U1",
                 message_ts: str | None = "1600000000.000100", ephemeral: bool = False,
                 response_url: str = "") -> dict[str, Any]:
    container: dict[str, Any] = {"type": "message", "channel_id": channel, "is_ephemeral": ephemeral,
                                 "message_ts": message_ts}
    payload: dict[str, Any] = {
        "type": "block_actions", "team": {"id": team, "domain": "x"},
        "user": {"id": user, "team_id": team}, "api_app_id": "A1", "token": "legacy",
        "container": container, "trigger_id": f"trig{next(_ids)}", "channel": {"id": channel},
        "response_url": response_url,
        "actions": [{"type": "button", "action_id": action_id, "block_id": "b1", "value": value,
                     "action_ts": str(time.time())}],
    }
    if not ephemeral and message_ts:
        payload["message"] = {"type": "message", "ts": message_ts, "text": "answer"}
    return payload
