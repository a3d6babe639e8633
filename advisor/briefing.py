"""Briefings: "how are we doing?" answered with the team's goals for a scope and period, what matters first.

The KPIs are the team's: the goals and KPIs of its digest subscriptions and the KPIs of its
targets; every goal's primary KPI when it has set none. Their reports come from one call to the
batch digests and scorecards are built on (:func:`advisor.compose_numbers.digest_card`), so the
briefing makes the same tests with the same verdicts, and its tests form one family (what controls
false discoveries across a digest's tests controls them across the briefing's). Items are ranked: meaningful moves, then targets off
pace, then unusual days the engine flags (those that survive Benjamini-Hochberg over every day the
briefing judges, :func:`kpi_engine.multiplicity.unusual_days`), then the team's notes; KPIs with nothing to say are
summarised in one line. Every number is an engine (or user-data) fact.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Literal

from kpi_engine.multiplicity import unusual_days
from kpi_engine.periods import Period
from kpi_engine.results import KpiReport, Trend

from .answer import Action, Answer, Briefing, Context, Fact, ParsedQuestion, RankedItem, Section
from .compose_governance import note_citation, note_facts, pace_facts, pace_lines, target_id_fact
from .compose_numbers import digest_card
from .facts import report_facts, verdict_phrase
from .format import fmt_change, fmt_value

if TYPE_CHECKING:
    from sqlalchemy import Engine as SqlEngine

    from kpi_engine import Engine

    from .notes import NoteStore
    from .targets import Target, TargetStore

__all__ = ["DEFAULT_PERIOD", "MAX_LINES", "DigestGoals", "BriefScope", "team_scope", "compose_briefing"]

DEFAULT_PERIOD = "last_7_days"
MAX_LINES = 6  # lines before any detail: the lead sentence, the items, the quiet line
OFF_PACE = ("off_track", "at_risk", "missed")
_KIND_ORDER = {"move": 0, "target": 1, "unusual": 2, "note": 3}
VerdictClass = Literal["meaningful", "no_change", "too_early"]


# ---------------------------------------------------------------------------- which KPIs


class DigestGoals:
    """The goals and KPIs of a workspace's active digest subscriptions (read only).

    The subscriptions are written by the bot's digest service; the advisor only reads which
    goals and KPIs a team follows, from the same state database.
    """

    def __init__(self, *, db: SqlEngine):
        self._db = db

    def of(self, team_id: str) -> tuple[list[str], list[str]]:
        from sqlalchemy import select

        from advisor.state import tables

        t = tables.digest_subscriptions
        query = select(t.c.goal, t.c.kpis).where(t.c.team_id == team_id, t.c.kind == "digest",
                                                 t.c.status == "active").order_by(t.c.id)
        goals: list[str] = []
        kpis: list[str] = []
        with self._db.connect() as conn:
            for goal, listed in conn.execute(query):
                if goal and goal not in goals:
                    goals.append(goal)
                kpis += [k for k in (listed or []) if isinstance(k, str) and k not in kpis]
        return goals, kpis


@dataclass(frozen=True)
class BriefScope:
    goals: tuple[str, ...]  # goals whose primary KPI and diagnostics are covered
    kpis: tuple[str, ...]  # KPIs outside those goals
    source: str  # in words, where they came from
    targets: tuple[Target, ...] = ()


def team_scope(engine: Engine, workspace: str, *, digest_goals: DigestGoals | None,
               targets: TargetStore | None, filters: dict[str, list[str]]) -> BriefScope:
    """The goals and KPIs a briefing covers for ``workspace``."""
    from .targets import scope_key

    catalog = engine.catalog
    goals, listed = digest_goals.of(workspace) if digest_goals is not None else ([], [])
    goals = [g for g in goals if g in catalog.goals]
    listed = [k for k in listed if k in catalog.kpis]
    active = targets.list(workspace, active_on=engine.today() - timedelta(days=1)) if targets is not None else []
    in_scope = tuple(t for t in active if scope_key(t.filters) == scope_key(filters) and t.kpi_id in catalog.kpis)
    covered = {k for g in goals for k in (catalog.goals[g].primary, *catalog.goals[g].diagnostics)}
    extra = tuple(k for k in dict.fromkeys([*listed, *(t.kpi_id for t in in_scope)]) if k not in covered)
    if goals or listed or in_scope:
        named = [w for w, on in (("digest subscriptions", bool(goals or listed)), ("targets", bool(in_scope))) if on]
        return BriefScope(goals=tuple(goals), kpis=extra, source=" and ".join(named), targets=in_scope)
    primaries = tuple(dict.fromkeys(g.primary for g in catalog.goals.values()))
    return BriefScope(goals=(), kpis=primaries, source="every goal's primary KPI (no digests or targets set)",
                      targets=in_scope)


# ---------------------------------------------------------------------------- verdicts and rank


def _verdict_class(report: KpiReport) -> VerdictClass:
    """The engine's verdict on a change, in the three words a briefing uses.

    The one place (with :func:`_rank_key`) that reads the verdict representation.
    """
    verdict = report.previous.verdict
    if report.current.value is None or verdict in ("not_enough_data", "unclear"):
        return "too_early"  # "unclear": the interval is too wide to rule out a material move
    return "meaningful" if verdict in ("up", "down") else "no_change"


def _rank_key(report: KpiReport, *, primary: bool = False) -> tuple[float, ...]:
    """Among meaningful moves: a goal's primary KPI first, then bad news, then the larger relative change."""
    c = report.previous
    size = abs(c.rel_change) if c.rel_change is not None else 0.0
    return (0.0 if primary else 1.0, 0.0 if c.good is False else 1.0, -size)


