"""A local HTTP server playing Slack's Web API (and response_url / upload URLs); records every call."""

from __future__ import annotations

import itertools
import json
import re
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

__all__ = ["FakeSlack", "team_of_token", "wait_until"]


def wait_until(predicate: Callable[[], Any], timeout: float = 5.0, interval: float = 0.01) -> Any:
    """Poll ``predicate`` until it is truthy; fail the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        time.sleep(interval)


def team_of_token(token: str | None) -> str:
    """Test tokens look like xoxb-T1-...; the fake answers auth.test with that team."""
    m = re.match(r"xox[bp]-([A-Z0-9]+)-", token or "")
    return m.group(1) if m else "T0"


class FakeSlack:
    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        self.ts = itertools.count(1)
        self.rate_limit_once: set[str] = set()
        self.errors: dict[str, str] = {}  # method -> Slack error code to answer with
        self.delays: dict[str, float] = {}  # method -> seconds to wait before answering (a slow Slack)
        self.ws_url = "ws://127.0.0.1:1/link"
        self.oauth_team = "T2"
        self.outside_channels: set[str] = set()  # channels the bot is not a member of (conversations.info)
        self.hidden_channels: set[str] = set()  # private channels the bot cannot see at all
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                status, headers, body = fake._handle(self.path, dict(self.headers), raw)
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Type", "application/json" if not isinstance(body, bytes) else "text/plain")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST  # noqa: N815

        ThreadingHTTPServer.request_queue_size = 1024  # bursts: the default backlog of 5 drops connections
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self.api_url = self.url + "api/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> FakeSlack:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # --- recording -------------------------------------------------------------------------
    def _params(self, headers: dict[str, str], raw: bytes) -> dict[str, Any]:
        ctype = {k.lower(): v for k, v in headers.items()}.get("content-type", "")
        if "json" in ctype:
            return json.loads(raw or b"{}")
        if "x-www-form-urlencoded" in ctype:
            return dict(parse_qsl(raw.decode()))
        return {"_bytes": len(raw)}

    def _handle(self, path: str, headers: dict[str, str], raw: bytes) -> tuple[int, dict, Any]:
        path = path.split("?", 1)[0]
        auth = {k.lower(): v for k, v in headers.items()}.get("authorization", "")
        token = auth.removeprefix("Bearer ") or None
        if path.startswith("/api/"):
            method = path.removeprefix("/api/")
        elif path.startswith("/response/"):
            method = "response_url"
        elif path.startswith("/upload/"):
            method = "upload"
        else:
            method = path
        try:
            params = self._params(headers, raw) if method != "upload" else {"_bytes": len(raw)}
        except (ValueError, UnicodeDecodeError):
            params = {"_bytes": len(raw)}
        if token is None and isinstance(params, dict) and params.get("token"):
            token = params["token"]
        call = {"method": method, "path": path, "token": token, "params": params, "at": time.monotonic()}
        with self.lock:
            self.calls.append(call)
            limited = method in self.rate_limit_once
            self.rate_limit_once.discard(method)
            error = self.errors.get(method)
            delay = self.delays.get(method, 0.0)
        if delay:
            time.sleep(delay)
        call["status"] = 429 if limited else 200
        if limited:
            return 429, {"Retry-After": "1"}, {"ok": False, "error": "ratelimited"}
        if error:
            return 200, {}, {"ok": False, "error": error}
        result = self._answer(method, token, params)
        if isinstance(result, dict) and result.get("ts"):
            call["ts"] = result["ts"]  # lets a chat.update be traced back to its placeholder
        return 200, {}, result

    def _answer(self, method: str, token: str | None, p: dict[str, Any]) -> Any:
        team = team_of_token(token)
        if method == "auth.test":
            return {"ok": True, "team_id": team, "team": f"team {team}", "user_id": f"UBOT{team}",
                    "bot_id": f"BBOT{team}", "user": "kpi-advisor", "url": "https://example.slack.com/"}
        if method in ("chat.postMessage", "chat.update"):
            ts = p.get("ts") or f"{1700000000 + next(self.ts)}.000100"
            return {"ok": True, "channel": p.get("channel"), "ts": ts, "message": {"text": p.get("text")}}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": f"{1700000000 + next(self.ts)}.000200"}
        if method in ("views.publish", "views.open"):
            return {"ok": True, "view": {"id": "V1", **(json.loads(p["view"]) if isinstance(p.get("view"), str) else p.get("view") or {})}}
        if method == "files.getUploadURLExternal":
            return {"ok": True, "upload_url": self.url + "upload/F1", "file_id": "F1"}
        if method == "upload":
            return b"OK"
        if method == "files.completeUploadExternal":
            return {"ok": True, "files": [{"id": "F1", "title": "chart"}]}
        if method == "oauth.v2.access":
            t = self.oauth_team
            return {"ok": True, "access_token": f"xoxb-{t}-secret-oauth-token", "token_type": "bot",
                    "scope": "chat:write,commands", "bot_user_id": f"UBOT{t}", "app_id": "A1",
                    "team": {"id": t, "name": f"team {t}"}, "enterprise": None,
                    "is_enterprise_install": False, "authed_user": {"id": "UADMIN"}}
        if method == "conversations.open":
            return {"ok": True, "channel": {"id": "D" + str(p.get("users", "")).split(",")[0]}}
        if method == "conversations.info":
            channel = str(p.get("channel", ""))
            if channel in self.hidden_channels:
                return {"ok": False, "error": "channel_not_found"}
            member = channel not in self.outside_channels
            return {"ok": True, "channel": {"id": channel, "is_member": member, "is_im": channel.startswith("D"),
                                            "is_channel": channel.startswith("C")}}
        if method == "apps.connections.open":
            return {"ok": True, "url": self.ws_url}
        if method == "response_url":
            return b"ok"
        return {"ok": True}

    # --- queries -----------------------------------------------------------------------------
    def of(self, *methods: str) -> list[dict[str, Any]]:
        with self.lock:
            return [c for c in self.calls if c["method"] in methods]

    def clear(self) -> None:
        with self.lock:
            self.calls.clear()

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0,
                 where: Callable[[dict[str, Any]], bool] = lambda c: True) -> list[dict[str, Any]]:
        return wait_until(lambda: (lambda cs: cs if len(cs) >= count else None)(
            [c for c in self.of(method) if where(c)]), timeout)
