"""`/kpi target ...`, `/kpi note ...`, `note: ...` replies in digest threads, and the App Home modals.

The work (engine, stores) runs where the advisor lives (``call_in_advisor``); acks depend on
parsing only. Modal submissions are checked for syntax at once (errors on the field) and
stored in a worker; the result arrives as a DM and the Home tab is refreshed.
"""

from __future__ import annotations

import logging
import re
from datetime import date
from typing import Any

from slack_bolt import App

from bot.advisor_client import call_in_advisor
from bot.listeners.common import answer_ephemeral, post_messages, submit_or_apologise, team_of
from bot.render.blocks import render_answer, render_text
from bot.render.errors import describe_error, modal_error
from bot.render.governance import modal_values, note_modal, target_modal
from kpi_engine.errors import KpiAdvisorError

__all__ = ["handle_note_reply", "home_target_lines", "is_note_reply", "register", "run_governance_command"]

log = logging.getLogger(__name__)

_NOTE_REPLY = re.compile(r"^\s*note\s*:", re.IGNORECASE)
_NUMBER = re.compile(r"^[$\u20ac\u00a3]?\s*[+-]?[\d.,]+\s*[a-z%]*$", re.IGNORECASE)


def run_governance_command(services: Any, respond: Any, *, team_id: str, user_id: str, name: str,
                           args: str) -> None:
    """Worker job for `/kpi target ...` and `/kpi note ...`: the answer, ephemeral, with Share."""
    from advisor.governance import run_note_command, run_target_command

    def compute() -> Any:
        if name == "target":
            return call_in_advisor(services.advisor, run_target_command, team_id, args, user=user_id)
        return call_in_advisor(services.advisor, run_note_command, team_id, args, user=user_id, source="slack")

    answer_ephemeral(services, respond, team_id=team_id, compute=compute)


def is_note_reply(text: str) -> bool:
    return bool(_NOTE_REPLY.match(text or ""))


def handle_note_reply(services: Any, client: Any, *, team_id: str, channel: str, thread_ts: str,
                      thread: str, text: str, user: str | None) -> None:
    """Worker job: store a `note: ...` reply of a digest thread, dated the digest's period; confirm in the thread."""
    from advisor.governance import add_thread_note

    try:
        answer = call_in_advisor(services.advisor, add_thread_note, team_id, text, thread=thread, user=user or "")
        messages = render_answer(answer) if answer is not None else []
    except Exception as exc:
        messages = [render_text(describe_error(exc))]
    try:
        post_messages(client, channel=channel, thread_ts=thread_ts, messages=messages)
    except Exception as exc:
        describe_error(exc)


def home_target_lines(services: Any, team_id: str) -> list[dict[str, Any]]:
    """Active targets with pace for the Home tab; [] when targets are not kept (the Home still renders)."""
    from advisor.governance import home_targets

    try:
        return list(call_in_advisor(services.advisor, home_targets, team_id))
    except KpiAdvisorError as exc:
        log.info("no targets on the Home tab: %s", exc)
        return []


def _filters(text: str | None) -> dict[str, list[str]]:
    """'platform=instagram,tiktok topic=how_to' -> filters; a word without '=' is an error."""
    out: dict[str, list[str]] = {}
    for word in (text or "").replace(";", " ").split():
        dim, eq, vals = word.partition("=")
        if not eq or not dim or not vals:
            raise ValueError(f"Write filters as DIMENSION=VALUE, e.g. platform=instagram (not '{word}').")
        out.setdefault(dim.lower(), []).extend(v for v in vals.split(",") if v)
    return out


def _dm(services: Any, client: Any, user_id: str, compute: Any, team_id: str) -> None:
    from bot.listeners.home import publish_home

    try:
        messages = render_answer(compute())
    except Exception as exc:
        messages = [render_text(describe_error(exc))]
    try:
        post_messages(client, channel=user_id, messages=messages)
        publish_home(services, client, team_id=team_id, user_id=user_id)
    except Exception as exc:
        describe_error(exc)


def register(app: App, services: Any) -> None:
    from advisor.governance import add_note, set_target

    @app.action("home.target")
    def on_home_target(ack: Any, body: dict[str, Any], client: Any) -> None:
        ack()
        # trigger_id expires 3 s after the click, so the modal opens here, not in a worker
        client.views_open(trigger_id=body["trigger_id"], view=target_modal())

    @app.action("home.note")
    def on_home_note(ack: Any, body: dict[str, Any], client: Any) -> None:
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=note_modal())

    @app.view("target_modal")
    def on_target_submit(ack: Any, body: dict[str, Any], view: dict[str, Any], client: Any, context: Any) -> None:
        from kpi_engine.errors import PeriodError
        from kpi_engine.target_period import resolve_target_period

        v = modal_values(view)
        errors: dict[str, str] = {}
        if not v.get("kpi") or not re.fullmatch(r"[A-Za-z][\w ]{0,63}", str(v["kpi"])):
            errors["kpi"] = "Type a KPI id such as engagement_rate."
        if not v.get("value") or not _NUMBER.match(str(v["value"])):
            errors["value"] = "Type a number in the KPI's unit, e.g. 5% or 12000."
        if v.get("period"):
            try:
                resolve_target_period(str(v["period"]), today=date.today())
            except PeriodError as exc:
                errors["period"] = modal_error(str(exc))
        try:
            filters = _filters(v.get("filters"))
        except ValueError as exc:
            errors["filters"] = modal_error(str(exc))
        if errors:
            ack(response_action="errors", errors=errors)
            return
        ack()
        team_id, user_id = team_of(context), body["user"]["id"]
        owner = v.get("owner") or None
        submit_or_apologise(services, lambda: _dm(services, client, user_id, lambda: call_in_advisor(
            services.advisor, set_target, team_id, kpi=str(v["kpi"]).strip().replace(" ", "_"), value=str(v["value"]),
            period=v.get("period") or None, filters=filters, owner=owner, user=user_id), team_id),
            lambda text: client.chat_postMessage(channel=user_id, text=text))

    @app.view("note_modal")
    def on_note_submit(ack: Any, body: dict[str, Any], view: dict[str, Any], client: Any, context: Any) -> None:
        v = modal_values(view)
        errors: dict[str, str] = {}
        start = date.fromisoformat(v["start"]) if v.get("start") else None
        end = date.fromisoformat(v["end"]) if v.get("end") else None
        if start is None:
            errors["start"] = "Pick the day it happened."
        elif end is not None and end < start:
            errors["end"] = "The range ends before it starts."
        if not v.get("text"):
            errors["text"] = "Say what happened, e.g. LinkedIn feed change."
        try:
            filters = _filters(v.get("filters"))
        except ValueError as exc:
            errors["filters"] = modal_error(str(exc))
        if errors:
            ack(response_action="errors", errors=errors)
            return
        ack()
        team_id, user_id = team_of(context), body["user"]["id"]
        submit_or_apologise(services, lambda: _dm(services, client, user_id, lambda: call_in_advisor(
            services.advisor, add_note, team_id, start=start, end=end, text=str(v["text"]), filters=filters,
            author=user_id, source="home"), team_id), lambda text: client.chat_postMessage(channel=user_id, text=text))
