"""Schema migrations: every table made by Alembic, a 0.1.0 database adopted, starts that race."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).parent / "data"


def _pg_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.skip("TEST_DATABASE_URL is not set (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)")
    return url


def _scratch_pg(suffix: str) -> str:
    """A database of our own next to TEST_DATABASE_URL's, emptied: <name>_<suffix>."""
    from sqlalchemy.engine import make_url

    base = make_url(_pg_url())
    name = f"{base.database}_{suffix}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).scalar():
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = base.set(database=name).render_as_string(hide_password=False)
    _empty_pg(url)
    return url


def _empty_pg(url: str) -> None:
    eng = create_engine(url, isolation_level="AUTOCOMMIT")
    with eng.connect() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    eng.dispose()


def _diffs(engine) -> list:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from advisor.state.tables import metadata

    with engine.connect() as conn:
        return compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata)


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'state.db'}"
    return _scratch_pg("migrations")


def test_fresh_database_gets_every_table_and_matches_the_declarations(empty_url):
    from advisor.db import open_database
    from advisor.state.migrate import head_revision, schema_status
    from advisor.state.tables import metadata

    engine = open_database(empty_url)
    names = set(inspect(engine).get_table_names())
    assert set(metadata.tables) | {"alembic_version"} == names
    assert _diffs(engine) == []  # the migrations build exactly what advisor.state.tables declares
    assert schema_status(engine).current == head_revision()
    engine.dispose()


def test_orm_classes_map_onto_the_declared_tables():
    import advisor.conversations
    import advisor.workspaces
    import bot.dedup
    from advisor.db import Base
    from advisor.state import tables
    from bot.digests import models

    assert Base.metadata is tables.metadata
    mapped = {m.local_table.name for m in Base.registry.mappers}
    assert {"conversation_turns", "bot_seen_events", "digest_subscriptions", "digest_deliveries"} <= mapped
    # the workspace store queries the declared table itself (no ORM class, so `kpi value` skips SQLAlchemy)
    assert "Table(" not in Path(advisor.workspaces.__file__).read_text(encoding="utf-8")
    assert models.Subscription.__table__ is tables.digest_subscriptions
    assert advisor.conversations and advisor.workspaces and bot.dedup


def _shape(table) -> tuple:
    cols = tuple((c.name, type(c.type).__name__, getattr(c.type, "length", None), c.nullable, c.primary_key)
                 for c in table.columns)
    idx = tuple(sorted((i.name, tuple(c.name for c in i.columns)) for i in table.indexes))
    return cols, idx


def test_third_party_tables_match_what_the_libraries_would_create():
    """slack_sdk and APScheduler no longer create their tables; ours must be the same shape."""
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from slack_sdk.oauth.installation_store.sqlalchemy import (
        SQLAlchemyInstallationStore,
    )
    from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

    from advisor.state import tables

    engine = create_engine("sqlite://")
    installs = SQLAlchemyInstallationStore(client_id="1.2", engine=engine)
    states = SQLAlchemyOAuthStateStore(expiration_seconds=600, engine=engine)
    jobs = SQLAlchemyJobStore(engine=engine, tablename="digest_jobs").jobs_t
    assert _shape(installs.installations) == _shape(tables.slack_installations)
    assert _shape(installs.bots) == _shape(tables.slack_bots)
    assert _shape(states.oauth_states) == _shape(tables.slack_oauth_states)
    assert _shape(jobs) == _shape(tables.digest_jobs)


def test_head_revision_read_without_alembic_agrees_with_alembic():
    from alembic.script import ScriptDirectory

    from advisor.state.migrate import alembic_config, head_revision

    assert head_revision() == ScriptDirectory.from_config(alembic_config()).get_current_head()


def test_opening_a_current_database_does_not_import_alembic(tmp_path):
    from advisor.db import open_database

    url = f"sqlite:///{tmp_path / 'state.db'}"
    open_database(url).dispose()
    code = (f"import sys; from advisor.db import open_database; open_database({url!r}); "
            "raise SystemExit(1 if 'alembic' in sys.modules else 0)")
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 0


