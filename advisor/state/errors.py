"""The state database's exception: a schema the app cannot use, explained for the operator."""

from __future__ import annotations

from kpi_engine.errors import KpiAdvisorError

__all__ = ["SchemaError"]


class SchemaError(KpiAdvisorError):
    """The state database's schema cannot be brought up to date (what to do is in the message)."""
