"""Questions about targets, pace, owners, review cadence and notes, answered before the general parser.

"what is our engagement rate target?", "are we on track?", "suggest a target for saves next quarter",
"who owns saves per 1,000 impressions?", "when do we review it?", "any notes for linkedin?".
The KPI, filters and period come from the general parser (and the thread's context for
"it"); only the question's kind is decided here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from .answer import Answer, Context, Section
from .parse import normalise, parse_question

if TYPE_CHECKING:
    from kpi_engine import Engine
    from kpi_engine.catalog import Catalog

__all__ = ["GovernanceQuestion", "answer_governance", "route_governance"]

_SUGGEST = re.compile(
    r"\bsuggest\w*\b.*\btargets?\b|\btargets?\b.*\bsuggest\w*\b|\b(?:realistic|stretch) (?:\w+ )?targets?\b"
    r"|\bwhat should (?:our|the|my) (?:[a-z0-9]+ ){0,5}targets? be\b|\bpropose\w* (?:a )?targets?\b"
    r"|\bhelp (?:me |us )?set (?:a )?targets?\b")
_TARGET = re.compile(r"\btargets?\b(?! (?:audience|group|market|customer|persona))|\bon (?:track|pace)\b"
                     r"|\bpacing\b|\bahead of pace\b|\bbehind pace\b")
_TARGET_VERB = re.compile(r"\b(?:to|should|we|i|you|can|could|must) target\b")
_OWNER = re.compile(r"\bwho (?:s |is )?(?:owns?|the owner|responsible|accountable|in charge)\b|\bowner of\b"
                    r"|\bwhose (?:kpi|metric|number)\b|\bwho (?:looks after|manages|runs)\b|\bwho s the owner\b")
_CADENCE = re.compile(r"\b(?:when|how often|how frequently)\b.*\b(?:review|reviewed|reviewing|look at|discuss)\b"
                      r"|\breview (?:cadence|frequency|schedule|rhythm)\b|\bcadence of (?:the )?review")
_NOTES = re.compile(r"\b(?:list|show|any|what|which|see|our|all) (?:the )?(?:notes|annotations)\b"
                    r"|\b(?:notes|annotations) (?:for|on|about|from|in)\b")


@dataclass(frozen=True)
class GovernanceQuestion:
    kind: str  # target | suggest | owner | cadence | notes
    kpi_id: str | None = None
    filters: dict[str, list[str]] = field(default_factory=dict)
    period: str | None = None


def route_governance(question: str, *, catalog: Catalog, context: Context | None = None) -> GovernanceQuestion | None:
    """The governance question asked, or None for everything else (the general parser's)."""
    text = normalise(question)
    kind = None
    if _SUGGEST.search(text):
        kind = "suggest"
    elif _OWNER.search(text):
        kind = "owner"
    elif _CADENCE.search(text):
        kind = "cadence"
    elif _TARGET.search(text) and not _TARGET_VERB.search(text):
        kind = "target"
    elif _NOTES.search(text):
        kind = "notes"
    if kind is None:
        return None
    parsed = parse_question(question, catalog=catalog, context=context)
    kpi_id = parsed.kpi_id
    if kpi_id is None and context is not None and re.search(r"\b(?:it|this|that|this kpi|that kpi)\b", text):
        kpi_id = context.kpi_id  # "when do we review it?"
    if parsed.intent == "recommend" and not re.search(r"\b" + re.escape((kpi_id or "").replace("_", " ")), text):
        kpi_id = None if kind in ("target", "notes") else kpi_id  # a goal's primary KPI is not a named KPI
    return GovernanceQuestion(kind=kind, kpi_id=kpi_id, filters=dict(parsed.filters), period=parsed.period)


def answer_governance(advisor: Any, question: str, *, engine: Engine, workspace: str,
                      context: Context | None) -> Answer | None:
    """The answer to a governance question, or None when the question is not one."""
    from .compose_governance import (
        compose_cadence,
        compose_notes,
        compose_owner,
        compose_suggestion,
        compose_targets,
        scope_text,
    )

    q = route_governance(question, catalog=engine.catalog, context=context)
    if q is None:
        return None
    targets_store, notes_store = getattr(advisor, "targets", None), getattr(advisor, "notes", None)
    kpi = engine.kpi(q.kpi_id) if q.kpi_id else None
    if q.kind in ("owner", "cadence", "suggest") and kpi is None:
        return _which_kpi(q.kind)
    recent = engine.today() - timedelta(days=31)  # ended within a month: still worth showing
    targets = targets_store.list(workspace, kpi_id=kpi.id if kpi else None, active_on=recent) if targets_store else []
    answer: Answer
    if q.kind == "suggest":
        assert kpi is not None
        period = _target_period_words(question) or "next quarter"
        answer = compose_suggestion(engine.suggest_targets(kpi.id, period, q.filters))
    elif q.kind == "owner":
        assert kpi is not None
        answer = compose_owner(kpi, targets)
    elif q.kind == "cadence":
        assert kpi is not None
        answer = compose_cadence(kpi, targets)
    elif q.kind == "notes":
        if notes_store is None:
            return None
        notes = notes_store.list(workspace, filters=q.filters or None)
        answer = compose_notes(notes, scope=scope_text(q.filters))
    else:
        from .notes import fits

        shown = [t for t in targets if fits(t.filters, q.filters)] if q.filters else targets
        answer = compose_targets(engine, shown, kpi=kpi, filters=q.filters)
    return answer.model_copy(update={"question": question})


_TARGET_PERIOD = re.compile(
    r"\b(by \d{4}-\d{2}-\d{2}|\d{4}-\d{2}-\d{2}\s*(?:\.\.|to)\s*\d{4}-\d{2}-\d{2}|\d{4}\s*-?\s*q[1-4]"
    r"|q[1-4]\s*-?\s*\d{4}|(?:this|next)[ _](?:month|quarter|year)|\d{4}-\d{2})\b")


def _target_period_words(question: str) -> str | None:
    """The target period a question names ('2027-Q1', 'next quarter', 'by 2027-03-31'), if any."""
    m = _TARGET_PERIOD.search(question.lower())
    return m.group(1) if m else None


def _which_kpi(kind: str) -> Answer:
    example = {"owner": "who owns engagement_rate?", "cadence": "when do we review engagement_rate?",
               "suggest": "suggest a target for engagement_rate next quarter"}[kind]
    return Answer(question="", intent="help", title="Which KPI?",
                  summary=f'Which KPI do you mean? Name it, e.g. "{example}".',
                  sections=[Section(title="", kind="help", text="`/kpi list` shows the KPIs I know.")],
                  context=Context(intent="help"))
