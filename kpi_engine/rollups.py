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


def _read_columns(source: Source, table: str, measures: Sequence[str], start: date, end: date,
                  filters: Filters | None, by: Sequence[str]) -> dict[str, np.ndarray]:
    """A rollup as numpy columns: the source's own when it has them (no DataFrame), else from its frame."""
    columns = getattr(source, "columns", None)
    if columns is not None:
        got: dict[str, np.ndarray] | None = columns(table, measures, start, end, filters, by)
        if got is not None:
            return got
    frame = source.rollup(table, measures, start, end, filters, by)
    return {c: frame[c].to_numpy() for c in frame.columns}


def _days(col: np.ndarray, first: date) -> np.ndarray:
    """Day positions from ``first`` of a rollup's date column."""
    days = col.astype("datetime64[D]") if col.dtype.kind == "M" else pd.to_datetime(col).to_numpy(
        dtype="datetime64[D]")
    return (days - np.datetime64(first, "D")).astype(np.int64)


def _factorize(col: np.ndarray, sort: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes and the labels as str (NULLs too, as the source's astype(str) would name them)."""
    values = np.asarray(col, dtype=object)
    try:
        codes, uniques = pd.factorize(values, sort=sort, use_na_sentinel=False)
    except TypeError:  # labels that do not sort together (NULL among strings)
        codes, uniques = pd.factorize(values, use_na_sentinel=False)
    return codes, np.array([str(u) for u in uniques], dtype=object)


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

    def _read(self, measures: list[str], lo: int, hi: int) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
        start, end = self.first + timedelta(days=lo), self.first + timedelta(days=hi - 1)
        frame = _read_columns(self._source, self._table, measures, start, end, self._filters, self._by)
        day = _days(frame["date"], self.first)
        if self._index is None or self._dim is None:
            group = np.zeros(len(day), dtype=np.int64)
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
                grids[m][day, group] = np.asarray(frame[m], dtype=np.float64)
        self._measures.update(grids)

    def _cover(self, lo: int, hi: int) -> None:
        """Read the days in [lo, hi) not read yet, for every measure in the cube."""
        measures = list(self._measures)
        for a, b in _runs(~self.loaded[lo:hi], lo):
            frame, day, group = self._read(measures, a, b)
            self.rows[day, group] = np.asarray(frame["rows"], dtype=np.int64)
            for m in measures:
                self._measures[m][day, group] = np.asarray(frame[m], dtype=np.float64)
            self.loaded[a:b] = True

    def columns(self, measures: Sequence[str], start: date, end: date, by: Sequence[str],
                groups: np.ndarray | None = None) -> dict[str, Any]:
        """The answer as numpy columns (no DataFrame): ``by`` is (), [date], [dim] or [date, dim].

        ``groups`` (indices into the labels) keeps only those groups, e.g. a platform filter answered
        from the cube by platform; with ``by`` not naming the cube's dimension they are summed.
        """
        lo = min(max((start - self.first).days, 0), self.days)
        hi = min(max((end - self.first).days + 1, lo), self.days)
        self.add(measures)
        self._cover(lo, hi)
        grids = {m: self._measures[m][lo:hi] for m in measures}
        rows = self.rows[lo:hi]
        if groups is not None:
            rows = rows[:, groups]
            grids = {m: g[:, groups] for m, g in grids.items()}
            labels = self.labels[groups]
        else:
            labels = self.labels
        collapse = self._dim is not None and self._dim not in by  # summed over the groups
        if collapse:
            rows = rows.sum(axis=1, keepdims=True)
            grids = {m: g.sum(axis=1, keepdims=True) for m, g in grids.items()}
        out: dict[str, Any] = {}
        if "date" in by:
            day, group = np.nonzero(rows)  # day-major, then group: the order the source gives
            out["date"] = (np.datetime64(self.first, "D") + (day + lo).astype("timedelta64[D]")).astype(
                "datetime64[ns]")
            if not collapse and self._dim is not None:
                out[self._dim] = labels[group]
            for m in measures:
                out[m] = grids[m][day, group]
            out["rows"] = rows[day, group]
            return out
        total = rows.sum(axis=0)
        sums = {m: g.sum(axis=0) for m, g in grids.items()}
        if collapse or self._dim is None:  # one row, even over no rows
            for m in measures:
                out[m] = sums[m][:1]
            out["rows"] = total[:1]
            return out
        keep = np.flatnonzero(total)
        out[self._dim] = labels[keep]
        for m in measures:
            out[m] = sums[m][keep]
        out["rows"] = total[keep]
        return out

    def answer(self, measures: Sequence[str], start: date, end: date, by: Sequence[str],
               groups: np.ndarray | None = None) -> pd.DataFrame:
        out = self.columns(measures, start, end, by, groups)
        if "date" not in by and (self._dim is None or self._dim not in by):
            return pd.DataFrame([{**{m: float(out[m][0]) for m in measures}, "rows": int(out["rows"][0])}],
                                columns=[*measures, "rows"])
        return pd.DataFrame(out, columns=[*by, *measures, "rows"])


class RollupCache(MemoSource):
    """A Source answering date-range sums from cubes built once per (table, filters, dimension).

    A table with platforms has one cube by (day, platform) without filters; requests filtered by
    platform only, and totals over all platforms, are answered from it (selecting and summing its
    columns) instead of from cubes of their own. :meth:`columns` gives the same answers as numpy
    columns, without building a DataFrame (the compute layer reads those in a batch), and
    :meth:`account_levels` each account's latest stock level from one per-account read.
    """

    def __init__(self, source: Source, *, max_groups: int = 2_000):
        super().__init__(source)
        self._cubes: dict[tuple[object, ...], _Cube | None] = {}
        self._max_groups = max_groups  # a dimension with more values (post ids) is not cubed
        self._hints: dict[str, list[str]] = {}
        self._held: dict[tuple[Any, ...], Any] = {}  # per-account levels, per-post sums

    def prefetch(self, table: str, measures: Iterable[str], *, whole_span: bool = False) -> None:
        """Measures a batch will ask for: read together with the first cube of ``table``.

        ``whole_span``: measures also wanted summed over the data's whole span (which platforms
        report a numerator), read by :meth:`span_sums` in one pass rather than into every cube.
        """
        key = f"{table}:span" if whole_span else table
        self._hints.setdefault(key, [])
        self._hints[key] = list(dict.fromkeys([*self._hints[key], *measures]))

    def span_sums(self, table: str, measures: Sequence[str], by: Sequence[str]) -> dict[str, Any]:
        """Sums over the data's whole span by ``by``, as numpy columns: one read per batch for every
        measure hinted with ``whole_span`` (a cube would read every measure of the batch for those days)."""
        key = ("span_sums", table, tuple(by))
        held = self._held.get(key)
        if held is None or any(m not in held for m in measures):
            span = self.date_range(table)
            assert span is not None, table
            wanted = list(dict.fromkeys([*self._hints.get(f"{table}:span", []), *measures]))
            held = self._span_sums_from_cube(table, wanted, list(by)) if list(by) == ["platform"] else None
            if held is None:
                try:
                    held = _read_columns(self._source, table, wanted, span[0], span[1], None, list(by))
                except DataError:  # a hinted measure the data lacks: read just these
                    held = _read_columns(self._source, table, list(measures), span[0], span[1], None, list(by))
            self._held[key] = held
        return {c: held[c] for c in [*by, *measures, "rows"]}

    def _span_sums_from_cube(self, table: str, measures: list[str], by: list[str]) -> dict[str, Any] | None:
        """Whole-span sums by platform: the days the cube by platform has read, plus a read of these
        measures alone over the days it has not (None when that cube cannot answer)."""
        if "platform" not in TABLES[table].dimensions or not self.has_table(table):
            return None
        cube = self._cube(table, None, "platform")
        if cube is None or cube._index is None or any(m not in cube._measures for m in measures):
            return None
        loaded = cube.loaded
        rows = cube.rows[loaded].sum(axis=0)
        totals = {m: cube._measures[m][loaded].sum(axis=0) for m in measures}
        for lo, hi in _runs(~loaded, 0):
            part = _read_columns(self._source, table, measures, cube.first + timedelta(days=lo),
                                 cube.first + timedelta(days=hi - 1), None, by)
            group = cube._index.get_indexer(pd.Index(np.asarray(part["platform"]).astype(str)))
            if (group < 0).any():
                return None
            np.add.at(rows, group, np.asarray(part["rows"], dtype=np.int64))
            for m in measures:
                np.add.at(totals[m], group, np.asarray(part[m], dtype=np.float64))
        keep = np.flatnonzero(rows)
        out: dict[str, Any] = {"platform": cube.labels[keep]}
        for m in measures:
            out[m] = totals[m][keep]
        out["rows"] = rows[keep]
        return out

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

    def _route(self, table: str, filters: Filters | None, by: list[str]
               ) -> tuple[tuple[Any, ...], _Cube, np.ndarray | None] | None:
        """(cube key, cube, groups) answering the request, or None when the source must."""
        dims = [b for b in by if b != "date"]
        cubable = (len(dims) <= 1 and "post_id" not in dims and (not by or by[0] == "date" or "date" not in by)
                   and TABLES[table].date_column == "date" and self.has_table(table))
        if not cubable:
            return None
        dim = dims[0] if dims else None
        if "platform" in TABLES[table].dimensions and dim in (None, "platform") and set(filters or {}) <= {
                "platform"}:
            key: tuple[Any, ...] = (table, (), "platform")
            base = self._cube(table, None, "platform")
            if base is not None:
                groups = None
                if filters:
                    wanted = {str(v) for v in filters["platform"]}
                    groups = np.flatnonzero([str(x) in wanted for x in base.labels])
                return key, base, groups
        key = (table, _filters_key(filters), dim)
        cube = self._cube(table, filters, dim)
        return None if cube is None else (key, cube, None)

    def columns(self, table: str, measures: Sequence[str], start: date, end: date,
                filters: Filters | None = None, by: Sequence[str] = ()) -> dict[str, Any] | None:
        """:meth:`rollup`'s answer as numpy columns, or None when no cube answers it (ask :meth:`rollup`)."""
        by = list(by)
        if by == ["post_id"]:
            return self._post_sums(table, "post_id", measures, start, end, filters)
        route = self._route(table, filters, by)
        if route is None:
            return None
        key, cube, groups = route
        try:
            return cube.columns(measures, start, end, by, groups)
        except _Unusable:
            self._cubes[key] = None
            return None

    def rollup(self, table: str, measures: Sequence[str], start: date, end: date,
               filters: Filters | None = None, by: Sequence[str] = ()) -> pd.DataFrame:
        by = list(by)
        route = self._route(table, filters, by)
        if route is not None:
            key, cube, groups = route
            try:
                return cube.answer(measures, start, end, by, groups)
            except _Unusable:
                self._cubes[key] = None
        return super().rollup(table, measures, start, end, filters, by)

    def account_levels(self, table: str, measure: str, at: date, filters: Filters | None = None,
                       lookback_days: int = 14) -> dict[tuple[str, str], float] | None:
        """Each (platform, account)'s latest level of ``measure`` on or before ``at`` within the lookback.

        From one read per (table, measure) by (date, platform, account) over the data's span (filters on
        platform and account select rows of it); None when that read is not possible here.
        """
        if set(filters or {}) - {"platform", "account"}:
            return None
        key = (table, measure)
        if key not in self._held:
            self._held[key] = self._read_levels(table, measure)
        held = self._held[key]
        if held is None:
            return None
        first, platforms, accounts, grid = held
        lo = max((at - timedelta(days=lookback_days) - first).days, 0)
        hi = min((at - first).days, grid.shape[1] - 1)
        if hi < lo or not len(platforms):
            return {}
        keep = np.ones(len(platforms), dtype=bool)
        for dim, names in (("platform", platforms), ("account", accounts)):
            if filters and dim in filters:
                wanted = {str(v) for v in filters[dim]}
                keep &= np.array([n in wanted for n in names], dtype=bool)
        window = grid[keep, lo:hi + 1]
        seen = ~np.isnan(window)
        has = seen.any(axis=1)
        last = window.shape[1] - 1 - np.argmax(seen[:, ::-1], axis=1)
        values = window[np.arange(len(window)), last]
        rows = np.flatnonzero(keep)
        return {(platforms[rows[i]], accounts[rows[i]]): float(values[i]) for i in np.flatnonzero(has)}

    def _read_levels(self, table: str, measure: str) -> tuple[Any, ...] | None:
        span = self.date_range(table)
        if span is None:
            return None
        frame = _read_columns(self._source, table, [measure], span[0], span[1], None, ["date", "platform", "account"])
        values = np.asarray(frame[measure], dtype=float)
        keep = ~np.isnan(values)
        if "rows" in frame:
            keep &= np.asarray(frame["rows"]) > 0
        days = _days(np.asarray(frame["date"])[keep], span[0])
        pc, platforms = _factorize(np.asarray(frame["platform"])[keep])
        ac, accounts = _factorize(np.asarray(frame["account"])[keep])
        width = max(len(accounts), 1)
        pairs, row = np.unique(pc.astype(np.int64) * width + ac, return_inverse=True)
        grid = np.full((len(pairs), (span[1] - span[0]).days + 1), np.nan)
        grid[row, days] = values[keep]
        return (span[0], [str(platforms[i]) for i in pairs // width], [str(accounts[i]) for i in pairs % width],
                grid)

    def _post_sums(self, table: str, dim: str, measures: Sequence[str], start: date, end: date,
                   filters: Filters | None) -> dict[str, Any] | None:
        """Sums by post over a period, from one read per (table, period) of every hinted measure by
        (platform, post): the KPIs of a batch share it, a platform filter selects its rows."""
        if "platform" not in TABLES[table].dimensions or set(filters or {}) - {"platform"}:
            return None
        held_key = ("by_post", table, dim, start, end)
        if held_key not in self._held:
            wanted = [m for m in self._hints.get(table, []) if m in TABLES[table].measures]
            held = None
            if wanted:
                try:
                    frame = _read_columns(self._source, table, wanted, start, end, None, ["platform", dim])
                    post_codes, posts = _factorize(frame[dim], sort=True)
                    platform_codes, platforms = _factorize(frame["platform"])
                    held = (platform_codes, platforms, post_codes, posts,
                            {m: np.asarray(frame[m], dtype=np.float64) for m in wanted},
                            np.asarray(frame["rows"], dtype=np.int64))
                except DataError:
                    held = None
            self._held[held_key] = held
        held = self._held[held_key]
        if held is None or any(m not in held[4] for m in measures):
            return None
        platform_codes, platforms, codes, posts, values, rows = held
        if filters:
            wanted_platforms = {str(v) for v in filters["platform"]}
            keep = np.isin(platform_codes, [i for i, p in enumerate(platforms) if p in wanted_platforms])
            codes, rows = codes[keep], rows[keep]
            values = {m: v[keep] for m, v in values.items()}
        n = len(posts)
        count = np.bincount(codes, weights=rows, minlength=n)
        present = np.flatnonzero(count > 0)
        out: dict[str, Any] = {dim: posts[present]}
        for m in measures:
            out[m] = np.bincount(codes, weights=values[m], minlength=n)[present]
        out["rows"] = count[present].astype(np.int64)
        return out
