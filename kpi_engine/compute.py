"""KPI values and period comparisons over any Source."""

from __future__ import annotations

import math
from datetime import timedelta

import numpy as np

from .catalog import Kpi
from .errors import FilterError
from .periods import Period, overlaps, previous_period, same_period_last_year
from .results import Comparison, KpiReport, KpiValue
from .schema import TABLES
from .source import Filters, Source, compute_quantile
from .stats import difference_test, ratio_test, verdict_for

__all__ = [
    "compute_value",
    "compute_report",
    "compare_values",
    "normalise_filters",
    "fmt_filters",
    "cluster_dimension",
]


def normalise_filters(source: Source, kpi: Kpi, filters: Filters | None) -> dict[str, list[str]]:
    """Check filter dimensions and values against the KPI's table; lowercases platforms."""
    table = kpi.formula.table
    out: dict[str, list[str]] = {}
    for dim, wanted in (filters or {}).items():
        values = [wanted] if isinstance(wanted, str) else list(wanted)
        if dim not in TABLES[table].dimensions:
            raise FilterError(
                f"{kpi.name} cannot be filtered by '{dim}'. "
                f"Use one of: {', '.join(d for d in TABLES[table].dimensions if d != 'post_id')}."
            )
        if not source.has_table(table):
            out[dim] = values
            continue
        known = source.dimension_values(table, dim)
        lookup = {k.lower(): k for k in known}
        resolved = []
        for v in values:
            hit = lookup.get(str(v).strip().lower())
            if hit is None:
                import difflib

                close = difflib.get_close_matches(str(v).lower(), list(lookup), n=3)
                hint = f" Did you mean {', '.join(lookup[c] for c in close)}?" if close else ""
                shown = ", ".join(k for k in known[:12] if k) + (" ..." if len(known) > 12 else "")
                raise FilterError(f"No {dim} '{v}' in the data.{hint} Known: {shown}.")
            resolved.append(hit)
        out[dim] = resolved
    return out


def fmt_filters(filters: Filters | None) -> str:
    if not filters:
        return ""
    return " for " + ", ".join(f"{d}={'/'.join(v)}" for d, v in filters.items())


def cluster_dimension(kpi: Kpi) -> str:
    """Rate KPIs on posts cluster by post (a post's numbers move together); others by day."""
    return "post_id" if kpi.formula.table == "posts" else "date"


def _combine(frame, terms: list[tuple[int, str]]) -> np.ndarray:
    total = np.zeros(len(frame))
    for sign, measure in terms:
        total = total + sign * frame[measure].to_numpy(dtype=float)
    return total


def _empty_message(source: Source, kpi: Kpi, period: Period, filters: Filters | None) -> str:
    span = source.date_range(kpi.formula.table)
    where = fmt_filters(filters)
    if span is None:
        return f"No {kpi.formula.table} data is loaded, so {kpi.name} cannot be computed."
    return (
        f"No data for {kpi.name}{where} in {period.label} ({period.start} to {period.end}): "
        f"the {kpi.formula.table} data covers {span[0]} to {span[1]}."
    )


def compute_value(source: Source, kpi: Kpi, period: Period, filters: Filters | None = None) -> KpiValue:
    """The KPI over one period; ``value`` is None (with a reason) when it cannot be computed."""
    f = kpi.formula
    filters = dict(filters or {})
    base = dict(
        kpi_id=kpi.id, name=kpi.name, unit=kpi.unit, period=period,
        filters={k: list(v) for k, v in filters.items()}, min_volume=kpi.min_volume, caveat=kpi.caveat,
    )
    if not source.has_table(f.table):
        return KpiValue(**base, value=None, status="no_data",
                        message=_empty_message(source, kpi, period, filters))
    num = den = None
    if f.kind in ("sum", "ratio"):
        frame = source.rollup(f.table, f.measures, period.start, period.end, filters)
        rows = int(frame["rows"].iloc[0])
        num = float(_combine(frame, f.numerator_terms)[0])
        if f.kind == "ratio":
            den = float(_combine(frame, f.denominator_terms)[0])
        if f.kind == "sum":
            # no rows on days inside the data's range is a count of 0; outside it, no data
            value = num if rows or overlaps(period.start, period.end, source.date_range(f.table)) else None
        elif rows == 0:
            value = None
        else:
            value = num / den * f.scale if den and den > 0 else None
        volume = num if f.kind == "sum" else (den or 0.0)
    elif f.kind == "stock_level":
        num = source.snapshot(f.table, f.measure, period.end, filters)
        value, volume = num, (num or 0.0)
    elif f.kind == "stock_growth":
        start = source.snapshot(f.table, f.measure, period.start - timedelta(days=1), filters)
        end = source.snapshot(f.table, f.measure, period.end, filters)
        if start is None or end is None or start <= 0:
            value = None
            volume = start or 0.0
        else:
            num, den = end - start, start
            value, volume = num / den * f.scale, start
    else:  # percentile
        # in the database where the source can: only the percentile and the count come back
        value, count = compute_quantile(source, f.table, f.measure, f.quantile, period.start, period.end,
                                        filters)
        volume = float(count)
    if value is None or not math.isfinite(value):
        message = _empty_message(source, kpi, period, filters)
        if f.kind == "ratio" and num is not None and not den:
            message = (
                f"No {kpi.denominator.rstrip('.').lower()} for {kpi.name}{fmt_filters(filters)} "
                f"in {period.label}, so the rate is undefined (not 0)."
            )
        return KpiValue(**base, value=None, numerator=num, denominator=den, volume=volume or 0.0,
                        status="no_data", message=message)
    status, message = "ok", None
    if volume < kpi.min_volume:
        status = "not_enough_data"
        message = (
            f"Not enough data for a reliable {kpi.name}: volume {volume:,.0f}, "
            f"at least {kpi.min_volume:,.0f} needed."
        )
    return KpiValue(**base, value=value, numerator=num, denominator=den, volume=volume,
                    status=status, message=message)


