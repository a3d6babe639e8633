"""Target and note operations for the front ends, and pace and notes added to number answers.

Module-level functions taking the Advisor first, so the bot can run them in the
advisor's worker processes (``bot.advisor_client.call_in_advisor``) and the CLI
in-process. Each returns an :class:`Answer` every front end renders its own way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from .answer import Answer, Fact, Section
from .compose_governance import (
    STATUS_WORDS,
    compose_note_added,
    compose_notes,
    compose_suggestion,
    compose_target_set,
    compose_targets,
    note_citation,
    note_facts,
    pace_facts,
    pace_lines,
    scope_text,
    target_id_fact,
)
from .errors import AdvisorError, BadQuestion
from .governance_parse import parse_note_command, parse_note_reply, parse_target_command, parse_target_value
from .target_alerts import evaluate_status_change

if TYPE_CHECKING:
    from kpi_engine import Engine

    from .notes import NoteStore
    from .targets import Target, TargetStore

__all__ = [
    "TargetAlertMessage",
    "add_note",
    "add_thread_note",
    "collect_target_alerts",
    "enrich_answer",
    "home_targets",
    "run_note_command",
    "run_target_command",
    "set_target",
]


def _stores(advisor: Any) -> tuple[TargetStore, NoteStore]:
    targets, notes = getattr(advisor, "targets", None), getattr(advisor, "notes", None)
    if targets is None or notes is None:
        raise AdvisorError("Targets and notes are not set up on this server (no state database).")
    return targets, notes


# ---------------------------------------------------------------------------- targets


def set_target(advisor: Any, team_id: str, *, kpi: str, value: str | float, period: str | None,
               filters: dict[str, list[str]] | None = None, owner: str | None = None,
               owner_label: str | None = None, user: str = "") -> Answer:
    """Create or change a target; the reply shows its pace at once."""
    from kpi_engine.compute import normalise_filters

    targets, _ = _stores(advisor)
    engine: Engine = advisor.engine(team_id)
    k = engine.kpi(kpi)
    number = value if isinstance(value, float | int) else parse_target_value(str(value), k.unit, k.name)
    p = engine.target_period(period or "this quarter")
    resolved = normalise_filters(engine.source, k, filters)
    target, created = targets.set(team_id, kpi_id=k.id, value=float(number), period=p, filters=resolved,
                                  owner=owner, owner_label=owner_label, created_by=user)
    answer = compose_target_set(engine, target, created)
    if not period:
        answer = answer.model_copy(update={"warnings": [
            f"No period given, so the target covers {p.label} ({p.start} to {p.end}); "
            "add `by 2027-03-31` or `for 2027-Q1` to choose."]})
    return answer


def run_target_command(advisor: Any, team_id: str, text: str, *, user: str = "") -> Answer:
    """`target set|list|remove|suggest ...` (the words after `target`)."""
    req = parse_target_command(text)
    targets, _ = _stores(advisor)
    engine: Engine = advisor.engine(team_id)
    if req.verb == "set":
        return set_target(advisor, team_id, kpi=req.kpi or "", value=req.value or "", period=req.period,
                          filters=req.filters, owner=req.owner, owner_label=req.owner_label, user=user)
    if req.verb == "remove":
        t = targets.remove(team_id, int(req.target_id or 0))
        return _done(f"Removed target #{t.id}: {engine.kpi(t.kpi_id).name}{scope_text(t.filters)} "
                     f"for {t.period_label}.", t)
    if req.verb == "suggest":
        k = engine.kpi(req.kpi or "")
        return compose_suggestion(engine.suggest_targets(k.id, req.period or "next quarter", req.filters))
    kpi = engine.kpi(req.kpi) if req.kpi else None
    active = engine.today() - timedelta(days=31)
    shown = targets.list(team_id, kpi_id=kpi.id if kpi else None, active_on=active)
    return compose_targets(engine, shown, kpi=kpi, filters=req.filters)


def _done(text: str, t: Target) -> Answer:
    facts = [target_id_fact(t)] + [
        Fact(key=f"target_{t.id}.{name}", label=f"target period {name}", value=None, display=d.isoformat(),
             unit="date", kpi_id=t.kpi_id, source="targets (user data)")
        for name, d in (("start", t.period_start), ("end", t.period_end))]
    return Answer(question="", intent="help", title=text.split(":")[0], summary=text, facts=facts)


# ---------------------------------------------------------------------------- notes


def add_note(advisor: Any, team_id: str, *, start: date, text: str, end: date | None = None,
             filters: dict[str, list[str]] | None = None, author: str = "", source: str = "cli") -> Answer:
    """Record a note; filters are checked against the data like a question's."""
    _, notes = _stores(advisor)
    checked = _check_note_filters(advisor.engine(team_id), filters)
    note = notes.add(team_id, start=start, end=end, text=text, filters=checked, author=author, source=source)
    return compose_note_added(note)


