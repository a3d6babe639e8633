"""Day-level cubes shared by every KPI and window of a batch (a scorecard, a digest).

A scorecard asks the source for hundreds of rollups: each KPI's current,
previous and last-year periods, the earlier windows its verdict compares with,
weekly trends and their baselines, totals and per-platform. Most are sums over
a date range, grouped by nothing, by day, or by one dimension. :class:`RollupCache`
answers those from a cube per (table, filters, dimension): the sums of each
measure per day and group, read from the source (GROUP BY date, dimension) for
the days some request covers, each day once, and then sliced: the data is
passed over once per batch instead of once per question.

Rollups by post (the clustered tests), by two dimensions, raw values,
percentiles and snapshots go to the source as before, each identical call once
(:class:`~kpi_engine.memo.MemoSource`). Sums are the same numbers up to the
order of floating-point additions (exact for whole counts).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from .errors import DataError, FilterError
from .memo import MemoSource, _filters_key
from .schema import TABLES
from .source import Filters, Source

__all__ = ["RollupCache"]


def _runs(mask: np.ndarray, offset: int) -> list[tuple[int, int]]:
    """[start, stop) index ranges where ``mask`` is true, shifted by ``offset``."""
    edges = np.flatnonzero(np.diff(np.concatenate([[0], mask.astype(np.int8), [0]])))
    return [(int(a) + offset, int(b) + offset) for a, b in zip(edges[::2], edges[1::2], strict=True)]


class _Unusable(Exception):
    """The source returned a group the cube does not know (e.g. NULL in SQL): answer without the cube."""


class _Cube:
    """Sums per (day, group) of a table's rows matching some filters, read day ranges at a time.

    Only the days some request covered are read, each once per measure: a batch reads the union of
    its windows, not the whole table.
    """

    def __init__(self, source: Source, table: str, filters: Filters | None, dim: str | None,
                 span: tuple[date, date], labels: list[str]):
        self._source, self._table, self._filters, self._dim = source, table, filters, dim
        self.first, self.last = span
        self.days = (span[1] - span[0]).days + 1
        self._by = ["date"] if dim is None else ["date", dim]
        self.labels = np.array([None] if dim is None else labels, dtype=object)
        self._index = pd.Index(labels) if dim is not None else None
        self.rows = np.zeros((self.days, max(len(self.labels), 1)), dtype=np.int64)
        self.loaded = np.zeros(self.days, dtype=bool)  # days read (for every measure in the cube)
        self._measures: dict[str, np.ndarray] = {}

    def _read(self, measures: list[str], lo: int, hi: int) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
        start, end = self.first + timedelta(days=lo), self.first + timedelta(days=hi - 1)
        frame = self._source.rollup(self._table, measures, start, end, self._filters, by=self._by)
        day = (pd.to_datetime(frame["date"]).to_numpy(dtype="datetime64[D]")
               - np.datetime64(self.first, "D")).astype(np.int64)
        if self._index is None:
            group = np.zeros(len(frame), dtype=np.int64)
        else:
            group = self._index.get_indexer(pd.Index(frame[self._dim].astype(str)))
            if (group < 0).any():
                raise _Unusable
        return frame, day, group

    def add(self, measures: Iterable[str]) -> None:
        """Measures joining the cube: read over the days already read."""
        new = [m for m in dict.fromkeys(measures) if m not in self._measures]
        if not new:
            return
        # an absent column fails here, before the cube holds anything for it
        self._source.rollup(self._table, new, self.first, self.first, self._filters)
        grids = {m: np.zeros_like(self.rows, dtype=np.float64) for m in new}
        for lo, hi in _runs(self.loaded, 0):
            frame, day, group = self._read(new, lo, hi)
            for m in new:
                grids[m][day, group] = frame[m].to_numpy(dtype=np.float64)
        self._measures.update(grids)

    def _cover(self, lo: int, hi: int) -> None:
        """Read the days in [lo, hi) not read yet, for every measure in the cube."""
        measures = list(self._measures)
        for a, b in _runs(~self.loaded[lo:hi], lo):
            frame, day, group = self._read(measures, a, b)
            self.rows[day, group] = frame["rows"].to_numpy(dtype=np.int64)
            for m in measures:
                self._measures[m][day, group] = frame[m].to_numpy(dtype=np.float64)
            self.loaded[a:b] = True

    def answer(self, measures: Sequence[str], start: date, end: date, by: Sequence[str]) -> pd.DataFrame:
        lo = min(max((start - self.first).days, 0), self.days)
        hi = min(max((end - self.first).days + 1, lo), self.days)
        self.add(measures)
        self._cover(lo, hi)
        out: dict[str, Any] = {}
        if "date" in by:
            rows = self.rows[lo:hi]
            day, group = np.nonzero(rows)  # day-major, then group: the order the source gives
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
        self._cubes: dict[tuple[object, ...], _Cube | None] = {}
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
            try:
                labels = self.dimension_values(table, dim) if dim is not None else []
            except (DataError, FilterError):
                labels = None  # the source's own rollup says what is wrong
            if span is not None and labels is not None and len(labels) <= self._max_groups:
                cube = _Cube(self._source, table, filters, dim, span, labels)
                hinted = [m for m in self._hints.get(table, []) if m in TABLES[table].measures]
                try:
                    cube.add(hinted)
                except DataError:
                    for m in hinted:  # one absent column fails later, only for the KPIs that need it
                        try:
                            cube.add([m])
                        except DataError:
                            pass
            self._cubes[key] = cube
        return self._cubes[key]

    def rollup(self, table: str, measures: Sequence[str], start: date, end: date,
               filters: Filters | None = None, by: Sequence[str] = ()) -> pd.DataFrame:
        by = list(by)
        dims = [b for b in by if b != "date"]
        cubable = (len(dims) <= 1 and "post_id" not in dims and (not by or by[0] == "date" or "date" not in by)
                   and TABLES[table].date_column == "date" and self.has_table(table))
        cube = self._cube(table, filters, dims[0] if dims else None) if cubable else None
        if cube is not None:
            try:
                return cube.answer(measures, start, end, by)
            except _Unusable:
                self._cubes[(table, _filters_key(filters), dims[0] if dims else None)] = None
        return super().rollup(table, measures, start, end, filters, by)
