"""False-discovery-rate control over the tests one digest or scorecard makes.

A scorecard tests each KPI against the previous period and the same period last
year; with ~5 KPIs that is ~10 tests, and at a 5% level each, flat data names a
"meaningful" mover in a large share of digests. Benjamini-Hochberg at q = 0.05
over the whole family keeps the expected share of false "meaningful" calls
among those made at 5%. Alerts do not use this: they keep their own stricter
level and hysteresis.
"""

from __future__ import annotations

from collections.abc import Sequence

from .results import Comparison, KpiReport, Scorecard
from .stats import ALPHA, bh_adjust

__all__ = ["FDR_Q", "adjust_comparisons", "adjust_reports", "adjust_scorecard", "fdr_note"]

FDR_Q = ALPHA


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