def _check_note_filters(engine: Engine, filters: dict[str, list[str]] | None) -> dict[str, list[str]]:
    """Known dimensions and values (case as in the data), as for a question about posts."""
    if not filters:
        return {}
    from kpi_engine.compute import normalise_filters

    return normalise_filters(engine.source, engine.kpi("impressions"), filters)


def run_note_command(advisor: Any, team_id: str, text: str, *, user: str = "", source: str = "slack") -> Answer:
    """`note [add] DATE "text" [dim=value] | list | remove ID` (the words after `note`)."""
    _, notes = _stores(advisor)
    engine: Engine = advisor.engine(team_id)
    req = parse_note_command(text, today=engine.today())
    if req.verb == "remove":
        n = notes.remove(team_id, int(req.note_id or 0))
        return Answer(question="", intent="help", title=f"Removed note #{n.id}",
                      summary=f"Removed note #{n.id} ({n.when()}: {n.text}).", facts=note_facts([n]))
    if req.verb == "list":
        shown = notes.list(team_id, start=req.start, end=req.end, filters=req.filters or None)
        return compose_notes(shown, scope=scope_text(req.filters))
    assert req.start is not None
    return add_note(advisor, team_id, start=req.start, end=req.end, text=req.text, filters=req.filters,
                    author=user, source=source)


def add_thread_note(advisor: Any, team_id: str, text: str, *, thread: str, user: str = "") -> Answer | None:
    """A 'note: ...' reply in a digest thread: dated the digest's period unless a date is given."""
    engine: Engine = advisor.engine(team_id)
    req = parse_note_reply(text, today=engine.today())
    if req is None:
        return None
    context = advisor.thread_context(thread, workspace=team_id)
    start, end = req.start, req.end
    if start is None:
        period = (context.period if context else None) or ""
        if ".." not in period:
            raise BadQuestion("Which day? Write `note: 2026-11-18 what happened` in this thread.")
        a, _, b = period.partition("..")
        start, end = date.fromisoformat(a), date.fromisoformat(b)
    filters = {**(context.filters if context else {}), **req.filters}
    return add_note(advisor, team_id, start=start, end=end, text=req.text, filters=filters, author=user,
                    source="thread")


# ---------------------------------------------------------------------------- App Home and alerts


def home_targets(advisor: Any, team_id: str, limit: int = 10) -> list[dict[str, Any]]:
    """Active targets with their pace, as plain data for the App Home."""
    targets, _ = _stores(advisor)
    engine: Engine = advisor.engine(team_id)
    out = []
    for t in targets.list(team_id, active_on=engine.today() - timedelta(days=1))[:limit]:
        pace = engine.compute_pace(t.kpi_id, t.value, t.period(), t.filters)
        out.append({"id": t.id, "kpi_id": t.kpi_id, "status": pace.status, "status_words": STATUS_WORDS[pace.status],
                    "owner": t.owner_user, "owner_name": t.owner_name,
                    "line": pace_lines(pace)[0].replace("*", "")})
    return out


@dataclass(frozen=True)
class TargetAlertMessage:
    team_id: str
    user: str  # Slack user id to DM
    answer: Answer
    target_id: int
    status: str


