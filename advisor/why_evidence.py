"""The evidence a "why did it move?" answer rests on: drivers, segments that stand out on their
own, one post carrying the number, and flagged runs of unusual days inside the period.

Drivers are named only when they hold up: with a total change that is meaningful, a segment
needs a material share of it; without, a segment needs its own change to survive a
false-discovery-rate control over every segment tested.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

from kpi_engine.compute import matched_filters
from kpi_engine.errors import DataError, FilterError
from kpi_engine.multiplicity import adjust_comparisons
from kpi_engine.periods import Period
from kpi_engine.results import Breakdown, Comparison, Concentration, Segment, Trend, TrendPoint

from .answer import Fact
from .facts import comparison_uncertainty_facts, fmt_rel

if TYPE_CHECKING:
    from kpi_engine import Engine
    from kpi_engine.source import Filters

__all__ = [
    "DRIVER_DIMENSIONS", "MATERIAL_SHARE", "MIN_SEGMENT_POSTS", "STANDOUT_Q", "MAX_RUNS",
    "find_drivers", "material_movers", "standout_segments", "standout_facts", "concentration_text",
    "concentration_facts", "flagged_runs", "run_text", "run_facts",
]

DRIVER_DIMENSIONS = ("platform", "content_type", "topic", "account", "campaign")
BROAD_BASED = 0.15
MATERIAL_SHARE = 0.25  # a segment carrying a quarter of a change that holds up is worth naming
MIN_SEGMENT_POSTS = 10  # a segment is tested on its own only with this many posts in both periods
# When the total does not hold up, a segment is named on its own evidence only at a stricter FDR
# level: few segments truly move against a flat total, and segment-level delta-method tails are
# unreliable (a few heavy posts, a platform mix shifting inside a topic). At q = 0.05 flat sample
# data named a segment in 11-14% of "why" answers; see bench/bench_verdicts.py.
STANDOUT_Q = 0.01


def _previous_shares(b: Breakdown) -> dict[str, float]:
    """Each segment's weight before the change: its share of the denominator (rates) or total."""
    weights = {s.key: (s.previous_denominator if s.previous_denominator is not None else s.previous_numerator)
               for s in b.segments}
    total = sum(w for w in weights.values() if w and w > 0)
    return {k: (w / total if total and w and w > 0 else 0.0) for k, w in weights.items()}


def find_drivers(engine: Engine, kpi_id: str, period: Period, filters: Filters, *, limit: int = 3,
                 dimensions: Sequence[str] = DRIVER_DIMENSIONS) -> tuple[Breakdown | None, list[Segment]]:
    """The dimension whose segments explain the change out of proportion to their size.

    A segment that holds 95% of the volume and 95% of the change explains nothing; one
    with 20% of the volume and 80% of the change does. The score is a segment's share of
    the change minus its earlier share of the volume; below 0.15 on every dimension the
    move is broad-based and no driver is named.
    """
    best: tuple[float, Breakdown] | None = None
    for dim in dimensions:
        if dim in filters:
            continue
        try:
            b = engine.compute_breakdown(kpi_id, dim, period, filters)
        except (FilterError, DataError):  # a dimension this KPI's table lacks
            continue
        if b.total.value is None or b.previous_total.value is None or len(b.segments) < 2:
            continue  # one segment explains nothing
        total_change = b.total.value - b.previous_total.value
        if not total_change:
            continue
        sign = 1 if total_change > 0 else -1
        shares = _previous_shares(b)
        score = max(s.contribution * sign / abs(total_change) - shares.get(s.key, 0.0) for s in b.segments)
        if score >= BROAD_BASED and (best is None or score > best[0]):
            best = (score, b)
    if best is None:
        return None, []
    b = best[1]
    sign = 1 if ((b.total.value or 0.0) - (b.previous_total.value or 0.0)) > 0 else -1
    movers = [s for s in b.segments if s.contribution * sign > 0][:limit]
    return b, movers


def material_movers(b: Breakdown, movers: list[Segment]) -> list[Segment]:
    """Segments carrying a material share (MATERIAL_SHARE) of a change that holds up."""
    if b.total.value is None or b.previous_total.value is None:
        return []
    total = b.total.value - b.previous_total.value
    if not total:
        return []
    return [s for s in movers if abs(s.contribution) >= MATERIAL_SHARE * abs(total)]


