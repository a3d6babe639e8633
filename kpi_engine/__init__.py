"""kpi_engine: the KPI catalog and the deterministic engine that computes every number.

Imports nothing from Slack, LangChain, OpenAI or Chroma. Names are loaded on
first use so that `kpi-advisor kpi list` does not pay for pandas.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "Catalog": "catalog",
    "Kpi": "catalog",
    "default_catalog": "catalog",
    "load_catalog": "catalog",
    "Engine": "engine",
    "MemorySource": "memory",
    "Period": "periods",
    "resolve_period": "periods",
    "Dataset": "source",
    "Source": "source",
    "KpiAdvisorError": "errors",
    "CatalogError": "errors",
    "DataError": "errors",
    "EngineError": "errors",
    "FilterError": "errors",
    "LoadError": "errors",
    "PeriodError": "errors",
    "UnknownKpi": "errors",
}

__all__ = [
    "Catalog",
    "CatalogError",
    "DataError",
    "Dataset",
    "Engine",
    "EngineError",
    "FilterError",
    "Kpi",
    "KpiAdvisorError",
    "LoadError",
    "MemorySource",
    "Period",
    "PeriodError",
    "Source",
    "UnknownKpi",
    "default_catalog",
    "load_catalog",
    "resolve_period",
]


if TYPE_CHECKING:  # what type checkers and IDEs see; at run time names load on first use
    from .catalog import Catalog, Kpi, default_catalog, load_catalog
    from .engine import Engine
    from .errors import (
        CatalogError,
        DataError,
        EngineError,
        FilterError,
        KpiAdvisorError,
        LoadError,
        PeriodError,
        UnknownKpi,
    )
    from .memory import MemorySource
    from .periods import Period, resolve_period
    from .source import Dataset, Source


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module 'kpi_engine' has no attribute {name!r}")
