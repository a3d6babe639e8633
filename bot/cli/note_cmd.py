"""`kpi-advisor note ...`: record what happened when, so later answers, digests and charts can cite it."""

from __future__ import annotations

import typer

from .common import emit, user_errors
from .target_cmd import _advisor, words_text

__all__ = ["app"]

app = typer.Typer(help="Notes: what happened when (a launch, an algorithm change).", no_args_is_help=True)

TeamOpt = typer.Option("local", "--team", help="Workspace (Slack team) id.")
JsonOpt = typer.Option(False, "--json", help="Print JSON for scripts.")


def _run(verb: str, words: list[str], team: str, author: str, as_json: bool) -> None:
    from advisor.governance import run_note_command

    from .render import render_answer

    with user_errors():
        answer = run_note_command(_advisor(), team, f"{verb} {words_text(words)}".strip(), user=author,
                                  source="cli")
    emit(answer, as_json, render_answer)


@app.command("add")
def add(words: list[str] = typer.Argument(..., help='DATE[..END] TEXT [dim=value ...], e.g. '
                                          '2026-11-18 "LinkedIn feed change" platform=linkedin'),
        author: str = typer.Option("", "--author", help="Who wrote it."),
        team: str = TeamOpt, as_json: bool = JsonOpt) -> None:
    """Add a note for a day or a range, optionally scoped (platform=linkedin)."""
    _run("add", words, team, author, as_json)


@app.command("list")
def list_(words: list[str] = typer.Argument(None, help="[START..END] [dim=value ...]"),
          team: str = TeamOpt, as_json: bool = JsonOpt) -> None:
    """The workspace's notes, oldest first."""
    _run("list", words or [], team, "", as_json)


@app.command("remove")
def remove(note_id: int = typer.Argument(..., help="The note's number, as `note list` shows it."),
           team: str = TeamOpt, as_json: bool = JsonOpt) -> None:
    """Delete a note."""
    _run("remove", [str(note_id)], team, "", as_json)
