"""Load CSV / Parquet files (canonical or platform exports) into the canonical tables.

Rules, so nothing surprises a user later:

* Required columns (``schema.TableSpec.required``) must be present; the error
  names the file, the missing columns, the columns found and the mappings to try.
* Dates and numbers are checked cell by cell: a bad value is an error naming the
  line (CSV, header = line 1) or row (Parquet) and the value, never a silent NaN.
* A measure column that is absent is filled with 0 (so pandas and SQL sum the
  same way); this includes ``reach``, whose KPIs then report "no data" because
  their denominator is 0. Absent measures are listed in ``frame.attrs
  ["absent_measures"]`` and blank cells in present columns are filled with 0.
  ``engagements`` is derived from its parts and ``posts_published`` from each
  post's first day when absent.
* Rows without a date, platform, account or post id cannot be attributed; they
  are dropped and counted in ``frame.attrs["load_notes"]``, which the quality
  report shows.
* Dimensions are categoricals of strings; an empty campaign is ``""`` (untagged).
"""

from __future__ import annotations

import csv
import gzip
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd

from kpi_engine.cells import _dimension, _numeric, _parse_dates, _parse_timestamps, _text, _Where
from kpi_engine.errors import LoadError
from kpi_engine.mapping import (
    ENGAGEMENT_PARTS,
    PLATFORM_ALIASES,
    ColumnMapping,
    available_mappings,
    load_mapping,
)
from kpi_engine.schema import INTERACTIONS, TABLES, TableSpec
from kpi_engine.source import Dataset

__all__ = [
    "ColumnMapping",
    "load_dataset",
    "load_datasets",
    "load_table",
    "load_mapping",
    "available_mappings",
    "derive_interaction_measures",
]

_SUFFIXES = (".csv", ".csv.gz", ".parquet", ".pq")
_NA_TOKENS = ["-", "--", "n/a", "N/A", "NA", "null", "NULL", "None"]


def load_dataset(
    path: Path | str, *, mapping: str | Path | None = None, timezone: str = "UTC"
) -> Dataset:
    """Load a folder (posts/accounts/interactions files) or a single file."""
    path = Path(path)
    _check_timezone(timezone)
    spec = load_mapping(mapping) if mapping is not None else None
    if not path.exists():
        raise LoadError(
            f"{path}: no such file or folder. Check the path, or run `kpi-advisor data sample` for sample data."
        )
    frames: dict[str, pd.DataFrame] = {}
    if path.is_dir():
        files = _table_files(path)
        if spec is not None and spec.table not in files:
            raise LoadError(
                f"{path}: mapping '{spec.name}' is for the {spec.table} table but the folder has no "
                f"{spec.table}.csv or {spec.table}.parquet."
            )
        for table, file in files.items():
            own = spec if spec is not None and spec.table == table else None
            frames[table] = load_table(file, table=table, mapping=own, timezone=timezone)
    else:
        frame = load_table(path, table=spec.table if spec else None, mapping=spec, timezone=timezone)
        frames[frame.attrs["table"]] = frame
    return Dataset(timezone=timezone, name=path.stem or str(path), **frames)


def load_datasets(
    paths: Sequence[Path | str], *, mapping: str | Path | None = None, timezone: str = "UTC",
    progress: Callable[[Path], None] | None = None,
) -> Dataset:
    """Several files or folders as one dataset (a table's files concatenated); ``progress`` after each."""
    frames: dict[str, list[pd.DataFrame]] = {}
    for path in paths:
        dataset = load_dataset(path, mapping=mapping, timezone=timezone)
        for name in TABLES:
            frame = dataset.table(name)
            if frame is not None:
                frames.setdefault(name, []).append(frame)
        if progress is not None:
            progress(Path(path))
    tables = {n: f[0] if len(f) == 1 else pd.concat(f, ignore_index=True) for n, f in frames.items()}
    return Dataset(timezone=timezone, posts=tables.get("posts"), accounts=tables.get("accounts"),
                   interactions=tables.get("interactions"))