def _window_values(source: Source, kpi: Kpi, period: Period, filters: Filters | None,
                   count: int) -> np.ndarray:
    """The KPI over ``count`` earlier windows of the period's length, shifted by whole weeks."""
    step = 7 * math.ceil(period.days / 7)
    span = source.date_range(kpi.formula.table)
    if span is None:
        return np.array([])
    windows = []
    for j in range(0, count + 1):
        w = period.shift(-j * step, f"window -{j}")
        if w.start < span[0]:
            break
        windows.append(w)
    if kpi.formula.kind == "sum" and windows:
        frame = source.rollup(kpi.formula.table, kpi.formula.measures, windows[-1].start,
                              windows[0].end, filters, by=["date"])
        daily = dict(zip(frame["date"].dt.date, _combine(frame, kpi.formula.numerator_terms),
                         strict=True))
        out = []
        for w in windows:
            out.append(sum(daily.get(w.start + timedelta(days=i), 0.0) for i in range(w.days)))
        return np.array(out, dtype=float)
    vals = [compute_value(source, kpi, w, filters).value for w in windows]
    return np.array([np.nan if v is None else v for v in vals], dtype=float)


def _cluster_sums(source: Source, kpi: Kpi, period: Period, filters: Filters | None):
    f = kpi.formula
    frame = source.rollup(f.table, f.measures, period.start, period.end, filters,
                          by=[cluster_dimension(kpi)])
    return _combine(frame, f.numerator_terms), _combine(frame, f.denominator_terms)


def compare_values(source: Source, kpi: Kpi, current: KpiValue, reference: KpiValue,
                   against: str, filters: Filters | None) -> Comparison:
    """Change from ``reference`` to ``current`` and whether it is meaningful."""
    if current.value is None or reference.value is None:
        return Comparison(against=against, reference=reference, abs_change=None, rel_change=None,
                          verdict="not_enough_data", good=None,
                          method="no comparison: one of the periods has no data")
    abs_change = current.value - reference.value
    rel_change = abs_change / abs(reference.value) if reference.value else None
    if current.status != "ok" or reference.status != "ok":
        return Comparison(against=against, reference=reference, abs_change=abs_change,
                          rel_change=rel_change, verdict="not_enough_data", good=None,
                          method=f"below the minimum volume of {kpi.min_volume:,.0f}")
    if kpi.formula.kind == "ratio":
        cn, cd = _cluster_sums(source, kpi, current.period, filters)
        pn, pd_ = _cluster_sums(source, kpi, reference.period, filters)
        p = ratio_test(cn, cd, pn, pd_)
        unit = "post" if cluster_dimension(kpi) == "post_id" else "day"
        method = f"delta-method z test on the ratio of sums, clustered by {unit}"
    else:
        history = _window_values(source, kpi, reference.period if against != "previous period"
                                 else current.period, filters, count=8)
        # history[0] is the window being compared itself; the rest show ordinary movement
        p = difference_test(current.value, reference.value, history[1:])
        method = "difference against the movement between earlier week-aligned windows (t test)"
    verdict = verdict_for(rel_change, abs_change, p)
    good = None
    if verdict in ("up", "down"):
        good = (verdict == "up") == (kpi.direction == "up")
    return Comparison(against=against, reference=reference, abs_change=abs_change,
                      rel_change=rel_change, verdict=verdict, good=good, p_value=p, method=method)


def compute_report(source: Source, kpi: Kpi, period: Period, filters: Filters | None = None) -> KpiReport:
    """Value, change vs the previous period and vs the same period last year, with verdicts."""
    current = compute_value(source, kpi, period, filters)
    prev = compute_value(source, kpi, previous_period(period), filters)
    last_year = compute_value(source, kpi, same_period_last_year(period), filters)
    return KpiReport(
        current=current,
        previous=compare_values(source, kpi, current, prev, "previous period", filters),
        last_year=compare_values(source, kpi, current, last_year, "same period last year", filters),
        direction=kpi.direction,
        formula=kpi.formula.describe(),
        denominator=kpi.denominator,
        guardrails=list(kpi.guardrails),
    )