def standout_segments(engine: Engine, kpi_id: str, period: Period, filters: Filters,
                      dimensions: Sequence[str] = DRIVER_DIMENSIONS) -> list[tuple[str, str, Comparison]]:
    """Segments whose own change holds up, after a BH control (q = STANDOUT_Q) over every segment tested.

    Used when the total change does not hold up: a segment is named only on its own evidence,
    never for its share of a change that may be chance.
    """
    tested: list[tuple[str, str, Comparison]] = []
    for dim in dimensions:
        if dim in filters:
            continue
        try:
            b = engine.compute_breakdown(kpi_id, dim, period, filters)
        except (FilterError, DataError):
            continue
        if len(b.segments) < 2:
            continue
        now = _posts_by_segment(engine, kpi_id, dim, period, filters)
        before = _posts_by_segment(engine, kpi_id, dim, b.previous_period, filters)
        for s in b.segments:
            if not s.key or s.status != "ok" or s.value is None or s.previous_value is None:
                continue
            if now is not None and min(now.get(s.key, 0), before.get(s.key, 0) if before else 0) < MIN_SEGMENT_POSTS:
                continue  # a handful of posts: one viral post is not a segment moving
            try:
                c = engine.compute_comparison(kpi_id, period, {**filters, dim: [s.key]})
            except (FilterError, DataError):
                continue
            tested.append((dim, s.key, c))
    adjusted = adjust_comparisons([c for _, _, c in tested], q=STANDOUT_Q)
    return [(dim, key, c) for (dim, key, _), c in zip(tested, adjusted, strict=True) if c.verdict in ("up", "down")]


def _posts_by_segment(engine: Engine, kpi_id: str, dim: str, period: Period, filters: Filters) -> dict[str, int] | None:
    """Posts with data per segment of ``dim`` in the period (None for KPIs not on posts)."""
    kpi = engine.kpi(kpi_id)
    f = kpi.formula
    if f.table != "posts":
        return None
    frame = engine.source.rollup(f.table, f.measures[:1], period.start, period.end,
                                 matched_filters(engine.source, kpi, filters), by=[dim, "post_id"])
    if frame.empty:
        return {}
    return {str(k): int(v) for k, v in frame.groupby(dim)["post_id"].nunique().items()}


def standout_facts(kpi_id: str, name: str, unit: str, good: Literal["up", "down"] | None,
                   found: list[tuple[str, str, Comparison]]) -> list[Fact]:
    facts = []
    for dim, key, c in found:
        about: dict[str, Any] = {"period": "previous", "period_label": c.reference.period.label,
                                 "good_direction": good, "name": name, "segment": key, "dimension": dim}
        if c.rel_change is not None:
            facts.append(Fact(key=f"{kpi_id}.by_{dim}.{key}.rel_change", label=f"{name} for {key}: relative change",
                              value=c.rel_change, display=f"{c.rel_change * 100:+.1f}%", unit="fraction",
                              kpi_id=kpi_id, source=f"compute_comparison({kpi_id}, {dim}={key})",
                              kind="rel_change", **about))
        facts += comparison_uncertainty_facts(c, f"{kpi_id}.by_{dim}.{key}", unit, "previous", about)
    return [f.model_copy(update={"kpi_id": kpi_id}) for f in facts]


def concentration_text(c: Concentration) -> str:
    what = " ".join(x for x in (c.platform, c.content_type.replace("_", " ")) if x) or "post"
    parts = [f"{c.share_of_numerator * 100:.0f}% of the period's {c.numerator_name.replace('_', ' ')}"]
    if c.share_of_change is not None and c.share_of_change >= 0.3:
        parts.append(f"{c.share_of_change * 100:.0f}% of the change")
    if c.share_of_variance is not None and c.share_of_variance >= 0.5:
        parts.append(f"{c.share_of_variance * 100:.0f}% of the uncertainty in the rate")
    return (f"One {what} ({c.post_id}) is {' and '.join(parts)}, out of {c.posts} posts: the number says as much "
            "about that one post as about the rest, and the move will not repeat on its own.")


