"""`kpi-advisor db ...`: the state database's schema (upgrade, status, new migrations)."""

from __future__ import annotations

from typing import Any

import typer

from .common import console, emit, fail, get_settings, json_option, user_errors

__all__ = ["app"]

app = typer.Typer(help="The app-state database: schema migrations.", no_args_is_help=True)

JsonOpt = json_option()


def _engine() -> Any:
    from advisor.db import open_database

    from .checks import check_state_database

    settings = get_settings()
    with user_errors():  # a bad DATABASE_URL or missing driver: one sentence naming it
        check_state_database(settings, migrate=False)
    return open_database(settings.state_url, migrate=False)


def _safe_url(engine: Any) -> str:
    return engine.url.render_as_string(hide_password=True)


@app.command("upgrade")
def upgrade(as_json: bool = JsonOpt) -> None:
    """Bring the schema to the newest revision (every start does this too; safe to run any time)."""
    from advisor.state.migrate import upgrade_database

    with user_errors():
        engine = _engine()
        done = upgrade_database(engine)
    result = {"database": _safe_url(engine), "from": done.from_revision, "to": done.to_revision,
              "changed": done.ran}

    def render(d: dict[str, Any]) -> None:
        if d["changed"]:
            console.print(f"Upgraded {d['database']} from {d['from'] or 'no schema'} to {d['to']}.")
        else:
            console.print(f"{d['database']} is up to date ({d['to']}).")

    emit(result, as_json, render)


@app.command("status")
def status(as_json: bool = JsonOpt) -> None:
    """The schema revision of the database and of this release. Exit 1 when an upgrade is pending."""
    from advisor.state.migrate import schema_status

    with user_errors():
        engine = _engine()
        st = schema_status(engine)
    result = {"database": _safe_url(engine), "current": st.current, "head": st.head,
              "up_to_date": st.up_to_date, "tables": st.tables}

    def render(d: dict[str, Any]) -> None:
        if d["up_to_date"]:
            console.print(f"{d['database']}: schema {d['current']} (up to date).")
        else:
            console.print(f"{d['database']}: schema {d['current'] or 'not recorded'}, this release has "
                          f"{d['head']}; `kpi-advisor db upgrade` (or any start) brings it up to date.")

    emit(result, as_json, render)
    if not st.up_to_date:
        raise typer.Exit(1)


@app.command("revision")
def revision(message: str = typer.Option(..., "-m", "--message", help="What the migration changes."),
             empty: bool = typer.Option(False, "--empty", help="Write an empty migration to fill in by hand."),
             ) -> None:
    """For developers: write a migration for the table changes made in advisor/state/tables.py."""
    from advisor.state.migrate import create_revision

    with user_errors():
        paths = create_revision(message, autogenerate=not empty)
    if not paths:
        fail("No migration was written.")
    for path in paths:
        console.print(f"Wrote {path}; review it, then run the tests (tests/digests/test_migrations.py).")
