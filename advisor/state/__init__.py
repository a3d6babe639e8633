"""The app-state database's schema: every table, and the migrations that create and change them.

It imports SQLAlchemy and Alembic only (tests/test_layers.py), so the advisor
and the bot both map onto it without the advisor knowing the bot's tables. ``tables`` declares them; ``migrate.upgrade_database`` applies the
migrations in ``migrations/versions`` under a lock.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "metadata": "tables",
    "upgrade_database": "migrate",
    "schema_status": "migrate",
    "SchemaStatus": "migrate",
    "head_revision": "migrate",
    "create_revision": "migrate",
    "SchemaError": "errors",
}

__all__ = [
    "SchemaError",
    "SchemaStatus",
    "create_revision",
    "head_revision",
    "metadata",
    "schema_status",
    "upgrade_database",
]


if TYPE_CHECKING:  # what type checkers and IDEs see; at run time names load on first use
    from .errors import SchemaError
    from .migrate import SchemaStatus, create_revision, head_revision, schema_status, upgrade_database
    from .tables import metadata


def __getattr__(name: str) -> Any:  # lazy: importing the tables must not load Alembic
    if name in _EXPORTS:
        return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module 'advisor.state' has no attribute {name!r}")
