"""KPI values and period comparisons over any Source."""

from __future__ import annotations

import math
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np

from .catalog import Kpi
from .errors import FilterError
from .memo import _filters_key
from .periods import Period, overlaps, previous_period, same_period_last_year
from .results import Comparison, KpiReport, KpiValue, Verdict
from .schema import TABLES
from .source import Filters, Source, compute_quantile
from .stats import (
    ALPHA,
    ChangeTest,
    decide_verdict,
    difference_change_test,
    ratio_change_test,
)

if TYPE_CHECKING:
    from typing import TypeAlias

    import pandas as pd

    # A rollup's answer: the source's DataFrame, or numpy columns by name from a batch's cubes.
    Columns: TypeAlias = pd.DataFrame | dict[str, Any]

__all__ = [
    "compute_value",
    "compute_report",
    "compute_comparison",
    "compare_values",
    "normalise_filters",
    "matched_filters",
    "unreported_platforms",
    "unreported_text",
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


# how a measure and a platform are named in a "does not report" message
_MEASURE_WORDS = {"clicks": "link clicks", "video_completions": "video completions",
                  "watch_time_seconds": "watch time"}
_PLATFORM_NAMES = {"linkedin": "LinkedIn", "tiktok": "TikTok", "youtube": "YouTube", "x": "X",
                   "instagram": "Instagram", "facebook": "Facebook"}


def _platform_measures(source: Source, kpi: Kpi) -> dict[str, set[str]] | None:
    """Each platform's measures of a matched-denominator formula that it reports (has any of,
    anywhere in the data); None for every other KPI. Within a request (a memoizing source) it is
    worked out once per KPI; callers must not change the sets."""
    f = kpi.formula
    if not f.matched_denominator or not source.has_table(f.table):
        return None
    remember = getattr(source, "remember", None)
    if remember is not None:
        got: dict[str, set[str]] | None = remember(("platform_measures", f.table, tuple(f.measures)),
                                                  lambda: _read_platform_measures(source, kpi))
        return got
    return _read_platform_measures(source, kpi)


def _read_platform_measures(source: Source, kpi: Kpi) -> dict[str, set[str]] | None:
    f = kpi.formula
    span = source.date_range(f.table)
    if span is None:
        return None
    names = f.measures
    span_sums = getattr(source, "span_sums", None)  # a batch reads these once, not into its cubes
    frame = (span_sums(f.table, names, ["platform"]) if span_sums is not None
             else sums(source, f.table, names, span[0], span[1], None, by=["platform"]))
    if not _length(frame):
        return {}
    present = np.vstack([np.abs(np.asarray(frame[m], dtype=float)) > 0 for m in names])  # NaN: not reported
    return {str(p): {m for m, has in zip(names, present[:, i].tolist(), strict=True) if has}
            for i, p in enumerate(frame["platform"])}


def _required(kpi: Kpi, reported: dict[str, set[str]]) -> set[str]:
    """The measures a platform must report to count: every numerator measure, and each denominator
    measure some platform reports (one that none reports leaves the rate undefined, said as such)."""
    f = kpi.formula
    anywhere = set().union(*reported.values()) if reported else set()
    return {m for _, m in f.numerator_terms} | {m for _, m in f.denominator_terms if m in anywhere}


def _reporting_platforms(source: Source, kpi: Kpi) -> set[str] | None:
    reported = _platform_measures(source, kpi)
    if reported is None:
        return None
    required = _required(kpi, reported)
    return {p for p, has in reported.items() if has >= required}


def matched_filters(source: Source, kpi: Kpi, filters: Filters | None) -> Filters | None:
    """``filters`` narrowed to the platforms that report every measure of a matched-denominator rate.

    A platform reports a measure when it has any of it anywhere in the data (a platform with
    saves but none this week still counts). When none of the chosen platforms reports them, the
    platform list is empty: the rate is missing there (no rows), never 0. Unchanged for every
    other KPI.
    """
    reporting = _reporting_platforms(source, kpi)
    if reporting is None:
        return filters
    wanted = (filters or {}).get("platform")
    keep = sorted(reporting if wanted is None else reporting & set(wanted))
    return {**(filters or {}), "platform": keep}


def unreported_platforms(source: Source, kpi: Kpi, filters: Filters | None) -> list[str]:
    """The chosen platforms (all in the data without a platform filter) that lack a measure of a
    matched-denominator rate; [] for every other KPI."""
    reporting = _reporting_platforms(source, kpi)
    if reporting is None:
        return []
    wanted = (filters or {}).get("platform")
    chosen = list(wanted) if wanted is not None else source.dimension_values(kpi.formula.table, "platform")
    return [p for p in chosen if p and p not in reporting]


def unreported_text(source: Source, kpi: Kpi, platforms: list[str]) -> str:
    """'LinkedIn does not report link clicks': the platforms and the formula measures they lack."""
    reported = _platform_measures(source, kpi) or {}
    required = _required(kpi, reported)
    lacking = [m for m in kpi.formula.measures
               if m in required and any(m not in reported.get(p, set()) for p in platforms)]
    names = [_PLATFORM_NAMES.get(p.lower(), p) for p in platforms]
    who = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    what = " or ".join(_MEASURE_WORDS.get(m, m.replace("_", " ")) for m in lacking or kpi.formula.measures)
    return f"{who} {'does' if len(names) == 1 else 'do'} not report {what}"


def fmt_filters(filters: Filters | None) -> str:
    if not filters:
        return ""
    return " for " + ", ".join(f"{d}={'/'.join(v)}" for d, v in filters.items())


def cluster_dimension(kpi: Kpi) -> str:
    """Rate KPIs on posts cluster by post (a post's numbers move together); others by day."""
    return "post_id" if kpi.formula.table == "posts" else "date"


def _combine(frame: Columns, terms: list[tuple[int, str]]) -> np.ndarray:
    """sign-weighted sum of measure columns of a DataFrame or of a dict of numpy columns."""
    total = np.zeros(_length(frame))
    for sign, measure in terms:
        total = total + sign * np.asarray(frame[measure], dtype=float)
    return total


def _length(frame: Columns) -> int:
    return len(frame["rows"]) if isinstance(frame, dict) else len(frame)


def sums(source: Source, table: str, measures: list[str], start: date, end: date, filters: Filters | None = None,
         by: tuple[str, ...] | list[str] = ()) -> Columns:
    """A rollup as columns: numpy arrays from a batch's cubes when it has them, else the source's DataFrame.

    Both are read the same way: ``frame[name]`` is array-like, ``_combine`` adds measures up.
    """
    columns = getattr(source, "columns", None)
    if columns is not None:
        got: dict[str, Any] | None = columns(table, measures, start, end, filters, by)
        if got is not None:
            return got
    return source.rollup(table, measures, start, end, filters, by=by)


def day_positions(col: Any) -> np.ndarray:
    """A rollup's date column as numpy days."""
    if isinstance(col, np.ndarray) and col.dtype.kind == "M":
        days: np.ndarray = col.astype("datetime64[D]")
        return days
    import pandas as pd

    parsed: np.ndarray = pd.to_datetime(col).to_numpy(dtype="datetime64[D]")
    return parsed


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
    base: dict[str, Any] = dict(
        kpi_id=kpi.id, name=kpi.name, unit=kpi.unit, period=period,
        filters={k: list(v) for k, v in filters.items()}, min_volume=kpi.min_volume, caveat=kpi.caveat,
    )
    if not source.has_table(f.table):
        return KpiValue(**base, value=None, status="no_data",
                        message=_empty_message(source, kpi, period, filters))
    num = den = None
    if f.kind in ("sum", "ratio"):
        scoped = matched_filters(source, kpi, filters)
        if scoped is not None and scoped.get("platform") == []:
            # no chosen platform reports the rate's measures: missing, not 0, and not mixed with the others
            return KpiValue(**base, value=None, status="no_data", message=(
                f"No data: {unreported_text(source, kpi, unreported_platforms(source, kpi, filters))}, so {kpi.name}"
                f"{fmt_filters(filters)} is missing (not 0)."))
        frame = sums(source, f.table, f.measures, period.start, period.end, scoped)
        rows = int(np.asarray(frame["rows"])[0])
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
        num = source.snapshot(f.table, str(f.measure), period.end, filters)
        value, volume = num, (num or 0.0)
    elif f.kind == "stock_growth":
        # like-for-like: only accounts with a level at both ends; the others are named, not mixed in
        before = _account_levels(source, kpi, period.start - timedelta(days=1), filters)
        after = _account_levels(source, kpi, period.end, filters)
        common = sorted(before.keys() & after.keys())
        start = sum(before[k] for k in common) if common else None
        end = sum(after[k] for k in common) if common else None
        started, stopped = sorted(after.keys() - before.keys()), sorted(before.keys() - after.keys())
        base["accounts_started"] = [_account_label(k) for k in started]
        base["accounts_stopped"] = [_account_label(k) for k in stopped]
        if started or stopped:
            base["caveat"] = " ".join(x for x in (_like_for_like_note(len(common), started, stopped, period),
                                                  kpi.caveat) if x)
        if start is None or end is None or start <= 0:
            value = None
            volume = start or 0.0
        else:
            num, den = end - start, start
            value, volume = num / den * f.scale, start
    else:  # percentile
        # in the database where the source can: only the percentile and the count come back
        assert f.measure is not None and f.quantile is not None  # the catalog requires both for percentiles
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
    if volume < kpi.min_volume:
        return KpiValue(**base, value=value, numerator=num, denominator=den, volume=volume,
                        status="not_enough_data",
                        message=(f"Not enough data for a reliable {kpi.name}: volume {volume:,.0f}, "
                                 f"at least {kpi.min_volume:,.0f} needed."))
    return KpiValue(**base, value=value, numerator=num, denominator=den, volume=volume, status="ok")


def _account_levels(source: Source, kpi: Kpi, at: date, filters: Filters | None,
                    lookback_days: int = 14) -> dict[tuple[str, str], float]:
    """Each (platform, account)'s latest level of the stock on or before ``at`` (within the lookback)."""
    f = kpi.formula
    measure = str(f.measure)
    levels = getattr(source, "account_levels", None)  # a batch reads every account's levels once
    if levels is not None:
        got: dict[tuple[str, str], float] | None = levels(f.table, measure, at, filters, lookback_days)
        if got is not None:
            return got
    frame = source.rollup(f.table, [measure], at - timedelta(days=lookback_days), at, filters,
                          by=["date", "platform", "account"])
    if frame.empty:
        return {}
    if "rows" in frame.columns:
        frame = frame[frame["rows"] > 0]
    frame = frame[frame[measure].notna()].sort_values("date")
    latest = frame.groupby(["platform", "account"], sort=True)[measure].last()
    platforms, accounts = latest.index.get_level_values(0), latest.index.get_level_values(1)
    return {(str(p), str(a)): float(v) for p, a, v in zip(platforms, accounts, latest.to_numpy(), strict=True)}


def _account_label(key: tuple[str, str]) -> str:
    return f"{key[1]} ({key[0]})"


def _like_for_like_note(n: int, started: list[tuple[str, str]], stopped: list[tuple[str, str]], period: Period) -> str:
    parts = []
    if started:
        parts.append(f"{', '.join(_account_label(k) for k in started)} started reporting during the period")
    if stopped:
        parts.append(f"{', '.join(_account_label(k) for k in stopped)} stopped reporting "
                     f"(no level within 14 days of {period.end})")
    return (f"Like-for-like: growth over the {n} account{'s' if n != 1 else ''} present at both ends; "
            f"left out: {'; '.join(parts)}.")


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
        first = windows[-1].start
        frame = sums(source, kpi.formula.table, kpi.formula.measures, first, windows[0].end, filters, by=["date"])
        daily = np.zeros((windows[0].end - first).days + 1)
        at = (day_positions(frame["date"]) - np.datetime64(first, "D")).astype(np.int64)
        daily[at] = _combine(frame, kpi.formula.numerator_terms)
        out = []
        for w in windows:
            lo = (w.start - first).days
            out.append(sum(daily[lo:lo + w.days].tolist()))  # day by day, as a Python sum
        return np.array(out, dtype=float)
    vals = [compute_value(source, kpi, w, filters).value for w in windows]
    return np.array([np.nan if v is None else v for v in vals], dtype=float)


def _cluster_sums(source: Source, kpi: Kpi, period: Period,
                  filters: Filters | None) -> tuple[list[str], np.ndarray, np.ndarray]:
    """(cluster keys, numerator, denominator) per post (or day): a post in both periods shares its key."""
    remember = getattr(source, "remember", None)
    if remember is not None:  # the current period's serve both comparisons
        key = ("cluster_sums", kpi.id, period.start, period.end, _filters_key(filters))
        held: tuple[list[str], np.ndarray, np.ndarray] = remember(
            key, lambda: _read_cluster_sums(source, kpi, period, filters))
        return held
    return _read_cluster_sums(source, kpi, period, filters)


def _read_cluster_sums(source: Source, kpi: Kpi, period: Period,
                       filters: Filters | None) -> tuple[list[str], np.ndarray, np.ndarray]:
    f = kpi.formula
    dim = cluster_dimension(kpi)
    frame = sums(source, f.table, f.measures, period.start, period.end, matched_filters(source, kpi, filters),
                 by=[dim])
    keys = day_positions(frame[dim]) if dim == "date" else frame[dim]
    if not (isinstance(keys, np.ndarray) and keys.dtype == object):  # a batch's post ids are str already
        keys = keys.astype(str)
    return keys.tolist(), _combine(frame, f.numerator_terms), _combine(frame, f.denominator_terms)


def change_test(source: Source, kpi: Kpi, current: KpiValue, reference: KpiValue, against: str,
                filters: Filters | None) -> tuple[ChangeTest | None, str]:
    """The test behind a comparison (in KPI units) and how it was made, in words."""
    assert current.value is not None and reference.value is not None
    if kpi.formula.kind == "ratio":
        ck, cn, cd = _cluster_sums(source, kpi, current.period, filters)
        pk, pn, pd_ = _cluster_sums(source, kpi, reference.period, filters)
        t = ratio_change_test(ck, cn, cd, pk, pn, pd_)
        if t is not None and kpi.formula.scale != 1:
            s = kpi.formula.scale
            t = ChangeTest(t.estimate * s, t.se * s, t.low * s, t.high * s, t.mde * s, t.p_value, t.df)
        unit = "post" if cluster_dimension(kpi) == "post_id" else "day"
        return t, f"delta-method z test on the ratio of sums, clustered by {unit}"
    history = _window_values(source, kpi, reference.period if against != "previous period"
                             else current.period, filters, count=8)
    # history[0] is the window being compared itself; the rest show ordinary movement
    return (difference_change_test(current.value, reference.value, history[1:]),
            "difference against the movement between earlier week-aligned windows (t test)")


def compare_values(source: Source, kpi: Kpi, current: KpiValue, reference: KpiValue,
                   against: str, filters: Filters | None) -> Comparison:
    """Change from ``reference`` to ``current`` and whether it is meaningful."""
    if current.value is None or reference.value is None:
        return Comparison(against=against, reference=reference, abs_change=None, rel_change=None,
                          verdict="not_enough_data", good=None, read_against=kpi.read_against,
                          method="no comparison: one of the periods has no data")
    abs_change = current.value - reference.value
    rel_change = abs_change / abs(reference.value) if reference.value else None
    if current.status != "ok" or reference.status != "ok":
        return Comparison(against=against, reference=reference, abs_change=abs_change,
                          rel_change=rel_change, verdict="not_enough_data", good=None, read_against=kpi.read_against,
                          method=f"below the minimum volume of {kpi.min_volume:,.0f}")
    t, method = change_test(source, kpi, current, reference, against, filters)
    return comparison_from_test(kpi, reference, against, abs_change, rel_change, t, method)


def comparison_from_test(kpi: Kpi, reference: KpiValue, against: str, abs_change: float,
                         rel_change: float | None, t: ChangeTest | None, method: str,
                         *, q_value: float | None = None, family_size: int | None = None) -> Comparison:
    """A Comparison with its interval, MDE and verdict; ``q_value`` (BH) decides when given."""
    verdict: Verdict = decide_verdict(t, reference.value, kpi.material_change)
    if q_value is not None and verdict in ("up", "down") and q_value >= ALPHA:
        verdict = "unclear"  # clear on its own, not once the other tests of the family are counted
    good = None
    if verdict in ("up", "down") and kpi.good_direction is not None:
        good = (verdict == "up") == (kpi.good_direction == "up")
    extra: dict[str, float] = {}
    if t is not None:
        ref = abs(reference.value) if reference.value else None
        extra = dict(se=t.se, ci_low=t.low, ci_high=t.high, mde=t.mde)
        if ref:
            extra.update(rel_ci_low=t.low / ref, rel_ci_high=t.high / ref, rel_mde=t.mde / ref)
    return Comparison(against=against, reference=reference, abs_change=abs_change, rel_change=rel_change,
                      verdict=verdict, good=good, p_value=t.p_value if t is not None else None, method=method,
                      material_change=kpi.material_change, q_value=q_value, family_size=family_size,
                      read_against=kpi.read_against, **extra)


def compute_comparison(source: Source, kpi: Kpi, period: Period, filters: Filters | None = None) -> Comparison:
    """The change vs the previous period alone (a segment's own test, without last year)."""
    current = compute_value(source, kpi, period, filters)
    prev = compute_value(source, kpi, previous_period(period), filters)
    return compare_values(source, kpi, current, prev, "previous period", filters)


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
