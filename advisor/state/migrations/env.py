"""Alembic environment for the app-state database.

Run through ``advisor.state.migrate`` (``kpi-advisor db upgrade`` and every start),
which hands over a connection that already holds the migration lock; the
target metadata is ``advisor.state.tables.metadata``, which declares every table.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine

from advisor.state.tables import metadata

config = context.config


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        compare_type=True,
        # SQLite cannot ALTER most things in place: batch mode copies the table instead
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("Offline (SQL script) migrations are not supported; run `kpi-advisor db upgrade`.")

_connection = config.attributes.get("connection")
if _connection is not None:
    _run(_connection)
else:  # the plain `alembic` command with sqlalchemy.url set: no lock, for development only
    with create_engine(config.get_main_option("sqlalchemy.url") or "").begin() as conn:
        _run(conn)
