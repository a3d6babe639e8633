"""A Source over any SQL database: aggregation runs in the database as GROUP BY.

Tables hold the canonical columns (see :mod:`kpi_engine.schema`) with ``date``
stored as DATE; interactions keep their derived columns (``date``,
``responded``, ``response_minutes``, ...) as written by
:func:`write_dataset_to_sql`, so the interactions ``date`` is the received day
in the timezone the data was loaded with. Only rollups leave the database:
sums per group, date ranges, distinct dimension values and percentiles. One
exception: projecting a percentile KPI toward a target (:mod:`kpi_engine.pace`)
pools raw values of the windows it weighs, so it reads those values.

Works through SQLAlchemy on PostgreSQL, SQLite and DuckDB (``duckdb:///file.db``
or ``duckdb:///:memory:``, with ``pip install 'kpi-advisor[duckdb]'``). Column
names are read from ``SELECT * ... LIMIT 0`` rather than by reflection, which
not every dialect supports (duckdb-engine's fails on ``REGCLASS``).

Percentiles run in the database: ``percentile_cont(q) WITHIN GROUP (ORDER BY x)``
on PostgreSQL, ``quantile_cont(x, q)`` on DuckDB and, on other dialects (SQLite),
the two order statistics around the percentile picked with ``row_number()``
window functions and interpolated linearly; at most three rows leave the
database. All three give numpy's default (linear) quantile.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any, Literal

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from kpi_engine.errors import DataError, FilterError
from kpi_engine.mapping import ColumnMapping, load_mapping
from kpi_engine.schema import INTERACTIONS, TABLES
from kpi_engine.source import Dataset, Filters
from kpi_engine.sql_mapping import mapped_select

__all__ = ["SqlSource", "open_database", "safe_url", "write_dataset_to_sql"]


def _create_engine(url: str) -> sa.Engine:
    try:
        return sa.create_engine(url)
    except sa_exc.NoSuchModuleError:  # a subclass of ArgumentError: catch it first
        if url.startswith("duckdb"):
            raise DataError(
                f"DuckDB support is not installed for '{_safe(url)}': pip install 'kpi-advisor[duckdb]'."
            ) from None
        raise DataError(
            f"Unknown database type in '{_safe(url)}': use sqlite:///, duckdb:/// or postgresql+psycopg://."
        ) from None
    except sa_exc.ArgumentError:
        raise DataError(
            f"'{url}' is not a database URL. Use a SQLAlchemy URL such as sqlite:///kpis.db or "
            "postgresql+psycopg://user@host:5432/dbname."
        ) from None
    except ModuleNotFoundError as exc:
        raise DataError(
            f"The database driver '{exc.name}' for '{_safe(url)}' is not installed. For PostgreSQL use "
            "postgresql+psycopg://... (pip install 'kpi-advisor[postgres]'); for DuckDB pip install "
            "'kpi-advisor[duckdb]'."
        ) from None


def open_database(url: str) -> sa.Engine:
    """An engine for ``url`` that has connected once; a bad URL, driver or server is a DataError."""
    engine = _create_engine(url)
    try:
        with engine.connect():
            pass
    except sa_exc.SQLAlchemyError as exc:
        raise DataError(f"Cannot connect to {_safe(url)}: {_reason(exc)}. Check the URL and the server.") from None
    return engine


def safe_url(url: str) -> str:
    """``url`` with its password masked, for messages."""
    return _safe(url)


def _safe(url: str) -> str:
    try:
        return sa.make_url(url).render_as_string(hide_password=True)
    except sa_exc.ArgumentError:
        return url


class SqlSource:
    """Answers the Source protocol with SQL.

    ``tables`` maps canonical table names to yours, ``schema`` names their schema, and
    ``mappings`` (column mappings, as files use: shipped names, paths or models) map
    your columns to the canonical ones; a mapping's ``sql_table`` is its default table name.
    """

    remote = True  # every call is a round trip: an Engine memoizes identical calls per request

    def __init__(
        self,
        url: str,
        *,
        tables: Mapping[str, str] | None = None,
        timezone: str = "UTC",
        schema: str | None = None,
        mappings: Sequence[ColumnMapping | str] = (),
        engine: sa.Engine | None = None,
        name: str | None = None,
    ):
        unknown = set(tables or {}) - set(TABLES)
        if unknown:
            raise DataError(
                f"KPI_ADVISOR_DATA_TABLES names unknown table(s) {', '.join(sorted(unknown))}; "
                "use posts, accounts, interactions (e.g. posts=social_posts)."
            )
        self._mappings: dict[str, ColumnMapping] = {}
        for m in mappings:
            spec = m if isinstance(m, ColumnMapping) else load_mapping(m)
            if spec.table in self._mappings:
                raise DataError(f"Two column mappings for the {spec.table} table: "
                                f"'{self._mappings[spec.table].name}' and '{spec.name}'; keep one.")
            self._mappings[spec.table] = spec
        self.url = _safe(url)
        self.name = name or self.url
        self.timezone = timezone
        self._schema = schema
        self._names = {t: (tables or {}).get(t) or _mapped_name(self._mappings.get(t)) or t for t in TABLES}
        self._engine = engine or _create_engine(url)
        self._tables: dict[str, sa.FromClause | None] = {}
        self._missing: dict[str, str] = {}
        try:
            with self._engine.connect():
                pass
        except sa_exc.SQLAlchemyError as exc:
            raise DataError(
                f"Cannot connect to {self.url}: {_reason(exc)}. Check the URL, the server and the credentials."
            ) from None

    # -- metadata -------------------------------------------------------------

    def _table(self, table: str) -> sa.FromClause | None:
        if table not in TABLES:
            raise DataError(f"Unknown table '{table}': use posts, accounts or interactions.")
        if table not in self._tables:
            self._tables[table] = self._read_columns(table)
        return self._tables[table]

    def _read_columns(self, table: str) -> sa.FromClause | None:
        """The table with the columns a ``SELECT * ... LIMIT 0`` returns; None when it cannot be read."""
        bare = sa.table(self._names[table], schema=self._schema)
        try:
            with self._engine.connect() as conn:
                names = list(conn.execute(sa.select(sa.text("*")).select_from(bare).limit(0)).keys())
        except sa_exc.SQLAlchemyError as exc:
            self._missing[table] = _reason(exc)
            return None
        found = sa.table(self._names[table], *[sa.column(n) for n in names], schema=self._schema)
        if table in self._mappings:
            return mapped_select(self._mappings[table], found, names, self._engine.dialect.name, self._where_is(table))
        return found

    def _where_is(self, table: str) -> str:
        return f"{self._schema}.{self._names[table]}" if self._schema else self._names[table]

    def _require(self, table: str) -> sa.FromClause:
        found = self._table(table)
        if found is None:
            where = self._where_is(table)
            raise DataError(
                f"The database {self.url} has no table '{where}' for {table} "
                f"({self._missing.get(table, 'not found')}). Load it with `kpi-advisor data load FILES --to URL`, "
                f"or point at your own table: KPI_ADVISOR_DATA_TABLES={table}=your_table, KPI_ADVISOR_DATA_SCHEMA "
                "for its schema, and KPI_ADVISOR_DATA_MAPPING for a column mapping."
            )
        return found

    def _column(self, t: sa.FromClause, column: str, table: str) -> sa.ColumnElement[Any]:
        if column not in t.c and table in self._mappings:
            spec = self._mappings[table]
            provided = [c for c in TABLES[table].measures if c in t.c]
            raise DataError(
                f"The '{spec.name}' mapping of {self._where_is(table)} provides no {column}: its {table} measures "
                f"are {', '.join(provided)}. KPIs that need {column} cannot be computed from this table."
            )
        if column not in t.c:
            raise DataError(
                f"Table '{self._names[table]}' ({table}) has no column '{column}'; it has {', '.join(t.c.keys())}. "
                "Add the column (0 when not measured) or reload the table with write_dataset_to_sql."
            )
        return t.c[column]

    def _dimension(self, t: sa.FromClause, table: str, dim: str) -> sa.ColumnElement[Any]:
        allowed = ("date", "post_id", *TABLES[table].dimensions)
        if dim not in allowed:
            raise FilterError(f"The {table} table has no dimension '{dim}'; use one of {', '.join(allowed)}.")
        return self._column(t, dim, table)

    def _where(self, t: sa.FromClause, table: str, start: date, end: date, filters: Filters | None) -> list[Any]:
        day = self._column(t, "date", table)
        # Half-open range: also right when a DATE was stored as a timestamp.
        conditions: list[Any] = [day >= sa.literal(start, sa.Date()),
                                 day < sa.literal(end + timedelta(days=1), sa.Date())]
        for dim, values in (filters or {}).items():
            conditions.append(self._dimension(t, table, dim).in_([str(v) for v in values]))
        return conditions

    def _run(self, statement: sa.Executable) -> list[Any]:  # rows, unpacked by position
        try:
            with self._engine.connect() as conn:
                return list(conn.execute(statement))
        except sa_exc.SQLAlchemyError as exc:
            raise DataError(f"Query on {self.url} failed: {_reason(exc)}.") from None

    # -- Source protocol --------------------------------------------------------

    def has_table(self, table: str) -> bool:
        return self._table(table) is not None

    def date_range(self, table: str) -> tuple[date, date] | None:
        t = self._require(table)
        day = self._column(t, "date", table)
        first, last = self._run(sa.select(sa.func.min(day), sa.func.max(day)))[0]
        if first is None:
            return None
        return _as_date(first), _as_date(last)

    def rollup(
        self,
        table: str,
        measures: Sequence[str],
        start: date,
        end: date,
        filters: Filters | None = None,
        by: Sequence[str] = (),
    ) -> pd.DataFrame:
        t = self._require(table)
        keys = [self._dimension(t, table, b).label(b) for b in by]
        sums = [sa.func.coalesce(sa.func.sum(self._column(t, m, table)), 0.0).label(m) for m in measures]
        statement = (
            sa.select(*keys, *sums, sa.func.count().label("rows"))
            .where(*self._where(t, table, start, end, filters))
            .group_by(*keys)
            .order_by(*keys)
        )
        rows = self._run(statement)
        frame = pd.DataFrame([tuple(r) for r in rows], columns=[*by, *measures, "rows"])
        return _typed(frame, by, measures)

    def values(
        self, table: str, column: str, start: date, end: date, filters: Filters | None = None
    ) -> np.ndarray:
        t = self._require(table)
        col = self._column(t, column, table)
        statement = sa.select(col).where(*self._where(t, table, start, end, filters), col.is_not(None))
        return np.array([r[0] for r in self._run(statement)], dtype="float64")

    def quantile(
        self, table: str, column: str, q: float, start: date, end: date, filters: Filters | None = None
    ) -> tuple[float | None, int]:
        """The linear-interpolation quantile of a column's non-missing values, and how many there are."""
        t = self._require(table)
        col = self._column(t, column, table)
        where = [*self._where(t, table, start, end, filters), col.is_not(None)]
        dialect = self._engine.dialect.name
        if dialect in ("postgresql", "duckdb"):
            x: Any = sa.cast(col, sa.Double())  # FLOAT is 32-bit on DuckDB
            pick = (sa.func.percentile_cont(q).within_group(x) if dialect == "postgresql"
                    else sa.func.quantile_cont(x, q))
            value, count = self._run(sa.select(pick, sa.func.count(col)).where(*where))[0]
            return (None if value is None or not count else float(value)), int(count or 0)
        # Portable fallback: number the values in order and keep the (at most 3) around the position.
        ranked = sa.select(
            col.label("x"),
            (sa.func.row_number().over(order_by=col) - 1).label("i"),
            sa.func.count().over().label("n"),
        ).where(*where).subquery("ranked")
        position = (ranked.c.n - 1) * q
        rows = self._run(sa.select(ranked.c.x, ranked.c.i, ranked.c.n)
                         .where(ranked.c.i >= position - 1, ranked.c.i <= position + 1))
        if not rows:
            return None, 0
        n = int(rows[0][2])
        at = {int(i): float(x) for x, i, _ in rows}
        pos = (n - 1) * q
        lo = math.floor(pos)
        if lo + 1 >= n or pos == lo:
            return at[lo], n
        return at[lo] + (at[lo + 1] - at[lo]) * (pos - lo), n

    def snapshot(
        self,
        table: str,
        measure: str,
        at: date,
        filters: Filters | None = None,
        lookback_days: int = 14,
    ) -> float | None:
        t = self._require(table)
        value = self._column(t, measure, table)
        ids = [self._column(t, k, table) for k in ("platform", "account") if k in TABLES[table].dimensions]
        where = [*self._where(t, table, at - timedelta(days=lookback_days), at, filters), value.is_not(None)]
        latest = (
            sa.select(*[c.label(c.name) for c in ids], sa.func.max(t.c.date).label("latest"))
            .where(*where)
            .group_by(*ids)
            .subquery("latest")
        )
        on = sa.and_(t.c.date == latest.c.latest, *[c == latest.c[c.name] for c in ids])
        statement = sa.select(sa.func.sum(value), sa.func.count()).select_from(t.join(latest, on)).where(*where)
        total, count = self._run(statement)[0]
        return None if not count else float(total)

    def dimension_values(self, table: str, dimension: str) -> list[str]:
        t = self._require(table)
        col = self._dimension(t, table, dimension)
        rows = self._run(sa.select(col).where(col.is_not(None)).distinct().order_by(col))
        return sorted(str(r[0]) for r in rows)


