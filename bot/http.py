"""HTTP mode: a Starlette ASGI app with the Slack events, OAuth and health endpoints."""

from __future__ import annotations

import contextlib
import importlib.util
from collections.abc import AsyncIterator
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from bot.oauth import INSTALL_PATH, REDIRECT_PATH

__all__ = ["create_http_app", "run_http", "uvicorn_options", "EVENTS_PATH", "HEALTH_PATH"]

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
MAX_BODY_BYTES = 1_000_000  # Slack payloads are a few kB; anything this big is not from Slack


def create_http_app(bolt_app: App, *, request_threads: int = 100) -> Starlette:
    """Wrap ``bolt_app`` for uvicorn; bolt's dispatch is synchronous, so it runs in threads
    and the event loop keeps accepting (and acknowledging) other requests meanwhile."""

    async def events(request: Request) -> Response:
        if int(request.headers.get("content-length") or 0) > MAX_BODY_BYTES:
            return PlainTextResponse("Payload too large", status_code=413)
        body = await request.body()
        bolt_resp = await run_in_threadpool(bolt_app.dispatch, to_bolt_request(request, body))
        return to_starlette_response(bolt_resp)

    async def install(request: Request) -> Response:
        flow = bolt_app.oauth_flow
        if flow is None:
            return PlainTextResponse(
                "This app runs with a single workspace token; installation by OAuth is not enabled.",
                status_code=404,
            )
        body = await request.body()
        handler = flow.handle_installation if request.url.path == INSTALL_PATH else flow.handle_callback
        bolt_resp = await run_in_threadpool(handler, to_bolt_request(request, body))
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