def load_table(
    path: Path | str, *, table: str | None = None, mapping: ColumnMapping | str | Path | None = None,
    timezone: str = "UTC",
) -> pd.DataFrame:
    """Load one file into a canonical table (inferred from the columns when not given)."""
    path = Path(path)
    spec = load_mapping(mapping) if isinstance(mapping, str | Path) else mapping
    raw = _read(path, spec)
    line_offset = 2 + raw.attrs.get("skip_rows", 0) if _is_csv(path) else 1
    where = _Where(path, line_offset, "line" if _is_csv(path) else "row")
    if spec is not None:
        table = spec.table
        raw = _apply_mapping(raw, spec, where)
    elif table is None:
        table = _infer_table(path, raw)
    frame = _canonicalize(raw, TABLES[table], where, spec, timezone)
    frame.attrs["table"] = table
    frame.attrs["source"] = str(path)
    return frame


def _check_timezone(name: str) -> None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise LoadError(f"Unknown timezone '{name}': use an IANA name such as UTC or America/New_York.") from None


def _is_csv(path: Path) -> bool:
    return path.name.lower().endswith((".csv", ".csv.gz", ".txt"))


def _table_files(folder: Path) -> dict[str, Path]:
    found: dict[str, Path] = {}
    for file in sorted(folder.iterdir()):
        name = file.name.lower()
        for suffix in _SUFFIXES:
            if name.endswith(suffix) and name[: -len(suffix)] in TABLES:
                table = name[: -len(suffix)]
                if table in found:
                    raise LoadError(
                        f"{folder}: both {found[table].name} and {file.name} hold the {table} table; keep one."
                    )
                found[table] = file
    if not found:
        seen = ", ".join(sorted(f.name for f in folder.iterdir())[:10]) or "nothing"
        raise LoadError(
            f"{folder}: no posts, accounts or interactions file (.csv or .parquet) found; the folder holds {seen}. "
            "Name the files posts.csv, accounts.csv, interactions.csv, or load a single file."
        )
    return found


def _read(path: Path, spec: ColumnMapping | None) -> pd.DataFrame:
    name = path.name.lower()
    if name.endswith((".xls", ".xlsx")):
        raise LoadError(f"{path}: spreadsheets are not read directly; save the sheet as CSV (UTF-8) and load that.")
    if name.endswith((".parquet", ".pq")):
        try:
            frame = pd.read_parquet(path)
        except Exception as exc:  # pyarrow raises many types for corrupt files
            raise LoadError(f"{path}: not a readable Parquet file ({exc}).") from None
    elif _is_csv(path) or spec is not None:
        frame = _read_csv(path, spec)
    else:
        raise LoadError(f"{path}: unsupported file type; use .csv or .parquet.")
    if frame.empty:
        raise LoadError(f"{path}: the file has a header but no data rows. Export a period with data.")
    return frame


def _header_line(path: Path, spec: ColumnMapping) -> int:
    """Index of the header line: exports often put title rows above it."""
    wanted = spec.required_sources(TABLES[spec.table])
    if spec.date is not None:
        wanted.append([spec.date.column])
    if not wanted:
        return spec.skip_rows
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    first: list[str] = []
    try:
        with opener(path, "rt", encoding=spec.encoding, errors="replace", newline="") as fh:
            for i, row in enumerate(csv.reader(fh)):
                if i >= 20:
                    break
                cells = {c.strip().lstrip("\ufeff") for c in row}
                first = first or [c for c in row if c.strip()]
                if all(any(a in cells for a in alts) for alts in wanted):
                    return i
    except (OSError, csv.Error) as exc:
        raise LoadError(f"{path}: cannot read the file ({exc}).") from None
    if not first:
        raise LoadError(f"{path}: the file is empty. Export the data again with a header row.")
    names = ", ".join(" or ".join(f"'{c}'" for c in alts) for alts in wanted)
    raise LoadError(
        f"{path}: this file does not look like a '{spec.name}' export: no header line with {names}. "
        f"Its first line has: {_list(first)}. Check the export type, or copy the mapping and adjust its columns."
    )


