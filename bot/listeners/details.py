"""Buttons that open what an answer keeps one click away, and the scorecard of a goal.

* "Show numbers" / "More detail" and "Sources": the rest of the answer, in the thread (or
  privately, for a private reply), never what the first message already said;
* "Chart by DM": a private reply cannot carry a file, so its chart goes to the app's DM;
* "Scorecard": a goal's scorecard; without a goal, the team's default (the goal of its digests,
  else its followed KPIs), else a goal picker whose buttons land back here.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from slack_bolt import App

from bot.listeners.actions import _where, button_payload
from bot.listeners.commands import command_thread
from bot.listeners.common import (
    answer_where_pressed,
    chart_alt_text,
    post_messages,
    reply_privately,
    submit_or_apologise,
    team_of,
)
from bot.render.blocks import ACTION_PREFIX, render_details, render_text
from bot.render.errors import describe_error
from bot.render.home import subscription_fields

__all__ = ["GONE", "compute_scorecard", "goal_picker", "kpi_choices", "register", "scorecard_goals"]

log = logging.getLogger(__name__)

GONE = "That answer is no longer in my memory (I keep the last ones for a while). Ask again to get it back."
DETAIL_ACTIONS = re.compile(r"^kpi\.(details|sources)$")
SCORECARD_ACTIONS = re.compile(r"^kpi\.scorecard(?:\.\d+)?$")


def scorecard_goals(advisor: Any, team_id: str) -> list[tuple[str, str]]:
    """(id, name) of the workspace catalog's goals; runs where the advisor's engine lives."""
    engine_for = getattr(advisor, "engine", None)
    if not callable(engine_for):
        return []
    return [(g.id, g.name) for g in engine_for(team_id).catalog.goals.values()]


def kpi_choices(advisor: Any, team_id: str) -> list[tuple[str, str]]:
    """(id, name) of the workspace catalog's KPIs, by name; runs where the advisor's engine lives."""
    engine_for = getattr(advisor, "engine", None)
    if not callable(engine_for):
        return []
    return sorted(((k.id, k.name) for k in engine_for(team_id).catalog.kpis.values()), key=lambda p: p[1])


def _team_default(services: Any, team_id: str) -> dict[str, Any] | None:
    """The team's default scorecard: its digests' goal, else its followed KPIs, else None."""
    if services.digests is not None:
        for sub in services.digests.list(team_id):
            goal = sub.get("goal") if isinstance(sub, dict) else getattr(sub, "goal", None)
            if not goal:  # a subscription known only by its schedule text
                m = re.search(r"\bgoal=(\w+)", subscription_fields(sub)["spec"])
                goal = m.group(1) if m else None
            if goal:
                return {"goal": goal}
    config = services.advisor.workspace(team_id)
    followed = (config.get("followed_kpis") if isinstance(config, dict)
                else getattr(config, "followed_kpis", None)) or []
    return {"kpis": list(followed)} if followed else None


def goal_picker(goals: list[tuple[str, str]], period: str) -> dict[str, Any]:
    """A message asking which goal's scorecard, one button per goal."""
    buttons = [{"type": "button", "action_id": f"{ACTION_PREFIX}scorecard.{i}",
                "text": {"type": "plain_text", "text": name[:75]},
                "value": json.dumps({"goal": gid, "period": period}, separators=(",", ":"))}
               for i, (gid, name) in enumerate(goals[:25])]
    text = "Which goal's scorecard? (Subscribe a channel to a goal's digest and it becomes the default.)"
    message = render_text(text)
    if buttons:
        message["blocks"].append({"type": "actions", "elements": buttons})
    else:
        message = render_text("Name a goal: `/kpi scorecard awareness` (`/kpi recommend` lists goals).")
    return message


