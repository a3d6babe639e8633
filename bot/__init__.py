"""bot: the Slack front end (slack-bolt), thin: parse, acknowledge fast, render Block Kit.

Importing this package is cheap: names are loaded on first use, and nothing here
creates a client or reads the environment.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__all__ = [
    "EventDeduplicator",
    "ProcessPoolAdvisor",
    "build_app",
    "build_socket_handler",
    "create_http_app",
]

_EXPORTS = {
    "build_app": "bot.app",
    "create_http_app": "bot.http",
    "build_socket_handler": "bot.socket",
    "EventDeduplicator": "bot.dedup",
    "ProcessPoolAdvisor": "bot.advisor_client",
}


if TYPE_CHECKING:  # what type checkers and IDEs see; at run time names load on first use
    from bot.advisor_client import ProcessPoolAdvisor
    from bot.app import build_app
    from bot.dedup import EventDeduplicator
    from bot.http import create_http_app
    from bot.socket import build_socket_handler


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'bot' has no attribute {name!r}")