# ---------------------------------------------------------------------------- items


@dataclass
class _Item:
    kind: Literal["move", "target", "unusual", "note"]
    text: str
    order: tuple[float, ...]
    kpi_id: str | None = None
    verdict: str | None = None
    status: str | None = None
    facts: list[Fact] = field(default_factory=list)


def _scope_words(filters: dict[str, list[str]]) -> str:
    return " on " + ", ".join("/".join(v) for v in filters.values()) if filters else ""


def _move_item(r: KpiReport, scope: str, *, primary: bool) -> _Item:
    v, c = r.current, r.previous
    text = (f"*{v.name}*{scope} {fmt_value(v.value, v.unit)}, {fmt_change(c.abs_change, c.rel_change, v.unit)} "
            f"vs the previous period: {verdict_phrase(c)}")
    return _Item("move", text, _rank_key(r, primary=primary), kpi_id=v.kpi_id, verdict=c.verdict, facts=report_facts(r))


def _unusual_facts(trend: Trend, points: list[Any]) -> list[Fact]:
    facts = []
    for p in points:
        key = f"{trend.kpi_id}.unusual.{p.start.isoformat()}"
        about: dict[str, Any] = {"name": trend.name, "period": "current", "period_label": f"{p.start}"}
        facts.append(Fact(key=f"{key}.value", label=f"{trend.name} on {p.start}", value=p.value,
                          display=fmt_value(p.value, trend.unit), unit=trend.unit, kpi_id=trend.kpi_id,
                          source=f"compute_trend({trend.kpi_id}, {trend.grain})", kind="value", **about))
        facts.append(Fact(key=f"{key}.expected", label=f"{trend.name} usual level for {p.start}", value=p.expected,
                          display=fmt_value(p.expected, trend.unit), unit=trend.unit, kpi_id=trend.kpi_id,
                          source=f"compute_trend({trend.kpi_id}, {trend.grain})", kind="value", **about))
        facts.append(Fact(key=f"{key}.start", label="unusual day", value=None, display=p.start.isoformat(),
                          unit="date", kpi_id=trend.kpi_id, source=f"compute_trend({trend.kpi_id}, {trend.grain})",
                          kind="start", **about))
    return facts


