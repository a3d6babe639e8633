"""Engine results -> Facts: every number an answer shows, with its display form."""

from __future__ import annotations

from typing import Any, Literal

from kpi_engine.results import Breakdown, Comparison, KpiReport, KpiValue

from .answer import Fact
from .format import fmt_change, fmt_compact, fmt_signed, fmt_value

__all__ = [
    "value_facts", "report_facts", "breakdown_facts", "fmt_contribution", "VERDICT_WORDS", "verdict_phrase",
    "change_unit", "interval_text", "mde_text", "fmt_rel", "comparison_uncertainty_facts", "input_reading",
    "good_direction",
]

Direction = Literal["up", "down"]

VERDICT_WORDS = {
    "up": "a meaningful rise",
    "down": "a meaningful drop",
    "flat": "no meaningful change",
    "unclear": "too early to tell",
    "not_enough_data": "not enough data to judge",
}


def good_direction(direction: str) -> Direction | None:
    """A catalog direction as the way a change is good: None for an input (neither good nor bad)."""
    return direction if direction in ("up", "down") else None  # type: ignore[return-value]


def fmt_rel(x: float) -> str:
    """A relative figure: '+4%', '-12%', '+3.5%' (one decimal under 10%)."""
    a = abs(x) * 100
    return fmt_signed(f"{a:.1f}%" if a < 10 else f"{a:.0f}%", x < 0)


def _abs_text(x: float, unit: str) -> str:
    return fmt_change(x, None, unit)


def interval_text(c: Comparison, unit: str) -> str | None:
    """'95% interval +4% to +86%' (relative to the reference), or in KPI units without a reference."""
    if c.rel_ci_low is not None and c.rel_ci_high is not None:
        return f"95% interval {fmt_rel(c.rel_ci_low)} to {fmt_rel(c.rel_ci_high)}"
    if c.ci_low is not None and c.ci_high is not None:
        return f"95% interval {_abs_text(c.ci_low, unit)} to {_abs_text(c.ci_high, unit)}"
    return None


def mde_text(c: Comparison, unit: str) -> str | None:
    """'±9.5%': the move the test would have seen 80% of the time."""
    if c.rel_mde is not None:
        return "\u00b1" + fmt_rel(c.rel_mde).lstrip("+")
    if c.mde is not None:
        return "\u00b1" + _abs_text(c.mde, unit).lstrip("+")
    return None


def _failed_fdr(c: Comparison) -> bool:
    """Clear on its own (interval excludes 0) but not once the family's other tests are counted."""
    return (c.verdict == "unclear" and c.q_value is not None and c.ci_low is not None
            and c.ci_high is not None and (c.ci_low > 0 or c.ci_high < 0))


def input_reading(c: Comparison) -> str | None:
    """How to read a change in an input KPI (posts published), which is neither good nor bad by itself.

    'more posts published, an input: read it against impressions per post'; None for other KPIs.
    """
    if c.read_against is None:
        return None
    against = c.read_against.replace("_", " ")
    what = {"up": f"more {c.reference.name.lower()}, an input",
            "down": f"fewer {c.reference.name.lower()}, an input"}.get(c.verdict, "an input")
    return f"{what}: read it against {against}"


def verdict_phrase(c: Comparison, unit: str | None = None) -> str:
    """The verdict with the numbers it rests on.

    'a meaningful rise (good; 95% interval +4% to +86%)', 'no meaningful change (a move of ±9.5%
    would likely have shown)', 'too early to tell (95% interval -12% to +31%)'; an input KPI's
    change is never good or bad: 'a meaningful rise (more posts published, an input: read it
    against impressions per post; 95% interval ...)'.
    """
    unit = unit or c.reference.unit
    words = VERDICT_WORDS[c.verdict]
    interval = interval_text(c, unit)
    inside: list[str] = []
    reading = input_reading(c)
    if reading is not None:
        inside.append(reading)
    elif c.good is True:
        inside.append("good")
    elif c.good is False:
        inside.append("bad")
    if c.verdict in ("up", "down", "unclear") and interval:
        inside.append(interval)
    if c.verdict == "flat":
        mde = mde_text(c, unit)
        if mde:
            inside.append(f"a move of {mde} would likely have shown")
    if _failed_fdr(c):
        inside.append(f"not clear once all {c.family_size} comparisons here are counted")
    return f"{words} ({'; '.join(inside)})" if inside else words


