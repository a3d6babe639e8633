"""App-state database: one SQLAlchemy engine, SQLite by default, PostgreSQL when configured.

Every table (the advisor's, the bot's, slack_sdk's installation store and
APScheduler's jobs) is declared in :mod:`advisor.state.tables`; ORM classes map onto
them through :class:`Base`. Opening the database brings its schema up to date
with the Alembic migrations in ``advisor/state/migrations``, under a lock, so two
processes starting together on an empty database both come up.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import DeclarativeBase

from advisor.state.tables import metadata

__all__ = ["Base", "open_database"]


class Base(DeclarativeBase):
    metadata = metadata


def open_database(url: str, *, migrate: bool = True) -> Engine:
    """Open the state database at ``url`` and (unless ``migrate=False``) upgrade its schema."""
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        if str(path) not in ("", ":memory:"):
            path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        # WAL lets a reader and a writer work at once
        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(conn: sqlite3.Connection, _record: object) -> None:
            cur = conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")  # the usual pairing with WAL: no flush per commit
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()
    else:
        engine = create_engine(url, pool_pre_ping=True)
    if migrate:
        from advisor.state.migrate import upgrade_database

        upgrade_database(engine)
    return engine
