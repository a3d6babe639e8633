"""HTTP mode: a Starlette ASGI app with the Slack events, OAuth and health endpoints.

The events endpoint checks, in this order and before anything else looks at the body:
its size (streamed, with a hard cap, chunked bodies included), its signature (on the raw
bytes), then that it parses. Each rejection is one short log line without the body.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import hmac
import importlib.util
import json
import logging
import time
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qs

from slack_bolt import App, BoltRequest
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from bot.oauth import INSTALL_PATH, REDIRECT_PATH

__all__ = ["create_http_app", "run_http", "uvicorn_options", "read_body", "parse_body", "BadBody",
           "signature_problem",
           "EVENTS_PATH", "HEALTH_PATH", "MAX_BODY_BYTES"]

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
MAX_BODY_BYTES = 1_000_000  # Slack payloads are a few kB; anything this big is not from Slack


class BadBody(ValueError):
    """A request body that cannot be a Slack payload; ``str()`` is the short reason for the log."""


async def read_body(request: Request, limit: int = MAX_BODY_BYTES) -> bytes | None:
    """The body, or None as soon as it passes ``limit`` bytes (whatever Content-Length claims)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.strip().isdigit() and int(declared) > limit:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def parse_body(body: bytes, content_type: str) -> tuple[str, str]:
    """(text, payload type) once the body is known to parse the way bolt will parse it; raises BadBody.

    The type is the JSON payload's "type" (event_callback, block_actions, view_submission, ...),
    "command" for a slash command, "" otherwise.
    """
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise BadBody("body is not UTF-8") from None
    kind = content_type.split(";", 1)[0].strip().lower()
    if kind == "application/json":
        return text, str(_json_object(text, "JSON body").get("type") or "")
    if kind == "application/x-www-form-urlencoded":
        form = parse_qs(text)
        if "payload" in form:
            return text, str(_json_object(form["payload"][0], "payload").get("type") or "")
        return text, "command" if "command" in form else ""
    raise BadBody(f"unsupported content type {kind[:60]!r}")


