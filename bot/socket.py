"""Socket Mode: the app opens a WebSocket to Slack, so no public URL is needed."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App

__all__ = ["build_socket_handler", "run_socket_mode"]

log = logging.getLogger(__name__)


def build_socket_handler(app: App, *, app_token: str, concurrency: int = 16) -> Any:
    """bolt's built-in Socket Mode handler (no extra dependency); envelopes are acked after our
    listeners return, which is at once because the advisor work runs in the worker pool."""
    from slack_bolt.adapter.socket_mode.builtin import SocketModeHandler

    return SocketModeHandler(app, app_token=app_token, web_client=app.client, concurrency=concurrency)


def run_socket_mode(app: App, *, app_token: str) -> None:
    """Connect and serve until interrupted."""
    handler = build_socket_handler(app, app_token=app_token)
    try:
        handler.start()  # blocks
    finally:
        services: Any = getattr(app, "kpi_services", None)
        if services is not None:
            services.workers.shutdown(wait=False)