def _read_csv(path: Path, spec: ColumnMapping | None) -> pd.DataFrame:
    text_columns = _text_columns(spec)
    skip = _header_line(path, spec) if spec else 0
    kwargs: dict[str, Any] = dict(
        skiprows=skip,
        thousands=spec.thousands if spec else None,
        decimal=spec.decimal if spec else ".",
        na_values=_NA_TOKENS,
        skipinitialspace=True,
        index_col=False,
        dtype=text_columns,
    )
    frame: pd.DataFrame  # read_csv without chunksize or iterator (the stubs cannot tell through **kwargs)
    try:
        with warnings.catch_warnings():
            # pandas warns (and drops data) when a row has more fields than the header.
            warnings.simplefilter("error", pd.errors.ParserWarning)
            try:
                frame = pd.read_csv(path, encoding=spec.encoding if spec else "utf-8-sig", **kwargs)
            except UnicodeDecodeError:
                # Spreadsheet tools on Windows still save as cp1252.
                frame = pd.read_csv(path, encoding="cp1252", **kwargs)
    except pd.errors.EmptyDataError:
        raise LoadError(f"{path}: the file is empty. Export the data again with a header row.") from None
    except (pd.errors.ParserError, pd.errors.ParserWarning) as exc:
        raise LoadError(
            f"{path}: malformed CSV ({str(exc).strip()}). Check for unquoted commas or a missing column on that line."
        ) from None
    frame.attrs["skip_rows"] = skip
    return frame


def _text_columns(spec: ColumnMapping | None) -> dict[str, str]:
    """Columns read as text (ids like 001234 stay intact); repetitive ones as categories."""
    repeated = {"date", *{d for t in TABLES.values() for d in t.dimensions}}
    unique = {"interaction_id", *INTERACTIONS.timestamps}
    if spec is None:
        return {**{c: "category" for c in repeated}, **{c: "str" for c in unique}}
    out = {src: ("category" if dst in repeated else "str") for src, dst in spec.columns.items()
           if dst in repeated | unique}
    out.update({c: "str" for c in (spec.platform_column, spec.date.column if spec.date else None) if c})
    out.update({c: "str" for c in spec.keep_rows})
    return out


def _infer_table(path: Path, raw: pd.DataFrame) -> str:
    stem = path.name.lower().split(".")[0]
    if stem in TABLES:
        return stem
    cols = set(raw.columns)
    if {"received_at", "interaction_id"} & cols:
        return "interactions"
    if "post_id" in cols:
        return "posts"
    if "followers" in cols:
        return "accounts"
    raise LoadError(
        f"{path}: cannot tell which table this is (posts, accounts or interactions). "
        f"Found columns: {_list(raw.columns)}. Canonical files have post_id (posts), followers (accounts) "
        f"or interaction_id/received_at (interactions); for a platform export pass --mapping "
        f"(available: {', '.join(available_mappings())})."
    )


def _list(columns: object, limit: int = 25) -> str:
    cols = [str(c) for c in columns]  # type: ignore[attr-defined]
    more = f" (+{len(cols) - limit} more)" if len(cols) > limit else ""
    return ", ".join(cols[:limit]) + more


def _keep_rows(raw: pd.DataFrame, spec: ColumnMapping, where: _Where, notes: list[str]) -> pd.DataFrame:
    """Only the rows the mapping keeps (e.g. one export type out of several in one file)."""
    for column, keep in spec.keep_rows.items():
        if column not in raw.columns:
            raise LoadError(
                f"{where.path}: mapping '{spec.name}' filters on column '{column}' which the file does not have. "
                f"Found columns: {_list(raw.columns)}."
            )
        mask = _text(raw[column]).isin(keep)
        if (~mask).any():
            notes.append(f"dropped {int((~mask).sum())} rows whose '{column}' is not {', '.join(keep)}")
        raw = raw[mask]
    return raw


def _move_platform_columns(spec: ColumnMapping, raw: pd.DataFrame, out: pd.DataFrame) -> None:
    """A column that means something else on one platform moves to its own measure there."""
    platform = _text(out["platform"]).str.lower().replace(PLATFORM_ALIASES)
    for name, moved in spec.platform_columns.items():
        rows = (platform == name).to_numpy()
        if not rows.any():
            continue
        for src, dst in moved.items():
            if src not in raw.columns:
                continue
            general = spec.columns.get(src)
            if general in out.columns:  # not that measure on this platform
                out[general] = out[general].where(~rows, np.nan)
            if dst is None:
                continue
            if dst not in out.columns:
                out[dst] = np.nan
            out[dst] = out[dst].where(~rows, raw[src])


