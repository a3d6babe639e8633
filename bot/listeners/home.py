"""App Home: followed KPIs, digest subscriptions and quick actions; the "ask" modal."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from slack_bolt import App

from bot.listeners.common import (
    first_delivery,
    open_view_soon,
    post_messages,
    render_reply,
    submit_or_apologise,
    team_of,
)
from bot.listeners.details import compute_scorecard
from bot.render.blocks import render_text
from bot.render.errors import describe_error
from bot.render.home import (
    HELP_TEXT,
    ask_modal,
    follow_modal,
    render_home,
    subscribe_modal,
)

__all__ = ["follow_kpi", "publish_home", "register", "register_following"]

log = logging.getLogger(__name__)


def publish_home(services: Any, client: Any, *, team_id: str, user_id: str) -> None:
    """Render and publish the Home tab of ``user_id`` with this workspace's state only."""
    config = services.advisor.workspace(team_id)
    subs = services.digests.list(team_id) if services.digests is not None else []
    from bot.listeners.governance import home_target_lines

    client.views_publish(user_id=user_id, view=render_home(config=config, subscriptions=subs,
                                                           targets=home_target_lines(services, team_id)))


def _dm_answer(services: Any, client: Any, *, team_id: str, user_id: str, compute: Any) -> None:
    try:
        messages = render_reply(services, team_id, compute())
    except Exception as exc:
        messages = [render_text(describe_error(exc))]
    try:
        post_messages(client, channel=user_id, messages=messages)  # a user id opens the app DM
    except Exception as exc:
        describe_error(exc)


def _answer_in_dm(services: Any, client: Any, context: Any, body: dict[str, Any], request: Any,
                  compute: Callable[[str, str], Any]) -> None:
    """Work out ``compute(team_id, user_id)`` on the workers and post it in the presser's app DM."""
    team_id, user_id = team_of(context), body["user"]["id"]
    submit_or_apologise(services, lambda: _dm_answer(
        services, client, team_id=team_id, user_id=user_id, compute=lambda: compute(team_id, user_id),
    ), lambda text: client.chat_postMessage(channel=user_id, text=text), request=request)


def register(app: App, services: Any) -> None:
    @app.event("app_home_opened")
    def on_home_opened(ack: Any, body: dict[str, Any], event: dict[str, Any], client: Any,
                       context: Any) -> None:
        ack()
        if event.get("tab") != "home":
            return  # the Messages tab needs nothing from us
        team_id, user_id = team_of(context), event["user"]

        def job() -> None:
            if not first_delivery(services, body):
                return
            try:
                publish_home(services, client, team_id=team_id, user_id=user_id)
            except Exception as exc:
                describe_error(exc)

        services.workers.submit(job)

    @app.action("home.ask")
    def on_home_ask(ack: Any, body: dict[str, Any], client: Any) -> None:
        ack()
        open_view_soon(services, client, trigger_id=body["trigger_id"], view=ask_modal())

    @app.action("home.subscribe")
    def on_home_subscribe(ack: Any, body: dict[str, Any], client: Any) -> None:
        ack()
        open_view_soon(services, client, trigger_id=body["trigger_id"], view=subscribe_modal(channel_id=None))

    @app.view("ask_modal")
    def on_ask_submit(ack: Any, body: dict[str, Any], view: dict[str, Any], client: Any,
                      context: Any, request: Any) -> None:
        question = (view["state"]["values"].get("question", {}).get("value", {}).get("value") or "").strip()
        if not question:
            ack(response_action="errors", errors={"question": "Type a question first."})
            return
        ack()
        _answer_in_dm(services, client, context, body, request,
                      lambda team_id, user_id: services.advisor.answer(question, workspace=team_id, user=user_id))

    @app.action("home.scorecard")
    def on_home_scorecard(ack: Any, body: dict[str, Any], client: Any, context: Any, request: Any) -> None:
        ack()
        _answer_in_dm(services, client, context, body, request,
                      lambda team_id, _user: compute_scorecard(services, team_id, None, None))

    @app.action("home.help")
    def on_home_help(ack: Any, body: dict[str, Any], client: Any, request: Any) -> None:
        ack()
        submit_or_apologise(services, lambda: post_messages(
            client, channel=body["user"]["id"], messages=[render_text(HELP_TEXT)]),
            lambda text: None, request=request)

    @app.action("digest.pause")
    @app.action("digest.resume")
    def on_digest_toggle(ack: Any, body: dict[str, Any], action: dict[str, Any], client: Any,
                         context: Any, request: Any) -> None:
        ack()
        team_id, user_id = team_of(context), body["user"]["id"]
        verb = action["action_id"].removeprefix("digest.")

        def job() -> None:
            try:
                if services.digests is not None:
                    getattr(services.digests, verb)(team_id, int(action.get("value") or 0))
                publish_home(services, client, team_id=team_id, user_id=user_id)
            except Exception as exc:
                post_messages(client, channel=user_id, messages=[render_text(describe_error(exc))])

        submit_or_apologise(services, job, lambda text: None, request=request)


