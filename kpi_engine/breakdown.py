"""Breakdowns by a dimension, with each segment's contribution to the change.

For a rate R = sum(y) / sum(x) split into segments s with denominator share
w_s and rate r_s, R = sum_s w_s r_s, and the change splits exactly into

    mix_s  = (w1_s - w0_s) * (r0_s - R0)    the segment's weight moving
    rate_s = w1_s * (r1_s - r0_s)           the segment's own rate moving

(a segment absent before takes r0_s = R0). For counts a segment's
contribution is its own change. Contributions add up to the total change.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .catalog import Kpi
from .compute import _combine, compute_value, matched_filters, sums, unreported_platforms, unreported_text
from .errors import FilterError
from .periods import Period, previous_period
from .results import Breakdown, KpiValue, Segment, Status
from .schema import TABLES
from .source import Filters, Source

if TYPE_CHECKING:
    from .compute import Columns

__all__ = ["compute_breakdown"]


def _check_dimension(kpi: Kpi, by: str) -> None:
    dims = [d for d in TABLES[kpi.formula.table].dimensions if d != "post_id"]
    if by not in dims:
        raise FilterError(f"{kpi.name} cannot be broken down by '{by}'. Use one of: {', '.join(dims)}.")


def compute_breakdown(
    source: Source,
    kpi: Kpi,
    period: Period,
    by: str,
    filters: Filters | None = None,
    *,
    reference: Period | None = None,
    limit: int | None = None,
) -> Breakdown:
    """Segments of ``by`` with value, change and contribution, largest contribution first."""
    _check_dimension(kpi, by)
    reference = reference or previous_period(period)
    total = compute_value(source, kpi, period, filters)
    previous_total = compute_value(source, kpi, reference, filters)
    f = kpi.formula
    if f.kind in ("sum", "ratio"):
        segments = _additive_segments(source, kpi, period, reference, by, filters, total, previous_total)
    else:
        segments = _per_segment(source, kpi, period, reference, by, filters, total, previous_total)
    segments.sort(key=lambda s: (-abs(s.contribution), s.key))
    note = None
    if "reach" in f.measures:
        note = ("Reach is summed over posts and days here, which overcounts people reached "
                "more than once; compare segments with care.")
    elif f.kind == "percentile":
        note = "Percentiles do not add up across segments; contributions are not shown."
    unreported = unreported_platforms(source, kpi, filters)
    if unreported:
        note = " ".join(x for x in (note, (
            f"No data: {unreported_text(source, kpi, unreported)}, so {kpi.name} is missing there (not 0) and its "
            f"rows are left out of every segment and of the total.")) if x)
    return Breakdown(
        kpi_id=kpi.id, name=kpi.name, unit=kpi.unit, dimension=by, period=period,
        previous_period=reference, total=total, previous_total=previous_total,
        segments=segments[:limit] if limit else segments, note=note,
    )


def _additive_segments(source: Source, kpi: Kpi, period: Period, reference: Period, by: str,
                       filters: Filters | None, total: KpiValue, previous_total: KpiValue) -> list[Segment]:
    f = kpi.formula
    scoped = matched_filters(source, kpi, filters)
    cur = sums(source, f.table, f.measures, period.start, period.end, scoped, by=[by])
    prev = sums(source, f.table, f.measures, reference.start, reference.end, scoped, by=[by])
    cur_keys, prev_keys = [str(k) for k in cur[by]], [str(k) for k in prev[by]]
    keys = sorted(set(cur_keys) | set(prev_keys))

    def parts(frame: Columns, names: list[str]) -> tuple[dict[str, float], dict[str, float]]:
        num = dict(zip(names, _combine(frame, f.numerator_terms).tolist(), strict=True))
        den = dict(zip(names, _combine(frame, f.denominator_terms).tolist(), strict=True)) if f.kind == "ratio" else {}
        return num, den

    n1, d1 = parts(cur, cur_keys)
    n0, d0 = parts(prev, prev_keys)
    segments = []
    if f.kind == "sum":
        t1 = sum(n1.values())
        for k in keys:
            a, b = n1.get(k, 0.0), n0.get(k, 0.0)
            segments.append(Segment(
                key=k, value=a, previous_value=b, numerator=a, denominator=None,
                previous_numerator=b, previous_denominator=None,
                share=a / t1 if t1 else None, change=a - b, contribution=a - b,
            ))
        return segments
    D1, D0 = sum(d1.values()), sum(d0.values())
    R1 = sum(n1.values()) / D1 if D1 > 0 else None
    R0 = sum(n0.values()) / D0 if D0 > 0 else None
    for k in keys:
        y1, x1, y0, x0 = n1.get(k, 0.0), d1.get(k, 0.0), n0.get(k, 0.0), d0.get(k, 0.0)
        r1 = y1 / x1 if x1 > 0 else None
        r0 = y0 / x0 if x0 > 0 else None
        w1 = x1 / D1 if D1 > 0 else 0.0
        w0 = x0 / D0 if D0 > 0 else 0.0
        mix = rate = 0.0
        if R1 is not None and R0 is not None:
            base = r0 if r0 is not None else R0
            mix = (w1 - w0) * (base - R0) * f.scale
            rate = w1 * ((r1 if r1 is not None else base) - base) * f.scale
        value = r1 * f.scale if r1 is not None else None
        prev_value = r0 * f.scale if r0 is not None else None
        status: Status = "ok" if value is not None else "no_data"
        if value is not None and x1 < kpi.min_volume:
            status = "not_enough_data"
        segments.append(Segment(
            key=k, value=value, previous_value=prev_value, numerator=y1, denominator=x1,
            previous_numerator=y0, previous_denominator=x0, share=w1 if D1 > 0 else None,
            change=(value - prev_value) if value is not None and prev_value is not None else None,
            contribution=mix + rate, mix_effect=mix, rate_effect=rate, status=status,
        ))
    return segments


def _per_segment(source: Source, kpi: Kpi, period: Period, reference: Period, by: str,
                 filters: Filters | None, total: KpiValue, previous_total: KpiValue) -> list[Segment]:
    """Stocks and percentiles: compute each segment on its own."""
    f = kpi.formula
    keys = source.dimension_values(f.table, by)
    segments = []
    for k in keys:
        seg_filters = {**(filters or {}), by: [k]}
        cur = compute_value(source, kpi, period, seg_filters)
        prev = compute_value(source, kpi, reference, seg_filters)
        if cur.value is None and prev.value is None:
            continue
        contribution = 0.0
        if f.kind == "stock_level":
            contribution = (cur.value or 0.0) - (prev.value or 0.0)
        elif f.kind == "stock_growth" and total.denominator and previous_total.denominator:
            # growth = sum of net gains / sum of starting levels: each account's gain over the
            # total starting level adds up exactly to the total growth
            contribution = f.scale * ((cur.numerator or 0.0) / total.denominator
                                      - (prev.numerator or 0.0) / previous_total.denominator)
        change = cur.value - prev.value if cur.value is not None and prev.value is not None else None
        segments.append(Segment(
            key=k, value=cur.value, previous_value=prev.value, numerator=cur.numerator or 0.0,
            denominator=cur.denominator, previous_numerator=prev.numerator or 0.0,
            previous_denominator=prev.denominator, share=None, change=change,
            contribution=contribution, status=cur.status,
        ))
    return segments

