"""The replay seen-set's table comes from the schema migrations, and a copy of it made before its
migration existed (a development build created it itself) is adopted with its rows."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from advisor.db import open_database
from advisor.state.errors import SchemaError
from advisor.state.migrate import alembic_config, head_revision, schema_status
from bot.dedup import ReplayGuard


def _baseline_database(url: str, extra_sql: str) -> None:
    from alembic import command

    engine = sa.create_engine(url)
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0001_baseline")
    with engine.begin() as conn:
        conn.execute(sa.text(extra_sql))
    engine.dispose()


def test_a_fresh_database_has_the_table_and_replays_lose_the_claim(tmp_path):
    engine = open_database(f"sqlite:///{tmp_path / 'state.db'}")
    assert "bot_seen_requests" in sa.inspect(engine).get_table_names()
    guard = ReplayGuard(engine=engine)
    assert guard.claim("1700000000", "v0=abc") is True
    assert guard.claim("1700000000", "v0=abc") is False
    assert guard.claim("1700000001", "v0=abc") is True  # another timestamp: another request


def test_a_table_made_before_its_migration_is_adopted_with_its_rows(tmp_path):
    url = f"sqlite:///{tmp_path / 'state.db'}"
    _baseline_database(url, "CREATE TABLE bot_seen_requests (timestamp VARCHAR(20) NOT NULL, "
                            "signature VARCHAR(100) NOT NULL, seen_at FLOAT NOT NULL, "
                            "PRIMARY KEY (timestamp, signature))")
    with sa.create_engine(url).begin() as conn:
        conn.execute(sa.text("INSERT INTO bot_seen_requests VALUES ('1700000000', 'v0=seen', 1.0)"))
    engine = open_database(url)
    assert schema_status(engine).current == head_revision()
    assert ReplayGuard(engine=engine).claim("1700000000", "v0=seen") is False  # still remembered


def test_a_foreign_table_with_that_name_is_refused_readably(tmp_path):
    url = f"sqlite:///{tmp_path / 'state.db'}"
    _baseline_database(url, "CREATE TABLE bot_seen_requests (id INTEGER PRIMARY KEY)")
    with pytest.raises(SchemaError) as info:
        open_database(url)
    assert "bot_seen_requests" in str(info.value) and "DATABASE_URL" in str(info.value)