def _fact(key: str, label: str, value: float | None, display: str, unit: str = "", kpi: str | None = None,
          source: str = "kpi_engine", **structure: Any) -> Fact:
    """``structure``: the Fact fields that say what the number is (kind, period, period_label, ...)."""
    return Fact(key=key, label=label, value=value, display=display, unit=unit, kpi_id=kpi, source=source,
                **structure)


def change_unit(unit: str) -> str:
    """The unit of an absolute change: a percentage KPI moves in percentage points, not percent."""
    return {"percent": "pp", "points": "points"}.get(unit, unit)


def value_facts(v: KpiValue, prefix: str | None = None, *, period: str = "current",
                period_label: str | None = None, good_direction: Direction | None = None) -> list[Fact]:
    """The value, its numerator and denominator, and the period's dates.

    ``period`` says whose value it is (the report's current period, or the previous or
    last-year reference it is compared with).
    """
    p = prefix or v.kpi_id
    src = f"compute_value({v.kpi_id}, {v.period.start}..{v.period.end})"
    about = {"period": period, "period_label": period_label or v.period.label, "good_direction": good_direction,
             "name": v.name}
    facts = [_fact(f"{p}.value", f"{v.name}, {v.period.label}", v.value, fmt_value(v.value, v.unit),
                   v.unit, v.kpi_id, src, kind="value", **about)]
    if v.numerator is not None:
        facts.append(_fact(f"{p}.numerator", f"{v.name} numerator", v.numerator,
                           fmt_compact(v.numerator), "", v.kpi_id, src, kind="numerator", **about))
    if v.denominator is not None:
        facts.append(_fact(f"{p}.denominator", f"{v.name} denominator", v.denominator,
                           fmt_compact(v.denominator), "", v.kpi_id, src, kind="denominator", **about))
    facts.append(_fact(f"{p}.volume", f"{v.name} volume", v.volume, fmt_compact(v.volume), "", v.kpi_id, src,
                       kind="volume", **about))
    facts.append(_fact(f"{p}.start", "period start", None, v.period.start.isoformat(), "date", v.kpi_id, src,
                       kind="start", **about))
    facts.append(_fact(f"{p}.end", "period end", None, v.period.end.isoformat(), "date", v.kpi_id, src,
                       kind="end", **about))
    return facts


def _comparison_facts(c: Comparison, kpi_id: str, unit: str, tag: str, good: Direction | None) -> list[Fact]:
    facts = value_facts(c.reference, prefix=f"{kpi_id}.{tag}", period=tag, good_direction=good)
    about: dict[str, Any] = {"period": tag, "period_label": c.reference.period.label, "good_direction": good,
                             "name": c.reference.name}
    if c.abs_change is not None:
        facts.append(_fact(f"{kpi_id}.{tag}.abs_change", f"change vs {c.against}", c.abs_change,
                           fmt_change(c.abs_change, None, unit), change_unit(unit), kpi_id,
                           kind="abs_change", **about))
    if c.rel_change is not None:
        facts.append(_fact(f"{kpi_id}.{tag}.rel_change", f"relative change vs {c.against}", c.rel_change,
                           f"{c.rel_change * 100:+.1f}%", "fraction", kpi_id, kind="rel_change", **about))
    facts += comparison_uncertainty_facts(c, kpi_id, unit, tag, about)
    return facts


