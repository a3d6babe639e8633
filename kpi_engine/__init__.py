"""kpi_engine: the KPI catalog and the deterministic engine that computes every number.

Imports nothing from Slack, LangChain, OpenAI or Chroma. Names are loaded on
first use so that `kpi-advisor kpi list` does not pay for pandas.
"""

from __future__ import annotations

import importlib
from typing import Any

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
    "CatalogError": "errors",
    "DataError": "errors",
    "EngineError": "errors",
    "FilterError": "errors",
    "LoadError": "errors",
    "PeriodError": "errors",
    "UnknownKpi": "errors",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module 'kpi_engine' has no attribute {name!r}")
