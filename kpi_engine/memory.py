"""An in-memory Source over canonical frames, built for fast rollups.

Each table is held as numpy arrays sorted by day: a period is a contiguous
slice found by binary search, dimensions are integer codes, and grouped sums
are `np.bincount` calls. A KPI value over ten million rows touches only the
rows of its period.

Built from pandas frames, but answering needs only numpy: :meth:`MemorySource.columns`
gives a rollup as numpy columns, and pandas is imported only to build a source or
to hand out a DataFrame, so a cold `kpi-advisor kpi value` on a cached source never
imports it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import DataError, FilterError
from .schema import TABLES
from .source import Dataset, Filters

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["MemorySource"]

_EPOCH = date(1970, 1, 1)


def _day(d: date) -> int:
    return (d - _EPOCH).days


def _to_days(col: pd.Series) -> np.ndarray:
    import pandas as pd

    values = pd.to_datetime(col).to_numpy(dtype="datetime64[D]")
    return values.astype(np.int64).astype(np.int32)


@dataclass
class _Table:
    days: np.ndarray  # int32 days since epoch, sorted ascending
    codes: dict[str, np.ndarray]  # dimension -> int32 codes
    labels: dict[str, np.ndarray]  # dimension -> object array of values by code
    measures: dict[str, np.ndarray]  # measure -> float64, or int64 when the frame holds whole counts
    _present: dict[str, list[str]] | None = None  # dimension -> values with rows (computed once)
    # measures without missing values: summed as they are (no NaN-to-0 copy on every call)
    complete: frozenset[str] = frozenset()

    @classmethod
    def build(cls, frame: pd.DataFrame, name: str) -> _Table:
        import pandas as pd

        spec = TABLES[name]
        days = _to_days(frame[spec.date_column])
        # frames usually come sorted by day: then the columns are used in place, without a copy
        order: np.ndarray | slice = slice(None) if _sorted(days) else np.argsort(days, kind="stable")
        codes: dict[str, np.ndarray] = {}
        labels: dict[str, np.ndarray] = {}
        for dim in spec.dimensions:
            if dim not in frame.columns:
                continue
            col = frame[dim]
            if isinstance(col.dtype, pd.CategoricalDtype):
                c = col.cat.codes.to_numpy()
                cats = col.cat.categories.astype(str).to_numpy(dtype=object)
                if (c < 0).any():  # missing values -> their own "" category
                    cats = np.append(cats, "")
                    c = np.where(c < 0, len(cats) - 1, c)
            else:
                c, uniques = pd.factorize(col.fillna("").astype(str), sort=True)
                cats = np.asarray(uniques, dtype=object)
            codes[dim] = np.ascontiguousarray(c[order].astype(np.int32))
            labels[dim] = cats
        measures = {m: np.ascontiguousarray(_measure(frame[m])[order]) for m in spec.measures if m in frame.columns}
        complete = frozenset(m for m, v in measures.items() if v.dtype.kind in "iu" or not np.isnan(v).any())
        return cls(days=np.ascontiguousarray(days[order]), codes=codes, labels=labels, measures=measures,
                   complete=complete)

    def span(self, start: date, end: date) -> tuple[int, int]:
        # the key must have the array's dtype, or numpy converts the whole array on every call
        lo = int(np.searchsorted(self.days, np.int32(_day(start)), side="left"))
        hi = int(np.searchsorted(self.days, np.int32(_day(end)), side="right"))
        return lo, hi

    def mask(self, lo: int, hi: int, filters: Filters | None) -> np.ndarray | None:
        """Boolean mask over rows lo:hi for the filters, or None for 'all rows'."""
        mask: np.ndarray | None = None
        for dim, wanted in (filters or {}).items():
            if dim not in self.codes:
                raise FilterError(f"Cannot filter by '{dim}': this table has no such column.")
            wanted_codes = np.flatnonzero(np.isin(self.labels[dim], [str(w) for w in wanted]))
            codes = self.codes[dim][lo:hi]
            part = codes == wanted_codes[0] if len(wanted_codes) == 1 else np.isin(codes, wanted_codes)
            mask = part if mask is None else mask & part
        return mask


class MemorySource:
    """Source over a :class:`Dataset` held in memory."""

    def __init__(self, dataset: Dataset):
        self.name = dataset.name
        self.timezone = dataset.timezone
        self._tables: dict[str, _Table] = {}
        for name in TABLES:
            frame = dataset.table(name)
            if frame is not None and len(frame):
                self._tables[name] = _Table.build(frame, name)

    def _table(self, table: str) -> _Table:
        try:
            return self._tables[table]
        except KeyError:
            raise DataError(
                f"The data has no '{table}' table; load a {table} file to compute this KPI."
            ) from None

    def has_table(self, table: str) -> bool:
        return table in self._tables

    def date_range(self, table: str) -> tuple[date, date] | None:
        t = self._tables.get(table)
        if t is None or not len(t.days):
            return None
        return _EPOCH + timedelta(days=int(t.days[0])), _EPOCH + timedelta(days=int(t.days[-1]))

    def rollup(
        self,
        table: str,
        measures: Sequence[str],
        start: date,
        end: date,
        filters: Filters | None = None,
        by: Sequence[str] = (),
    ) -> pd.DataFrame:
        import pandas as pd

        out = self.columns(table, measures, start, end, filters, by)
        if not by:
            return pd.DataFrame([{**{m: float(out[m][0]) for m in measures}, "rows": int(out["rows"][0])}],
                                columns=[*measures, "rows"])
        return pd.DataFrame(out)

    def columns(
        self,
        table: str,
        measures: Sequence[str],
        start: date,
        end: date,
        filters: Filters | None = None,
        by: Sequence[str] = (),
    ) -> dict[str, Any]:
        """:meth:`rollup`'s answer as numpy columns (no DataFrame): by columns, measures, then ``rows``."""
        t = self._table(table)
        for m in measures:
            if m not in t.measures:
                raise DataError(f"The {table} data has no '{m}' column; add it to compute this KPI.")
        lo, hi = t.span(start, end)
        mask = t.mask(lo, hi, filters)
        if not by:
            row: dict[str, Any] = {m: np.array([_sum(t.measures[m][lo:hi], mask, m in t.complete)])
                                   for m in measures}
            row["rows"] = np.array([hi - lo if mask is None else int(mask.sum())], dtype=np.int64)
            return row
        keys, sizes = [], []
        for dim in by:
            if dim == t_date_dim(table):
                keys.append((t.days[lo:hi] - _day(start)).astype(np.int64))
                sizes.append(max(_day(end) - _day(start) + 1, 1))
            elif dim in t.codes:
                keys.append(t.codes[dim][lo:hi].astype(np.int64))
                sizes.append(len(t.labels[dim]))
            else:
                raise FilterError(f"Cannot break {table} down by '{dim}': no such column.")
        key = np.zeros(hi - lo, dtype=np.int64)
        for k, size in zip(keys, sizes, strict=True):
            key = key * size + k
        if mask is not None:
            key = key[mask]
        total = int(np.prod(sizes, dtype=np.int64))
        if total <= 4 * len(key) + 1024:
            # dense group ids: count straight into bins (no sort), keep the groups that occur
            counts = np.bincount(key, minlength=total)
            uniq = np.flatnonzero(counts)
            remap = np.full(total, -1, dtype=np.int64)
            remap[uniq] = np.arange(len(uniq))
            inverse = remap[key]
        else:
            uniq, inverse = np.unique(key, return_inverse=True)
        out: dict[str, Any] = {}
        rest = uniq
        decoded: list[np.ndarray] = []
        for size in reversed(sizes):
            decoded.append(rest % size)
            rest = rest // size
        decoded.reverse()
        for dim, codes in zip(by, decoded, strict=True):
            if dim == t_date_dim(table):
                out[dim] = (np.datetime64(start, "D") + codes.astype("timedelta64[D]")).astype(
                    "datetime64[ns]"
                )
            else:
                out[dim] = t.labels[dim][codes]
        for m in measures:
            values = t.measures[m][lo:hi]
            if mask is not None:
                values = values[mask]
            weights = values if m in t.complete else np.nan_to_num(values)
            out[m] = np.bincount(inverse, weights=weights, minlength=len(uniq))
        out["rows"] = np.bincount(inverse, minlength=len(uniq))
        return out

    def values(
        self,
        table: str,
        column: str,
        start: date,
        end: date,
        filters: Filters | None = None,
    ) -> np.ndarray:
        t = self._table(table)
        if column not in t.measures:
            raise DataError(f"The {table} data has no '{column}' column.")
        lo, hi = t.span(start, end)
        mask = t.mask(lo, hi, filters)
        values = t.measures[column][lo:hi]
        if mask is not None:
            values = values[mask]
        if column in t.complete:
            return values.astype(np.float64)  # a copy: callers may sort it in place
        present: np.ndarray = values[~np.isnan(values)]
        return present

    def snapshot(
        self,
        table: str,
        measure: str,
        at: date,
        filters: Filters | None = None,
        lookback_days: int = 14,
    ) -> float | None:
        t = self._table(table)
        if measure not in t.measures or "account" not in t.codes:
            raise DataError(f"The {table} data has no '{measure}' per account.")
        lo, hi = t.span(at - timedelta(days=lookback_days), at)
        mask = t.mask(lo, hi, filters)
        accounts = t.codes["account"][lo:hi].astype(np.int64)
        if "platform" in t.codes:  # the same handle on two platforms is two accounts
            accounts = accounts * len(t.labels["platform"]) + t.codes["platform"][lo:hi]
        values = t.measures[measure][lo:hi].astype(np.float64, copy=False)
        keep = ~np.isnan(values) if mask is None else mask & ~np.isnan(values)
        accounts, values = accounts[keep], values[keep]
        if not len(values):
            return None
        # rows are sorted by day: the last occurrence of each account is its latest value
        _, last_rev = np.unique(accounts[::-1], return_index=True)
        return float(values[::-1][last_rev].sum())

    def dimension_values(self, table: str, dimension: str) -> list[str]:
        t = self._table(table)
        if dimension not in t.labels:
            raise FilterError(f"The {table} data has no '{dimension}' column.")
        if t._present is None:
            t._present = {}
        if dimension not in t._present:
            used = np.bincount(t.codes[dimension], minlength=len(t.labels[dimension])) > 0
            t._present[dimension] = sorted(str(v) for v in t.labels[dimension][used])
        return t._present[dimension]


def t_date_dim(table: str) -> str:
    return TABLES[table].date_column


def _sum(values: np.ndarray, mask: np.ndarray | None, complete: bool = False) -> float:
    add = np.sum if complete else np.nansum
    if mask is None:
        return float(add(values))
    return float(add(values[mask]))


def _sorted(days: np.ndarray) -> bool:
    return bool(len(days) < 2 or (days[1:] >= days[:-1]).all())


def _measure(col: pd.Series) -> np.ndarray:
    """Integer columns stay integers (exact sums, no float copy); everything else is float64."""
    import pandas as pd

    if pd.api.types.is_integer_dtype(col.dtype) and not col.isna().any():
        return col.to_numpy(dtype=np.int64)
    return col.to_numpy(dtype=np.float64)
