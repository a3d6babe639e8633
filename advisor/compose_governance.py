"""Answers about targets, pace, suggested targets, owners, review cadence and notes. Template text only.

Every number shown is a Fact: targets are user data (source ``targets``), notes' dates
user data (source ``notes``), projections, ranges and suggestions engine results.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .answer import Action, Answer, Context, Fact, Section
from .format import fmt_value
from .numbers import extract_numbers

if TYPE_CHECKING:
    from kpi_engine import Engine, Kpi
    from kpi_engine.pace import Pace
    from kpi_engine.suggest import TargetSuggestion

    from .notes import Note
    from .targets import Target

__all__ = [
    "STATUS_WORDS",
    "compose_cadence",
    "compose_note_added",
    "compose_notes",
    "compose_owner",
    "compose_suggestion",
    "compose_target_set",
    "compose_targets",
    "method_facts",
    "note_citation",
    "note_facts",
    "pace_facts",
    "pace_lines",
    "scope_text",
    "status_phrase",
    "target_id_fact",
]

STATUS_WORDS = {
    "on_track": "on track", "at_risk": "at risk", "off_track": "off track", "achieved": "achieved",
    "missed": "missed", "no_data": "no data to project from", "not_enough_history": "no status yet",
}
_STATUS_WHY = {
    "on_track": "even the low end of the likely range meets the target",
    "off_track": "even the high end of the likely range misses the target",
    "at_risk": "the likely range straddles the target",
}
CADENCE_PRACTICE = ("Common practice: weekly for tactics, content learnings and experiments; monthly for "
                    "trends, topic performance and channel mix; quarterly for strategy, targets and "
                    "re-evaluating the KPI itself.")


def scope_text(filters: dict[str, list[str]] | None) -> str:
    return "".join(f" on {'/'.join(v)}" for v in (filters or {}).values())


def _fact(key: str, label: str, value: float | None, display: str, unit: str, kpi: str | None,
          source: str) -> Fact:
    return Fact(key=key, label=label, value=value, display=display, unit=unit, kpi_id=kpi, source=source)


def status_phrase(pace: Pace) -> str:
    words = STATUS_WORDS[pace.status]
    return f"{words} ({_STATUS_WHY[pace.status]})" if pace.status in _STATUS_WHY else words


def pace_facts(pace: Pace, key: str) -> list[Fact]:
    """The target (user data) and the engine's pace numbers behind one pace line."""
    u, k = pace.unit, pace.kpi_id
    src = f"compute_pace({k}, {pace.period.start}..{pace.period.end}, as of {pace.as_of})"
    facts = [_fact(f"{key}.target", f"{pace.name} target", pace.target, fmt_value(pace.target, u), u, k,
                   "targets (user data)")]
    for name, label, value in (
        ("actual", f"{pace.name} so far", pace.actual), ("projected", "projected end of period", pace.projected),
        ("low", "likely range, low", pace.low), ("high", "likely range, high", pace.high),
        ("required", "needed over the remaining days", pace.required),
        ("projected_rest", "projected for the remaining days", pace.projected_rest),
    ):
        if value is not None:
            facts.append(_fact(f"{key}.{name}", label, value, fmt_value(value, u), u, k, src))
    facts.append(_fact(f"{key}.elapsed_days", "days elapsed", pace.elapsed_days, str(pace.elapsed_days), "days",
                       k, src))
    facts.append(_fact(f"{key}.remaining_days", "days remaining", pace.remaining_days, str(pace.remaining_days),
                       "days", k, src))
    facts.append(_fact(f"{key}.level", "range coverage", pace.level * 100, f"{pace.level * 100:.0f}%", "percent",
                       k, src))
    facts.append(_fact(f"{key}.backtests", "earlier periods behind the range", pace.backtests,
                       str(pace.backtests), "", k, src))
    return facts + method_facts(pace.method, key, k)


def method_facts(method: str, key: str, kpi_id: str | None) -> list[Fact]:
    """The engine's own method words ("the last 13 weeks") carry its parameters: facts too."""
    return [_fact(f"{key}.method_{i}", "projection method parameter", m.readings[0].value, m.text, "", kpi_id,
                  "compute_pace method") for i, m in enumerate(extract_numbers(method)) if m.readings]


