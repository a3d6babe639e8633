"""App-state database: one SQLAlchemy engine, SQLite by default, PostgreSQL when configured.

Tables from every package (conversations, subscriptions, delivery log, event
de-duplication) are declared on :class:`Base` and created on first open.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import DeclarativeBase

__all__ = ["Base", "open_database"]


class Base(DeclarativeBase):
    pass


def open_database(url: str) -> Engine:
    """Open (and create the tables of) the state database at ``url``."""
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        if str(path) not in ("", ":memory:"):
            path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(conn, _record):  # WAL lets a reader and a writer work at once
            cur = conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")  # the usual pairing with WAL: no flush per commit
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()
    else:
        engine = create_engine(url, pool_pre_ping=True)
    _import_models()
    Base.metadata.create_all(engine)
    return engine


def _import_models() -> None:
    """Import every module that declares tables so create_all sees them."""
    import importlib

    for name in ("advisor.conversations", "bot.dedup", "bot.digests.models", "advisor.targets", "advisor.notes"):
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
