"""The engine's exception tree; every message is written for the person reading it."""

from __future__ import annotations

__all__ = [
    "EngineError",
    "CatalogError",
    "UnknownKpi",
    "DataError",
    "LoadError",
    "PeriodError",
    "FilterError",
]


class EngineError(Exception):
    """Base of every error the engine raises on purpose."""


class CatalogError(EngineError):
    """The KPI catalog (or a team override) is invalid."""


class UnknownKpi(EngineError):
    def __init__(self, kpi_id: str, suggestions: list[str] | None = None):
        self.kpi_id = kpi_id
        self.suggestions = suggestions or []
        hint = f" Did you mean: {', '.join(self.suggestions)}?" if self.suggestions else ""
        super().__init__(f"Unknown KPI '{kpi_id}'.{hint} Run `kpi-advisor kpi list` to see them all.")


class DataError(EngineError):
    """The data cannot answer the question (missing table, column, ...)."""


class LoadError(DataError):
    """A file or database could not be loaded into the canonical tables."""


class PeriodError(EngineError):
    """A period could not be understood."""


class FilterError(EngineError):
    """A filter or breakdown names an unknown dimension or value."""