def target_id_fact(t: Target) -> Fact:
    return _fact(f"target_{t.id}.id", "target number", t.id, f"#{t.id}", "", t.kpi_id, "targets (user data)")


def _period_words(pace: Pace) -> str:
    p = pace.period
    return f"{p.label} ({p.start} to {p.end})" if p.label != f"{p.start} to {p.end}" else p.label


def pace_lines(pace: Pace, *, owner: str | None = None, ident: int | None = None) -> list[str]:
    """'Engagement rate on instagram, Q1 2027 (...): target 5.00%, projected 4.10% (80% range ...): at risk.'"""
    u = pace.unit
    head = f"#{ident} " if ident is not None else ""
    first = f"{head}*{pace.name}{scope_text(pace.filters)}*, {_period_words(pace)}: target {fmt_value(pace.target, u)}"
    if pace.status in ("achieved", "missed"):
        lines = [f"{first}; it ended at {fmt_value(pace.actual, u)}: *{STATUS_WORDS[pace.status]}*."]
    elif pace.projected is None:
        lines = [f"{first}; {STATUS_WORDS[pace.status]}. {pace.message or ''}".strip()]
    else:
        rng = ""
        if pace.low is not None and pace.high is not None:
            rng = f" ({pace.level * 100:.0f}% range {fmt_value(pace.low, u)} to {fmt_value(pace.high, u)})"
        lines = [f"{first}, projected {fmt_value(pace.projected, u)}{rng}: *{status_phrase(pace)}*."]
        if pace.status == "not_enough_history" and pace.message:
            lines.append(pace.message)
        so_far = (f"So far {fmt_value(pace.actual, u)} over {pace.elapsed_days} days; "
                  if pace.actual is not None else "Not started yet; ")
        if pace.required is not None and pace.projected_rest is not None:
            need = ("the target is already secured" if pace.required <= 0 and pace.unit == "count"
                    else f"the remaining {pace.remaining_days} days need {fmt_value(pace.required, u)} "
                         f"(projected {fmt_value(pace.projected_rest, u)})")
            lines.append(so_far + need + ".")
        elif pace.actual is not None:
            lines.append(so_far.rstrip("; ") + f", {pace.remaining_days} days to go.")
    if owner:
        lines.append(f"Owner: {owner}.")
    return lines


def _target_key(t: Target) -> str:
    return f"target_{t.id}"


def compose_targets(engine: Engine, targets: list[Target], *, kpi: Kpi | None = None,
                    filters: dict[str, list[str]] | None = None) -> Answer:
    """The targets (of one KPI, or all) with their pace; without any, how to set one."""
    if not targets:
        return _no_target(engine, kpi, filters)
    facts: list[Fact] = []
    blocks: list[str] = []
    paces = []
    for t in targets[:20]:
        pace = engine.compute_pace(t.kpi_id, t.value, t.period(), t.filters)
        paces.append(pace)
        facts += [*pace_facts(pace, _target_key(t)), target_id_fact(t)]
        blocks.append("\n".join(pace_lines(pace, owner=t.owner_name, ident=t.id)))
    if len(paces) == 1:
        summary = pace_lines(paces[0])[0].replace("*", "")
    else:
        counts: dict[str, int] = {}
        for p in paces:
            counts[STATUS_WORDS[p.status]] = counts.get(STATUS_WORDS[p.status], 0) + 1
        summary = f"{len(paces)} targets: " + ", ".join(f"{n} {w}" for w, n in counts.items()) + "."
        facts.append(_fact("targets.count", "targets", len(paces), str(len(paces)), "", None, "targets (user data)"))
        facts += [_fact(f"targets.{w.replace(' ', '_')}", f"targets {w}", n, str(n), "", None,
                        f"compute_pace x {len(paces)}") for w, n in counts.items()]
    methods = "\n".join(f"- {m}." for m in dict.fromkeys(p.method for p in paces if p.method))
    sections = [Section(title="Pace", kind="values", text="\n\n".join(blocks))]
    sections.append(Section(title="How pace is judged", kind="note", text=(
        f"{methods}\nOn track when even the low end of the range meets the target; off track when even "
        "the high end misses it; at risk in between.").strip()))
    title = f"{kpi.name} target" if kpi is not None else "Targets and pace"
    kpi_id = kpi.id if kpi is not None else (targets[0].kpi_id if len({t.kpi_id for t in targets}) == 1 else None)
    return Answer(question="", intent="value", title=title, summary=summary, kpi_id=kpi_id, sections=sections,
                  facts=facts, actions=_target_actions(kpi_id),
                  context=Context(intent="value", kpi_id=kpi_id, filters=dict(filters or {})))


