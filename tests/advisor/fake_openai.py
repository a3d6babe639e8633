"""A local OpenAI-compatible chat server the tests script reply by reply (the real openai client talks to it)."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

__all__ = [
    "SERVER_THREAD",
    "FakeOpenAI",
    "Received",
    "Reply",
    "completion",
    "error",
    "run_fake_openai",
    "slots_in_prompt",
    "text",
    "tool_call",
]

SERVER_THREAD = "fake-openai"  # names of the server's own threads, so tests can tell them from the client's


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    delay: float = 0.0  # before the headers
    trickle: float = 0.0  # seconds between single bytes of the body (a server that never quite stalls)
    content_type: str = "application/json"


def completion(message: dict, finish: str = "stop") -> Reply:
    body = {
        "id": "chatcmpl-test", "object": "chat.completion", "created": 1_700_000_000, "model": "fake-model",
        "choices": [{"index": 0, "message": {"role": "assistant", **message}, "finish_reason": finish,
                     "logprobs": None}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
    }
    return Reply(body=json.dumps(body).encode())


def text(content: str | None) -> Reply:
    return completion({"content": content})


def tool_call(name: str, arguments: str, call_id: str = "call_1") -> Reply:
    call = {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}
    return completion({"content": None, "tool_calls": [call]}, finish="tool_calls")


def error(status: int, message: str = "server error") -> Reply:
    return Reply(status=status, body=json.dumps({"error": {"message": message, "type": "server_error"}}).encode())


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: str

    @property
    def json(self) -> dict:
        return json.loads(self.body)

    @property
    def prompt(self) -> str:
        return self.json["messages"][1]["content"]


@dataclass
class FakeOpenAI:
    url: str = ""
    script: list[Reply | Callable[[dict], Reply]] = field(default_factory=list)
    requests: list[Received] = field(default_factory=list)
    default: Reply | Callable[[dict], Reply] | None = None  # when the script is used up

    def next_reply(self, body: dict) -> Reply:
        item = self.script.pop(0) if self.script else self.default
        if item is None:
            return error(500, "no reply scripted")
        return item(body) if callable(item) else item


def _send(handler: BaseHTTPRequestHandler, reply: Reply) -> None:
    time.sleep(reply.delay)
    try:
        handler.send_response(reply.status)
        handler.send_header("Content-Type", reply.content_type)
        handler.send_header("Content-Length", str(len(reply.body)))
        handler.end_headers()
        if not reply.trickle:
            handler.wfile.write(reply.body)
            return
        for byte in reply.body:
            handler.wfile.write(bytes([byte]))
            handler.wfile.flush()
            time.sleep(reply.trickle)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the client gave up (timeout tests)


@contextmanager
def run_fake_openai() -> Iterator[FakeOpenAI]:
    fake = FakeOpenAI()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            threading.current_thread().name = SERVER_THREAD
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
            fake.requests.append(Received(self.path, {k.lower(): v for k, v in self.headers.items()}, raw))
            _send(self, fake.next_reply(json.loads(raw) if raw else {}))

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True, name=SERVER_THREAD)
    thread.start()
    fake.url = f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    try:
        yield fake
    finally:
        httpd.shutdown()
        httpd.server_close()


def slots_in_prompt(body: dict) -> dict[str, str]:
    """slot name -> what it shows, as the narrator offered them in a request."""
    prompt = body["messages"][1]["content"]
    rows = json.loads(re.search(r"SLOTS \(JSON[^\n]*\n(.*)\n\nWrite the narrative now", prompt, re.DOTALL).group(1))
    return {r["slot"]: r["shows"] for r in rows}
