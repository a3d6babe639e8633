"""`kpi-advisor demo`: a guided tour on the bundled sample data, no network, no keys."""

from __future__ import annotations

from pathlib import Path

from .common import console, get_settings, user_errors
from .render import render_answer, render_scorecard

__all__ = ["run_demo"]

TOUR = [
    ("Ask which KPI fits a goal", "which KPI for awareness?"),
    ("Fetch a value with a breakdown (what `/kpi` does in Slack)", "engagement rate last 28 days by platform"),
    ("Follow up in the same thread", "and on tiktok?"),
    ("Ask why it moved", "why did it drop?"),
    ("Get a straight answer on a vanity metric", "is follower count a good KPI?"),
]


def _step(n: int, title: str) -> None:
    if console.is_terminal:
        console.rule(f"[bold]{n}. {title}")
    else:  # piped output has no page width to fill
        console.print(f"\n[bold]== {n}. {title} ==[/]")


def run_demo(out: str | None = None) -> None:
    from bot.wiring import build_advisor

    settings = get_settings()
    out_dir = Path(out) if out else settings.home / "demo"
    console.print("[bold]kpi-advisor demo[/]: bundled synthetic data (6 platforms, 2 years ending yesterday), "
                  "the project's own guidance in a local Chroma folder, template narration. "
                  "No network, no keys.\n")
    with user_errors():
        from .checks import check_state_database

        check_state_database(settings)  # a bad DATABASE_URL: one sentence naming it
        advisor = build_advisor(settings)
        _build_knowledge(advisor)
        n = 0
        for n, (title, question) in enumerate(TOUR, start=1):
            _step(n, title)
            console.print(f"[bold cyan]you>[/] {question}")
            render_answer(advisor.answer(question, workspace="local", thread="demo"))

        n += 1
        _step(n, "A goal's scorecard: primary KPI and diagnostics, with tested verdicts")
        render_scorecard(advisor.engine("local").compute_scorecard("engagement", "last_7_days"))

        n += 1
        _step(n, "The weekly digest a channel would get, with its trend chart")
        digest = advisor.compose_digest(workspace="local", goal="awareness", period="last_week")
        render_answer(digest)
        out_dir.mkdir(parents=True, exist_ok=True)
        if digest.chart is not None:
            png = out_dir / "awareness_digest.png"
            png.write_bytes(advisor.render_chart(digest.chart, workspace="local"))
            console.print(f"Chart written to [bold]{png}[/]")

    console.rule("[bold]Next")
    console.print(
        "- [bold]kpi-advisor chat[/]: ask your own questions (follow-ups keep context)\n"
        "- [bold]kpi-advisor kpi value engagement_rate --by platform[/]: numbers for scripts (add --json)\n"
        "- [bold]kpi-advisor data check FILE[/]: check your own export, then set DATA_PATH\n"
        "- [bold]kpi-advisor serve[/]: run the Slack app (see README: Slack setup)"
    )


def _build_knowledge(advisor) -> None:
    from rich.progress import Progress

    kb = advisor.knowledge
    with Progress(transient=True, console=console) as progress:
        task = progress.add_task("Embedding the guidance documents", total=None)

        def tick(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        report = kb.build(progress=tick)
    console.print(f"[dim]Knowledge base: {report.documents} documents, {report.chunks} chunks "
                  f"({report.added} embedded now, {report.unchanged} unchanged) in {report.store}[/]\n")
