"""A column mapping (the YAML files use) turned into a SELECT over a warehouse table.

:class:`kpi_engine.sql.SqlSource` reads a mapped table through this SELECT as a
subquery with the canonical columns, so every rollup still runs in the
database. The rules follow :mod:`kpi_engine.loaders`: the first present export
column wins, canonically named columns pass through, a platform column is
recoded (``values.platform``, then the usual aliases such as twitter -> x),
``platform_columns`` move a column on one platform's rows, ``engagements`` is
likes + comments + shares + saves when not mapped, and absent dimensions are
``""``. A measure the mapping does not provide is absent: KPIs that need it say so.

The day is the date of ``date.column`` as the database casts it (a timestamp's
date in the session's timezone; UTC for pipelines that store UTC).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from .errors import DataError
from .mapping import ENGAGEMENT_PARTS, PLATFORM_ALIASES, ColumnMapping
from .schema import TABLES

__all__ = ["mapped_select"]



def _day(column: Any, dialect: str) -> Any:
    # SQLite has no DATE type: date() gives 'YYYY-MM-DD' text, which compares as dates do
    return sa.func.date(column) if dialect == "sqlite" else sa.cast(column, sa.Date())


def mapped_select(mapping: ColumnMapping, source: sa.TableClause, columns: list[str], dialect: str,
                  where: str) -> sa.Subquery:
    """The canonical table ``mapping.table`` as a subquery over ``source`` (whose columns are ``columns``)."""
    if mapping.table == "interactions":
        raise DataError(
            f"Mapping '{mapping.name}' is for interactions, which a SQL source reads only in the canonical "
            "columns (response times are derived when loading): load them with `kpi-advisor data load`."
        )
    spec = TABLES[mapping.table]
    present = set(columns)
    c = source.c
    exprs: dict[str, Any] = {}
    targets, consumed = mapping.targets(), mapping.consumed()
    for target, sources in targets.items():
        found = [s for s in sources if s in present]
        if found:
            exprs[target] = c[found[0]]
    for name in ("date", *spec.dimensions, *spec.measures):
        if name in present and name not in exprs and name not in targets.keys() | consumed:
            exprs[name] = c[name]
    missing: list[str] = []
    if mapping.date is not None:
        if mapping.date.column in present:
            exprs["date"] = _day(c[mapping.date.column], dialect)
        else:
            missing.append(mapping.date.column)
    platform: Any = None
    if mapping.platform is not None:
        platform = sa.literal(mapping.platform, sa.String())
    elif mapping.platform_column is not None:
        if mapping.platform_column in present:
            raw = c[mapping.platform_column]
            whens = [(raw == k, sa.literal(v, sa.String())) for k, v in mapping.values.get("platform", {}).items()]
            whens += [(sa.func.lower(raw) == k, sa.literal(v, sa.String())) for k, v in PLATFORM_ALIASES.items()]
            platform = sa.case(*whens, else_=sa.func.lower(raw)) if whens else sa.func.lower(raw)
        else:
            missing.append(mapping.platform_column)
    if platform is not None:
        exprs["platform"] = platform
    for name, value in mapping.constants.items():
        exprs[name] = sa.literal(value, sa.String() if isinstance(value, str) else sa.Double())
    for dim, recode in mapping.values.items():
        if dim != "platform" and dim in exprs and recode:
            exprs[dim] = sa.case(*[(exprs[dim] == k, sa.literal(v, sa.String())) for k, v in recode.items()],
                                 else_=exprs[dim])
    if platform is not None:
        _move_platform_columns(mapping, exprs, c, present)
    missing += _sum_columns(mapping, exprs, c, present)
    if spec.name == "posts" and "engagements" not in exprs:
        parts = [exprs[p] for p in ENGAGEMENT_PARTS if p in exprs]
        if parts:
            exprs["engagements"] = sum((sa.func.coalesce(p, 0.0) for p in parts[1:]), sa.func.coalesce(parts[0], 0.0))
    for required in spec.required:
        if required not in exprs and (required != "date" or mapping.date is None):
            missing.append(" or ".join(targets.get(required, [required])))
    for dim in spec.dimensions:
        exprs.setdefault(dim, sa.literal("", sa.String()))
    if missing:
        raise DataError(
            f"The table {where} does not look like a '{mapping.name}' table: missing column(s) "
            f"{', '.join(dict.fromkeys(missing))}. It has {', '.join(columns)}. Check KPI_ADVISOR_DATA_TABLES "
            "and KPI_ADVISOR_DATA_SCHEMA, or copy the mapping and adjust its columns."
        )
    statement = sa.select(*[e.label(k) for k, e in exprs.items()]).select_from(source)
    for column, keep in mapping.keep_rows.items():
        if column not in present:
            raise DataError(f"Mapping '{mapping.name}' keeps rows by column '{column}', which {where} does not have.")
        statement = statement.where(c[column].in_(keep))
    return statement.subquery(spec.name)


def _move_platform_columns(mapping: ColumnMapping, exprs: dict[str, Any], c: Any, present: set[str]) -> None:
    """A column that means something else on one platform moves to its own measure there."""
    for name, moved in mapping.platform_columns.items():
        on = exprs["platform"] == name
        for src, dst in moved.items():
            if src not in present:
                continue
            general = mapping.columns.get(src)
            if general in exprs:  # not that measure on this platform
                exprs[general] = sa.case((on, sa.null()), else_=exprs[general])
            if dst is not None:
                exprs[dst] = sa.case((on, c[src]), else_=exprs.get(dst, sa.null()))


def _sum_columns(mapping: ColumnMapping, exprs: dict[str, Any], c: Any, present: set[str]) -> list[str]:
    """Measures the mapping builds as sums of columns; returns the sums none of whose columns exist."""
    missing = []
    for target, parts in mapping.sums.items():
        found = [exprs.get(p, c[p] if p in present else None) for p in parts]
        found = [f for f in found if f is not None]
        if not found:
            missing.append(" or ".join(parts))
            continue
        exprs[target] = sum((sa.func.coalesce(f, 0.0) for f in found[1:]), sa.func.coalesce(found[0], 0.0))
    return missing