def _apply_mapping(raw: pd.DataFrame, spec: ColumnMapping, where: _Where) -> pd.DataFrame:
    notes: list[str] = []
    missing = [s for s in spec.required_sources(TABLES[spec.table]) if not any(c in raw.columns for c in s)]
    if missing:
        names = ", ".join(" or ".join(f"'{c}'" for c in alts) for alts in missing)
        raise LoadError(
            f"{where.path}: this file does not look like a '{spec.name}' export: missing column(s) {names}. "
            f"Found columns: {_list(raw.columns)}. Check the export type or copy the mapping and adjust its columns."
        )
    raw = _keep_rows(raw, spec, where, notes)
    out = pd.DataFrame(index=raw.index)
    targets, consumed = spec.targets(), spec.consumed()
    for target, sources in targets.items():
        present = [s for s in sources if s in raw.columns]
        if present:
            out[target] = raw[present[0]]
    spec_table = TABLES[spec.table]
    for column in ("date", "interaction_id", *spec_table.dimensions, *spec_table.measures, *spec_table.timestamps):
        # Columns already named canonically pass through unless the mapping fills them or reads them as
        # something else.
        if column in raw.columns and column not in out.columns and column not in targets.keys() | consumed:
            out[column] = raw[column]
    if spec.date is not None and spec.date.column in raw.columns:
        out[spec.date_target] = raw[spec.date.column]
    if spec.platform_column is not None:
        if spec.platform_column not in raw.columns:
            raise LoadError(
                f"{where.path}: mapping '{spec.name}' takes the platform from column '{spec.platform_column}' "
                f"which the file does not have. Found columns: {_list(raw.columns)}."
            )
        out["platform"] = raw[spec.platform_column]
    for column, value in spec.constants.items():
        out[column] = value
    if spec.platform is not None:
        out["platform"] = spec.platform
    for column, recode in spec.values.items():
        if column not in out.columns:
            continue
        text = _text(out[column])
        if column == "platform" and spec.platform_column is not None:
            unknown = sorted(set(text.dropna()) - set(recode))
            if unknown:
                raise LoadError(
                    f"{where.path}: column '{spec.platform_column}' has values the mapping '{spec.name}' cannot "
                    f"turn into a platform: {', '.join(unknown[:10])}. Add them under values.platform in the mapping."
                )
        out[column] = text.map(lambda v, r=recode: r.get(v, v) if isinstance(v, str) else v)
    if spec.platform_columns and "platform" in out.columns:
        _move_platform_columns(spec, raw, out)
    for target, parts in spec.sums.items():
        present = [p for p in parts if p in out.columns or p in raw.columns]
        if not present:
            raise LoadError(
                f"{where.path}: mapping '{spec.name}' sums {', '.join(parts)} into {target} "
                "but the file has none of them."
            )
        total = sum(_numeric(out[p] if p in out.columns else raw[p], p, where) for p in present)
        out[target] = total
    out.attrs["load_notes"] = notes
    return out