def compute_scorecard(services: Any, team_id: str, goal: str | None, period: str | None) -> Any:
    """The scorecard Answer, or (without a goal and no team default) the goal picker message."""
    from bot.advisor_client import call_in_advisor

    period = period or "last_week"
    if goal:
        return services.advisor.compose_digest(workspace=team_id, goal=goal, period=period)
    default = _team_default(services, team_id)
    if default is not None:
        return services.advisor.compose_digest(workspace=team_id, period=period, **default)
    return goal_picker(call_in_advisor(services.advisor, scorecard_goals, team_id), period)


def _cached_answer(services: Any, team_id: str, data: dict[str, Any], thread: str) -> Any:
    answer = services.recent.get(team_id, data.get("t"))
    if answer is None and data.get("q") and not str(data["q"]).startswith("digest "):
        answer = services.advisor.answer(str(data["q"]), workspace=team_id, thread=thread)
    return answer


def register(app: App, services: Any) -> None:
    @app.action(DETAIL_ACTIONS)
    def on_details(ack: Any, body: dict[str, Any], action: dict[str, Any], client: Any,
                   respond: Any, context: Any, request: Any) -> None:
        ack()
        team_id, user_id = team_of(context), body["user"]["id"]
        channel, thread_ts, ephemeral = _where(body)
        view = action["action_id"].removeprefix(ACTION_PREFIX)
        view = "sources" if view == "sources" else "numbers"
        data = button_payload(action)

        def job() -> None:
            try:
                answer = _cached_answer(services, team_id, data, command_thread(team_id, channel, user_id))
                messages = render_details(answer, view) if answer is not None else [render_text(GONE)]
            except Exception as exc:
                messages = [render_text(describe_error(exc))]
            if ephemeral or not thread_ts:
                for message in messages:
                    respond(response_type="ephemeral", replace_original=False, **message)
            else:
                post_messages(client, channel=channel, thread_ts=thread_ts, messages=messages)

        submit_or_apologise(services, job, reply_privately(respond), request=request)

    @app.action("kpi.chart")
    def on_chart_by_dm(ack: Any, body: dict[str, Any], action: dict[str, Any], client: Any,
                       respond: Any, context: Any, request: Any) -> None:
        ack()
        team_id, user_id = team_of(context), body["user"]["id"]
        data = button_payload(action)

        def job() -> None:
            answer = services.recent.get(team_id, data.get("t"))
            if answer is None or answer.chart is None:
                respond(response_type="ephemeral", replace_original=False, **render_text(GONE))
                return
            try:
                png = services.advisor.render_chart(answer.chart, workspace=team_id)
                dm = client.conversations_open(users=user_id)["channel"]["id"]
                client.files_upload_v2(channel=dm, content=png, filename=f"{answer.chart.kpi_id}-{answer.chart.kind}.png",
                                       title=answer.chart.title or answer.title,
                                       alt_txt=chart_alt_text(services, team_id, answer))
                respond(response_type="ephemeral", replace_original=False,
                        **render_text("The chart is in our DM (the app's Messages tab)."))
            except Exception as exc:
                respond(response_type="ephemeral", replace_original=False, **render_text(describe_error(exc)))

        submit_or_apologise(services, job, reply_privately(respond), request=request)

    @app.action(SCORECARD_ACTIONS)
    def on_scorecard_pick(ack: Any, body: dict[str, Any], action: dict[str, Any], client: Any,
                          respond: Any, context: Any, request: Any) -> None:
        ack()
        team_id = team_of(context)
        channel, thread_ts, ephemeral = _where(body)
        data = button_payload(action)
        goal, period = str(data.get("goal") or ""), str(data.get("period") or "last_week")

        def compute() -> Any:
            return services.advisor.compose_digest(workspace=team_id, goal=goal, period=period)

        job = answer_where_pressed(services, client=client, respond=respond, team_id=team_id, channel=channel,
                                   thread_ts=thread_ts, private=ephemeral, compute=compute)
        submit_or_apologise(services, job, reply_privately(respond), request=request)
