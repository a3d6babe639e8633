"""Identical reads asked once per request: a memoizing layer over a remote Source.

A report asks some rollups more than once (the current period's per-post sums
serve both the previous-period and the last-year comparison; the data's date
range serves every message), and over SQL each ask is a round trip. The Engine
wraps a source that declares ``remote = True`` in a :class:`MemoSource`, so
for the life of that Engine (one request: the advisor builds one per question)
an identical call is answered from memory. Frames are copied out so a caller
cannot change what the next caller reads.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar, cast

from .source import Filters, Source

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

_T = TypeVar("_T")

__all__ = ["MemoSource", "memoized"]


def memoized(source: Source) -> Source:
    """``source`` behind a per-request memo when its calls are round trips; otherwise as is."""
    if isinstance(source, MemoSource) or not getattr(source, "remote", False):
        return source
    return MemoSource(source)


def _filters_key(filters: Filters | None) -> tuple[tuple[str, tuple[str, ...]], ...]:
    return tuple(sorted((d, tuple(str(v) for v in vals)) for d, vals in (filters or {}).items()))


class MemoSource:
    """Forwards the Source protocol to ``source``, answering repeated identical calls from memory."""

    def __init__(self, source: Source, *, maxsize: int = 512):
        self._source = source
        self._memo: OrderedDict[tuple[object, ...], object] = OrderedDict()
        self._maxsize = maxsize
        self.calls = 0  # calls that reached the source (tests and benchmarks read it)

    def __getattr__(self, name: str) -> Any:  # name, timezone, url and anything else of the source
        if name.startswith("_"):  # never our own state (e.g. while unpickling, before __init__ ran)
            raise AttributeError(name)
        return getattr(self._source, name)

    def _get(self, key: tuple[object, ...], compute: Callable[[], _T]) -> _T:
        if key in self._memo:
            self._memo.move_to_end(key)
            return cast(_T, self._memo[key])  # the key names the call, so the value has its type
        self.calls += 1
        value = compute()
        self._memo[key] = value
        if len(self._memo) > self._maxsize:
            self._memo.popitem(last=False)
        return value

    def remember(self, key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
        """A value derived from this request's reads (a KPI's matched platforms, per-post sums), worked
        out once. Not a call to the source: ``calls`` does not count it. Callers must not change it."""
        key = ("derived", *key)
        if key in self._memo:
            self._memo.move_to_end(key)
            return self._memo[key]
        value = compute()
        self._memo[key] = value
        if len(self._memo) > self._maxsize:
            self._memo.popitem(last=False)
        return value

    def has_table(self, table: str) -> bool:
        return self._get(("has_table", table), lambda: self._source.has_table(table))

    def date_range(self, table: str) -> tuple[date, date] | None:
        return self._get(("date_range", table), lambda: self._source.date_range(table))

    def rollup(self, table: str, measures: Sequence[str], start: date, end: date,
               filters: Filters | None = None, by: Sequence[str] = ()) -> pd.DataFrame:
        key = ("rollup", table, tuple(measures), start, end, _filters_key(filters), tuple(by))
        return self._get(key, lambda: self._source.rollup(table, measures, start, end, filters, by)).copy()

    def values(self, table: str, column: str, start: date, end: date, filters: Filters | None = None) -> np.ndarray:
        key = ("values", table, column, start, end, _filters_key(filters))
        return self._get(key, lambda: self._source.values(table, column, start, end, filters)).copy()

    def quantile(self, table: str, column: str, q: float, start: date, end: date,
                 filters: Filters | None = None) -> tuple[float | None, int]:
        from .source import compute_quantile

        key = ("quantile", table, column, q, start, end, _filters_key(filters))
        return self._get(key, lambda: compute_quantile(self._source, table, column, q, start, end, filters))

    def snapshot(self, table: str, measure: str, at: date, filters: Filters | None = None,
                 lookback_days: int = 14) -> float | None:
        key = ("snapshot", table, measure, at, _filters_key(filters), lookback_days)
        return self._get(key, lambda: self._source.snapshot(table, measure, at, filters, lookback_days))

    def dimension_values(self, table: str, dimension: str) -> list[str]:
        return list(self._get(("dimension_values", table, dimension),
                              lambda: self._source.dimension_values(table, dimension)))
