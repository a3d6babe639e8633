"""Mentions and direct messages: answer in the thread, keeping the thread's context."""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from bot.app import thread_key
from bot.listeners.common import answer_in_thread, first_delivery, submit_or_apologise, team_of
from bot.listeners.governance import handle_note_reply, is_note_reply
from bot.parse import check_length, strip_mentions

__all__ = ["register"]

_ANSWERED_SUBTYPES = (None, "file_share", "thread_broadcast")


def _is_user_dm(event: dict[str, Any]) -> bool:
    return (event.get("channel_type") == "im" and event.get("subtype") in _ANSWERED_SUBTYPES
            and not event.get("bot_id"))


def _is_thread_reply(event: dict[str, Any], context: Any) -> bool:
    """A person's reply in a channel thread that does not mention the bot (mentions come as app_mention)."""
    bot_user = (context or {}).get("bot_user_id") or ""
    return (event.get("channel_type") in ("channel", "group") and event.get("subtype") in _ANSWERED_SUBTYPES
            and not event.get("bot_id") and bool(event.get("thread_ts"))
            and event.get("thread_ts") != event.get("ts")
            and not (bot_user and f"<@{bot_user}>" in (event.get("text") or "")))


def _handle(services: Any, client: Any, context: Any, body: dict[str, Any], *,
            only_known_threads: bool = False) -> None:
    event = body["event"]
    team_id = team_of(context)
    channel = event["channel"]
    thread_ts = event.get("thread_ts") or event["ts"]
    question = strip_mentions(event.get("text", ""))
    user = event.get("user")

    def compute() -> Any:
        check_length(question)
        return services.advisor.answer(question or "help", workspace=team_id,
                                       thread=thread_key(team_id, channel, thread_ts), user=user)

    def job() -> None:
        if only_known_threads and not services.advisor.has_thread(
                thread_key(team_id, channel, thread_ts), workspace=team_id):
            return  # a thread the bot is not part of: people talking among themselves
        if not first_delivery(services, body):
            return
        if is_note_reply(question) and event.get("thread_ts"):  # `note: ...` in a digest's thread
            handle_note_reply(services, client, team_id=team_id, channel=channel, thread_ts=thread_ts,
                              thread=thread_key(team_id, channel, thread_ts), text=question, user=user)
            return
        answer_in_thread(services, client, team_id=team_id, channel=channel, thread_ts=thread_ts,
                         compute=compute)

    submit_or_apologise(services, job, lambda text: client.chat_postMessage(
        channel=channel, thread_ts=thread_ts, text=text))


def register(app: App, services: Any) -> None:
    @app.event("app_mention")
    def on_mention(ack: Any, client: Any, context: Any, body: dict[str, Any]) -> None:
        ack()
        _handle(services, client, context, body)

    @app.event("message", matchers=[lambda event: _is_user_dm(event)])
    def on_direct_message(ack: Any, client: Any, context: Any, body: dict[str, Any]) -> None:
        ack()
        _handle(services, client, context, body)

    @app.event("message", matchers=[lambda event, context: _is_thread_reply(event, context)])
    def on_thread_reply(ack: Any, client: Any, context: Any, body: dict[str, Any]) -> None:
        """Follow-ups in a thread the bot answered in need no mention."""
        ack()
        _handle(services, client, context, body, only_known_threads=True)

