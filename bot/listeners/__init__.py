"""Slack listeners; each module registers its own on the App."""

from __future__ import annotations

from typing import Any

from slack_bolt import App

__all__ = ["register_listeners"]


def register_listeners(app: App, services: Any, *, oauth: bool) -> None:
    """Register every listener; order matters for `message` (specific first, catch-all last)."""
    from bot.listeners import (
        actions,
        commands,
        details,
        governance,
        home,
        ignored,
        messages,
    )

    messages.register(app, services)
    commands.register(app, services)
    actions.register(app, services)
    details.register(app, services)  # Show numbers, Sources, Chart by DM, scorecard goal picks
    home.register(app, services)
    home.register_following(app, services)
    governance.register(app, services)  # targets and notes: modals from App Home
    ignored.register(app, oauth=oauth)