def _target_actions(kpi_id: str | None) -> list[Action]:
    if not kpi_id:
        return []
    return [Action(id="show_value", label="Show current value", payload={"kpi_id": kpi_id}),
            Action(id="trend", label="Show the trend", payload={"kpi_id": kpi_id, "period": "last_90_days"})]


def _no_target(engine: Engine, kpi: Kpi | None, filters: dict[str, list[str]] | None) -> Answer:
    if kpi is None:
        return Answer(question="", intent="help", title="No targets yet",
                      summary="No targets are set in this workspace yet.",
                      sections=[Section(title="Set one", kind="help", text=(
                          "- `/kpi target set engagement_rate 5% by 2027-03-31 owner=@maria`\n"
                          "- `/kpi target suggest engagement_rate next_quarter` for a suggestion from the baseline"))])
    from .facts import value_facts

    value = engine.compute_value(kpi.id, "last_28_days", filters)
    shown = fmt_value(value.value, kpi.unit)
    summary = (f"No target is set for {kpi.name}{scope_text(value.filters)}. "
               f"Its current value is {shown} over the {value.period.label} "
               f"({value.period.start} to {value.period.end}).")
    return Answer(question="", intent="value", title=f"{kpi.name}: no target yet", summary=summary,
                  kpi_id=kpi.id, facts=value_facts(value),
                  sections=[Section(title="Set one", kind="help", text=(
                      f"- `/kpi target set {kpi.id} <value> by <date> owner=@name`\n"
                      f"- `/kpi target suggest {kpi.id} next_quarter`: a realistic and a stretch target "
                      "from last year, the trailing trend and the season"))],
                  context=Context(intent="value", kpi_id=kpi.id, filters=value.filters))


def compose_target_set(engine: Engine, target: Target, created: bool) -> Answer:
    pace = engine.compute_pace(target.kpi_id, target.value, target.period(), target.filters)
    verb = "Set" if created else "Updated"
    lines = pace_lines(pace, owner=target.owner_name, ident=target.id)
    return Answer(question="", intent="value", title=f"{verb} target #{target.id}: {pace.name}",
                  summary=lines[0].replace("*", ""), kpi_id=target.kpi_id,
                  sections=[Section(title="Pace", kind="values", text="\n".join(lines[1:]) or lines[0])],
                  facts=[*pace_facts(pace, _target_key(target)), target_id_fact(target)],
                  context=Context(intent="value", kpi_id=target.kpi_id, filters=dict(target.filters)))