def concentration_facts(c: Concentration, name: str) -> list[Fact]:
    src = f"compute_concentration({c.kpi_id})"
    about: dict[str, Any] = {"period": "current", "name": name}
    facts = [Fact(key=f"{c.kpi_id}.top_post.share", label=f"top post's share of the {c.numerator_name}",
                  value=c.share_of_numerator, display=f"{c.share_of_numerator * 100:.0f}%", unit="fraction",
                  kpi_id=c.kpi_id, source=src, kind="share", **about),
             Fact(key=f"{c.kpi_id}.top_post.posts", label="posts in the period", value=float(c.posts),
                  display=str(c.posts), kpi_id=c.kpi_id, source=src, kind="count", **about)]
    if c.share_of_change is not None:
        facts.append(Fact(key=f"{c.kpi_id}.top_post.share_of_change", label="top post's share of the change",
                          value=c.share_of_change, display=f"{c.share_of_change * 100:.0f}%", unit="fraction",
                          kpi_id=c.kpi_id, source=src, kind="share", **about))
    if c.share_of_variance is not None:
        facts.append(Fact(key=f"{c.kpi_id}.top_post.share_of_variance", label="top post's share of the variance",
                          value=c.share_of_variance, display=f"{c.share_of_variance * 100:.0f}%", unit="fraction",
                          kpi_id=c.kpi_id, source=src, kind="share", **about))
    return facts


@dataclass(frozen=True)
class _Run:
    """Consecutive flagged trend points and how far their total sits from its usual level."""

    start: date
    end: date
    days: int
    rel: float


MAX_RUNS = 6


def flagged_runs(trend: Trend, kind: str) -> list[_Run]:
    """Flagged points grouped into runs of consecutive buckets, each with its move vs expected."""
    runs: list[list[TrendPoint]] = []
    for point in trend.points:
        if not point.anomaly:
            continue
        if runs and (point.start - runs[-1][-1].end).days <= 1:
            runs[-1].append(point)
        else:
            runs.append([point])
    out = []
    for pts in runs:
        usable = [p for p in pts if p.value is not None and p.expected is not None]
        rel = 0.0
        if usable:
            values = [float(p.value or 0.0) for p in usable]
            expected = [float(p.expected or 0.0) for p in usable]
            weights = [float(p.denominator or 0.0) for p in usable]
            if kind != "ratio" or not all(weights):
                weights = [1.0] * len(usable)
            actual = sum(v * w for v, w in zip(values, weights, strict=True))
            usual = sum(x * w for x, w in zip(expected, weights, strict=True))
            rel = actual / usual - 1 if usual else 0.0
        out.append(_Run(start=pts[0].start, end=pts[-1].end, days=len(pts), rel=rel))
    return out


def run_text(r: _Run) -> str:
    when = str(r.start) if r.start == r.end else f"{r.start} to {r.end}"
    return f"{when} ({fmt_rel(r.rel)} against usual)"


def run_facts(kpi_id: str, name: str, runs: list[_Run]) -> list[Fact]:
    facts = []
    for i, r in enumerate(runs):
        key = f"{kpi_id}.unusual.{i + 1}"
        src = f"compute_trend({kpi_id})"
        about: dict[str, Any] = {"period": "current", "name": name}
        facts += [
            Fact(key=f"{key}.start", label=f"unusual run {i + 1} start", value=None, display=str(r.start),
                 unit="date", kpi_id=kpi_id, source=src, kind="start", **about),
            Fact(key=f"{key}.end", label=f"unusual run {i + 1} end", value=None, display=str(r.end),
                 unit="date", kpi_id=kpi_id, source=src, kind="end", **about),
            Fact(key=f"{key}.vs_usual", label=f"unusual run {i + 1}: move against its usual level", value=r.rel,
                 display=fmt_rel(r.rel), unit="fraction", kpi_id=kpi_id, source=src, kind="anomaly", **about),
            Fact(key=f"{key}.days", label=f"unusual run {i + 1}: flagged buckets", value=float(r.days),
                 display=str(r.days), kpi_id=kpi_id, source=src, kind="count", **about),
        ]
    if runs:
        total = sum(r.days for r in runs)
        facts.append(Fact(key=f"{kpi_id}.unusual.flagged", label="flagged buckets in the period", value=float(total),
                          display=str(total), kpi_id=kpi_id, source=f"compute_trend({kpi_id})", kind="count"))
        more = sum(r.days for r in runs[MAX_RUNS:])
        if more:
            facts.append(Fact(key=f"{kpi_id}.unusual.more", label="flagged buckets not listed", value=float(more),
                              display=str(more), kpi_id=kpi_id, source=f"compute_trend({kpi_id})", kind="count"))
    return facts
