"""The engine's exception tree; every message is written for the person reading it.

:class:`KpiAdvisorError` is the root of every error, in every package, whose message
is meant for a user: "is this safe to show?" is ``isinstance(exc, KpiAdvisorError)``.
It lives here, in the innermost layer, so every package can derive from it.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "KpiAdvisorError",
    "EngineError",
    "CatalogError",
    "UnknownKpi",
    "DataError",
    "LoadError",
    "PeriodError",
    "FilterError",
]


def _rebuild(cls: type[KpiAdvisorError], message: str, state: dict[str, Any]) -> KpiAdvisorError:
    exc = cls.__new__(cls)
    Exception.__init__(exc, message)
    exc.__dict__.update(state)
    return exc


class KpiAdvisorError(Exception):
    """Root of every error whose message is written for a person: what went wrong, what to do.

    ``message`` says what happened; ``hint`` (optional) what to do next. Instances
    survive pickling unchanged (the Slack app sends them across worker processes),
    whatever a subclass's constructor takes.
    """

    def __init__(self, message: str = "", *, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} {self.hint}" if self.hint else self.message

    def __reduce__(self) -> tuple[Any, ...]:
        return _rebuild, (type(self), self.message, dict(self.__dict__))


class EngineError(KpiAdvisorError):
    """Base of every error the engine raises on purpose."""


class CatalogError(EngineError):
    """The KPI catalog (or a team override) is invalid."""


class UnknownKpi(EngineError):
    def __init__(self, kpi_id: str, suggestions: list[str] | None = None):
        self.kpi_id = kpi_id
        self.suggestions = suggestions or []
        hint = f" Did you mean: {', '.join(self.suggestions)}?" if self.suggestions else ""
        super().__init__(f"Unknown KPI '{kpi_id}'.{hint}", hint="Run `kpi-advisor kpi list` to see them all.")


class DataError(EngineError):
    """The data cannot answer the question (missing table, column, ...)."""


class LoadError(DataError):
    """A file or database could not be loaded into the canonical tables."""


class PeriodError(EngineError):
    """A period could not be understood."""


class FilterError(EngineError):
    """A filter or breakdown names an unknown dimension or value."""