def _mapped_name(mapping: ColumnMapping | None) -> str | None:
    return mapping.sql_table if mapping is not None else None


def _reason(exc: sa_exc.SQLAlchemyError) -> str:
    orig = getattr(exc, "orig", None)
    return str(orig or exc).strip().splitlines()[0]


def _as_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _typed(frame: pd.DataFrame, by: Sequence[str], measures: Sequence[str]) -> pd.DataFrame:
    for b in by:
        if b == "date":
            frame[b] = pd.to_datetime(frame[b].map(_as_date)).astype("datetime64[ns]") if len(frame) else (
                pd.Series([], dtype="datetime64[ns]"))
        else:
            frame[b] = frame[b].astype("str")
    for m in measures:
        frame[m] = frame[m].astype("float64")
    frame["rows"] = frame["rows"].astype("int64")
    return frame


# -- writing ----------------------------------------------------------------------


def _sql_types(name: str, frame: pd.DataFrame) -> dict[str, Any]:
    spec = TABLES[name]
    types: dict[str, Any] = {}
    for column in frame.columns:
        if column == "date":
            types[column] = sa.Date()
        elif column in spec.timestamps:
            types[column] = sa.DateTime(timezone=True)
        elif column in spec.measures:
            types[column] = sa.Float()
        else:
            types[column] = sa.String()
    return types


