"""Acknowledge what the app receives but does not act on.

An unhandled request gets bolt's 404: for an event Slack retries and eventually disables
the subscription; for a button, shortcut or modal the user sees a warning icon. Buttons on
old messages, shortcuts and modals from an earlier version of the app arrive anyway, so
everything not handled elsewhere is acknowledged here, with one short log line (never the body).
"""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt import App

__all__ = ["register"]

log = logging.getLogger(__name__)

_ANY = re.compile(".*")
UNKNOWN_COMMAND = "I only answer `/kpi`. Try `/kpi help`."


def _what(body: dict[str, Any]) -> str:
    """A short description of an interaction for the log: its type and id, nothing a user typed."""
    kind = str(body.get("type") or "?")
    if kind == "block_actions":
        ids = [str(a.get("action_id", "?")) for a in body.get("actions") or [] if isinstance(a, dict)]
        return f"{kind} {','.join(ids)[:100]}"
    view = body.get("view")
    view = view if isinstance(view, dict) else {}
    ident = body.get("callback_id") or view.get("callback_id") or body.get("action_id") or ""
    return f"{kind} {str(ident)[:100]}"


def register(app: App, *, oauth: bool) -> None:
    # Registered last: edits, deletions, bot posts and channel messages fall through to here.
    @app.event("message")
    def ignore_other_messages(ack: Any) -> None:
        ack()

    if oauth:
        # bolt deletes the workspace's installation rows on these.
        app.enable_token_revocation_listeners()
    else:
        @app.event("app_uninstalled")
        @app.event("tokens_revoked")
        def ignore_revocation(ack: Any) -> None:
            ack()

    # Catch-alls: bolt tries listeners in registration order, so these only see what nothing
    # above matched.
    @app.event(_ANY)
    def ignore_other_events(ack: Any, body: dict[str, Any]) -> None:
        ack()
        log.info("ignored event %s", str((body.get("event") or {}).get("type", "?"))[:100])

    @app.action(_ANY)
    @app.shortcut(_ANY)
    @app.view_submission(_ANY)
    @app.view_closed(_ANY)
    def ack_unknown_interaction(ack: Any, body: dict[str, Any]) -> None:
        ack()  # a modal closes, a button shows no warning
        log.info("acknowledged an unhandled %s", _what(body))

    @app.options(_ANY)
    def no_options(ack: Any, body: dict[str, Any]) -> None:
        ack(options=[])
        log.info("no options for %s", _what(body))

    @app.command(_ANY)
    def unknown_command(ack: Any, command: dict[str, Any]) -> None:
        ack(response_type="ephemeral", text=UNKNOWN_COMMAND)
        log.info("unknown command %s", str(command.get("command", "?"))[:50])
