"""`/kpi`: acknowledge at once, answer ephemerally through response_url with "Share to channel"."""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from bot.app import thread_key
from bot.listeners.common import answer_ephemeral, submit_or_apologise, team_of
from bot.parse import CommandError, DigestCommand, parse_command, parse_digest, parse_scorecard, question_for
from bot.render.blocks import render_text
from bot.render.errors import describe_error
from bot.render.home import render_help, render_subscriptions, subscription_fields

__all__ = ["register", "run_digest_command", "command_thread", "list_kpis", "catalog_answer"]

NO_DIGESTS = "Digests are not set up on this server yet. Ask the admin to enable them."


def command_thread(team_id: str, channel_id: str, user_id: str) -> str:
    """Conversation key for a user's /kpi follow-ups in one channel."""
    return thread_key(team_id, channel_id, f"kpi-{user_id}")


def list_kpis(advisor: Any, team_id: str) -> Any:
    """The workspace's KPI catalog as an Answer, computed where the advisor lives."""
    from bot.advisor_client import call_in_advisor

    return call_in_advisor(advisor, catalog_answer, team_id)


def catalog_answer(advisor: Any, team_id: str) -> Any:
    """The catalog listing (the advisor has no "list" intent); runs next to the advisor's engine."""
    from advisor.answer import Answer, Section

    engine_for = getattr(advisor, "engine", None)
    if engine_for is None:
        return advisor.answer("list kpis", workspace=team_id)
    kpis = sorted(engine_for(team_id).catalog.kpis.values(), key=lambda k: k.id)
    lines = "\n".join(f"- `{k.id}` {k.name} ({', '.join(k.families)})" for k in kpis)
    return Answer(question="list kpis", intent="help", title="KPIs I know",
                  summary=f"{len(kpis)} KPIs. `/kpi explain <id>` shows a formula, `/kpi value <id>` its value.",
                  sections=[Section(title="", text=lines, kind="help")])


def run_digest_command(services: Any, *, team_id: str, channel_id: str, user_id: str,
                       cmd: DigestCommand) -> dict[str, Any]:
    """Delegate a digest subcommand to the digest service; returns the message to show."""
    digests = services.digests
    if digests is None:
        return render_text(NO_DIGESTS)
    try:
        if cmd.verb == "list":
            return render_subscriptions(digests.list(team_id, channel_id=channel_id))
        if cmd.verb == "subscribe":
            sub = digests.subscribe(team_id, channel_id, user_id, cmd.spec)
            f = subscription_fields(sub)
            return render_text(f"Subscribed this channel (id `{f['id']}`): {f['spec'] or cmd.spec}")
        assert cmd.sub_id is not None  # the parser requires an id for update/pause/resume/remove
        if cmd.verb == "update":
            sub = digests.update(team_id, int(cmd.sub_id), cmd.spec)
            f = subscription_fields(sub) if sub is not None else {"spec": cmd.spec}
            return render_text(f"Updated `{cmd.sub_id}`: {f['spec'] or cmd.spec}")
        getattr(digests, cmd.verb)(team_id, int(cmd.sub_id))  # pause / resume / remove
        done = {"pause": "Paused", "resume": "Resumed", "remove": "Removed"}[cmd.verb]
        return render_text(f"{done} digest `{cmd.sub_id}`.")
    except Exception as exc:
        return render_text(describe_error(exc))


def register(app: App, services: Any) -> None:
    @app.command("/kpi")
    def on_kpi(ack: Any, respond: Any, command: dict[str, Any], context: Any, request: Any) -> None:
        try:
            cmd = parse_command(command.get("text", ""))
            digest = parse_digest(cmd.args) if cmd.name == "digest" else None
        except CommandError as exc:
            ack(response_type="ephemeral", **render_text(str(exc)))
            return
        if cmd.name == "help":
            ack(response_type="ephemeral", **render_help())
            return
        ack()
        team_id = team_of(context)
        channel_id, user_id = command["channel_id"], command["user_id"]
        if cmd.name in ("target", "note"):  # targets and notes: the words are read where the advisor lives
            from bot.listeners.governance import run_governance_command

            submit_or_apologise(services, lambda: run_governance_command(
                services, respond, team_id=team_id, user_id=user_id, name=cmd.name, args=cmd.args),
                lambda text: respond(text=text))
            return
        if digest is not None:
            def digest_job() -> None:
                message = run_digest_command(services, team_id=team_id, channel_id=channel_id,
                                             user_id=user_id, cmd=digest)
                respond(response_type="ephemeral", **message)

            submit_or_apologise(services, digest_job, lambda text: respond(text=text), request=request)
            return

        def compute() -> Any:
            if cmd.name == "list":
                return list_kpis(services.advisor, team_id)
            if cmd.name == "scorecard":  # no goal: the team's default, else a goal picker
                from bot.listeners.details import compute_scorecard

                goal, period = parse_scorecard(cmd.args)
                return compute_scorecard(services, team_id, goal, period)
            return services.advisor.answer(
                question_for(cmd), workspace=team_id,
                thread=command_thread(team_id, channel_id, user_id), user=user_id)

        submit_or_apologise(
            services, lambda: answer_ephemeral(services, respond, team_id=team_id, compute=compute),
            lambda text: respond(text=text), request=request)