def compose_suggestion(s: TargetSuggestion) -> Answer:
    """Realistic and stretch targets, labelled as a suggestion, with the numbers behind them."""
    u, k = s.unit, s.kpi_id
    src = f"suggest_targets({k}, {s.period.start}..{s.period.end})"
    scope = scope_text(s.filters)
    where = f"{s.name}{scope}, {s.period.label} ({s.period.start} to {s.period.end})"
    facts: list[Fact] = []

    def fact(name: str, label: str, value: float | None, display: str | None = None, unit: str = u) -> None:
        if value is not None:
            facts.append(_fact(f"{k}.suggest.{name}", label, value, display or fmt_value(value, unit), unit, k, src))

    if s.realistic is None:
        return Answer(question="", intent="value", title=f"Suggested target: {s.name}",
                      summary=f"Suggestion for {where}: {s.message or 'not enough history to suggest one.'}",
                      kpi_id=k, context=Context(intent="value", kpi_id=k, filters=s.filters))
    fact("realistic", "realistic target", s.realistic)
    fact("stretch", "stretch target", s.stretch)
    good = "at least" if s.direction == "up" else "at most"
    summary = f"Suggestion (not a commitment) for {where}: realistic {good} {fmt_value(s.realistic, u)}"
    summary += f", stretch {fmt_value(s.stretch, u)}." if s.stretch is not None else "."
    why: list[str] = []
    if s.basis == "last_year":
        fact("last_year", "same period last year", s.last_year)
        fact("trailing", f"last {s.trailing_period.days} days", s.trailing)
        fact("trailing_last_year", f"same {s.trailing_period.days} days a year earlier", s.trailing_last_year)
        fact("trend", "trailing year-over-year change", s.trend, f"{(s.trend or 0) * 100:+.1f}%", "fraction")
        ly, tp = s.last_year_period, s.trailing_period
        for name, d in (("ly_start", ly.start), ("ly_end", ly.end), ("trailing_start", tp.start),
                        ("trailing_end", tp.end)):
            facts.append(_fact(f"{k}.suggest.{name}", name.replace("_", " "), None, d.isoformat(), "date", k, src))
        why.append(f"- Same period last year ({ly.start} to {ly.end}): {fmt_value(s.last_year, u)}; it carries "
                   "the season.")
        why.append(f"- Trend: the last {s.trailing_period.days} days ({s.trailing_period.start} to "
                   f"{s.trailing_period.end}) were {fmt_value(s.trailing, u)} against "
                   f"{fmt_value(s.trailing_last_year, u)} a year earlier, {(s.trend or 0) * 100:+.1f}%.")
        if s.season is not None:
            fact("season", "last year: period vs the trailing window", s.season, f"{s.season * 100:+.1f}%",
                 "fraction")
            why.append(f"- Season: last year this period ran {s.season * 100:+.1f}% against the same trailing "
                       "window.")
        why.append(f"- Realistic = last year's value moved by the trend: {fmt_value(s.realistic, u)}.")
    else:
        why.append(f"- No full year of history for {s.name}{scope} (or it is a stock), so the realistic target "
                   f"is the engine's projection: {fmt_value(s.realistic, u)}.")
    p = s.pace
    if p.low is not None and p.high is not None and p.projected is not None:
        for name, label, value in (("projected", "engine projection", p.projected),
                                   ("low", "projection range, low", p.low),
                                   ("high", "projection range, high", p.high)):
            fact(name, label, value)
        fact("backtests", "earlier periods behind the range", p.backtests, str(p.backtests), "")
        facts.extend(method_facts(p.method, f"{k}.suggest", k))
        why.append(f"- The engine projects {fmt_value(p.projected, u)} ({p.level * 100:.0f}% range "
                   f"{fmt_value(p.low, u)} to {fmt_value(p.high, u)}). {p.method}.")
        if s.stretch is not None:
            tail = (1 - p.level) / 2 * 100
            fact("odds", "share of earlier periods beyond the range's good end", tail, f"{tail:.0f}%", "percent")
            why.append(f"- Stretch = the realistic value moved to the good end of that range: "
                       f"{fmt_value(s.stretch, u)}; on the current course about {tail:.0f}% of periods get there.")
    facts.append(_fact(f"{k}.suggest.level", "range coverage", p.level * 100, f"{p.level * 100:.0f}%", "percent",
                       k, src))
    cmd = f"/kpi target set {k} {_typed(s.realistic, u)} for {s.period.label.replace(' ', '-')}"
    sections = [Section(title="Why these numbers", kind="values", text="\n".join(why)),
                Section(title="Adopt it", kind="help", text=(
                    f"A suggestion from the baseline, not a commitment: weigh launches, capacity and budget. "
                    f"To adopt it: `{cmd}`"))]
    return Answer(question="", intent="value", title=f"Suggested target: {s.name}{scope}", summary=summary,
                  kpi_id=k, sections=sections, facts=facts,
                  context=Context(intent="value", kpi_id=k, filters=dict(s.filters)))


def _typed(value: float, unit: str) -> str:
    """A value as the user would type it back: '4.2%', '1200000'."""
    if unit == "percent":
        return f"{value:.2f}%"
    if unit in ("count", "currency"):
        return f"{value:.0f}"
    return f"{value:.2f}"