def _unusual_item(trend: Trend, scope: str, named: set[Any]) -> _Item | None:
    """The flagged buckets in ``named`` (those that survive the briefing's false-discovery control)."""
    odd = [p for p in trend.points if p.anomaly and p.start in named and p.value is not None
           and p.start >= trend.period.start]
    if not odd:
        return None
    shown = sorted(odd, key=lambda p: -abs(p.score or 0.0))[:2]
    when = "; ".join(f"{p.start}: {fmt_value(p.value, trend.unit)} against a usual {fmt_value(p.expected, trend.unit)}"
                     for p in sorted(shown, key=lambda p: p.start))
    more = f" (and {len(odd) - len(shown)} more)" if len(odd) > len(shown) else ""
    unit = {"day": "days", "week": "weeks", "month": "months"}[trend.grain]
    text = f"*{trend.name}*{scope}: unusual {unit}, {when}{more}"
    facts = _unusual_facts(trend, shown)
    if more:
        facts.append(Fact(key=f"{trend.kpi_id}.unusual.more", label="more unusual buckets", value=len(odd) - len(shown),
                          display=str(len(odd) - len(shown)), kpi_id=trend.kpi_id, source="compute_trend"))
    return _Item("unusual", text, (-max(abs(p.score or 0.0) for p in odd),), kpi_id=trend.kpi_id, facts=facts)


def _target_item(engine: Engine, t: Target) -> _Item | None:
    """A target off pace (off track, at risk, missed); None when it is on pace or cannot tell yet."""
    pace = engine.compute_pace(t.kpi_id, t.value, t.period(), t.filters)
    if pace.status not in OFF_PACE:
        return None
    text = pace_lines(pace, owner=t.owner_name, ident=t.id)[0].rstrip(".")
    order = (0.0 if pace.status in ("off_track", "missed") else 1.0, float(t.id))
    return _Item("target", text, order, kpi_id=t.kpi_id, status=pace.status,
                 facts=[*pace_facts(pace, f"target_{t.id}"), target_id_fact(t)])


# ---------------------------------------------------------------------------- the answer


def compose_briefing(engine: Engine, parsed: ParsedQuestion, *, workspace: str, scope: BriefScope,
                     notes: NoteStore | None = None) -> Answer:
    """The briefing for ``parsed``'s period and filters over ``scope``."""
    from kpi_engine.compute import normalise_filters

    catalog = engine.catalog
    p = engine.period(parsed.period or DEFAULT_PERIOD)
    asked = {d: list(v) for d, v in (parsed.filters or {}).items()}
    # resolve the filters once (case as in the data; unknown platforms are a clear error)
    in_scope = [k for g in scope.goals for k in (catalog.goals[g].primary, *catalog.goals[g].diagnostics)]
    probe = next((k for k in [*in_scope, *scope.kpis] if _splits_by(engine, k, asked)), None)
    filters = normalise_filters(engine.source, engine.kpi(probe), asked) if asked and probe else asked
    scope_text = _scope_words(filters)

    # one batch over every KPI in scope: the briefing's tests are one family, as a digest's are;
    # reports, trends and pace share the engine's day-level rollups
    wanted = list(dict.fromkeys([*in_scope, *scope.kpis]))
    with engine.batch(wanted):
        kept, unscoped, items = _compute(engine, scope, wanted, p, filters, scope_text, workspace, notes)
    classes = {r.current.kpi_id: _verdict_class(r) for r in kept}

    items.sort(key=lambda i: (_KIND_ORDER[i.kind], *i.order))
    notable = {i.kpi_id for i in items if i.kpi_id}
    quiet = [k for k, c in classes.items() if c == "no_change" and k not in notable]
    too_early = [k for k, c in classes.items() if c == "too_early" and k not in notable]
    return _answer(engine, p, filters, scope, kept, items, quiet, too_early, unscoped)


