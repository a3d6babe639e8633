"""`kpi-advisor`: the terminal front end. Thin: parse arguments, call, render.

Each command imports what it needs when it runs, so `kpi-advisor kpi list`
does not pay for pandas and `kpi-advisor ask` does not pay for Slack.
"""

from __future__ import annotations

import sys
from typing import Any

import typer

from . import (
    data_cmd,
    db_cmd,
    digest_cmd,
    knowledge_cmd,
    note_cmd,
    serve_cmd,
    slack_cmd,
    target_cmd,
)
from .common import console, emit, fail, get_settings, json_option, user_errors

__all__ = ["app", "run"]

app = typer.Typer(
    help="KPI advisor for social-media teams: the right KPI, its current value, and digests.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
kpi_app = typer.Typer(help="The KPI catalog and current values.", no_args_is_help=True)
app.add_typer(kpi_app, name="kpi")
app.add_typer(data_cmd.app, name="data")
app.add_typer(knowledge_cmd.app, name="knowledge")
app.add_typer(digest_cmd.app, name="digest")
app.add_typer(db_cmd.app, name="db")
app.add_typer(target_cmd.app, name="target")
app.add_typer(note_cmd.app, name="note")
app.add_typer(slack_cmd.app, name="slack")

JsonOpt = json_option()


def _where(values: list[str]) -> dict[str, list[str]]:
    """['platform=instagram,tiktok', 'topic=how_to'] -> {'platform': [...], 'topic': [...]}"""
    out: dict[str, list[str]] = {}
    for item in values:
        if "=" not in item:
            fail(f"--where takes DIMENSION=VALUE (e.g. platform=instagram), not '{item}'.")
        dim, _, vals = item.partition("=")
        out.setdefault(dim.strip().lower(), []).extend(v.strip() for v in vals.split(",") if v.strip())
    return out


def _engine() -> Any:
    from bot.wiring import build_engine

    return build_engine(get_settings())


def _catalog():
    from kpi_engine.catalog import default_catalog, load_catalog

    paths = get_settings().catalog_paths
    return load_catalog(paths) if paths else default_catalog()


# ---------------------------------------------------------------------- kpi


@kpi_app.command("list")
def kpi_list(goal: str | None = typer.Option(None, "--goal", help="Only KPIs of this goal family."),
             as_json: bool = JsonOpt) -> None:
    """Every KPI in the catalog (bundled plus your team's overrides)."""
    with user_errors():
        cat = _catalog()
        kpis = [k for k in cat.kpis.values() if goal is None or cat.goal(goal).id in k.families]

    def render(items: list[Any]) -> None:
        from rich.table import Table

        t = Table(title="KPI catalog", title_justify="left")
        for col in ("id", "name", "formula", "goals", "good"):
            t.add_column(col)
        for k in items:
            t.add_row(k.id, k.name, k.formula.describe(), ", ".join(k.families), k.direction)
        console.print(t)

    emit(kpis, as_json, render)


@kpi_app.command("show")
def kpi_show(kpi_id: str = typer.Argument(..., help="KPI id, e.g. engagement_rate."), as_json: bool = JsonOpt) -> None:
    """A KPI's full definition: formula, denominator, guardrails, diagnostics."""
    with user_errors():
        kpi = _catalog().get(kpi_id)

    def render(k: Any) -> None:
        console.print(f"[bold]{k.name}[/] ({k.id})\n{k.definition}\n")
        console.print(f"[bold]Formula[/]: {k.formula.describe()}\n[bold]Denominator[/]: {k.denominator}")
        console.print(f"[bold]Unit[/]: {k.unit}   [bold]Good direction[/]: {k.direction}   "
                      f"[bold]Timing[/]: {k.timing}   [bold]Minimum volume[/]: {k.min_volume:,.0f}")
        console.print(f"[bold]Scope[/]: {k.scope}   [bold]Timezone[/]: {k.timezone}")
        if k.caveat:
            console.print(f"[yellow]Note[/]: {k.caveat}")
        console.print("[bold]Guardrails[/]:\n" + "\n".join(f"  - {g}" for g in k.guardrails))
        console.print(f"[bold]Diagnostics[/]: {', '.join(k.diagnostics)}")

    emit(kpi, as_json, render)


@kpi_app.command("value")
def kpi_value(
    kpi_id: str = typer.Argument(..., help="KPI id, e.g. engagement_rate."),
    period: str = typer.Option("last_28_days", "--period", "-p", help="last_7_days, last_month, mtd, 2025-01-01..2025-01-31, ..."),
    by: str | None = typer.Option(None, "--by", help="Break down by platform, account, content_type, topic or campaign."),
    where: list[str] = typer.Option([], "--where", "-w", help="Filter, e.g. platform=instagram (repeatable)."),
    as_json: bool = JsonOpt,
) -> None:
    """The KPI's value, change vs the previous period and last year (meaningful, no meaningful change, or too early to tell), and a breakdown."""
    with user_errors():
        engine = _engine()
        filters = _where(where)
        report = engine.compute_report(kpi_id, period, filters)
        breakdown = engine.compute_breakdown(kpi_id, by, period, filters) if by else None
    from .render import render_breakdown, render_report

    def render(_: Any) -> None:
        render_report(report)
        if breakdown is not None:
            render_breakdown(breakdown)

    emit({"report": report, "breakdown": breakdown}, as_json, render)


@kpi_app.command("trend")
def kpi_trend(
    kpi_id: str = typer.Argument(...),
    period: str = typer.Option("last_90_days", "--period", "-p"),
    grain: str = typer.Option("day", "--grain", help="day, week or month."),
    where: list[str] = typer.Option([], "--where", "-w"),
    as_json: bool = JsonOpt,
) -> None:
    """The KPI per day, week or month, with unusual buckets flagged."""
    if grain not in ("day", "week", "month"):
        fail("--grain is day, week or month.")
    with user_errors():
        trend = _engine().compute_trend(kpi_id, period, grain, _where(where))
    from .render import render_trend

    emit(trend, as_json, render_trend)


@kpi_app.command("scorecard")
def kpi_scorecard(
    goal: str = typer.Option(..., "--goal", "-g", help="awareness, engagement, traffic, leads, ecommerce, local, community, brand_health, efficiency."),
    period: str = typer.Option("last_7_days", "--period", "-p"),
    where: list[str] = typer.Option([], "--where", "-w"),
    as_json: bool = JsonOpt,
) -> None:
    """The goal's primary KPI and diagnostics with changes and verdicts."""
    with user_errors():
        card = _engine().compute_scorecard(goal, period, _where(where))
    from .render import render_scorecard

    emit(card, as_json, render_scorecard)


# ---------------------------------------------------------------------- advisor


def _advisor() -> Any:
    from bot.wiring import build_advisor

    from .checks import check_state_database

    settings = get_settings()
    with user_errors():  # a bad DATABASE_URL or missing driver: one sentence, not a traceback
        check_state_database(settings)
    return build_advisor(settings)


def _choices(answer: Any) -> list[Any]:
    """The pick-one actions of a clarifying answer, in the order they are numbered."""
    return [a for a in answer.actions if a.id in ("choose_goal", "choose_kpi")]


@app.command()
def ask(
    question: str = typer.Argument("", help='e.g. "which KPI for awareness?"'),
    llm: bool | None = typer.Option(None, "--llm/--no-llm", help="Phrase with the configured LLM (default from KPI_ADVISOR_LLM)."),
    thread: str | None = typer.Option(None, "--thread", help="Keep context across calls under this key."),
    pick: int | None = typer.Option(None, "--pick", min=1, help="When the answer asks which goal or KPI: take option N."),
    as_json: bool = JsonOpt,
) -> None:
    """Ask the advisor a question."""
    import contextlib

    # --json: stdout carries exactly one JSON object, whatever a library prints while answering
    quiet = contextlib.redirect_stdout(sys.stderr) if as_json else contextlib.nullcontext()
    with user_errors(), quiet:  # errors leave `quiet` first, so their JSON reaches stdout
        from advisor.errors import BadQuestion

        settings = get_settings()
        if llm is not None:
            settings.llm = llm
        advisor = _advisor()
        answer = advisor.answer(question, workspace="local", thread=thread)
        if pick is not None:
            options = _choices(answer)
            if not 1 <= pick <= len(options):
                raise BadQuestion(f"--pick takes 1 to {len(options)} for that answer." if options else
                                  "That answer has no options to pick from; ask without --pick.")
            chosen = options[pick - 1]
            answer = advisor.run_action(chosen.id, chosen.payload, workspace="local", thread=thread)
    from .render import render_answer

    emit(answer, as_json, render_answer)


@app.command()
def brief(
    scope: list[str] = typer.Argument(None, help='Platform and period, e.g. "linkedin last week" (default: all, last 7 days).'),
    thread: str | None = typer.Option(None, "--thread", help="Keep context across calls under this key."),
    as_json: bool = JsonOpt,
) -> None:
    """How are we doing? The team's goals for a platform and period, what matters first."""
    import contextlib

    quiet = contextlib.redirect_stdout(sys.stderr) if as_json else contextlib.nullcontext()
    with user_errors(), quiet:
        answer = _advisor().answer(" ".join(["brief", *(scope or [])]), workspace="local", thread=thread)
    from .render import render_answer

    emit(answer, as_json, render_answer)


@app.command()
def chat(llm: bool | None = typer.Option(None, "--llm/--no-llm")) -> None:
    """A conversation in the terminal; follow-ups keep context. Ctrl-D or 'exit' to leave.

    When an answer lists numbered options (which goal? which KPI?), typing the number picks one.
    """
    import uuid

    from .render import render_answer

    settings = get_settings()
    if llm is not None:
        settings.llm = llm
    advisor = _advisor()
    thread = f"chat-{uuid.uuid4().hex[:8]}"
    console.print("[dim]Ask about KPIs (e.g. 'which KPI for awareness?'). Empty line or 'exit' to leave.[/]")
    options: list[Any] = []
    while True:
        try:
            question = console.input("[bold cyan]you>[/] ").strip()
        except (EOFError, KeyboardInterrupt):
            break
        if question.lower() in ("", "exit", "quit"):
            break
        with user_errors_soft():
            number = question.rstrip(".)").strip()
            if options and number.isdigit() and 1 <= int(number) <= len(options):
                chosen = options[int(number) - 1]
                answer = advisor.run_action(chosen.id, chosen.payload, workspace="local", thread=thread)
            else:
                answer = advisor.answer(question, workspace="local", thread=thread)
            options = _choices(answer)
            render_answer(answer)


def user_errors_soft():
    """Like user_errors, but keeps the REPL alive after a user-facing error."""
    from contextlib import contextmanager

    @contextmanager
    def _soft():
        try:
            with user_errors():
                yield
        except typer.Exit:
            pass

    return _soft()


@app.command()
def demo(out: str | None = typer.Option(None, "--out", help="Folder for the demo's chart PNGs.")) -> None:
    """A guided tour on the bundled sample data: no network, no keys."""
    from .demo import run_demo

    run_demo(out)


app.command("serve")(serve_cmd.serve)


def run() -> None:
    """Entry point. Under --json every failure is JSON on stdout with a non-zero exit, including
    usage errors (which click would print as text) and bugs (traceback kept on stderr)."""
    import sys

    if "--json" not in sys.argv[1:]:
        app()
        return
    from .common import run_json_mode

    sys.exit(run_json_mode(app))


if __name__ == "__main__":
    run()
