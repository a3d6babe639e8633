"""Cells of a loaded file made canonical: dimension text, numbers, dates and timestamps.

Each parser names the file and the line of the first bad cell (``_Where``) so a person can fix it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from kpi_engine.errors import LoadError
from kpi_engine.mapping import PLATFORM_ALIASES, DateSpec


class _Where:
    """Names a file and turns a frame index into the line or row a person sees."""

    def __init__(self, path: Path, offset: int, unit: str):
        self.path, self.offset, self.unit = path, offset, unit

    def at(self, index: object) -> str:
        return f"{self.unit} {int(index) + self.offset}"  # type: ignore[call-overload]


def _lower(values: pd.Series) -> pd.Series:
    return values.str.lower().str.replace(" ", "_")


_NORMALISE: dict[str, Callable[[pd.Series], pd.Series]] = {
    "platform": lambda v: v.str.lower().replace(PLATFORM_ALIASES),
    "content_type": _lower,
    "topic": _lower,
    "channel": _lower,
    "sentiment": _lower,
}


def _dimension(series: pd.Series, dim: str) -> pd.Series:
    """A categorical of trimmed (and for labels, lower-cased) strings; missing is ""."""
    cat = series if isinstance(series.dtype, pd.CategoricalDtype) else series.astype("category")
    if cat.isna().any():
        if "" not in cat.cat.categories:
            cat = cat.cat.add_categories([""])
        cat = cat.fillna("")
    # Clean the distinct values only, then re-point the codes: fast at ten million rows.
    labels = _text(pd.Series(cat.cat.categories)).fillna("")
    if dim in _NORMALISE:
        labels = _NORMALISE[dim](labels)
    label_codes, uniques = pd.factorize(labels, sort=True)
    categories = pd.Index(np.asarray(uniques, dtype=object).astype(str), dtype="str")
    categorical = pd.Categorical.from_codes(label_codes[cat.cat.codes.to_numpy()], categories=categories)
    return pd.Series(categorical, index=series.index, name=series.name)


def _text(series: pd.Series) -> pd.Series:
    """Strings with surrounding space removed; missing stays missing."""
    text = series.astype("str").str.strip()
    return text.where(series.notna(), np.nan)


def _numeric(series: pd.Series, column: str, where: _Where) -> pd.Series:
    if pd.api.types.is_bool_dtype(series) or pd.api.types.is_numeric_dtype(series):
        return series.astype("float64")
    text = series.astype("str").str.strip().str.replace("\u00a0", "", regex=False)
    values = pd.to_numeric(text, errors="coerce")
    bad = values.isna() & series.notna() & (text != "")
    if bad.any():
        first: Any = bad.idxmax()
        raise LoadError(
            f"{where.path}: column '{column}' should hold numbers but {where.at(first)} has "
            f"'{series.loc[first]}' ({int(bad.sum())} such cells in all). Fix or blank those cells, "
            "or set `thousands`/`decimal` in the mapping if the export formats numbers."
        )
    return values.astype("float64")


def _parse(series: pd.Series, fmt: str | None, dayfirst: bool) -> pd.Series[pd.Timestamp]:
    if pd.api.types.is_datetime64_any_dtype(series):
        return series  # Parquet keeps types: nothing to parse or check
    if isinstance(series.dtype, pd.CategoricalDtype):
        # A date column repeats a few hundred values: parse each once.
        parsed = _parse(pd.Series(series.cat.categories.astype("str")), fmt, dayfirst)
        codes = series.cat.codes.to_numpy()
        values = parsed.to_numpy()[np.where(codes < 0, 0, codes)] if len(parsed) else parsed.to_numpy()[:0]
        out = pd.Series(values, index=series.index, dtype=parsed.dtype)
        out[codes < 0] = pd.NaT
        return out
    text = _text(series)
    try:
        if fmt:
            return pd.to_datetime(text, format=fmt, errors="coerce")
        parsed = pd.to_datetime(text, format="ISO8601", errors="coerce", utc=True)
        if parsed[text.notna()].isna().any():
            alt = pd.to_datetime(text, errors="coerce", dayfirst=dayfirst)
            if alt[text.notna()].isna().sum() < parsed[text.notna()].isna().sum():
                return alt
        naive = not text.dropna().str.contains(r"(?:Z|[+-]\d\d:?\d\d)$", regex=True).any()
        return parsed.dt.tz_localize(None) if naive else parsed
    except (ValueError, TypeError):
        return pd.to_datetime(text, errors="coerce", utc=True, format="mixed")


def _bad_dates(series: pd.Series, parsed: pd.Series[pd.Timestamp], column: str, where: _Where, fmt: str | None) -> None:
    if parsed is series:
        return
    bad = parsed.isna() & series.notna()
    if bad.any():
        bad[bad] = series[bad].astype("str").str.strip() != ""
    if bad.any():
        first: Any = bad.idxmax()
        expected = fmt or "YYYY-MM-DD (ISO 8601)"
        raise LoadError(
            f"{where.path}: column '{column}' has a value that is not a date on {where.at(first)}: "
            f"'{series.loc[first]}' ({int(bad.sum())} such cells in all). Expected {expected}; fix the cells "
            "or set date.format in the column mapping."
        )


def _parse_dates(series: pd.Series, where: _Where, spec: DateSpec | None, timezone: str) -> pd.Series:
    """Calendar days (datetime64[ns]) in the reporting timezone."""
    fmt = spec.format if spec else None
    parsed = _parse(series, fmt, spec.dayfirst if spec else False)
    _bad_dates(series, parsed, "date", where, fmt)
    if parsed.dt.tz is not None:
        parsed = parsed.dt.tz_convert(timezone).dt.tz_localize(None)
    elif spec is not None and spec.timezone:
        localized = parsed.dt.tz_localize(spec.timezone, ambiguous="NaT", nonexistent="shift_forward")
        parsed = localized.dt.tz_convert(timezone).dt.tz_localize(None)
    return parsed.dt.normalize().astype("datetime64[ns]")


def _parse_timestamps(series: pd.Series, column: str, where: _Where, spec: DateSpec | None) -> pd.Series:
    """UTC instants; naive values are taken in the mapping's timezone, else UTC."""
    fmt = spec.format if spec else None
    parsed = _parse(series, fmt, spec.dayfirst if spec else False)
    _bad_dates(series, parsed, column, where, fmt)
    if parsed.dt.tz is None:
        source_tz = (spec.timezone if spec else None) or "UTC"
        parsed = parsed.dt.tz_localize(source_tz, ambiguous="NaT", nonexistent="shift_forward")
    return parsed.dt.tz_convert("UTC").astype("datetime64[ns, UTC]")
