"""Day-level cubes shared by every KPI and window of a batch (a scorecard, a digest).

A scorecard asks the source for hundreds of rollups: each KPI's current,
previous and last-year periods, the earlier windows its verdict compares with,
weekly trends and their baselines, totals and per-platform. Most are sums over
a date range, grouped by nothing, by day, or by one dimension. :class:`RollupCache`
answers those from a cube per (table, filters, dimension): the sums of each
measure per day and group over the table's whole date range, read from the
source once (one GROUP BY date, dimension) and then sliced, so the data is
passed over once per measure set instead of once per question.

Rollups by post (the clustered tests), by two dimensions, raw values,
percentiles and snapshots go to the source as before, each identical call once
(:class:`~kpi_engine.memo.MemoSource`). Sums are the same numbers up to the
order of floating-point additions (exact for whole counts).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from .errors import DataError
from .memo import MemoSource, _filters_key
from .schema import TABLES
from .source import Filters, Source

__all__ = ["RollupCache"]


class _Cube:
    """Sums per (day, group) of a table's rows matching some filters, over its whole date range."""

    def __init__(self, source: Source, table: str, filters: Filters | None, dim: str | None,
                 span: tuple[date, date]):
        self._source, self._table, self._filters, self._dim = source, table, filters, dim
        self.first, self.last = span
        self.days = (span[1] - span[0]).days + 1
        self._by = ["date"] if dim is None else ["date", dim]
        frame = source.rollup(table, [], span[0], span[1], filters, by=self._by)
        self._day = (pd.to_datetime(frame["date"]).to_numpy(dtype="datetime64[D]")
                     - np.datetime64(self.first, "D")).astype(np.int64)
        if dim is None:
            self.labels = np.array([None], dtype=object)
            self._group = np.zeros(len(frame), dtype=np.int64)
        else:
            self._group, uniques = pd.factorize(frame[dim].astype(str), sort=True)
            self.labels = np.asarray(uniques, dtype=object)
        self.rows = self._grid(frame["rows"].to_numpy(dtype=np.int64), np.int64)
        self._measures: dict[str, np.ndarray] = {}

    def _grid(self, values: np.ndarray, dtype: Any) -> np.ndarray:
        grid = np.zeros((self.days, max(len(self.labels), 1)), dtype=dtype)
        grid[self._day, self._group] = values
        return grid

    def fetch(self, measures: Iterable[str]) -> None:
        """Read the measures not yet in the cube (one GROUP BY for all of them)."""
        wanted = [m for m in dict.fromkeys(measures) if m not in self._measures]
        if not wanted:
            return
        try:
            frame = self._source.rollup(self._table, wanted, self.first, self.last, self._filters, by=self._by)
        except DataError:
            if len(wanted) == 1:
                raise
            for m in wanted:  # one missing column must fail only the KPIs that need it
                self.fetch([m])
            return
        if len(frame) != len(self._day):
            raise DataError(f"The {self._table} data changed while a batch was reading it; ask again.")
        for m in wanted:
            self._measures[m] = self._grid(frame[m].to_numpy(dtype=np.float64), np.float64)

    def answer(self, measures: Sequence[str], start: date, end: date, by: Sequence[str]) -> pd.DataFrame:
        self.fetch(measures)
        lo = min(max((start - self.first).days, 0), self.days)
        hi = min(max((end - self.first).days + 1, lo), self.days)
        out: dict[str, Any] = {}
        if "date" in by:
            rows = self.rows[lo:hi]
            day, group = np.nonzero(rows)  # day-major, then group: the order the source gives
            if "date" != by[0]:
                raise ValueError("by must start with date")
            out["date"] = (np.datetime64(self.first, "D") + (day + lo).astype("timedelta64[D]")).astype(
                "datetime64[ns]")
            if self._dim is not None:
                out[self._dim] = self.labels[group]
            for m in measures:
                out[m] = self._measures[m][lo:hi][day, group]
            out["rows"] = rows[day, group]
            return pd.DataFrame(out, columns=[*by, *measures, "rows"])
        rows = self.rows[lo:hi].sum(axis=0)
        sums = {m: self._measures[m][lo:hi].sum(axis=0) for m in measures}
        if self._dim is None:  # one row, even over no rows
            return pd.DataFrame([{**{m: float(sums[m][0]) for m in measures}, "rows": int(rows[0])}],
                                columns=[*measures, "rows"])
        keep = np.flatnonzero(rows)
        out[self._dim] = self.labels[keep]
        for m in measures:
            out[m] = sums[m][keep]
        out["rows"] = rows[keep]
        return pd.DataFrame(out, columns=[*by, *measures, "rows"])


class RollupCache(MemoSource):
    """A Source answering date-range sums from cubes built once per (table, filters, dimension)."""

    def __init__(self, source: Source, *, max_groups: int = 2_000):
        super().__init__(source)
        self._cubes: dict[tuple, _Cube | None] = {}
        self._max_groups = max_groups  # a dimension with more values (post ids) is not cubed
        self._hints: dict[str, list[str]] = {}

    def prefetch(self, table: str, measures: Iterable[str]) -> None:
        """Measures a batch will ask for: read together with the first cube of ``table``."""
        self._hints.setdefault(table, [])
        self._hints[table] = list(dict.fromkeys([*self._hints[table], *measures]))

    def _cube(self, table: str, filters: Filters | None, dim: str | None) -> _Cube | None:
        key = (table, _filters_key(filters), dim)
        if key not in self._cubes:
            cube = None
            span = self.date_range(table)
            if span is not None and (dim is None or len(self.dimension_values(table, dim)) <= self._max_groups):
                self.calls += 1
                cube = _Cube(self._source, table, filters, dim, span)
                hinted = [m for m in self._hints.get(table, []) if m in TABLES[table].measures]
                if hinted:
                    try:
                        cube.fetch(hinted)
                    except DataError:
                        pass  # a hinted column that is absent fails later, for the KPI that needs it
            self._cubes[key] = cube
        return self._cubes[key]

    def rollup(self, table: str, measures: Sequence[str], start: date, end: date,
               filters: Filters | None = None, by: Sequence[str] = ()):
        by = list(by)
        dims = [b for b in by if b != "date"]
        cubable = (len(dims) <= 1 and "post_id" not in dims and (not by or by[0] == "date" or "date" not in by)
                   and TABLES[table].date_column == "date" and self.has_table(table))
        cube = self._cube(table, filters, dims[0] if dims else None) if cubable else None
        if cube is None:
            return super().rollup(table, measures, start, end, filters, by)
        return cube.answer(measures, start, end, by)