def _followed(services: Any, team_id: str) -> list[str]:
    config = services.advisor.workspace(team_id)
    followed = config.get("followed_kpis") if isinstance(config, dict) else getattr(config, "followed_kpis", None)
    return [str(k) for k in followed or []]


def follow_kpi(services: Any, team_id: str, kpi_id: str, *, follow: bool = True) -> list[str]:
    """Add (or remove) a KPI to the workspace's followed KPIs; returns the new list."""
    followed = _followed(services, team_id)
    changed = ([*followed, kpi_id] if kpi_id not in followed else followed) if follow \
        else [k for k in followed if k != kpi_id]
    if changed != followed:
        services.advisor.update_workspace(team_id, followed_kpis=changed)
    return changed


def register_following(app: App, services: Any) -> None:
    """Follow a KPI from an answer; unfollow it or see the followed KPIs' values from Home."""
    @app.action("kpi.follow")
    def on_follow(ack: Any, body: dict[str, Any], action: dict[str, Any], client: Any, respond: Any,
                  context: Any, request: Any) -> None:
        ack()
        from bot.listeners.actions import button_payload

        team_id, user_id = team_of(context), body["user"]["id"]
        kpi_id = str(button_payload(action).get("kpi_id") or "")

        def job() -> None:
            try:
                if not re.fullmatch(r"[a-z][a-z0-9_]{0,63}", kpi_id):
                    raise ValueError("no KPI")
                follow_kpi(services, team_id, kpi_id)
                respond(response_type="ephemeral", replace_original=False, **render_text(
                    f"Following `{kpi_id}`: it is on the Home tab, with its value one click away."))
                publish_home(services, client, team_id=team_id, user_id=user_id)
            except Exception as exc:
                respond(response_type="ephemeral", replace_original=False, **render_text(describe_error(exc)))

        submit_or_apologise(services, job, lambda text: None, request=request)

    @app.action("home.follow")
    def on_home_follow(ack: Any, body: dict[str, Any], client: Any, context: Any) -> None:
        ack()
        team_id = team_of(context)

        def open_view() -> None:  # the catalog comes from the advisor; the trigger lasts 3 seconds
            try:
                from bot.advisor_client import call_in_advisor
                from bot.listeners.details import kpi_choices

                kpis = call_in_advisor(services.advisor, kpi_choices, team_id)
                client.views_open(trigger_id=body["trigger_id"],
                                  view=follow_modal(kpis, _followed(services, team_id)))
            except Exception as exc:
                describe_error(exc)

        (services.urgent.submit if services.urgent is not None else lambda f: f())(open_view)

    @app.view("follow_modal")
    def on_follow_submit(ack: Any, body: dict[str, Any], view: dict[str, Any], client: Any,
                         context: Any) -> None:
        picked = ((view["state"]["values"].get("kpi") or {}).get("value") or {}).get("selected_option") or {}
        kpi_id = str(picked.get("value") or "")
        if not re.fullmatch(r"[a-z][a-z0-9_]{0,63}", kpi_id):
            ack(response_action="errors", errors={"kpi": "Pick a KPI from the list."})
            return
        ack()
        team_id, user_id = team_of(context), body["user"]["id"]

        def job() -> None:
            try:
                follow_kpi(services, team_id, kpi_id)
                publish_home(services, client, team_id=team_id, user_id=user_id)
            except Exception as exc:
                post_messages(client, channel=user_id, messages=[render_text(describe_error(exc))])

        services.workers.submit(job)

    @app.action("home.unfollow")
    def on_unfollow(ack: Any, body: dict[str, Any], action: dict[str, Any], client: Any, context: Any,
                    request: Any) -> None:
        ack()
        team_id, user_id = team_of(context), body["user"]["id"]

        def job() -> None:
            try:
                follow_kpi(services, team_id, str(action.get("value") or ""), follow=False)
                publish_home(services, client, team_id=team_id, user_id=user_id)
            except Exception as exc:
                post_messages(client, channel=user_id, messages=[render_text(describe_error(exc))])

        submit_or_apologise(services, job, lambda text: None, request=request)

    @app.action("home.followed_values")
    def on_followed_values(ack: Any, body: dict[str, Any], client: Any, context: Any, request: Any) -> None:
        ack()
        _answer_in_dm(services, client, context, body, request, lambda team_id, _user: services.advisor.compose_digest(
            workspace=team_id, kpis=_followed(services, team_id)))
