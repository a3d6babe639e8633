"""`kpi-advisor digest ...`: subscriptions, the once-only `run-due`, and a local preview."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import typer

from .common import console, emit, fail, get_settings, json_option, user_errors

__all__ = ["app"]

app = typer.Typer(help="Scheduled KPI digests and alerts.", no_args_is_help=True)

TeamOpt = typer.Option("local", "--team", help="Workspace (Slack team) id.")
JsonOpt = json_option()


@contextmanager
def _errors() -> Iterator[None]:
    from bot.digests.errors import DigestError

    with user_errors():
        try:
            yield
        except DigestError as exc:
            fail(str(exc), error=exc)


def _service(*, advisor: bool = True, need_slack: bool = False) -> Any:
    from bot import wiring

    from .checks import check_state_database

    settings = get_settings()
    with user_errors():  # a bad DATABASE_URL or missing driver: one sentence naming it
        check_state_database(settings)
    state = wiring.open_state(settings)
    factory = wiring.build_client_factory(settings, state=state)
    if factory is None and need_slack:
        fail("No Slack credentials, so nothing can be posted (and nothing was claimed): set "
             "SLACK_BOT_TOKEN for one workspace, or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET for a "
             "distributed (OAuth) app. `kpi-advisor digest preview` works without Slack.")
    return wiring.build_digest_service(settings, state=state, client_factory=factory,
                                       advisor=wiring.build_advisor(settings) if advisor else None)


def _multi_workspace() -> bool:
    from bot.oauth import is_multi_workspace

    return is_multi_workspace(get_settings())


def _show(subs: list[Any]) -> None:
    from rich.table import Table

    if not subs:
        console.print("No subscriptions. Try `kpi-advisor digest subscribe \"weekly mon 09:00 UTC "
                      "goal=awareness\" --channel C0123`.")
        return
    t = Table(title="Digest subscriptions", title_justify="left")
    for col in ("id", "kind", "channel", "schedule and options", "status"):
        t.add_column(col)
    for s in subs:
        t.add_row(str(s.id), s.kind, s.channel_id, s.spec_text,
                  s.status + (f" ({s.paused_reason})" if s.paused_reason else ""))
    console.print(t)


@app.command("subscribe")
def subscribe(spec: str = typer.Argument(..., help='e.g. "weekly mon 09:00 Europe/Berlin goal=awareness"'),
              channel: str = typer.Option(..., "--channel", help="Slack channel id (C...) or a user id for DMs."),
              user: str = typer.Option("cli", "--user", help="Owner's Slack user id (gets failure notices)."),
              team: str = TeamOpt, as_json: bool = JsonOpt) -> None:
    """Subscribe a channel to a digest or an alert."""
    with _errors():
        sub = _service(advisor=False).subscribe(team, channel, user, spec)
    emit(sub.as_dict(), as_json, lambda d: console.print(f"Subscribed #{d['id']}: {d['spec']}"))


@app.command("list")
def list_(team: str = TeamOpt, channel: str | None = typer.Option(None, "--channel"),
          as_json: bool = JsonOpt) -> None:
    """The workspace's subscriptions."""
    with _errors():
        subs = _service(advisor=False).list(team, channel)
    emit([s.as_dict() for s in subs], as_json, lambda _d: _show(subs))


def _change(verb: str, sub_id: int, team: str, as_json: bool) -> None:
    with _errors():
        sub = getattr(_service(advisor=False), verb)(team, sub_id)
    done = {"pause": "Paused", "resume": "Resumed", "remove": "Removed"}[verb]
    emit(sub.as_dict(), as_json, lambda d: console.print(f"{done} #{d['id']}: {d['spec']}"))


@app.command("pause")
def pause(sub_id: int, team: str = TeamOpt, as_json: bool = JsonOpt) -> None:
    """Stop posting until resumed."""
    _change("pause", sub_id, team, as_json)


@app.command("resume")
def resume(sub_id: int, team: str = TeamOpt, as_json: bool = JsonOpt) -> None:
    """Post again from the next scheduled time (no back-fill)."""
    _change("resume", sub_id, team, as_json)


@app.command("remove")
def remove(sub_id: int, team: str = TeamOpt, as_json: bool = JsonOpt) -> None:
    """Delete a subscription (its delivery history is kept)."""
    _change("remove", sub_id, team, as_json)


@app.command("run-due")
def run_due(as_json: bool = JsonOpt) -> None:
    """Post every due digest once; safe to run from cron next to a running bot.

    Exit 0 when the run did its job, including subscriptions it paused (their owners are
    told), deliveries recorded for a retry, and (OAuth) workspaces that uninstalled the
    app. Exit 1 only when it could not run: no Slack credentials, a state database it
    cannot open or upgrade, or (one workspace, SLACK_BOT_TOKEN) a token Slack rejects.
    """
    with _errors():
        report = _service(need_slack=True).run_due()

    def render(d: dict[str, Any]) -> None:
        console.print(f"posted {len(d['posted'])}, skipped {len(d['skipped'])} (quiet or no alert), "
                      f"already done elsewhere {d['already']}, failed {len(d['failed'])}, "
                      f"paused {len(d['paused'])}, workspaces unavailable {len(d['unavailable'])}")
        for f in d["failed"] + d["paused"]:
            console.print(f"  #{f['subscription']} ({f['team']}, {f['period']}): {f['error']}")
        for w in d["unavailable"]:
            console.print(f"  workspace {w['team']}: {w['error']} (subscriptions "
                          f"{', '.join(f'#{i}' for i in w['subscriptions']) or 'none due'})")
        for m in d["missed"]:
            console.print(f"  #{m['subscription']} ({m['team']}): missed {', '.join(m['periods'])}, "
                          "named in its late digest")

    emit(report.to_dict(), as_json, render)
    if report.unavailable and not _multi_workspace():
        raise typer.Exit(1)  # the only workspace rejects the token: nothing can be delivered


@app.command("preview")
def preview(goal: str | None = typer.Option(None, "--goal", help="awareness, engagement, traffic, ..."),
            period: str = typer.Option("last_week", "--period"),
            kpis: str | None = typer.Option(None, "--kpis", help="Comma-separated KPI ids instead of a goal."),
            spec: str | None = typer.Option(None, "--spec", help="A whole subscription text instead."),
            as_of: str | None = typer.Option(None, "--as-of", help="Last complete day, YYYY-MM-DD."),
            out: Path | None = typer.Option(None, "--out", help="Folder to write the chart PNG to."),
            team: str = TeamOpt, as_json: bool = JsonOpt) -> None:
    """Render a digest (text and chart PNG) locally without posting."""
    with _errors():
        day = _date(as_of)
        text, png = _service().preview(team, spec, goal=goal, period=period, as_of=day,
                                       kpis=[k.strip() for k in kpis.split(",") if k.strip()] if kpis else None)
    path = None
    if png is not None:
        folder = out or Path(".")
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"digest-{goal or 'kpis'}-{period}.png".replace("/", "_")
        path.write_bytes(png)
    result = {"text": text, "chart": str(path) if path else None, "chart_bytes": len(png or b"")}

    def render(d: dict[str, Any]) -> None:
        console.print(d["text"], markup=False, highlight=False)
        if d["chart"]:
            console.print(f"\nChart: {d['chart']}")

    emit(result, as_json, render)


def _date(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        fail(f"--as-of takes a date as YYYY-MM-DD, not '{text}'.")
    return None