def _json_object(text: str, what: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError:
        raise BadBody(f"{what} is not JSON") from None
    if not isinstance(value, dict):
        raise BadBody(f"{what} is not a JSON object")
    return value


# Listeners for these may touch the database or Slack before they ack (a modal's fields are
# validated on submit): they run on a thread, never on the event loop.
_THREADED_TYPES = {"view_submission"}


MAX_SKEW_SECONDS = 300  # Slack's rule: a timestamp more than 5 minutes from now is refused


def signature_problem(secret: bytes, body: bytes, timestamp: str | None, signature: str | None,
                      *, now: float | None = None) -> str | None:
    """Why the request is not Slack's (None when it is): v0 HMAC-SHA256 over the raw bytes.

    slack_sdk's verifier decodes the body first, so a body that is not UTF-8 raised there
    instead of being refused; here nothing is decoded before the signature holds.
    """
    if not timestamp or not signature:
        return "unsigned"
    try:
        skew = abs((time.time() if now is None else now) - int(timestamp))
    except ValueError:
        return "bad timestamp"
    if skew > MAX_SKEW_SECONDS:
        return "timestamp too far from now"
    expected = "v0=" + hmac.new(secret, b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256).hexdigest()
    return None if hmac.compare_digest(expected, signature) else "bad signature"


def _reject(status: int, reason: str, request: Request) -> Response:
    client = request.client.host if request.client else "?"
    log.info("rejected a request to %s from %s: %s", request.url.path, client, reason)
    text = {400: "Bad request", 401: "Invalid request signature", 413: "Payload too large"}.get(status, "Rejected")
    return PlainTextResponse(text, status_code=status)


def create_http_app(bolt_app: App, *, signing_secret: str | None = None, request_threads: int = 100) -> Starlette:
    """Wrap ``bolt_app`` for uvicorn.

    ``signing_secret`` verifies every events request here, on the raw bytes, before bolt
    parses anything (default: the secret ``bolt_app`` was built with).

    When bolt runs listeners on the request (process_before_response) and authorizes without
    I/O (one workspace token, checked at start-up), a request is dispatched on the event loop
    itself: the listeners only ack and queue work, and a thread hop per request was half the
    CPU of an ack under a burst. OAuth installs look the installation up in the database per
    request, so they, and modal submissions, are dispatched on threads (bolt's dispatch is
    synchronous; the event loop keeps acknowledging other requests meanwhile).
    """
    secret = signing_secret or getattr(bolt_app, "_signing_secret", None)
    if not secret:
        raise ValueError("HTTP mode needs the signing secret: set SLACK_SIGNING_SECRET "
                         "(Basic Information -> App Credentials).")
    key = secret.encode()

    services: Any = getattr(bolt_app, "kpi_services", None)
    gate: Any = getattr(getattr(services, "workers", None), "gate", None)  # bot.workers.AckFirst
    inline = bolt_app.process_before_response and bolt_app.oauth_flow is None

    async def events(request: Request) -> Response:
        if gate is None:
            return await acknowledge(request)
        gate.enter()  # background jobs wait while requests are being acknowledged
        try:
            return await acknowledge(request)
        finally:
            gate.leave()

    async def acknowledge(request: Request) -> Response:
        try:
            body = await read_body(request)
        except ClientDisconnect:
            return _reject(400, "client went away mid-body", request)
        if body is None:
            return _reject(413, f"body over {MAX_BODY_BYTES} bytes", request)
        problem = signature_problem(key, body, request.headers.get("x-slack-request-timestamp"),
                                    request.headers.get("x-slack-signature"))
        if problem is not None:
            return _reject(401, problem, request)
        try:
            text, kind = parse_body(body, request.headers.get("content-type", ""))
        except BadBody as exc:
            return _reject(400, str(exc), request)
        bolt_request = BoltRequest(body=text, query=request.url.query, headers=dict(request.headers))
        if inline and kind not in _THREADED_TYPES:
            bolt_resp = bolt_app.dispatch(bolt_request)
        else:
            bolt_resp = await run_in_threadpool(bolt_app.dispatch, bolt_request)
        return to_starlette_response(bolt_resp)

    async def install(request: Request) -> Response:
        flow = bolt_app.oauth_flow
        if flow is None:
            return PlainTextResponse(
                "This app runs with a single workspace token; installation by OAuth is not enabled.",
                status_code=404,
            )
        handler = flow.handle_installation if request.url.path == INSTALL_PATH else flow.handle_callback
        bolt_resp = await run_in_threadpool(handler, to_bolt_request(request, b""))
        return to_starlette_response(bolt_resp)

    async def healthz(request: Request) -> Response:
        services: Any = getattr(bolt_app, "kpi_services", None)
        pending = services.workers.pending if services is not None else 0
        return JSONResponse({"ok": True, "pending_jobs": pending})

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        import anyio.to_thread

        # Each in-flight request holds a thread only for its (fast) ack; allow bursts.
        anyio.to_thread.current_default_thread_limiter().total_tokens = request_threads
        # Everything loaded so far (modules, the app, its clients) lives as long as the process:
        # moved out of the collector's sight, a full collection during a burst costs a few ms, not
        # a pause proportional to every object imported (measured 100+ ms on a loaded machine).
        gc.freeze()
        yield
        services: Any = getattr(bolt_app, "kpi_services", None)
        if services is not None:
            services.workers.shutdown(wait=False)

    return Starlette(
        routes=[
            Route(EVENTS_PATH, events, methods=["POST"]),
            Route(INSTALL_PATH, install, methods=["GET"]),
            Route(REDIRECT_PATH, install, methods=["GET"]),
            Route(HEALTH_PATH, healthz, methods=["GET"]),
        ],
        lifespan=lifespan,
    )


def uvicorn_options(*, log_level: str = "info") -> dict[str, Any]:
    """How `kpi-advisor serve` (and the burst benchmark) run uvicorn.

    httptools and uvloop when installed (cheaper per request than h11 and asyncio);
    no access log, which would write a line per request on the ack path, unless debugging.
    """
    options: dict[str, Any] = dict(log_level=log_level.lower(), access_log=log_level.lower() == "debug",
                                   backlog=2048, lifespan="on")
    if importlib.util.find_spec("httptools") is not None:
        options["http"] = "httptools"
    if importlib.util.find_spec("uvloop") is not None:
        options["loop"] = "uvloop"
    return options


def run_http(asgi_app: Starlette, *, host: str, port: int, log_level: str = "info") -> None:
    """Serve ``asgi_app`` under uvicorn until interrupted."""
    import uvicorn

    uvicorn.run(asgi_app, host=host, port=port, **uvicorn_options(log_level=log_level))