def _load_v010(url: str) -> None:
    """A database as release 0.1.0 left it (its create_all DDL, dumped), with a few rows."""
    dialect = "postgresql" if url.startswith("postgresql") else "sqlite"
    ddl = (DATA / f"v0_1_0_{dialect}.sql").read_text()
    engine = create_engine(url)
    with engine.begin() as conn:
        if dialect == "sqlite":
            for stmt in ddl.split(";"):
                if stmt.strip():
                    conn.exec_driver_sql(stmt)
        else:
            conn.exec_driver_sql(ddl)
        now = datetime(2025, 6, 1, tzinfo=UTC)
        conn.execute(text(
            "INSERT INTO digest_subscriptions (team_id, channel_id, target, owner_id, kind, cadence, time, "
            "timezone, period, goal, kpis, filters, quiet, alert_direction, alert_state, spec_text, status, "
            "active_since, created_at, updated_at) VALUES ('T1', 'C1', 'channel', 'U1', 'digest', 'weekly', "
            "'09:00', 'UTC', 'last_week', 'awareness', '[]', '{}', 'full', 'bad', 'normal', "
            "'weekly mon 09:00 UTC goal=awareness quiet=full', 'active', :t, :t, :t)"), {"t": now})
        conn.execute(text("INSERT INTO workspace_settings (team_id, config) VALUES ('T1', '{\"timezone\": \"UTC\"}')"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def v010_url(request, tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}" if request.param == "sqlite" else _scratch_pg("v010")
    _load_v010(url)
    return url


def test_a_release_0_1_0_database_is_adopted_and_keeps_its_data(v010_url, slack, sleeps):
    from advisor.db import open_database
    from advisor.state.migrate import head_revision, schema_status
    from tests.digests.conftest import Clock, make_service, utc
    from tests.digests.static_advisor import StaticAdvisor

    engine = open_database(v010_url)
    assert schema_status(engine).current == head_revision()
    assert _diffs(engine) == []
    svc = make_service(state_db=engine, advisor=StaticAdvisor(), slack=slack, clock=Clock(utc(2025, 6, 2, 9)),
                       sleeps=sleeps)
    (sub,) = svc.list("T1")
    assert sub.spec_text.startswith("weekly mon 09:00")
    assert [p["subscription"] for p in svc.run_due().posted] == [sub.id]
    engine.dispose()


def test_a_foreign_table_with_our_name_is_refused_with_a_readable_error(tmp_path):
    from advisor.db import open_database
    from advisor.state.errors import SchemaError

    url = f"sqlite:///{tmp_path / 'foreign.db'}"
    with create_engine(url).begin() as conn:
        conn.exec_driver_sql("CREATE TABLE digest_subscriptions (id INTEGER PRIMARY KEY, name TEXT)")
    with pytest.raises(SchemaError, match="digest_subscriptions exists but lacks team_id"):
        open_database(url)


def test_a_database_from_a_newer_release_is_refused_with_a_readable_error(tmp_path):
    from advisor.db import open_database
    from advisor.state.errors import SchemaError

    url = f"sqlite:///{tmp_path / 'newer.db'}"
    open_database(url).dispose()
    with create_engine(url).begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '0099_from_the_future'")
    with pytest.raises(SchemaError, match="0099_from_the_future.*newer release"):
        open_database(url)


def test_db_revision_writes_a_migration_for_a_new_table(tmp_path, monkeypatch):
    from sqlalchemy import Column, Integer, String, Table

    from advisor.state import tables
    from advisor.state.migrate import create_revision, head_revision

    table = Table("kpi_targets_example", tables.metadata, Column("id", Integer, primary_key=True),
                  Column("kpi_id", String(64), nullable=False))
    try:
        (path,) = create_revision("add targets", directory=tmp_path)
    finally:
        tables.metadata.remove(table)
    source = path.read_text()
    assert path.name == f"{int(head_revision()[:4]) + 1:04d}_add_targets.py"  # numbered after the head
    assert f"down_revision = '{head_revision()}'" in source
    assert "op.create_table('kpi_targets_example'" in source and "digest_subscriptions" not in source


def test_db_cli_status_and_upgrade(tmp_path, monkeypatch):
    import json

    from typer.testing import CliRunner

    from bot.cli import common, db_cmd

    monkeypatch.setattr(common, "_settings", None)
    runner = CliRunner()
    res = runner.invoke(db_cmd.app, ["status", "--json"])
    assert res.exit_code == 1 and json.loads(res.stdout)["current"] is None
    res = runner.invoke(db_cmd.app, ["upgrade", "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["from"] is None and out["changed"] is True
    res = runner.invoke(db_cmd.app, ["status"])
    assert res.exit_code == 0 and "up to date" in res.output


# ---------------------------------------------------------------- two processes starting together

_STARTER = textwrap.dedent("""
    import sys, time, traceback
    from advisor.db import open_database
    from bot.oauth import build_stores
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    print("ready", flush=True)
    for line in sys.stdin:                 # one line per round: "<url> <start time>"
        url, start = line.split()
        while time.time() < float(start):
            time.sleep(0.0005)
        try:
            # what every start does: open (migrate), OAuth stores, the scheduler's job store
            engine = open_database(url)
            build_stores(engine=engine, client_id="1.2")
            SQLAlchemyJobStore(engine=engine, tablename="digest_jobs").start(None, "default")
            engine.dispose()
            print("ok", flush=True)
        except Exception:
            print("FAIL " + traceback.format_exc().replace("\\n", " | "), flush=True)
""")


def test_two_processes_starting_on_an_empty_postgresql_both_come_up_20_rounds():
    url = _scratch_pg("startrace")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    procs = [subprocess.Popen([sys.executable, "-c", _STARTER], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              text=True, env=env, cwd=ROOT) for _ in range(2)]
    try:
        for p in procs:
            assert p.stdout.readline().strip() == "ready"
        for round_ in range(20):
            _empty_pg(url)
            start = time.time() + 0.3
            for p in procs:
                p.stdin.write(f"{url} {start}\n")
                p.stdin.flush()
            results = [p.stdout.readline().strip() for p in procs]
            assert results == ["ok", "ok"], f"round {round_}: {results}"
            engine = create_engine(url)
            from advisor.state.migrate import head_revision, schema_status

            assert schema_status(engine).current == head_revision()
            engine.dispose()
    finally:
        for p in procs:
            p.stdin.close()
            p.wait(timeout=30)


def test_two_cli_upgrades_on_one_empty_sqlite_file_both_succeed(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(ROOT), KPI_ADVISOR_HOME_DIR=str(tmp_path / "home"))
    cmd = [sys.executable, "-m", "bot.cli.main", "db", "upgrade", "--json"]
    procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
             for _ in range(2)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    import json

    changed = sorted(json.loads(o)["changed"] for o, _ in outs)
    assert changed == [False, True], outs  # one did the work, the other found it done
    assert "Traceback" not in "".join(e for _, e in outs)