def compose_owner(kpi: Kpi, targets: list[Target]) -> Answer:
    owners = [t for t in targets if t.owner]
    if kpi.owner:
        summary = f"{kpi.name} is owned by {kpi.owner} (from the team catalog)."
    elif owners:
        summary = f"No owner is set for {kpi.name} in the catalog; its targets name " + ", ".join(
            dict.fromkeys(f"{t.owner_name} ({t.period_label}{scope_text(t.filters)})" for t in owners)) + "."
    else:
        summary = f"No owner is recorded for {kpi.name}."
    sections = []
    if not kpi.owner:
        sections.append(Section(title="Record one", kind="help", text=(
            f"- In the team catalog (KPI_ADVISOR_CATALOG_PATHS): `- id: {kpi.id}` with `override: true` and "
            f"`owner: maria`\n- With a target: `/kpi target set {kpi.id} <value> by <date> owner=@maria`")))
    return Answer(question="", intent="explain", title=f"Who owns {kpi.name}", summary=summary, kpi_id=kpi.id,
                  sections=sections, context=Context(intent="explain", kpi_id=kpi.id))


def compose_cadence(kpi: Kpi, targets: list[Target]) -> Answer:
    if kpi.review_cadence:
        summary = f"{kpi.name} is reviewed {kpi.review_cadence} (from the team catalog)."
        sections = [Section(title="Practice", kind="note", text=CADENCE_PRACTICE)]
    else:
        summary = f"No review cadence is recorded for {kpi.name}."
        sections = [Section(title="Practice", kind="note", text=CADENCE_PRACTICE),
                    Section(title="Record one", kind="help", text=(
                        f"In the team catalog: `- id: {kpi.id}` with `override: true` and `review_cadence: monthly` "
                        "(weekly, monthly or quarterly)."))]
    if targets:
        periods = ", ".join(dict.fromkeys(f"{t.period_label}{scope_text(t.filters)}" for t in targets))
        sections.append(Section(title="Targets", kind="note", text=f"Its targets run over: {periods}."))
    return Answer(question="", intent="explain", title=f"When {kpi.name} is reviewed", summary=summary,
                  kpi_id=kpi.id, sections=sections, context=Context(intent="explain", kpi_id=kpi.id))


def _filters_text(filters: dict[str, list[str]]) -> str:
    return f" ({', '.join(d + '=' + '/'.join(v) for d, v in filters.items())})" if filters else ""


def note_citation(note: Note) -> str:
    return f"a note on {note.when()} says: {note.text}{_filters_text(note.filters)}"


def note_facts(notes: list[Note]) -> list[Fact]:
    """Notes are user data: their numbers, dates and the notes' own numbers are facts from the store."""
    out = []
    for n in notes:
        out.append(_fact(f"note_{n.id}.id", "note number", n.id, f"#{n.id}", "", None, "notes (user data)"))
        out += [_fact(f"note_{n.id}.{name}", f"note {name}", None, d.isoformat(), "date", None, "notes (user data)")
                for name, d in (("start", n.start), ("end", n.end))]
        for i, m in enumerate(extract_numbers(n.text)):  # "feed algorithm 2.0": the team's words, quoted
            if m.readings:
                out.append(_fact(f"note_{n.id}.text_{i}", "number in the note", m.readings[0].value, m.text, "",
                                 None, "notes (user data)"))
    return out


def compose_notes(notes: list[Note], *, scope: str = "") -> Answer:
    if not notes:
        return Answer(question="", intent="help", title="Notes", summary=f"No notes{scope} yet.", sections=[
            Section(title="Add one", kind="help",
                    text='`/kpi note 2026-11-18 "LinkedIn feed change" platform=linkedin`')])
    lines = [f"- #{n.id} {n.when()}: {n.text}{_filters_text(n.filters)}" + (f", by {n.author}" if n.author else "")
             for n in notes[-50:]]
    return Answer(question="", intent="help", title="Notes", summary=f"{len(notes)} note(s){scope}.",
                  sections=[Section(title="", kind="note", text="\n".join(lines))], facts=note_facts(notes[-50:]))


def compose_note_added(note: Note) -> Answer:
    text = note_citation(note)
    return Answer(question="", intent="help", title=f"Noted (#{note.id})", summary=text[0].upper() + text[1:] + ".",
                  sections=[Section(title="", kind="note", text=(
                      "Answers about why a KPI moved, digests and charts of that time will mention it."))],
                  facts=note_facts([note]))