def collect_target_alerts(advisor: Any, *, teams: list[str] | None = None) -> list[TargetAlertMessage]:
    """Evaluate every active target; remember status changes (once, across processes) and return the DMs due.

    A change is claimed in the database before it is returned, so two schedulers never tell
    an owner twice; a DM that then fails to post is logged by the caller, not retried.
    """
    targets, _ = _stores(advisor)
    out: list[TargetAlertMessage] = []
    for team in teams if teams is not None else targets.teams(active_on=date.today() - timedelta(days=2)):
        engine: Engine = advisor.engine(team)
        for t in targets.list(team, active_on=engine.today() - timedelta(days=1)):
            pace = engine.compute_pace(t.kpi_id, t.value, t.period(), t.filters)
            change = evaluate_status_change(t.last_status, pace.status)
            if change.record is None or not targets.record_status(team, t.id, old=t.last_status, new=change.record):
                continue
            to = t.owner_user or (t.created_by if t.created_by[:1] in ("U", "W") else None)
            if change.notify and to:
                out.append(TargetAlertMessage(team_id=team, user=to, answer=_alert_answer(t, pace, to),
                                              target_id=t.id, status=pace.status))
    return out


def _alert_answer(t: Target, pace: Any, to: str) -> Answer:
    words = STATUS_WORDS[pace.status]
    lines = pace_lines(pace, ident=t.id)
    head = {"off_track": "went off track", "on_track": "is back on track"}.get(pace.status, words)
    why = "" if t.owner_user == to else " (you set it; it has no Slack owner)"
    return Answer(question=f"[target alert] #{t.id}", intent="value",
                  title=f"Target #{t.id}: {pace.name}{scope_text(t.filters)} {head}",
                  summary=lines[0].replace("*", "") + why, kpi_id=t.kpi_id,
                  sections=[Section(title="Pace", kind="values", text="\n".join(lines[1:]) or lines[0])],
                  facts=[*pace_facts(pace, f"target_{t.id}"), target_id_fact(t)])


# ---------------------------------------------------------------------------- pace and notes in answers


def _period_of(answer: Answer) -> tuple[date, date] | None:
    text = (answer.chart.highlight or answer.chart.period) if answer.chart else answer.context.period
    if not text or ".." not in text:
        return None
    a, _, b = text.partition("..")
    try:
        return date.fromisoformat(a), date.fromisoformat(b)
    except ValueError:
        return None


def enrich_answer(advisor: Any, answer: Answer, engine: Engine, workspace: str) -> Answer:
    """Add pace toward matching targets to value answers and scorecards, notes to why answers and digests."""
    targets, notes = getattr(advisor, "targets", None), getattr(advisor, "notes", None)
    if targets is None or notes is None:
        return answer
    from .targets import scope_key

    sections, facts, summary = list(answer.sections), list(answer.facts), answer.summary
    filters = dict(answer.context.filters or {})
    if answer.intent in ("value", "compare", "digest") and answer.kpi_id:
        kpis = [answer.kpi_id, *answer.diagnostics] if answer.intent == "digest" else [answer.kpi_id]
        active = targets.list(workspace, active_on=engine.today() - timedelta(days=1))
        lines = []
        for t in [t for t in active if t.kpi_id in kpis and scope_key(t.filters) == scope_key(filters)][:5]:
            pace = engine.compute_pace(t.kpi_id, t.value, t.period(), t.filters)
            facts += [*pace_facts(pace, f"target_{t.id}"), target_id_fact(t)]
            lines.append("- " + " ".join(pace_lines(pace, owner=t.owner_name, ident=t.id)))
        if lines:
            sections.insert(_after_values(sections), Section(title="Target", kind="values", text="\n".join(lines)))
    span = _period_of(answer)
    if answer.intent in ("why", "digest") and span is not None:
        cited = notes.relevant(workspace, span[0], span[1], filters=filters)
        if cited:
            facts += note_facts(cited)
            text = "\n".join(f"- {note_citation(n)[0].upper()}{note_citation(n)[1:]}" for n in cited[-5:])
            sections.insert(_after_values(sections) + 1, Section(title="Notes from the team", kind="note", text=text))
            if answer.intent == "why":
                first = note_citation(cited[-1])
                summary = f"{summary} Also, {first}."
    if sections == answer.sections:
        return answer
    return answer.model_copy(update={"sections": sections, "facts": facts, "summary": summary})


def _after_values(sections: list[Section]) -> int:
    idx = [i for i, s in enumerate(sections) if s.kind in ("values", "drivers")]
    return (idx[0] + 1) if idx else 0
