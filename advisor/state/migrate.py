"""Bring the state database to the newest schema, once, however many processes start together.

``upgrade_database`` is called by every start (``open_database``) and by
``kpi-advisor db upgrade``. When the schema is already current it costs one
query and takes no lock. Otherwise it takes a lock that every other starting
process waits on, re-reads the revision under it (the first process may have
done the work meanwhile), and runs the pending Alembic migrations:

* PostgreSQL: a transaction-scoped advisory lock (``pg_advisory_xact_lock``) in
  the migration's own transaction, so DDL and lock end together;
* SQLite: an exclusive ``flock`` on ``<database file>.migrate.lock`` (an
  in-memory database belongs to one process and needs none);
* other databases: no lock; run ``kpi-advisor db upgrade`` once before starting
  several processes.

A database made by release 0.1.0 (``create_all``, no ``alembic_version``) is
adopted by the baseline migration: existing tables are checked and kept,
missing ones created, and the revision recorded.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, inspect, text

from .errors import SchemaError

__all__ = [
    "LOCK_KEY",
    "SCRIPT_LOCATION",
    "SchemaStatus",
    "Upgrade",
    "alembic_config",
    "create_revision",
    "head_revision",
    "schema_status",
    "upgrade_database",
]

log = logging.getLogger(__name__)

SCRIPT_LOCATION = Path(__file__).resolve().parent / "migrations"
LOCK_KEY = int.from_bytes(b"kpi-migr", "big")  # one advisory-lock id for every kpi-advisor process
_VERSION_TABLE = "alembic_version"
_THREAD_LOCK = threading.Lock()  # flock is per open file: threads of one process queue here first


@dataclass(frozen=True)
class SchemaStatus:
    current: str | None  # None: no schema recorded (empty database, or one made by release 0.1.0)
    head: str
    tables: int  # tables in the database

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head


def alembic_config(connection: Connection | None = None) -> Any:
    """An Alembic Config pointing at ``advisor/state/migrations`` (no alembic.ini needed)."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(SCRIPT_LOCATION))
    cfg.set_main_option("path_separator", "os")
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


@lru_cache(maxsize=1)
def _revisions() -> dict[str, str | None]:
    """revision -> down_revision, read from the version files without importing Alembic.

    Alembic takes about half a second to import; a start whose schema is current
    needs only these two strings per file (tests check the result against Alembic's).
    """
    import ast

    graph: dict[str, str | None] = {}
    for path in sorted((SCRIPT_LOCATION / "versions").glob("*.py")):
        values: dict[str, object] = {}
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                if node.targets[0].id in ("revision", "down_revision"):
                    values[node.targets[0].id] = ast.literal_eval(node.value)
        rev, down = values.get("revision"), values.get("down_revision")
        if isinstance(rev, str) and (down is None or isinstance(down, str)):
            graph[rev] = down
    return graph


def head_revision() -> str:
    """The newest migration's revision id."""
    graph = _revisions()
    heads = sorted(set(graph) - {d for d in graph.values() if d})
    if len(heads) != 1:
        raise SchemaError(f"The schema migrations in {SCRIPT_LOCATION / 'versions'} have "
                          f"{len(heads)} heads ({', '.join(heads) or 'none'}); there must be exactly one. "
                          "Set down_revision of the newest migration to the previous head.")
    return heads[0]


def _known_revisions() -> frozenset[str]:
    return frozenset(_revisions())


def _current(conn: Connection) -> str | None:
    if not inspect(conn).has_table(_VERSION_TABLE):
        return None
    return conn.execute(text(f"SELECT version_num FROM {_VERSION_TABLE}")).scalar()


def schema_status(engine: Engine) -> SchemaStatus:
    with engine.connect() as conn:
        return SchemaStatus(current=_current(conn), head=head_revision(),
                            tables=len(inspect(conn).get_table_names()))


def _check_known(current: str | None) -> None:
    if current is not None and current not in _known_revisions():
        raise SchemaError(
            f"The state database is at schema revision {current}, which this release of kpi-advisor "
            f"does not know (its newest is {head_revision()}): a newer release has upgraded it. "
            "Run that release, or restore a backup taken before the upgrade.")


@dataclass(frozen=True)
class Upgrade:
    """What ``upgrade_database`` did: ``ran`` is False when the schema was current (or another
    process brought it up to date while this one waited for the lock)."""

    from_revision: str | None
    to_revision: str
    ran: bool


def upgrade_database(engine: Engine) -> Upgrade:
    """Run pending migrations under the migration lock."""
    before = schema_status(engine)
    _check_known(before.current)
    if before.up_to_date:
        return Upgrade(before.current, before.head, ran=False)
    from alembic import command

    with _THREAD_LOCK, _file_lock(engine), engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
        current = _current(conn)  # another process may have finished while we waited
        _check_known(current)
        if current == before.head:
            return Upgrade(current, before.head, ran=False)
        log.info("upgrading the state database schema from %s to %s", current or "nothing", before.head)
        command.upgrade(alembic_config(conn), "head")
    return Upgrade(current, before.head, ran=True)


@contextlib.contextmanager
def _file_lock(engine: Engine) -> Iterator[None]:
    database = engine.url.database if engine.url.get_backend_name() == "sqlite" else None
    if not database or database == ":memory:" or database.startswith("file::memory:"):
        yield
        return
    import fcntl

    path = Path(database + ".migrate.lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def create_revision(message: str, *, autogenerate: bool = True, directory: Path | None = None) -> list[Path]:
    """Write a new migration for the changes in ``advisor.state.tables`` (developers: `kpi-advisor db revision`).

    Autogenerate compares the tables against a scratch SQLite database upgraded to the
    current head, so no real database is needed; review the file it writes. Revision
    ids are numbered (``0002_add_targets``) so the files sort in the order they apply.
    ``directory`` writes the file elsewhere than ``advisor/state/migrations/versions`` (tests).
    """
    import os
    import re
    import tempfile

    from alembic import command
    from sqlalchemy import create_engine

    slug = re.sub(r"[^a-z0-9]+", "_", message.lower()).strip("_")[:40] or "change"
    rev_id = f"{len(_revisions()) + 1:04d}_{slug}"
    with tempfile.TemporaryDirectory() as tmp:
        scratch = create_engine(f"sqlite:///{tmp}/scratch.db")
        try:
            upgrade_database(scratch)
            with scratch.begin() as conn:
                cfg = alembic_config(conn)
                cfg.set_main_option("file_template", "%%(rev)s")
                if directory is not None:
                    cfg.set_main_option("version_locations",
                                        f"{SCRIPT_LOCATION / 'versions'}{os.pathsep}{directory}")
                scripts = command.revision(cfg, message=message, autogenerate=autogenerate, rev_id=rev_id,
                                           version_path=str(directory) if directory is not None else None)
        finally:
            scratch.dispose()
    _revisions.cache_clear()
    items = scripts if isinstance(scripts, list) else [scripts]
    return [Path(s.path) for s in items if s is not None]
