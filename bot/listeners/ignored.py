"""No-op listeners for events the app receives but does not act on (an unhandled event gets a 404,
which makes Slack retry and eventually disable the subscription)."""

from __future__ import annotations

from typing import Any

from slack_bolt import App

__all__ = ["register"]


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
