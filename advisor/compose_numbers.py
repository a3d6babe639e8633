"""Answers built on engine numbers: value, compare, why, digest. Template text only."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from kpi_engine.multiplicity import adjust_reports, fdr_note
from kpi_engine.periods import Period
from kpi_engine.results import Breakdown, KpiReport, Scorecard, Segment

from .answer import Action, Answer, ChartSpec, Context, Fact, ParsedQuestion, Section
from .facts import (
    breakdown_facts,
    change_unit,
    comparison_uncertainty_facts,
    fmt_contribution,
    interval_text,
    report_facts,
    verdict_phrase,
)
from .format import fmt_change, fmt_compact, fmt_value
from .why_evidence import (
    DRIVER_DIMENSIONS,
    MAX_RUNS,
    concentration_facts,
    concentration_text,
    find_drivers,
    flagged_runs,
    material_movers,
    run_facts,
    run_text,
    standout_facts,
    standout_segments,
)

if TYPE_CHECKING:
    from kpi_engine import Engine
    from kpi_engine.catalog import Kpi

__all__ = ["compose_value", "compose_compare", "compose_why", "compose_digest", "digest_card", "DRIVER_DIMENSIONS"]



def _scope(filters: dict[str, list[str]]) -> str:
    if not filters:
        return ""
    return " on " + ", ".join("/".join(v) for v in filters.values())


def _period_text(p: Period) -> str:
    if p.start == p.end:
        return str(p.start) if p.label == str(p.start) else f"{p.label} ({p.start})"
    if p.kind == "custom":  # the label is the dates already
        return f"{p.start} to {p.end}"
    return f"{p.label} ({p.start} to {p.end})"


def _value_line(r: KpiReport) -> str:
    v = r.current
    if v.value is None:
        return v.message or "No data."
    parts = [f"*{fmt_value(v.value, v.unit)}*"]
    if v.numerator is not None and v.denominator is not None:
        parts.append(f"= {fmt_compact(v.numerator)} / {fmt_compact(v.denominator)}"
                     + (f" x {r.formula.rsplit(' x ', 1)[1]}" if " x " in r.formula else ""))
    return " ".join(parts)


def _comparison_lines(r: KpiReport) -> list[str]:
    lines = []
    for c in (r.previous, r.last_year):
        ref = c.reference
        if ref.value is None:
            lines.append(f"- vs {c.against}: no data for {ref.period.start} to {ref.period.end}")
            continue
        lines.append(
            f"- vs {c.against} ({ref.period.start} to {ref.period.end}): {fmt_value(ref.value, ref.unit)}, "
            f"{fmt_change(c.abs_change, c.rel_change, ref.unit)}, {verdict_phrase(c)}"
        )
    return lines


def _notes(r: KpiReport) -> list[str]:
    notes = []
    if r.current.caveat:
        notes.append(r.current.caveat)
    if r.current.status == "not_enough_data" and r.current.message:
        notes.append(r.current.message)
    return notes


def _summary(r: KpiReport, scope: str) -> str:
    v = r.current
    if v.value is None:
        return v.message or f"No data for {v.name}{scope} in {v.period.label}."
    c = r.previous
    change = ""
    if c.abs_change is not None:
        change = (f", {fmt_change(c.abs_change, c.rel_change, v.unit)} vs the previous period: "
                  f"{verdict_phrase(c)}")
    return f"{v.name}{scope} was {fmt_value(v.value, v.unit)} for {_period_text(v.period)}{change}."


def _breakdown_lines(b: Breakdown, limit: int = 8) -> list[str]:
    lines = []
    for s in b.segments[:limit]:
        label = s.key or "(untagged)"
        val = fmt_value(s.value, b.unit)
        prev = fmt_value(s.previous_value, b.unit) if s.previous_value is not None else "no data"
        line = f"- {label}: {val} (was {prev})"
        if b.total.unit in ("count", "currency"):
            line += f", change {fmt_contribution(s.contribution, b.unit)}"
        elif s.mix_effect or s.rate_effect:
            line += (f", contribution {fmt_contribution(s.contribution, b.unit)} "
                     f"(mix {fmt_contribution(s.mix_effect, b.unit)}, rate {fmt_contribution(s.rate_effect, b.unit)})")
        if s.status == "not_enough_data":
            line += ", low volume"
        lines.append(line)
    if len(b.segments) > limit:
        lines.append(f"- ... and {len(b.segments) - limit} more")
    return lines


def _value_actions(kpi_id: str, period: str, filters: dict[str, list[str]], by: str | None) -> list[Action]:
    actions = [Action(id="explain", label="Explain this KPI", payload={"kpi_id": kpi_id})]
    if by != "platform":
        actions.append(Action(id="breakdown", label="Break down by platform",
                              payload={"kpi_id": kpi_id, "period": period, "filters": filters, "by": "platform"}))
    actions.append(Action(id="trend", label="Show the trend",
                          payload={"kpi_id": kpi_id, "period": period, "filters": filters}))
    return actions


def _period_key(p: Period) -> str:
    return f"{p.start}..{p.end}"


def _kpi_of(engine: Engine, q: ParsedQuestion) -> Kpi:
    """The KPI a number answer is about; a question without one is told how to name it."""
    if not q.kpi_id:
        from .errors import BadQuestion

        raise BadQuestion("Which KPI? Name one (e.g. engagement rate), or run `/kpi list` to see them all.")
    return engine.kpi(q.kpi_id)


def _report(engine: Engine, q: ParsedQuestion) -> tuple[Kpi, Period, KpiReport, dict[str, list[str]], str]:
    """The KPI, period, report, resolved filters and scope words a number answer starts from."""
    kpi = _kpi_of(engine, q)
    period = engine.period(q.period or "last_28_days")
    report = engine.compute_report(kpi.id, period, q.filters)
    return kpi, period, report, report.current.filters, _scope(report.current.filters)


def _values_section(title: str, report: KpiReport) -> Section:
    return Section(title=title, kind="values", text="\n".join([_value_line(report), *_comparison_lines(report)]))


def compose_value(engine: Engine, q: ParsedQuestion) -> Answer:
    kpi, period, report, filters, scope = _report(engine, q)
    sections = [_values_section("Value", report)]
    facts = report_facts(report)
    if q.by:
        b = engine.compute_breakdown(kpi.id, q.by, period, filters)
        facts += breakdown_facts(b)
        text = "\n".join(_breakdown_lines(b)) or "No segments with data."
        sections.append(Section(title=f"By {q.by.replace('_', ' ')}", kind="breakdown",
                                text=text + (f"\n_{b.note}_" if b.note else "")))
    notes = _notes(report)
    sections.append(Section(title="Definition", kind="formula",
                            text=f"{report.formula}. Denominator: {report.denominator}"))
    if notes:
        sections.append(Section(title="Note", kind="note", text="\n".join(f"- {n}" for n in notes)))
    chart = ChartSpec(kind="breakdown" if q.by else "trend", kpi_id=kpi.id, by=q.by,
                      period=_period_key(period), grain="day" if period.days <= 92 else "week",
                      filters=filters, title=f"{kpi.name}{scope}")
    return Answer(
        question="", intent="value", title=f"{kpi.name}{scope}: {fmt_value(report.current.value, kpi.unit)}",
        summary=_summary(report, scope), kpi_id=kpi.id, sections=sections, facts=facts, chart=chart,
        actions=_value_actions(kpi.id, _period_key(period), filters, q.by),
        context=Context(intent="value", kpi_id=kpi.id, period=q.period or "last_28_days",
                        filters=filters, by=q.by),
    )


def compose_compare(engine: Engine, q: ParsedQuestion) -> Answer:
    """Periods (vs previous / last year) or segments (instagram vs tiktok)."""
    if q.by and len(q.filters.get(q.by, [])) != 1:
        kpi, period = _kpi_of(engine, q), engine.period(q.period or "last_28_days")
        answer = compose_value(engine, q)
        b_lines = next((s.text for s in answer.sections if s.kind == "breakdown"), "")
        summary = f"{kpi.name} by {q.by.replace('_', ' ')} for {_period_text(period)}:\n{b_lines}"
        return answer.model_copy(update={"intent": "compare", "summary": summary,
                                         "title": f"{kpi.name}: compared by {q.by.replace('_', ' ')}",
                                         "context": answer.context.model_copy(update={"intent": "compare"})})
    kpi, period, report, _, scope = _report(engine, q)
    c = report.last_year if q.compare_to == "last_year" else report.previous
    ref = c.reference
    if report.current.value is None or ref.value is None:
        summary = (report.current.message if report.current.value is None else ref.message) or "No data."
    else:
        summary = (f"{kpi.name}{scope}: {fmt_value(report.current.value, kpi.unit)} for {_period_text(period)} "
                   f"vs {fmt_value(ref.value, kpi.unit)} in {c.against} ({ref.period.start} to {ref.period.end}): "
                   f"{fmt_change(c.abs_change, c.rel_change, kpi.unit)}, {verdict_phrase(c)}.")
    sections = [
        _values_section("Comparison", report),
        Section(title="How the verdict is decided", kind="note", text=c.method),
    ]
    return Answer(
        question="", intent="compare", title=f"{kpi.name}{scope}: {period.label} vs {c.against}",
        summary=summary, kpi_id=kpi.id, sections=sections, facts=report_facts(report),
        chart=ChartSpec(kind="trend", kpi_id=kpi.id, period=_period_key(_span(period, ref.period)),
                        grain="week" if period.days > 27 else "day", filters=report.current.filters,
                        title=f"{kpi.name}{scope}"),
        actions=_value_actions(kpi.id, _period_key(period), report.current.filters, None),
        context=Context(intent="compare", kpi_id=kpi.id, period=q.period, filters=report.current.filters),
    )


def _span(a: Period, b: Period) -> Period:
    return Period(start=min(a.start, b.start), end=max(a.end, b.end), label="span", kind="custom")


def compose_why(engine: Engine, q: ParsedQuestion) -> Answer:
    kpi, period, report, filters, scope = _report(engine, q)
    facts = report_facts(report)
    sections = [_values_section("What changed", report)]
    c = report.previous
    b: Breakdown | None = None
    movers: list[Segment] = []
    standouts: list[Any] = []
    if c.verdict in ("up", "down"):
        b, movers = find_drivers(engine, kpi.id, period, filters)
        if b is not None:
            movers = material_movers(b, movers)
            if not movers:
                b = None
        if b is None:
            sections.append(Section(title="Drivers", kind="note", text=(
                "Broad-based: no platform, format, topic, account or campaign moved out of proportion "
                "to its size, so look for causes that touch everything (tracking, seasonality, an algorithm "
                "change).")))
    elif report.current.value is not None and c.verdict != "not_enough_data":
        standouts = standout_segments(engine, kpi.id, period, filters)
        if standouts:
            facts += standout_facts(kpi.id, kpi.name, kpi.unit, kpi.good_direction, standouts)
            lines = ["The total does not hold up, but these segments moved clearly on their own:"]
            lines += [f"- {key} ({dim.replace('_', ' ')}): {fmt_change(sc.abs_change, sc.rel_change, kpi.unit)}, "
                      f"{verdict_phrase(sc, kpi.unit)}" for dim, key, sc in standouts[:4]]
            if len(standouts) > 4:
                lines.append(f"- ... and {len(standouts) - 4} more")
            sections.append(Section(title="Segments that stand out", kind="drivers", text="\n".join(lines)))
        else:
            sections.append(Section(title="Drivers", kind="note", text=(
                "No single segment stands out: no platform, format, topic, account or campaign moved clearly "
                "on its own, and the total change does not hold up, so shares of it would explain chance.")))
    if b is not None and movers:
        facts += breakdown_facts(b)
        lines = [f"Most of the change comes from {b.dimension.replace('_', ' ')}:"]
        lines += _breakdown_lines(b.model_copy(update={"segments": movers}), limit=len(movers))
        sections.append(Section(title="Drivers", kind="drivers", text="\n".join(lines)))
    trend = engine.compute_trend(kpi.id, Period(start=period.start, end=period.end, label=period.label),
                                 "day" if period.days <= 92 else "week", filters)
    conc = engine.compute_concentration(kpi.id, period, filters)
    if conc is not None and conc.notable() and report.current.value is not None:
        facts += concentration_facts(conc, kpi.name)
        sections.append(Section(title="One post carries much of it", kind="note", text=concentration_text(conc)))
    runs = flagged_runs(trend, kpi.formula.kind)
    if runs:
        facts += run_facts(kpi.id, kpi.name, runs)
        flagged = sum(r.days for r in runs)
        shown = ", ".join(run_text(r) for r in runs[:MAX_RUNS])
        more = sum(r.days for r in runs[MAX_RUNS:])
        text = (f"The engine flags {flagged} {trend.grain}{'s' if flagged != 1 else ''} as unusual against their "
                f"usual level: {shown}" + (f", and {more} more" if more else "") + ".")
        sections.append(Section(title="Unusual days", kind="note", text=text))
    c = report.previous
    if report.current.value is None:
        summary = report.current.message or "No data."
    elif c.verdict == "flat":
        summary = (f"{kpi.name}{scope} moved {fmt_change(c.abs_change, c.rel_change, kpi.unit)} vs the previous "
                   f"period: {verdict_phrase(c)}, so there is no change to explain.")
    elif c.verdict == "unclear":
        summary = (f"{kpi.name}{scope} moved {fmt_change(c.abs_change, c.rel_change, kpi.unit)} vs the previous "
                   f"period, but it is {verdict_phrase(c)}: the move may be chance, so it cannot be "
                   f"explained yet.")
        if standouts:
            dim, key, sc = standouts[0]
            summary += (f" On its own, {key} ({dim.replace('_', ' ')}) moved clearly: "
                        f"{fmt_change(sc.abs_change, sc.rel_change, kpi.unit)}.")
    else:
        lead = (f" Biggest driver: {movers[0].key or '(untagged)'} ({b.dimension.replace('_', ' ')})."
                if movers and b is not None else "")
        summary = (f"{kpi.name}{scope} was {fmt_value(report.current.value, kpi.unit)} for {_period_text(period)}, "
                   f"{fmt_change(c.abs_change, c.rel_change, kpi.unit)} vs the previous period: "
                   f"{verdict_phrase(c)}.{lead}")
    if runs and report.current.value is not None and c.verdict in ("flat", "unclear", "not_enough_data"):
        top = max(runs, key=lambda r: r.days * abs(r.rel))
        what = "sharp drop" if top.rel < 0 else "sharp rise"
        summary += f" Inside the period, though, a {what} on {run_text(top)} is flagged as unusual"
        # the run against the run-length window before it: is it clear on its own?
        own = None
        if top.start > period.start or top.end < period.end:
            own = engine.compute_comparison(kpi.id, Period(start=top.start, end=top.end, label="flagged run",
                                                           kind="custom"), filters)
        if own is not None and own.verdict in ("up", "down"):
            about: dict[str, Any] = {"period": "previous", "name": kpi.name}
            facts += comparison_uncertainty_facts(own, f"{kpi.id}.unusual_run", kpi.unit, "previous", about)
            if own.abs_change is not None:
                facts.append(Fact(key=f"{kpi.id}.unusual_run.abs_change", label="flagged run vs the days before it",
                                  value=own.abs_change, display=fmt_change(own.abs_change, None, kpi.unit),
                                  unit=change_unit(kpi.unit), kpi_id=kpi.id, kind="abs_change", **about))
            if own.rel_change is not None:
                facts.append(Fact(key=f"{kpi.id}.unusual_run.rel_change", label="flagged run vs the days before it, relative",
                                  value=own.rel_change, display=f"{own.rel_change * 100:+.1f}%", unit="fraction",
                                  kpi_id=kpi.id, kind="rel_change", **about))
            summary += (f" and clear on its own ({fmt_change(own.abs_change, own.rel_change, kpi.unit)} vs the "
                        f"days before it, {interval_text(own, kpi.unit)})")
        summary += f"; over the whole {_period_text(period)} it is diluted."
    sections.append(Section(title="Check next", kind="guardrails",
                            text="\n".join(f"- {g}" for g in report.guardrails[:3])))
    chart = ChartSpec(kind="trend", kpi_id=kpi.id, period=_period_key(period),
                      grain="day" if period.days <= 92 else "week", filters=filters, title=f"{kpi.name}{scope}")
    return Answer(
        question="", intent="why", title=f"Why {kpi.name}{scope} moved", summary=summary, kpi_id=kpi.id,
        sections=sections, facts=facts, chart=chart,
        actions=_value_actions(kpi.id, _period_key(period), filters, b.dimension if b else None),
        context=Context(intent="why", kpi_id=kpi.id, period=q.period, filters=filters,
                        by=b.dimension if b else None),
    )


def _scorecard_lines(card: Scorecard) -> list[str]:
    lines = []
    for i, r in enumerate([card.primary, *card.diagnostics]):
        v = r.current
        tag = "*Primary*: " if i == 0 else ""
        if v.value is None:
            lines.append(f"- {tag}{v.name}: no data")
            continue
        c = r.previous
        lines.append(f"- {tag}{v.name}: {fmt_value(v.value, v.unit)} "
                     f"({fmt_change(c.abs_change, c.rel_change, v.unit)}, {verdict_phrase(c)})")
    return lines


def digest_card(engine: Engine, *, goal: str | None, kpis: list[str] | None, period: str | Period,
                filters: dict[str, list[str]] | None = None) -> Scorecard:
    """The tested reports a digest, scorecard or briefing is built on: a goal's KPIs, or the KPIs listed.

    The one batch every composition goes through, so what holds for a digest's tests (their
    verdicts, and control of false discoveries across them) holds for a briefing's too.
    """
    p = engine.period(period)
    if goal:
        return engine.compute_scorecard(goal, p, filters)
    if not kpis:
        from .errors import BadQuestion

        raise BadQuestion("A digest needs a goal (goal=awareness) or a list of KPIs (kpis=a,b).")
    reports = adjust_reports([engine.compute_report(k, p, {d: v for d, v in (filters or {}).items()})
                              for k in kpis])  # one FDR family, as the goal scorecard does
    return Scorecard(goal="custom", goal_name="Custom", objective="", period=p,
                     primary=reports[0], diagnostics=reports[1:])


def compose_digest(engine: Engine, *, goal: str | None, kpis: list[str] | None, period: str,
                   filters: dict[str, list[str]] | None = None) -> Answer:
    """Scorecard, movers that matter and their drivers, trend chart, short narrative.

    Computed in one batch: the scorecard, the drivers and the chart share day-level rollups.
    """
    from kpi_engine.errors import EngineError

    try:
        g = engine.catalog.goal(goal) if goal else None
        ids = (g.primary, *g.diagnostics) if g else tuple(kpis or ())
    except EngineError:
        ids = ()  # an unknown goal is reported below, as before
    with engine.batch(ids):
        return _compose_digest(engine, goal=goal, kpis=kpis, period=period, filters=filters)


def _compose_digest(engine: Engine, *, goal: str | None, kpis: list[str] | None, period: str,
                    filters: dict[str, list[str]] | None) -> Answer:
    p = engine.period(period)
    card = digest_card(engine, goal=goal, kpis=kpis, period=p, filters=filters)
    reports = [card.primary, *card.diagnostics]
    title_goal = card.goal_name if goal else ", ".join(r.current.name for r in reports[:3])
    facts = [f for r in reports for f in report_facts(r)]
    sections = [Section(title="Scorecard", kind="values", text="\n".join(_scorecard_lines(card)))]
    movers = [r for r in reports if r.previous.verdict in ("up", "down")]
    driver_lines = []
    for r in movers[:3]:
        b, segs = find_drivers(engine, r.current.kpi_id, p, r.current.filters, limit=2,
                           dimensions=("platform", "content_type", "topic"))
        segs = material_movers(b, segs) if b is not None else []
        line = (f"- {r.current.name} {fmt_change(r.previous.abs_change, r.previous.rel_change, r.current.unit)}"
                f": {verdict_phrase(r.previous)}")
        if b is not None and segs:
            facts += breakdown_facts(b.model_copy(update={"segments": segs}))
            line += "; driven by " + ", ".join(
                f"{s.key or '(untagged)'} {fmt_contribution(s.contribution, b.unit)}" for s in segs)
        driver_lines.append(line)
    if driver_lines:
        sections.append(Section(title="Movers that matter", kind="drivers", text="\n".join(driver_lines)))
    else:
        sections.append(Section(title="Movers", kind="note",
                                text="No change holds up: each KPI shows either no meaningful change or one too early to "
                                     "tell."))
    sections.append(Section(title="Narrative", kind="narrative", text=_narrative(card, movers)))
    family = max((c.family_size or 0 for r in reports for c in (r.previous, r.last_year)), default=0)
    if family:
        facts.append(Fact(key="digest.comparisons", label="comparisons tested in this digest", value=float(family),
                          display=str(family), source="kpi_engine.multiplicity", kind="count"))
    primary = card.primary.current
    history = Period(start=p.start - timedelta(days=max(56, p.days * 4)), end=p.end, label="trend", kind="custom")
    chart = ChartSpec(kind="trend", kpi_id=primary.kpi_id, period=_period_key(history),
                      grain="day" if history.days <= 120 else "week", filters=primary.filters,
                      title=f"{primary.name}: {p.label} highlighted", highlight=_period_key(p))
    return Answer(
        question="", intent="digest", title=f"{title_goal} digest: {p.label} ({p.start} to {p.end})",
        summary=_narrative(card, movers), goal=goal, kpi_id=primary.kpi_id, footnote=fdr_note(reports),
        diagnostics=[r.current.kpi_id for r in card.diagnostics], sections=sections, facts=facts, chart=chart,
        actions=[Action(id="explain", label=f"Explain {primary.name}", payload={"kpi_id": primary.kpi_id}),
                 Action(id="breakdown", label="Break down by platform",
                        payload={"kpi_id": primary.kpi_id, "period": _period_key(p),
                                 "filters": primary.filters, "by": "platform"})],
        context=Context(intent="digest", goal=goal, kpi_id=primary.kpi_id, period=_period_key(p),
                        filters=dict(filters or {}),
                        as_of=(engine.today() - timedelta(days=1)).isoformat()),  # the last complete day
    )


def _narrative(card: Scorecard, movers: list[KpiReport]) -> str:
    v = card.primary.current
    if v.value is None:
        return f"No data for {v.name} in {card.period.label}: {v.message}"
    c = card.primary.previous
    text = (f"{v.name} was {fmt_value(v.value, v.unit)} for {card.period.label}, "
            f"{fmt_change(c.abs_change, c.rel_change, v.unit)} vs the previous period: {verdict_phrase(c)}.")
    others = [r for r in movers if r is not card.primary]
    if others:
        text += " Also moving: " + "; ".join(
            f"{r.current.name} {fmt_change(r.previous.abs_change, r.previous.rel_change, r.current.unit)}"
            for r in others[:3]) + "."
    elif not movers:
        text += " No other KPI shows a meaningful change."
    return text