def _prepared(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Plain types a database driver accepts: strings, floats, dates, UTC timestamps."""
    out = frame.copy()
    for column in out.columns:
        series = out[column]
        if isinstance(series.dtype, pd.CategoricalDtype) or column in ("interaction_id", "post_id"):
            out[column] = series.astype("str").astype(object)
        elif column == "date":
            out[column] = series.dt.date
    return out


_CHUNK = 100_000  # rows per write (and per progress report)


def write_dataset_to_sql(
    dataset: Dataset,
    url: str,
    *,
    if_exists: Literal["fail", "replace", "append"] = "replace",
    tables: Mapping[str, str] | None = None,
    schema: str | None = None,
    engine: sa.Engine | None = None,
    progress: Callable[[str, int], None] | None = None,
) -> dict[str, int]:
    """Write the dataset's canonical frames into tables (with a date index); rows per table.

    Each table is written in one transaction, in chunks; ``progress(table, rows)`` is called
    after each chunk with the rows it wrote.
    """
    if if_exists not in ("replace", "append", "fail"):
        raise DataError(f"if_exists must be replace, append or fail, not '{if_exists}'.")
    engine = engine or _create_engine(url)
    report = progress or (lambda table, rows: None)
    written: dict[str, int] = {}
    for name in TABLES:
        frame = dataset.table(name)
        if frame is None:
            continue
        target = (tables or {}).get(name, name)
        prepared = _prepared(name, frame)
        types = _sql_types(name, prepared)
        try:
            with engine.begin() as conn:
                dialect = conn.dialect.name
                if dialect == "postgresql":
                    prepared.head(0).to_sql(target, conn, schema=schema, if_exists=if_exists, index=False, dtype=types)
                    _copy_postgres(conn, target, schema, prepared, name, partial(report, name))
                else:
                    for begin in range(0, max(len(prepared), 1), _CHUNK):
                        chunk = prepared.iloc[begin : begin + _CHUNK]
                        mode: Literal["fail", "replace", "append"] = if_exists if begin == 0 else "append"
                        if dialect == "duckdb":
                            _write_duckdb(conn, target, schema, chunk, types, mode)
                        else:
                            chunk.to_sql(target, conn, schema=schema, if_exists=mode, index=False,
                                         dtype=types, chunksize=20_000)
                        report(name, len(chunk))
                if dialect != "duckdb":  # DuckDB's zone maps serve date ranges without an index
                    _index_date(conn, target, schema)
        except ValueError as exc:  # pandas: table exists and if_exists="fail"
            raise DataError(f"Cannot write table '{target}': {exc}. Use if_exists='replace' or 'append'.") from None
        except sa_exc.SQLAlchemyError as exc:
            raise DataError(f"Cannot write table '{target}' to {_safe(url)}: {_reason(exc)}.") from None
        written[name] = len(frame)
    return written


def _qualified(conn: sa.Connection, target: str, schema: str | None) -> str:
    quote = conn.dialect.identifier_preparer.quote
    return f"{quote(schema)}.{quote(target)}" if schema else quote(target)


def _index_date(conn: sa.Connection, target: str, schema: str | None) -> None:
    """An index on ``date`` (by name, no reflection: not every dialect reflects)."""
    quote = conn.dialect.identifier_preparer.quote
    index = f"ix_{target}_date"
    if conn.dialect.name == "sqlite" and schema:  # SQLite qualifies the index, not the table
        statement = f"CREATE INDEX IF NOT EXISTS {quote(schema)}.{quote(index)} ON {quote(target)} (date)"
    else:
        statement = f"CREATE INDEX IF NOT EXISTS {quote(index)} ON {_qualified(conn, target, schema)} (date)"
    conn.execute(sa.text(statement))


_DUCKDB_TYPES = {sa.Date: "DATE", sa.DateTime: "TIMESTAMPTZ", sa.Float: "DOUBLE", sa.String: "VARCHAR"}


def _write_duckdb(conn: sa.Connection, target: str, schema: str | None, frame: pd.DataFrame,
                  types: dict[str, Any], if_exists: Literal["fail", "replace", "append"]) -> None:
    """Hand the frame to DuckDB as a view and copy it in one statement (executemany is ~100x slower)."""
    raw: Any = conn.connection.driver_connection
    qualified = _qualified(conn, target, schema)
    quote = conn.dialect.identifier_preparer.quote
    # all on DuckDB's own connection (same transaction): it refuses a view while a result is open
    exists = bool(raw.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = ? AND table_schema = "
        + ("?" if schema else "current_schema()"), [target, schema] if schema else [target]).fetchall()[0][0])
    if exists and if_exists == "fail":
        raise ValueError(f"Table '{target}' already exists")
    columns = ", ".join(
        f"CAST({quote(c)} AS {_DUCKDB_TYPES[type(types[c])]}) AS {quote(c)}" for c in frame.columns)
    view = "_kpi_advisor_load"
    raw.register(view, frame)
    try:
        if exists and if_exists == "append":
            raw.execute(f"INSERT INTO {qualified} BY NAME SELECT {columns} FROM {view}").fetchall()
        else:
            raw.execute(f"CREATE OR REPLACE TABLE {qualified} AS SELECT {columns} FROM {view}").fetchall()
    finally:
        raw.unregister(view)


def _copy_postgres(conn: sa.Connection, target: str, schema: str | None, frame: pd.DataFrame, name: str,
                   report: Callable[[int], None]) -> None:
    """COPY in CSV chunks: executemany is ~20x slower at benchmark sizes."""
    raw: Any = conn.connection.driver_connection
    quote = '"{}"'.format
    qualified = f"{quote(schema)}.{quote(target)}" if schema else quote(target)
    nullable = [c for c in frame.columns if c in TABLES[name].measures or c in INTERACTIONS.timestamps]
    options = "FORMAT csv"
    if nullable:
        # Every field is quoted so "" stays an empty dimension; in these columns "" is NULL.
        options += f", FORCE_NULL ({', '.join(quote(c) for c in nullable)})"
    columns = ", ".join(quote(c) for c in frame.columns)
    with raw.cursor() as cur, cur.copy(f"COPY {qualified} ({columns}) FROM STDIN WITH ({options})") as copy:
        for begin in range(0, len(frame), _CHUNK):
            chunk = frame.iloc[begin : begin + _CHUNK]
            copy.write(chunk.to_csv(index=False, header=False, quoting=csv.QUOTE_ALL,
                                    date_format="%Y-%m-%d %H:%M:%S%z"))
            report(len(chunk))
