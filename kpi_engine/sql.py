"""A Source over any SQL database: aggregation runs in the database as GROUP BY.

Tables hold the canonical columns (see :mod:`kpi_engine.schema`) with ``date``
stored as DATE; interactions keep their derived columns (``date``,
``responded``, ``response_minutes``, ...) as written by
:func:`write_dataset_to_sql`, so the interactions ``date`` is the received day
in the timezone the data was loaded with. Only rollups leave the database.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from kpi_engine.errors import DataError, FilterError
from kpi_engine.schema import INTERACTIONS, TABLES
from kpi_engine.source import Dataset, Filters

__all__ = ["SqlSource", "write_dataset_to_sql"]


def _create_engine(url: str) -> sa.Engine:
    try:
        return sa.create_engine(url)
    except sa_exc.NoSuchModuleError:  # a subclass of ArgumentError: catch it first
        raise DataError(f"Unknown database type in '{_safe(url)}': use sqlite:/// or postgresql+psycopg://.") from None
    except sa_exc.ArgumentError:
        raise DataError(
            f"'{url}' is not a database URL. Use a SQLAlchemy URL such as sqlite:///kpis.db or "
            "postgresql+psycopg://user@host:5432/dbname."
        ) from None
    except ModuleNotFoundError as exc:
        raise DataError(
            f"The database driver '{exc.name}' for '{_safe(url)}' is not installed. For PostgreSQL use "
            "postgresql+psycopg://... (pip install 'kpi-advisor[postgres]')."
        ) from None


def _safe(url: str) -> str:
    try:
        return sa.make_url(url).render_as_string(hide_password=True)
    except sa_exc.ArgumentError:
        return url


class SqlSource:
    """Answers the Source protocol with SQL; ``tables`` maps canonical names to yours."""

    def __init__(
        self,
        url: str,
        *,
        tables: Mapping[str, str] | None = None,
        timezone: str = "UTC",
        schema: str | None = None,
        engine: sa.Engine | None = None,
        name: str | None = None,
    ):
        unknown = set(tables or {}) - set(TABLES)
        if unknown:
            raise DataError(
                f"tables= names unknown table(s) {', '.join(sorted(unknown))}; use posts, accounts, interactions."
            )
        self.url = _safe(url)
        self.name = name or self.url
        self.timezone = timezone
        self._schema = schema
        self._names = {t: (tables or {}).get(t, t) for t in TABLES}
        self._engine = engine or _create_engine(url)
        self._tables: dict[str, sa.Table | None] = {}
        try:
            with self._engine.connect():
                pass
        except sa_exc.SQLAlchemyError as exc:
            raise DataError(
                f"Cannot connect to {self.url}: {_reason(exc)}. Check the URL, the server and the credentials."
            ) from None

    # -- metadata -------------------------------------------------------------

    def _table(self, table: str) -> sa.Table | None:
        if table not in TABLES:
            raise DataError(f"Unknown table '{table}': use posts, accounts or interactions.")
        if table not in self._tables:
            try:
                self._tables[table] = sa.Table(
                    self._names[table], sa.MetaData(), autoload_with=self._engine, schema=self._schema
                )
            except sa_exc.NoSuchTableError:
                self._tables[table] = None
        return self._tables[table]

    def _require(self, table: str) -> sa.Table:
        found = self._table(table)
        if found is None:
            where = f"{self._schema}.{self._names[table]}" if self._schema else self._names[table]
            raise DataError(
                f"The database {self.url} has no table '{where}' for {table}. Load it with "
                f"write_dataset_to_sql, or point tables={{'{table}': 'your_table'}} at the right one."
            )
        return found

    def _column(self, t: sa.Table, column: str, table: str) -> sa.ColumnElement[Any]:
        if column not in t.c:
            raise DataError(
                f"Table '{t.name}' ({table}) has no column '{column}'; it has {', '.join(t.c.keys())}. "
                "Add the column (0 when not measured) or reload the table with write_dataset_to_sql."
            )
        return t.c[column]

    def _dimension(self, t: sa.Table, table: str, dim: str) -> sa.ColumnElement[Any]:
        allowed = ("date", "post_id", *TABLES[table].dimensions)
        if dim not in allowed:
            raise FilterError(f"The {table} table has no dimension '{dim}'; use one of {', '.join(allowed)}.")
        return self._column(t, dim, table)

    def _where(self, t: sa.Table, table: str, start: date, end: date, filters: Filters | None) -> list[Any]:
        day = self._column(t, "date", table)
        # Half-open range: also right when a DATE was stored as a timestamp.
        conditions: list[Any] = [day >= start, day < end + timedelta(days=1)]
        for dim, values in (filters or {}).items():
            conditions.append(self._dimension(t, table, dim).in_([str(v) for v in values]))
        return conditions

    def _run(self, statement: sa.Executable) -> list[sa.Row[Any]]:
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


def write_dataset_to_sql(
    dataset: Dataset,
    url: str,
    *,
    if_exists: str = "replace",
    tables: Mapping[str, str] | None = None,
    schema: str | None = None,
    engine: sa.Engine | None = None,
) -> dict[str, int]:
    """Write the dataset's canonical frames into tables (with a date index); rows per table."""
    if if_exists not in ("replace", "append", "fail"):
        raise DataError(f"if_exists must be replace, append or fail, not '{if_exists}'.")
    engine = engine or _create_engine(url)
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
                if conn.dialect.name == "postgresql":
                    prepared.head(0).to_sql(target, conn, schema=schema, if_exists=if_exists, index=False, dtype=types)
                    _copy_postgres(conn, target, schema, prepared, name)
                else:
                    prepared.to_sql(target, conn, schema=schema, if_exists=if_exists, index=False,
                                    dtype=types, chunksize=20_000)
                table = sa.Table(target, sa.MetaData(), autoload_with=conn, schema=schema)
                sa.Index(f"ix_{target}_date", table.c.date).create(conn, checkfirst=True)
        except ValueError as exc:  # pandas: table exists and if_exists="fail"
            raise DataError(f"Cannot write table '{target}': {exc}. Use if_exists='replace' or 'append'.") from None
        except sa_exc.SQLAlchemyError as exc:
            raise DataError(f"Cannot write table '{target}' to {_safe(url)}: {_reason(exc)}.") from None
        written[name] = len(frame)
    return written


def _copy_postgres(conn: sa.Connection, target: str, schema: str | None, frame: pd.DataFrame, name: str) -> None:
    """COPY in CSV chunks: executemany is ~20x slower at benchmark sizes."""
    raw = conn.connection.driver_connection
    quote = '"{}"'.format
    qualified = f"{quote(schema)}.{quote(target)}" if schema else quote(target)
    nullable = [c for c in frame.columns if c in TABLES[name].measures or c in INTERACTIONS.timestamps]
    options = "FORMAT csv"
    if nullable:
        # Every field is quoted so "" stays an empty dimension; in these columns "" is NULL.
        options += f", FORCE_NULL ({', '.join(quote(c) for c in nullable)})"
    columns = ", ".join(quote(c) for c in frame.columns)
    with raw.cursor() as cur, cur.copy(f"COPY {qualified} ({columns}) FROM STDIN WITH ({options})") as copy:
        for begin in range(0, len(frame), 200_000):
            chunk = frame.iloc[begin : begin + 200_000]
            copy.write(chunk.to_csv(index=False, header=False, quoting=csv.QUOTE_ALL,
                                    date_format="%Y-%m-%d %H:%M:%S%z"))