def _canonicalize(
    raw: pd.DataFrame, table: TableSpec, where: _Where, spec: ColumnMapping | None, timezone: str
) -> pd.DataFrame:
    notes: list[str] = list(raw.attrs.get("load_notes", []))
    raw = raw.rename(columns=lambda c: str(c).strip())
    missing = [c for c in table.required if c not in raw.columns]
    if table.name == "posts" and "impressions" in missing and "video_views" in raw.columns:
        missing.remove("impressions")  # video-only exports: impressions filled with 0 below
    if missing:
        hint = f" Available mappings: {', '.join(available_mappings())}." if spec is None else ""
        raise LoadError(
            f"{where.path}: the {table.name} table needs column(s) {', '.join(missing)} but they are missing. "
            f"Found columns: {_list(raw.columns)}. Rename them in the file or load it with a column mapping "
            f"(--mapping NAME_OR_FILE.yaml).{hint}"
        )
    date_spec = spec.date if spec is not None else None
    out = pd.DataFrame(index=raw.index)
    if table.name == "interactions":
        out["interaction_id"] = _text(raw["interaction_id"])
        for column in table.timestamps:
            if column in raw.columns:
                out[column] = _parse_timestamps(raw[column], column, where, date_spec)
            else:
                out[column] = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns, UTC]")
        required_keys = ["interaction_id", "received_at", "platform", "account"]
    else:
        out["date"] = _parse_dates(raw["date"], where, date_spec, timezone)
        required_keys = ["date", *(c for c in table.required if c in table.dimensions)]
    for dim in table.dimensions:
        source = raw[dim] if dim in raw.columns else pd.Series("", index=raw.index)
        out[dim] = _dimension(source, dim)
    empty = pd.Series(False, index=out.index)
    for key in required_keys:
        blank = out[key].isna() if key in ("date", "received_at") else out[key].isna() | out[key].eq("")
        if blank.any():
            notes.append(f"dropped {int(blank.sum())} rows with no {key} (first at {where.at(blank.idxmax())})")
        empty |= blank
    if empty.any():
        out = out[~empty]
        raw = raw.loc[out.index]
    if out.empty:
        raise LoadError(f"{where.path}: no usable rows: every row lacks {' or '.join(required_keys)}.")

    absent: list[str] = []
    for measure in table.measures:
        if table.name == "interactions":
            break
        if measure in raw.columns:
            values = _numeric(raw[measure], measure, where)
            blanks = int(values.isna().sum())
            if blanks:
                notes.append(f"filled {blanks} blank {measure} cells with 0")
            out[measure] = values.fillna(0.0)
        else:
            absent.append(measure)
            out[measure] = 0.0
    if table.name == "posts":
        parts = [p for p in ENGAGEMENT_PARTS if p not in absent]
        if "engagements" in absent and parts:
            out["engagements"] = out[parts].sum(axis=1)
            absent.remove("engagements")
            notes.append(f"engagements derived as {' + '.join(parts)}")
        if "posts_published" in absent:
            first = ~out.sort_values("date").duplicated(["platform", "post_id"], keep="first")
            out["posts_published"] = first.reindex(out.index).astype("float64")
            absent.remove("posts_published")
            notes.append("posts_published derived as 1 on each post's first date")
    if table.name == "interactions":
        out = derive_interaction_measures(out, timezone)
        notes.extend(_sentiment_notes(out))
    out = out.reset_index(drop=True)
    order = (["interaction_id", *table.dimensions, *table.timestamps, "date"] if table.name == "interactions"
             else ["date", *table.dimensions])
    out = out[order + list(table.measures)]
    if absent:
        notes.append(f"no column for {', '.join(absent)}: filled with 0")
    out.attrs.update(load_notes=notes, absent_measures=absent)
    return out


def derive_interaction_measures(frame: pd.DataFrame, timezone: str = "UTC") -> pd.DataFrame:
    """Add ``date`` (received day in ``timezone``) and the additive 0/1 and minute measures.

    Response and resolution minutes are measured from ``received_at``; they are
    NaN when there was no response / resolution, so medians skip them.
    """
    out = frame.copy()
    received = out["received_at"]
    out["date"] = received.dt.tz_convert(timezone).dt.tz_localize(None).dt.normalize().astype("datetime64[ns]")
    out["interactions"] = 1.0
    out["responded"] = out["first_response_at"].notna().astype("float64")
    out["resolved"] = out["resolved_at"].notna().astype("float64")
    sentiment = out["sentiment"].astype("str")
    for label in ("positive", "neutral", "negative"):
        out[label] = (sentiment == label).astype("float64")
    out["response_minutes"] = (out["first_response_at"] - received).dt.total_seconds() / 60.0
    out["resolution_minutes"] = (out["resolved_at"] - received).dt.total_seconds() / 60.0
    return out


def _sentiment_notes(frame: pd.DataFrame) -> list[str]:
    labelled = frame[["positive", "neutral", "negative"]].sum(axis=1) > 0
    other = frame.loc[~labelled, "sentiment"].astype("str")
    other = other[other != ""]
    if other.empty:
        return []
    return [f"{len(other)} interactions have a sentiment other than positive/neutral/negative "
            f"(e.g. '{other.iloc[0]}'); they count in no sentiment bucket"]