def _compute(engine: Engine, scope: BriefScope, wanted: list[str], p: Period, filters: dict[str, list[str]],
             scope_text: str, workspace: str, notes: NoteStore | None) -> tuple[list[KpiReport], list[str], list[_Item]]:
    """The reports, the KPIs left out of the scope, and the items (unsorted)."""
    catalog = engine.catalog
    scoped = [k for k in wanted if _splits_by(engine, k, filters)]
    unscoped = [k for k in wanted if k not in scoped]  # the data cannot split them by the filters asked
    kept: list[KpiReport] = []
    if scoped:
        card = digest_card(engine, goal=None, kpis=scoped, period=p, filters=filters)
        kept = [card.primary, *card.diagnostics]

    items: list[_Item] = []
    classes = {r.current.kpi_id: _verdict_class(r) for r in kept}
    primaries = {g.primary for g in catalog.goals.values()}
    for r in kept:
        if classes[r.current.kpi_id] == "meaningful":
            items.append(_move_item(r, scope_text, primary=r.current.kpi_id in primaries))
    for t in scope.targets:
        item = _target_item(engine, t)
        if item is not None:
            items.append(item)
    grain: Literal["day", "week"] = "day" if p.days <= 92 else "week"
    trends = [engine.compute_trend(r.current.kpi_id, p, grain, r.current.filters) for r in kept
              if classes[r.current.kpi_id] != "meaningful" and r.current.value is not None]
    # the days named are under false-discovery control over every day the briefing judges, as its
    # comparisons are over the digest's tests
    named = unusual_days(trends)
    for trend in trends:
        odd = _unusual_item(trend, scope_text, set(named.get(trend.kpi_id, ())))
        if odd is not None:
            items.append(odd)
    cited = notes.relevant(workspace, p.start, p.end, filters=filters) if notes is not None else []
    for n in cited[-3:]:
        text = note_citation(n)
        items.append(_Item("note", text[0].upper() + text[1:], (-n.start.toordinal(),), facts=note_facts([n])))

    return kept, unscoped, items


def _splits_by(engine: Engine, kpi_id: str, filters: dict[str, list[str]]) -> bool:
    from kpi_engine.schema import TABLES

    dims = TABLES[engine.kpi(kpi_id).formula.table].dimensions
    return all(d in dims for d in filters)


def _count_fact(key: str, label: str, n: int) -> Fact:
    return Fact(key=f"brief.{key}", label=label, value=float(n), display=str(n), source="briefing (count)")


def _period_words(p: Period) -> str:
    if p.kind == "custom":  # the label is the dates already
        return f"{p.start} to {p.end}" if p.start != p.end else f"{p.start}"
    return f"{p.label} ({p.start} to {p.end})" if p.start != p.end else f"{p.label} ({p.start})"


