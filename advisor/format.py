"""How numbers are displayed. One place, so the number checker, every front end and the charts agree.

The formatter itself lives in :mod:`kpi_engine.format` (the engine's charts use
it, and the engine may not import the advisor); this module re-exports it.
"""

from __future__ import annotations

from kpi_engine.format import UNIT_SUFFIX, fmt_change, fmt_compact, fmt_signed, fmt_tick, fmt_value

__all__ = ["fmt_value", "fmt_change", "fmt_compact", "fmt_signed", "fmt_tick", "UNIT_SUFFIX"]
