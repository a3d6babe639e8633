"""A small local stand-in for the Slack Web API that records every call.

Point ``slack_sdk.WebClient(base_url=server.url)`` at it. Supports the methods
the digest delivery uses; failures are injected per method with ``fail``.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

__all__ = ["FakeSlack"]


class FakeSlack:
    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.messages: dict[str, list[dict[str, Any]]] = {}  # channel -> messages, oldest first
        self.uploads: dict[str, bytes] = {}
        self.files: list[dict[str, Any]] = []  # completed uploads: channel, thread_ts, title, alt_txt, data
        self.alt_texts: dict[str, Any] = {}
        self.channel_errors: dict[str, str] = {}  # channel -> error for chat.postMessage
        self.token_errors: dict[str, str] = {}  # bot token -> error for every call made with it
        self._failures: dict[str, list[tuple[int, str, dict[str, str]]]] = {}
        self._lock = threading.Lock()
        self._n = 0
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/api/"

    def start(self) -> FakeSlack:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def fail(self, method: str, error: str = "internal_error", *, status: int = 200,
             headers: dict[str, str] | None = None, times: int = 1) -> None:
        """Answer the next ``times`` calls of ``method`` with an error."""
        self._failures.setdefault(method, []).extend([(status, error, headers or {})] * times)

    def posts(self, channel: str | None = None) -> list[dict[str, Any]]:
        """Top-level bot messages (not thread replies), optionally in one channel."""
        out = []
        for ch, msgs in self.messages.items():
            if channel is None or ch == channel:
                out += [m for m in msgs if not m.get("thread_ts")]
        return out

    def method_calls(self, method: str, token: str | None = None) -> list[dict[str, Any]]:
        return [args for m, args in self.calls if m == method and (token is None or args.get("_token") == token)]

    # ------------------------------------------------------------------ HTTP
    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            # one write per response and no Nagle: otherwise every call waits out a delayed ACK
            wbufsize = 1 << 16
            disable_nagle_algorithm = True

            def log_message(self, *args: Any) -> None:
                pass

            def _args(self) -> dict[str, Any]:
                parsed = urlparse(self.path)
                args: dict[str, Any] = {k: v[0] for k, v in parse_qs(parsed.query).items()}
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                ctype = self.headers.get("Content-Type", "")
                if parsed.path.startswith("/upload/"):
                    args["_data"] = body
                elif "json" in ctype and body:
                    args.update(json.loads(body))
                elif body:
                    args.update({k: v[0] for k, v in parse_qs(body.decode()).items()})
                return args

            def _reply(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
                data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json" if not isinstance(payload, bytes)
                                 else "text/plain")
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                self.do_POST()

            def do_POST(self) -> None:
                path = urlparse(self.path).path
                args = self._args()
                if path.startswith("/upload/"):
                    fake.uploads[path.rsplit("/", 1)[1]] = args["_data"]
                    self._reply(200, b"OK")
                    return
                method = path.removeprefix("/api/")
                token = (self.headers.get("Authorization") or "").removeprefix("Bearer ").strip()
                args["_token"] = token
                with fake._lock:
                    fake.calls.append((method, args))
                    if token in fake.token_errors:
                        self._reply(200, {"ok": False, "error": fake.token_errors[token]})
                        return
                    queued = fake._failures.get(method)
                    failure = queued.pop(0) if queued else None
                if failure:
                    status, error, headers = failure
                    self._reply(status, {"ok": False, "error": error}, headers)
                    return
                handler = getattr(fake, "_m_" + method.replace(".", "_"), None)
                if handler is None:
                    self._reply(200, {"ok": False, "error": "unknown_method"})
                    return
                with fake._lock:
                    self._reply(200, handler(args))

        return Handler

    # ------------------------------------------------------------------ methods
    def _ts(self) -> str:
        self._n += 1
        return f"{1750000000 + self._n}.{self._n:06d}"

    def _m_auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "team_id": "T1", "user_id": "UBOT"}

    def _m_chat_postMessage(self, args: dict[str, Any]) -> dict[str, Any]:
        ch = str(args.get("channel", ""))
        if ch in self.channel_errors:
            return {"ok": False, "error": self.channel_errors[ch]}
        if ch.startswith("U"):
            ch = "D" + ch
        metadata = args.get("metadata")
        if isinstance(metadata, str):
            metadata = json.loads(metadata)
        blocks = args.get("blocks")
        if isinstance(blocks, str):
            blocks = json.loads(blocks)
        msg = {"ts": self._ts(), "text": args.get("text", ""), "blocks": blocks,
               "metadata": metadata, "thread_ts": args.get("thread_ts"), "user": "UBOT"}
        self.messages.setdefault(ch, []).append(msg)
        return {"ok": True, "channel": ch, "ts": msg["ts"], "message": msg}

    def _m_conversations_open(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "channel": {"id": "D" + str(args.get("users"))}}

    def _m_conversations_history(self, args: dict[str, Any]) -> dict[str, Any]:
        ch = str(args.get("channel", ""))
        if ch in self.channel_errors:
            return {"ok": False, "error": self.channel_errors[ch]}
        with_meta = str(args.get("include_all_metadata", "")).lower() in ("1", "true")
        msgs = [dict(m) for m in reversed(self.messages.get(ch, [])) if not m.get("thread_ts")]
        if not with_meta:
            for m in msgs:
                m.pop("metadata", None)
        return {"ok": True, "messages": msgs, "has_more": False}

    def _m_files_getUploadURLExternal(self, args: dict[str, Any]) -> dict[str, Any]:
        self._n += 1
        fid = f"F{self._n:06d}"
        self.alt_texts[fid] = args.get("alt_txt")  # what a screen reader says about the chart
        base = self.url.removesuffix("/api/")
        return {"ok": True, "upload_url": f"{base}/upload/{fid}", "file_id": fid}

    def _m_files_completeUploadExternal(self, args: dict[str, Any]) -> dict[str, Any]:
        files = args.get("files")
        files = json.loads(files) if isinstance(files, str) else files
        ch = args.get("channel_id") or args.get("channels")
        out = []
        for f in files or []:
            rec = {"id": f["id"], "title": f.get("title"), "alt_txt": self.alt_texts.get(f["id"]), "channel": ch,
                   "thread_ts": args.get("thread_ts"), "data": self.uploads.get(f["id"], b"")}
            self.files.append(rec)
            self.messages.setdefault(str(ch), []).append(
                {"ts": self._ts(), "text": "", "files": [{"id": f["id"]}], "thread_ts": args.get("thread_ts")})
            out.append({"id": f["id"], "title": f.get("title")})
        return {"ok": True, "files": out}