def _answer(engine: Engine, p: Period, filters: dict[str, list[str]], scope: BriefScope,
            reports: list[KpiReport], items: list[_Item], quiet: list[str], too_early: list[str],
            unscoped: list[str]) -> Answer:
    catalog = engine.catalog
    where = _scope_words(filters)
    when = _period_words(p)
    facts: list[Fact] = [f for r in reports for f in report_facts(r)]
    have = {f.key for f in facts}
    for i in items:
        facts += [f for f in i.facts if f.key not in have]
        have.update(f.key for f in i.facts)
    shown = items[:MAX_LINES - 2]  # the lead sentence and the quiet line frame them
    quiet_line = ""
    if quiet or too_early:
        others = ("other " if items else "") + ("KPI" if len(quiet) == 1 else "KPIs")
        parts = []
        if quiet:
            parts.append(f"{len(quiet)} {others}: no meaningful change")
            facts.append(_count_fact("quiet", "KPIs with no meaningful change", len(quiet)))
        if too_early:
            parts.append(f"{len(too_early)} too early to tell (not enough data)")
            facts.append(_count_fact("too_early", "KPIs too early to tell", len(too_early)))
        quiet_line = "; ".join(parts)
    if items:
        lead = items[0]
        summary = f"{_sentence(lead.text)}"
        lines = [f"- {i.text}" for i in shown[1:]]
        if len(items) > len(shown):
            lines.append(f"- and {len(items) - len(shown)} more below")
            facts.append(_count_fact("more", "items not in the first lines", len(items) - len(shown)))
        if quiet_line:
            lines.append(f"- {quiet_line}")
        title = f"Briefing{where}: {when}"
    else:
        n = len(reports)
        facts.append(_count_fact("kpis", "KPIs in the briefing", n))
        no_data = [r.current for r in reports if r.current.status == "no_data" and r.current.message]
        if too_early and not quiet and len(no_data) == n and n:  # e.g. a period after the data ends
            summary = f"No data{where} for {when}: {no_data[0].message}"
        elif too_early and not quiet:
            summary = f"Too early to tell{where} for {when}: not enough data to judge any of the {n} KPIs."
        elif too_early:
            summary = (f"Nothing to flag{where} for {when}: no meaningful change in {len(quiet)} KPIs, "
                       f"{len(too_early)} too early to tell; no target off pace, no unusual days.")
        else:
            summary = (f"Nothing to flag{where} for {when}: {n} KPIs, no meaningful change, no target off pace, "
                       "no unusual days.")
        if not reports:  # every KPI in scope lives in data that has no such split
            summary = f"None of the KPIs this briefing covers can be split{where}; ask without it."
        lines = []
        title = f"Briefing{where}: {when}, all quiet" if reports else f"Briefing{where}: {when}"
    sections: list[Section] = []
    if lines:
        sections.append(Section(title="", kind="summary", text="\n".join(lines)))
    if len(items) > len(shown):
        sections.append(Section(title="More", kind="note", text="\n".join(f"- {i.text}" for i in items[len(shown):])))
    sections.append(Section(title="All KPIs", kind="values", text="\n".join(_report_line(r) for r in reports)
                            or "No KPIs with data for this scope."))
    notes = [f"KPIs from {scope.source}."]
    if unscoped:
        names = ", ".join(catalog.kpis[k].name for k in dict.fromkeys(unscoped) if k in catalog.kpis)
        notes.append(f"Left out, the data cannot split them{where}: {names}.")
    by_id = {r.current.kpi_id: r for r in reports}
    methods = dict.fromkeys(by_id[i.kpi_id].previous.method for i in items
                            if i.kind == "move" and i.kpi_id in by_id and by_id[i.kpi_id].previous.method)
    if methods:
        notes.append("Each change is tested against the previous period: " + "; ".join(methods)
                     + ".")
    sections.append(Section(title="About this briefing", kind="note", text="\n".join(f"- {t}" for t in notes)))

    lead_kpi = next((i.kpi_id for i in items if i.kpi_id), None) or (reports[0].current.kpi_id if reports else None)
    goal = scope.goals[0] if scope.goals else (catalog.kpis[lead_kpi].families[0] if lead_kpi else None)
    period_key = f"{p.start}..{p.end}"
    actions: list[Action] = []
    if lead_kpi:
        name = catalog.kpis[lead_kpi].name
        payload = {"kpi_id": lead_kpi, "period": period_key, "filters": filters}
        if items:  # a quiet briefing has nothing to explain
            actions.append(Action(id="why", label=f"Why? ({name})", payload=payload))
        by = "content_type" if "platform" in filters else "platform"
        actions.append(Action(id="breakdown", label=f"Break down {name} by {by.replace('_', ' ')}",
                              payload={**payload, "by": by}))
    actions.append(Action(id="subscribe", label="Subscribe to this as a digest",
                          payload={"goal": goal, "filters": filters} if goal else {"filters": filters}))
    ranked = [RankedItem(rank=n, kind=i.kind, text=i.text, kpi_id=i.kpi_id, verdict=i.verdict, status=i.status,
                         facts=_shown_keys(i)) for n, i in enumerate(items, 1)]
    briefing = Briefing(period=period_key, period_label=p.label, filters=filters, scope=scope.source,
                        goals=list(scope.goals), kpis=[r.current.kpi_id for r in reports], items=ranked,
                        quiet=quiet, too_early=too_early, unscoped=list(dict.fromkeys(unscoped)))
    return Answer(
        question="", intent="brief", title=title, summary=summary, goal=goal, kpi_id=lead_kpi,
        sections=sections, facts=facts, actions=actions, briefing=briefing,
        context=Context(intent="brief", goal=goal, kpi_id=lead_kpi, period=period_key, filters=filters),
    )


def _shown_keys(item: _Item) -> list[str]:
    """The keys of the facts a line shows (a move's report carries more than its line says)."""
    keys = [f.key for f in item.facts]
    if item.kind != "move":
        return keys
    k = item.kpi_id
    wanted = [f"{k}.value", f"{k}.start", f"{k}.end", f"{k}.previous.value", f"{k}.previous.abs_change",
              f"{k}.previous.rel_change"]
    return [w for w in wanted if w in keys]


def _sentence(text: str) -> str:
    return text if text.endswith((".", "!", "?")) else text + "."


def _report_line(r: KpiReport) -> str:
    v, c = r.current, r.previous
    if v.value is None:
        return f"- {v.name}: no data"
    return f"- {v.name}: {fmt_value(v.value, v.unit)} ({fmt_change(c.abs_change, c.rel_change, v.unit)}, {verdict_phrase(c)})"

