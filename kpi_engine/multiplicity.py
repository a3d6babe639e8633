"""False-discovery-rate control over the tests one digest or scorecard makes.

A scorecard tests each KPI against the previous period and the same period last
year; with ~5 KPIs that is ~10 tests, and at a 5% level each, flat data names a
"meaningful" mover in a large share of digests. Benjamini-Hochberg at q = 0.05
over the whole family keeps the expected share of false "meaningful" calls
among those made at 5%. Alerts do not use this: they keep their own stricter
level and hysteresis.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date

from .results import Comparison, KpiReport, Scorecard, Trend
from .stats import ALPHA, bh_adjust

__all__ = ["FDR_Q", "DAY_DF", "adjust_comparisons", "adjust_reports", "adjust_scorecard", "fdr_note",
           "day_p_values", "unusual_days"]

FDR_Q = ALPHA
DAY_DF = 7  # a day is judged against up to 8 same-weekday values (kpi_engine.trend): Student t, 7 df


def adjust_comparisons(comparisons: Sequence[Comparison], q: float = FDR_Q) -> list[Comparison]:
    """Each comparison with its BH q-value; a change is meaningful only when it survives."""
    adjusted = bh_adjust([c.p_value if c.verdict != "not_enough_data" else None for c in comparisons])
    m = sum(a is not None for a in adjusted)
    out = []
    for c, qv in zip(comparisons, adjusted, strict=True):
        if qv is None:
            out.append(c)
            continue
        update: dict[str, object] = {"q_value": qv, "family_size": m}
        if c.verdict in ("up", "down") and qv >= q:
            update.update(verdict="unclear", good=None)
        out.append(c.model_copy(update=update))
    return out


def adjust_reports(reports: Sequence[KpiReport], q: float = FDR_Q) -> list[KpiReport]:
    """Adjust every comparison the reports make (vs previous and vs last year) as one family."""
    flat = [c for r in reports for c in (r.previous, r.last_year)]
    adj = adjust_comparisons(flat, q)
    return [r.model_copy(update={"previous": adj[2 * i], "last_year": adj[2 * i + 1]})
            for i, r in enumerate(reports)]


def adjust_scorecard(card: Scorecard, q: float = FDR_Q) -> Scorecard:
    reports = adjust_reports([card.primary, *card.diagnostics], q)
    return card.model_copy(update={"primary": reports[0], "diagnostics": reports[1:]})


def fdr_note(reports: Sequence[KpiReport], where: str = "digest") -> str | None:
    """The footer sentence saying how movers were called, or None when nothing was tested."""
    sizes = [c.family_size for r in reports for c in (r.previous, r.last_year) if c.family_size]
    if not sizes:
        return None
    n = max(sizes)
    return (f"Changes called meaningful survive a false-discovery-rate control (Benjamini-Hochberg, q = "
            f"{FDR_Q:g}) over the {n} comparison{'s' if n != 1 else ''} in this {where}.")


def _t_two_sided(z: float, df: int = DAY_DF) -> float:
    from scipy.special import stdtr

    return float(2 * stdtr(df, -abs(z)))


def day_p_values(trend: Trend) -> dict[date, float]:
    """A two-sided p-value for each judged bucket of ``trend`` inside its period.

    A bucket's robust z compares it with its own baseline of up to 8 same-weekday values, so
    its reference is Student t with 7 degrees of freedom (a new value against a handful of
    earlier ones), not the normal: on the sample generator's flat data the z's run 4x the
    normal tail beyond 3. A run the engine flags (consecutive same-sign moves, see
    :func:`kpi_engine.stats.flag_anomalies`) is also tested as one: its days' p-values,
    turned into one-sided normal z's, are combined (Stouffer: sum / sqrt(k)), and each day
    of the run keeps the smaller of its own and the run's p-value.
    """
    from scipy.special import ndtri

    pts = [p for p in trend.points if p.start >= trend.period.start and p.score is not None]
    out = {p.start: _t_two_sided(p.score) for p in pts if p.score is not None}
    i = 0
    while i < len(pts):
        j = i
        while (pts[i].anomaly and j + 1 < len(pts) and pts[j + 1].anomaly
               and (pts[j + 1].score or 0.0) * (pts[i].score or 0.0) > 0):
            j += 1
        if j > i:
            zs = [float(ndtri(1 - out[p.start] / 2)) for p in pts[i:j + 1]]
            combined = 2 * 0.5 * math.erfc(sum(zs) / math.sqrt(len(zs)) / math.sqrt(2))
            for p in pts[i:j + 1]:
                out[p.start] = min(out[p.start], combined)
        i = j + 1
    return out


def unusual_days(trends: Sequence[Trend], q: float = FDR_Q) -> dict[str, list[date]]:
    """Per KPI, the flagged days that survive Benjamini-Hochberg over every judged day of ``trends``.

    The family is all (KPI, day) buckets the briefing judges, flagged or not: with 9 KPIs over
    a week that is about 63 tests, and a flag on its own (|z| >= 3, or a run at 2.5) named
    something in most flat weeks. A day is named only when the engine flags it and its
    p-value (:func:`day_p_values`) survives the control at ``q``.
    """
    keys: list[tuple[str, date]] = []
    ps: list[float | None] = []
    flagged: set[tuple[str, date]] = set()
    for t in trends:
        for d, pv in day_p_values(t).items():
            keys.append((t.kpi_id, d))
            ps.append(pv)
        flagged.update((t.kpi_id, p.start) for p in t.points if p.anomaly)
    adjusted = bh_adjust(ps)
    out: dict[str, list[date]] = {}
    for (k, d), qv in zip(keys, adjusted, strict=True):
        if (k, d) in flagged and qv is not None and qv < q:
            out.setdefault(k, []).append(d)
    return out
