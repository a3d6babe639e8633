"""Scheduled KPI digests and alerts: subscriptions, schedule, once-only delivery to Slack."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

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

__all__ = [
    "Delivery",
    "DigestError",
    "DigestScheduler",
    "DigestService",
    "DigestSpec",
    "RunReport",
    "Schedule",
    "Subscription",
    "parse_spec",
]


if TYPE_CHECKING:  # what type checkers and IDEs see; at run time names load on first use
    from .errors import DigestError
    from .firetimes import Schedule
    from .models import Delivery, Subscription
    from .schedule import DigestScheduler
    from .service import DigestService, RunReport
    from .spec import DigestSpec, parse_spec


def __getattr__(name: str) -> Any:  # lazy: `import bot.digests` must not pull SQLAlchemy or Slack
    if name in _EXPORTS:
        return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module 'bot.digests' has no attribute {name!r}")
