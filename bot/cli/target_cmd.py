"""`kpi-advisor target ...`: targets with pace, suggested targets, and status alerts for cron."""

from __future__ import annotations

from typing import Any

import typer

from .common import console, emit, fail, get_settings, user_errors

__all__ = ["app", "words_text"]

app = typer.Typer(help="KPI targets: set, list, remove, suggest, and pace toward them.", no_args_is_help=True)

TeamOpt = typer.Option("local", "--team", help="Workspace (Slack team) id.")
JsonOpt = typer.Option(False, "--json", help="Print JSON for scripts.")


def words_text(words: list[str]) -> str:
    """Shell words back into command text; a word with spaces is quoted again ("LinkedIn feed change")."""
    return " ".join(f'"{w}"' if (" " in w and '"' not in w) else w for w in words)


def _advisor() -> Any:
    from bot.wiring import build_advisor

    return build_advisor(get_settings())


def _run(verb: str, words: list[str], team: str, as_json: bool) -> None:
    from advisor.governance import run_target_command

    from .render import render_answer

    with user_errors():
        answer = run_target_command(_advisor(), team, f"{verb} {words_text(words)}".strip(), user="cli")
    emit(answer, as_json, render_answer)


@app.command("set")
def set_(words: list[str] = typer.Argument(..., help="KPI VALUE [period] [dim=value ...] [owner=NAME], e.g. "
                                            "engagement_rate 5% by 2027-03-31 platform=instagram owner=maria"),
         team: str = TeamOpt, as_json: bool = JsonOpt) -> None:
    """Set a target (or change the one for the same KPI, filters and period); shows its pace."""
    _run("set", words, team, as_json)


@app.command("list")
def list_(kpi: str | None = typer.Argument(None, help="Only this KPI's targets."),
          team: str = TeamOpt, as_json: bool = JsonOpt) -> None:
    """The workspace's targets with their pace: projected end value, 80% range, status."""
    _run("list", [kpi] if kpi else [], team, as_json)


@app.command("remove")
def remove(target_id: int = typer.Argument(..., help="The target's number, as `target list` shows it."),
           team: str = TeamOpt, as_json: bool = JsonOpt) -> None:
    """Delete a target."""
    _run("remove", [str(target_id)], team, as_json)


@app.command("suggest")
def suggest(words: list[str] = typer.Argument(..., help="KPI [period] [dim=value ...], e.g. "
                                              "engagement_rate next_quarter platform=instagram"),
            team: str = TeamOpt, as_json: bool = JsonOpt) -> None:
    """A realistic and a stretch target from last year, the trailing trend and the season."""
    _run("suggest", words, team, as_json)


@app.command("alerts")
def alerts(as_json: bool = JsonOpt) -> None:
    """Tell owners (Slack DM) whose targets changed status; safe to run from cron next to `serve`."""
    from bot.target_alerts import deliver_target_alerts
    from bot.wiring import build_client_factory

    with user_errors():  # OAuth mode opens the state database: a bad DATABASE_URL is one clear line
        client_for = build_client_factory(get_settings())
    if client_for is None:  # before evaluating: a status change is claimed once, so it must be sendable
        fail("No Slack credentials (SLACK_BOT_TOKEN, or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET), so owners "
             "cannot be told; nothing was evaluated.")
    with user_errors():
        report = deliver_target_alerts(_advisor(), client_for)

    def render(d: dict[str, Any]) -> None:
        console.print(f"sent {len(d['sent'])}, not sent {len(d['failed'])}")
        for item in d["failed"]:
            console.print(f"  target #{item['target']} ({item['team']}, {item['status']}): {item['error']}",
                          markup=False)

    emit(report, as_json, render)
    if report["failed"]:
        raise typer.Exit(1)
