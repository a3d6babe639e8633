"""Exceptions -> short Slack text, in one place; tracebacks go to the log, never to Slack."""

from __future__ import annotations

import logging
import uuid

from bot.logs import redact
from kpi_engine.errors import KpiAdvisorError

__all__ = ["describe_error", "modal_error"]

log = logging.getLogger(__name__)

# Slack Web API error codes a person can act on.
_SLACK_ERRORS = {
    "not_in_channel": "I'm not in this channel yet. Invite me with `/invite @kpi-advisor` and try again.",
    "channel_not_found": "I can't see this channel. Invite me with `/invite @kpi-advisor`, or ask me in a DM.",
    "is_archived": "This channel is archived, so I can't post here.",
    "missing_scope": "I'm missing a permission for that ({needed}). Ask an admin to reinstall the app from its manifest.",
    "not_allowed_token_type": "This workspace's installation is incomplete. Ask an admin to reinstall the app.",
    "invalid_auth": "My Slack credentials for this workspace are no longer valid. Ask an admin to reinstall the app.",
    "account_inactive": "My Slack credentials for this workspace are no longer valid. Ask an admin to reinstall the app.",
    "token_revoked": "My Slack credentials for this workspace were revoked. Ask an admin to reinstall the app.",
    "ratelimited": "Slack is rate limiting me right now. Please try again in a minute.",
    "msg_too_long": "That answer was too long for Slack. Try a narrower question (a shorter period or one platform).",
}

_GENERIC = "Sorry, something went wrong on my side (ref `{ref}`). Please try again; if it keeps happening, tell the admin the ref."


def _slack_error(exc: BaseException) -> str | None:
    from slack_sdk.errors import SlackApiError

    if not isinstance(exc, SlackApiError):
        return None
    data = exc.response.data if isinstance(exc.response.data, dict) else {}
    code = str(data.get("error", ""))
    template = _SLACK_ERRORS.get(code)
    if template is None:
        return None
    return template.format(needed=data.get("needed", "a scope"))


def describe_error(exc: BaseException) -> str:
    """The sentence to show a Slack user for ``exc``; logs what the user does not see."""
    if isinstance(exc, KpiAdvisorError):
        # Messages may quote settings (a database URL): configured secrets and URL passwords are masked.
        text = redact(str(exc) or exc.__class__.__name__)
        # Engine/CLI messages point to the terminal command; in Slack the slash command is the way.
        return text.replace("`kpi-advisor kpi list`", "`/kpi list`")
    slack_text = _slack_error(exc)
    if slack_text is not None:
        log.warning("Slack API error: %s", getattr(exc, "response", {}).get("error", "?"))
        return slack_text
    ref = uuid.uuid4().hex[:8]
    log.error("unexpected error (ref %s)", ref, exc_info=exc)
    return _GENERIC.format(ref=ref)


MAX_MODAL_ERROR = 150  # Slack's limit for a modal field's error


def modal_error(exc_or_text: BaseException | str) -> str:
    """A modal field's error: plain text (modals show no mrkdwn), whole sentences, at most 150 characters."""
    from bot.render.mrkdwn import cut_sentences, plain

    text = exc_or_text if isinstance(exc_or_text, str) else describe_error(exc_or_text)
    return cut_sentences(plain(text), MAX_MODAL_ERROR)
