"""Buttons on answers (show value, explain, breakdown, trend, recommend, choose goal/KPI, subscribe, share) and modals."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from slack_bolt import App

from bot.app import thread_key
from bot.listeners.commands import NO_DIGESTS, command_thread
from bot.listeners.common import (
    answer_where_pressed,
    first_request,
    open_view_soon,
    post_messages,
    reply_privately,
    submit_or_apologise,
    team_of,
    upload_chart,
)
from bot.render.blocks import render_answer, render_text
from bot.render.errors import describe_error, modal_error
from bot.render.home import subscribe_modal, subscribed_modal, subscription_fields
from bot.render.mrkdwn import escape

__all__ = ["register", "button_payload", "membership_problem"]

log = logging.getLogger(__name__)

ADVISOR_ACTIONS = re.compile(r"^kpi\.(show_value|explain|breakdown|trend|recommend|why|choose_goal|choose_kpi)(?:\.\d+)?$")
# Payload fields that could redirect an action to another workspace or conversation are dropped.
_UNTRUSTED_KEYS = {"workspace", "team", "team_id", "thread", "enterprise_id"}


def button_payload(action: dict[str, Any]) -> dict[str, Any]:
    """The JSON payload of a clicked button, minus anything that picks a workspace."""
    try:
        data = json.loads(action.get("value") or "{}")
    except ValueError:
        data = {}
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items() if k not in _UNTRUSTED_KEYS}


def _where(body: dict[str, Any]) -> tuple[str, str | None, bool]:
    """(channel, thread_ts of the clicked message, ephemeral?) of an interaction."""
    container = body.get("container") or {}
    channel = (body.get("channel") or {}).get("id") or container.get("channel_id") or ""
    message = body.get("message") or {}
    thread_ts = message.get("thread_ts") or message.get("ts") or container.get("thread_ts") \
        or container.get("message_ts")
    return channel, thread_ts, bool(container.get("is_ephemeral"))


def _spec_for(payload: dict[str, Any]) -> str:
    raw = payload.get("filters")
    filters: dict[str, Any] = raw if isinstance(raw, dict) else {}
    where = "".join(f" {d}={','.join(map(str, v))}" for d, v in filters.items() if isinstance(v, list) and v)
    if payload.get("goal"):  # a briefing's "subscribe to this" keeps its scope (the spec parser checks it)
        return f"weekly mon 09:00 goal={payload['goal']}{where}"
    kpi = payload.get("kpi_id") or payload.get("kpi")
    return f"weekly mon 09:00 kpis={kpi}" if kpi else "weekly mon 09:00"


def register(app: App, services: Any) -> None:
    @app.action(ADVISOR_ACTIONS)
    def on_advisor_button(ack: Any, body: dict[str, Any], action: dict[str, Any], client: Any,
                          respond: Any, context: Any, request: Any) -> None:
        ack()
        team_id, user_id = team_of(context), body["user"]["id"]
        channel, thread_ts, ephemeral = _where(body)
        action_id = action["action_id"].removeprefix("kpi.").split(".")[0]  # "choose_goal.2" -> "choose_goal"
        payload = button_payload(action)
        if ephemeral or not thread_ts:
            key = command_thread(team_id, channel, user_id)
        else:
            key = thread_key(team_id, channel, thread_ts)

        def compute() -> Any:
            return services.advisor.run_action(action_id, payload, workspace=team_id, thread=key)

        job = answer_where_pressed(services, client=client, respond=respond, team_id=team_id, channel=channel,
                                   thread_ts=thread_ts, private=ephemeral, compute=compute)
        submit_or_apologise(services, job, reply_privately(respond), request=request)

    @app.action("kpi.share")
    def on_share(ack: Any, body: dict[str, Any], action: dict[str, Any], client: Any,
                 respond: Any, context: Any, request: Any) -> None:
        ack()
        team_id, user_id = team_of(context), body["user"]["id"]
        channel, _, _ = _where(body)
        data = button_payload(action)

        def job() -> None:
            try:
                answer = services.recent.get(team_id, data.get("t")) or services.advisor.answer(
                    str(data.get("q") or "help"), workspace=team_id,
                    thread=command_thread(team_id, channel, user_id), user=user_id)
                token = services.recent.put(team_id, answer)  # "Show numbers" on the shared copy
                messages = render_answer(answer, context=f"Shared by <@{user_id}>", token=token)
                ts = post_messages(client, channel=channel, messages=messages)
            except Exception as exc:
                respond(response_type="ephemeral", replace_original=False,
                        **render_text(describe_error(exc)))
                return
            upload_chart(services, client, team_id=team_id, channel=channel, thread_ts=ts, answer=answer)
            respond(delete_original=True)

        submit_or_apologise(services, job, lambda text: respond(text=text, replace_original=False),
                            request=request)

    @app.action("kpi.subscribe")
    def on_subscribe(ack: Any, body: dict[str, Any], action: dict[str, Any], client: Any,
                     respond: Any) -> None:
        ack()
        if services.digests is None:
            respond(text=NO_DIGESTS, response_type="ephemeral", replace_original=False)
            return
        channel, _, _ = _where(body)
        open_view_soon(services, client, trigger_id=body["trigger_id"],
                       view=subscribe_modal(channel_id=channel, spec=_spec_for(button_payload(action))))

    @app.view("subscribe_modal")
    def on_subscribe_submit(ack: Any, body: dict[str, Any], view: dict[str, Any], client: Any,
                            context: Any, request: Any) -> None:
        team_id, user_id = team_of(context), body["user"]["id"]
        values = view["state"]["values"]
        picked = values.get("channel", {}).get("value", {}).get("selected_conversation")
        channel = view.get("private_metadata") or picked or user_id
        field = "channel" if picked and not view.get("private_metadata") else "spec"
        spec = (values.get("spec", {}).get("value", {}).get("value") or "").strip()
        if services.digests is None:
            ack(response_action="errors", errors={"spec": modal_error(NO_DIGESTS)})
            return
        problem = membership_problem(client, channel)
        if problem:  # checked before saving: a digest the bot cannot post would fail every week
            ack(response_action="errors", errors={field: modal_error(problem)})
            return
        if not first_request(services, request):  # a replayed submission must not subscribe twice
            ack()
            return
        try:
            sub = services.digests.subscribe(team_id, channel, user_id, spec)
        except Exception as exc:  # a bad schedule is shown on the field itself
            ack(response_action="errors", errors={"spec": modal_error(exc)})
            return
        f = subscription_fields(sub)
        where = "your DMs" if channel.startswith(("U", "W", "D")) else f"<#{escape(channel)}>"
        done = f"Subscribed {where} (digest `{escape(f['id'])}`): {escape(f['spec'] or spec)}"
        ack(response_action="update", view=subscribed_modal(done))

        def confirm() -> None:
            try:
                post_messages(client, channel=user_id, messages=[{
                    "text": done, "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": done}}]}])
            except Exception as exc:
                describe_error(exc)
            try:
                from bot.listeners.home import publish_home

                publish_home(services, client, team_id=team_id, user_id=user_id)
            except Exception as exc:
                describe_error(exc)

        services.workers.submit(confirm)


def membership_problem(client: Any, channel: str) -> str | None:
    """Why the bot could not post in ``channel`` (not a member, cannot see it), or None.

    DMs and people need no membership; a check that cannot be made (a missing scope,
    Slack unreachable) does not block the subscription: the digest's first post will tell.
    """
    from slack_sdk.errors import SlackApiError

    if not channel or channel.startswith(("U", "W", "D")):
        return None
    invite = "Invite me first with /invite @kpi-advisor in that channel, then subscribe again."
    try:
        info = client.conversations_info(channel=channel).get("channel") or {}
    except SlackApiError as exc:
        code = (exc.response.data or {}).get("error") if isinstance(exc.response.data, dict) else None
        if code in ("channel_not_found", "not_in_channel"):
            return f"I can't see that channel. {invite}"
        log.warning("membership check skipped: %s", code)
        return None
    except OSError as exc:
        log.warning("membership check skipped: %s", exc)
        return None
    if info.get("is_archived"):
        return "That channel is archived. Pick another one."
    if info.get("is_member") is False:
        return f"I'm not in that channel. {invite}"
    return None
