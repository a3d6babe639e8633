"""The narrow interface between computation and data.

Every number the engine shows is computed from *rollups*: sums of additive
measures over a date range, optionally grouped by dimensions. An in-memory
source (:mod:`kpi_engine.memory`) and a SQL source (:mod:`kpi_engine.sql`)
answer the same questions, so the statistics never care where data lives.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

__all__ = ["Dataset", "Filters", "Source", "compute_quantile"]

# dimension -> accepted values (OR within a dimension, AND across dimensions)
Filters = Mapping[str, Sequence[str]]


@dataclass
class Dataset:
    """Canonical frames (see :mod:`kpi_engine.schema`); any table may be absent.

    ``posts`` and ``accounts`` have a ``date`` column of dtype datetime64 (a
    calendar day); ``interactions`` has tz-aware UTC timestamps and a derived
    ``date`` (the day the interaction was received, in ``timezone``).
    """

    posts: pd.DataFrame | None = None
    accounts: pd.DataFrame | None = None
    interactions: pd.DataFrame | None = None
    timezone: str = "UTC"
    name: str = "dataset"

    def table(self, name: str) -> pd.DataFrame | None:
        frame: pd.DataFrame | None = getattr(self, name)  # one of the table fields above
        return frame

    def rows(self, name: str) -> int:
        """Rows in table ``name``; 0 when the dataset has no such table."""
        frame = self.table(name)
        return 0 if frame is None else len(frame)


class Source(Protocol):
    """What the computation layer asks of data. Dates are inclusive."""

    name: str
    timezone: str

    def has_table(self, table: str) -> bool: ...

    def date_range(self, table: str) -> tuple[date, date] | None:
        """First and last day with rows, or None when the table is empty."""

    def rollup(
        self,
        table: str,
        measures: Sequence[str],
        start: date,
        end: date,
        filters: Filters | None = None,
        by: Sequence[str] = (),
    ) -> pd.DataFrame:
        """Sums of ``measures`` over rows in [start, end] matching ``filters``.

        Returns one row per combination of ``by`` present in the data (a single
        row when ``by`` is empty), with the ``by`` columns then the measures and
        a ``rows`` column counting the fact rows behind each group. ``by`` may
        include ``date`` (one group per day) and ``post_id``.
        """

    def values(
        self,
        table: str,
        column: str,
        start: date,
        end: date,
        filters: Filters | None = None,
    ) -> np.ndarray:
        """Raw non-missing values of a column (durations for percentiles)."""

    def snapshot(
        self,
        table: str,
        measure: str,
        at: date,
        filters: Filters | None = None,
        lookback_days: int = 14,
    ) -> float | None:
        """Sum over accounts of each account's latest value on or before ``at``.

        For stocks such as followers. Accounts without a value in the lookback
        window are left out; None when no account has one.
        """

    def dimension_values(self, table: str, dimension: str) -> list[str]:
        """Distinct values of a dimension, sorted."""


def compute_quantile(
    source: Source, table: str, column: str, q: float, start: date, end: date, filters: Filters | None = None
) -> tuple[float | None, int]:
    """The ``q`` quantile (linear interpolation) of a column's non-missing values, and their count.

    A source with its own ``quantile`` (SQL: computed in the database) answers;
    otherwise it is computed from :meth:`Source.values`.
    """
    own: Callable[..., tuple[float | None, int]] | None = getattr(source, "quantile", None)
    if own is not None:
        return own(table, column, q, start, end, filters)
    import numpy as np

    values = source.values(table, column, start, end, filters)
    return (float(np.quantile(values, q)) if len(values) else None), int(len(values))

