"""Scheduled KPI digests and alerts: subscriptions, schedule, once-only delivery to Slack."""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "DigestError": "errors",
    "DigestSpec": "spec",
    "parse_spec": "spec",
    "Subscription": "models",
    "Delivery": "models",
    "DigestService": "service",
    "RunReport": "service",
    "DigestScheduler": "schedule",
    "Schedule": "firetimes",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:  # lazy: `import bot.digests` must not pull SQLAlchemy or Slack
    if name in _EXPORTS:
        return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module 'bot.digests' has no attribute {name!r}")