def comparison_uncertainty_facts(c: Comparison, kpi_id: str, unit: str, tag: str,
                                 about: dict[str, Any]) -> list[Fact]:
    """The 95% interval and the MDE of a change as the text shows them: relative (%) when there is a
    reference value, else in the KPI's change unit (pp for a percentage)."""
    facts: list[Fact] = []
    vs = f"vs {c.against}"
    relative = c.rel_ci_low is not None and c.rel_ci_high is not None
    if not relative and c.ci_low is not None and c.ci_high is not None:
        for end, x in (("low", c.ci_low), ("high", c.ci_high)):
            facts.append(_fact(f"{kpi_id}.{tag}.ci_{end}", f"95% interval of the change {vs}, {end} end", x,
                               _abs_text(x, unit), change_unit(unit), kpi_id, kind="interval", **about))
    if c.rel_ci_low is not None and c.rel_ci_high is not None:
        for end, x in (("low", c.rel_ci_low), ("high", c.rel_ci_high)):
            facts.append(_fact(f"{kpi_id}.{tag}.rel_ci_{end}", f"95% interval of the relative change {vs}, {end} end",
                               x, fmt_rel(x), "fraction", kpi_id, kind="interval", **about))
    if c.mde is not None and c.rel_mde is None:
        facts.append(_fact(f"{kpi_id}.{tag}.mde", f"smallest change {vs} the test would likely see (80% power)",
                           c.mde, "\u00b1" + _abs_text(c.mde, unit).lstrip("+"), change_unit(unit), kpi_id,
                           kind="mde", **about))
    if c.rel_mde is not None:
        facts.append(_fact(f"{kpi_id}.{tag}.rel_mde",
                           f"smallest relative change {vs} the test would likely see (80% power)",
                           c.rel_mde, "\u00b1" + fmt_rel(c.rel_mde).lstrip("+"), "fraction", kpi_id,
                           kind="mde", **about))
    if _failed_fdr(c) and c.family_size:
        # verdict_phrase names the family's size ("not clear once all 12 comparisons here are counted")
        facts.append(_fact(f"{kpi_id}.{tag}.family_size", f"comparisons counted together {vs}", float(c.family_size),
                           str(c.family_size), "", kpi_id, kind="family_size", **about))
    return facts


def report_facts(r: KpiReport) -> list[Fact]:
    v = r.current
    good = good_direction(r.direction)
    return [
        *value_facts(v, good_direction=good),
        *_comparison_facts(r.previous, v.kpi_id, v.unit, "previous", good),
        *_comparison_facts(r.last_year, v.kpi_id, v.unit, "last_year", good),
    ]


def breakdown_facts(b: Breakdown, limit: int = 8) -> list[Fact]:
    facts: list[Fact] = []
    for s in b.segments[:limit]:
        key = f"{b.kpi_id}.by_{b.dimension}.{s.key or 'untagged'}"
        src = f"compute_breakdown({b.kpi_id}, by={b.dimension})"
        seg = {"name": b.name, "segment": s.key or "(untagged)", "dimension": b.dimension}
        now = {"period": "current", "period_label": b.period.label, **seg}
        before = {"period": "previous", "period_label": b.previous_period.label, **seg}
        facts.append(_fact(f"{key}.value", f"{b.name} for {s.key}", s.value, fmt_value(s.value, b.unit),
                           b.unit, b.kpi_id, src, kind="value", **now))
        if s.previous_value is not None:
            facts.append(_fact(f"{key}.previous", f"{b.name} for {s.key}, previous", s.previous_value,
                               fmt_value(s.previous_value, b.unit), b.unit, b.kpi_id, src, kind="value", **before))
        facts.append(_fact(f"{key}.contribution", f"{s.key} contribution to the change", s.contribution,
                           fmt_contribution(s.contribution, b.unit), change_unit(b.unit), b.kpi_id, src,
                           kind="contribution", **before))
        if s.share is not None:
            facts.append(_fact(f"{key}.share", f"{s.key} share", s.share, f"{s.share * 100:.0f}%",
                               "fraction", b.kpi_id, src, kind="share", **now))
        if s.mix_effect or s.rate_effect:
            facts.append(_fact(f"{key}.mix", f"{s.key} mix effect", s.mix_effect,
                               fmt_contribution(s.mix_effect, b.unit), change_unit(b.unit), b.kpi_id, src,
                               kind="mix", **before))
            facts.append(_fact(f"{key}.rate", f"{s.key} rate effect", s.rate_effect,
                               fmt_contribution(s.rate_effect, b.unit), change_unit(b.unit), b.kpi_id, src,
                               kind="rate", **before))
    return facts


def fmt_contribution(x: float, unit: str) -> str:
    """A segment's contribution to a change: '+0.12 pp', '-3.4k'."""
    if unit == "percent":
        return f"{x:+.2f} pp"
    if unit in ("count", "currency"):
        return f"{'+' if x >= 0 else '-'}{fmt_compact(abs(x))}"
    return f"{x:+.2f}"
