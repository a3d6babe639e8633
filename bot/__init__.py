"""bot: the Slack front end (slack-bolt), thin: parse, acknowledge fast, render Block Kit.

Importing this package is cheap: names are loaded on first use, and nothing here
creates a client or reads the environment.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["build_app", "create_http_app", "build_socket_handler", "EventDeduplicator", "ProcessPoolAdvisor"]

_EXPORTS = {
    "build_app": "bot.app",
    "create_http_app": "bot.http",
    "build_socket_handler": "bot.socket",
    "EventDeduplicator": "bot.dedup",
    "ProcessPoolAdvisor": "bot.advisor_client",
}


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'bot' has no attribute {name!r}")
