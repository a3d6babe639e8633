"""`kpi-advisor data ...`: check a data file's quality, load files into a database, write the sample."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import typer

from bot.cli.common import console, emit, fail, get_settings, json_option, user_errors

__all__ = ["app"]

app = typer.Typer(
    help="Your data: check a file or folder for problems, load files into a database, or write the sample dataset.",
    no_args_is_help=True,
)

JsonOpt = json_option()
_STYLE = {"error": "bold red", "warning": "yellow", "info": "dim"}


@app.command()
def check(
    file: Path = typer.Argument(..., help="A CSV/Parquet file or a folder of posts/accounts/interactions files."),
    mapping: str | None = typer.Option(
        None, "--mapping", "-m", help="Column mapping: a shipped name (e.g. linkedin_page_updates) or a YAML file."
    ),
    stale_after: int = typer.Option(3, "--stale-after", help="Days behind today before data counts as stale."),
    as_json: bool = JsonOpt,
) -> None:
    """Load FILE and report gaps, duplicates, impossible values and stale data (exit 1 on errors)."""
    with user_errors():
        from kpi_engine.loaders import load_dataset
        from kpi_engine.quality import check_quality

        settings = get_settings()
        dataset = load_dataset(file, mapping=mapping or settings.data_mapping, timezone=settings.timezone)
        report = check_quality(dataset, stale_after_days=stale_after)

    def render(r: Any) -> None:
        from rich.table import Table

        tables = Table(title=f"Data in {file}", title_justify="left")
        for col in ("table", "rows", "first day", "last day", "gap days", "duplicates"):
            tables.add_column(col, justify="right" if col != "table" else "left")
        for t in r.tables:
            tables.add_row(t.table, f"{t.rows:,}", str(t.first_date or "-"), str(t.last_date or "-"),
                           str(len(t.gap_days)), str(t.duplicate_rows))
        console.print(tables)
        if not r.issues:
            console.print("[bold green]No problems found.[/]")
            return
        issues = Table(title="Issues", title_justify="left", show_lines=False)
        issues.add_column("severity")
        issues.add_column("table")
        issues.add_column("count", justify="right")
        issues.add_column("what to know / do", overflow="fold")
        for i in r.issues:
            issues.add_row(f"[{_STYLE[i.severity]}]{i.severity}[/]", i.table, f"{i.count:,}" if i.count else "",
                           i.message)
        console.print(issues)
        verdict = "[bold green]OK[/]: no errors." if r.ok else f"[bold red]{len(r.errors)} error(s)[/]: fix them first."
        console.print(verdict)

    emit(report, as_json, render)
    if not report.ok:
        raise typer.Exit(1)


@app.command()
def load(
    files: list[Path] = typer.Argument(..., help="CSV/Parquet files or folders of posts/accounts/interactions files."),
    to: str | None = typer.Option(
        None, "--to", help="SQLAlchemy URL to write to, e.g. duckdb:///kpis.duckdb (default: KPI_ADVISOR_DATA_URL)."
    ),
    mapping: str | None = typer.Option(
        None, "--mapping", "-m", help="Column mapping: a shipped name (e.g. linkedin_page_updates) or a YAML file."
    ),
    schema: str | None = typer.Option(
        None, "--schema", help="Schema of the tables (default: KPI_ADVISOR_DATA_SCHEMA)."
    ),
    append: bool = typer.Option(False, "--append", help="Add the rows to existing tables instead of replacing them."),
    as_json: bool = JsonOpt,
) -> None:
    """Load FILES into canonical tables at --to (replacing them unless --append), with a progress bar.

    Table names follow KPI_ADVISOR_DATA_TABLES, so the advisor reads what was loaded.
    """
    settings = get_settings()
    url = to or settings.data_url
    if not url:
        fail("Say where to load the data: --to URL (e.g. duckdb:///kpis.duckdb) or set KPI_ADVISOR_DATA_URL.", code=2)
    with user_errors(), _load_progress(disabled=as_json) as progress:
        from kpi_engine.loaders import load_datasets
        from kpi_engine.sql import open_database, write_dataset_to_sql

        engine = open_database(url)  # a bad URL fails before any file is read
        reading = progress.add_task(f"reading {files[0].name}", total=len(files))
        combined = load_datasets(
            files, mapping=mapping or settings.data_mapping, timezone=settings.timezone,
            progress=lambda path: progress.update(reading, advance=1, description=f"read {path.name}"),
        )
        loaded = [n for n in ("posts", "accounts", "interactions") if combined.table(n) is not None]
        tasks = {n: progress.add_task(f"writing {n}", total=combined.rows(n)) for n in loaded}
        written = write_dataset_to_sql(
            combined, url, if_exists="append" if append else "replace", tables=settings.data_tables,
            schema=schema or settings.data_schema, engine=engine,
            progress=lambda table, rows: progress.advance(tasks[table], rows),
        )
        engine.dispose()
    from kpi_engine.sql import safe_url

    result = {"url": safe_url(url), "schema": schema or settings.data_schema, "append": append, "rows": written,
              "tables": {n: settings.data_tables.get(n, n) for n in written}}

    def render(r: dict[str, Any]) -> None:
        rows = ", ".join(f"{n:,} {t}" for t, n in r["rows"].items())
        verb = "Appended" if r["append"] else "Loaded"
        console.print(f"[bold green]{verb}[/] {rows} rows into {r['url']}.")

    emit(result, as_json, render)


def _load_progress(*, disabled: bool) -> Any:
    """A progress bar on stderr when it is a terminal (stdout stays clean for --json and pipes)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from bot.cli.common import err_console

    return Progress(TextColumn("{task.description:<24}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=err_console, disable=disabled or not err_console.is_terminal)


@app.command()
def sample(
    out: Path | None = typer.Option(None, "--out", "-o", help="Folder to write to (default: <home>/sample)."),
    fmt: str = typer.Option("csv", "--format", "-f", help="csv or parquet."),
    end: str | None = typer.Option(None, "--end", help="Last day, YYYY-MM-DD (default: yesterday, UTC)."),
    days: int = typer.Option(730, "--days", min=1, help="Days of data."),
    seed: int = typer.Option(7, "--seed", help="Random seed; the same seed gives the same data."),
    scale: float = typer.Option(1.0, "--scale", min=0.01, help="Multiplies accounts and posts (1.0 ~ 110k post-days)."),
    as_json: bool = JsonOpt,
) -> None:
    """Write the synthetic sample dataset (posts, accounts, interactions) with its planted events."""
    if fmt not in ("csv", "parquet"):
        fail(f"Unknown format '{fmt}': use csv or parquet.")
    last_day: date | None = None
    if end is not None:
        try:
            last_day = date.fromisoformat(end)
        except ValueError:
            fail(f"--end must be a date like 2025-06-30, not '{end}'.")
    with user_errors():
        from kpi_engine.sample import PLANTED_EVENTS, default_end, generate_sample, write_sample

        target = out or get_settings().sample_dir
        last_day = last_day or default_end()
        dataset = generate_sample(end=last_day, days=days, seed=seed, scale=scale)
        files = write_sample(dataset, target, fmt=fmt)
        result = {
            "directory": str(target),
            "files": [str(f) for f in files],
            "rows": {name: dataset.rows(name) for name in ("posts", "accounts", "interactions")},
            "end": str(last_day),
            "seed": seed,
            "planted_events": [
                {"name": e.name, "kpi": e.kpi, "platform": e.platform, "kind": e.kind,
                 "magnitude": e.magnitude, "start": str(e.window(last_day)[0]), "end": str(e.window(last_day)[1])}
                for e in PLANTED_EVENTS
            ],
        }

    def render(r: dict[str, Any]) -> None:
        rows = ", ".join(f"{n:,} {t}" for t, n in r["rows"].items())
        console.print(f"[bold green]Wrote[/] {rows} rows to {r['directory']} (ending {r['end']}, seed {r['seed']}).")
        for e in r["planted_events"]:
            where = e["platform"] or "all platforms"
            console.print(f"  planted: {e['name']} ({e['kpi']} x{e['magnitude']} on {where}, {e['start']}..{e['end']})")

    emit(result, as_json, render)
