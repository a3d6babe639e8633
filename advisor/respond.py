"""From an understood question to the answer that says how it was understood (and from a pick back to it)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any, cast

from kpi_engine.catalog import Catalog

from .answer import Action, Answer, Intent, ParsedQuestion
from .compose_clarify import (
    compose_choose_goal,
    compose_choose_kpi,
    compose_unknown_platform,
    question_payload,
)
from .compose_guidance import Retrieve, compose_verdict
from .errors import BadQuestion
from .parse import MAX_QUESTION_CHARS
from .understand import Understanding, describe, understand

__all__ = ["compose_understood", "understand_pick"]

_NUMBER_INTENTS = ("value", "compare", "why")


def compose_understood(u: Understanding, question: str, *, catalog: Catalog,
                       compose: Callable[[ParsedQuestion], Answer], retrieve: Retrieve) -> Answer:
    """The answer to ``u`` (asking when unsure), carrying its confidence, reading and evidence.

    ``compose`` answers a parsed question (the advisor's own composer for every intent).
    """
    from kpi_engine.errors import FilterError

    parsed = u.parsed
    if u.clarify == "kpi":
        intent = parsed.intent if parsed.intent in ("value", "compare", "why", "explain") else "value"
        answer = compose_choose_kpi(question, u.suggestions, catalog=catalog, unknown=u.unknown, intent=intent)
    elif u.clarify in ("goal", "governance"):
        answer = compose_choose_goal(question, u.alternatives, catalog=catalog,
                                     intent="recommend" if u.clarify == "governance" else parsed.intent,
                                     governance=u.clarify == "governance")
    elif parsed.intent == "verdict" and u.subject_kpi:
        answer = compose_verdict(parsed, subject=u.subject_kpi, question=question, catalog=catalog,
                                 retrieve=retrieve)
    else:
        try:
            answer = compose(parsed)
        except FilterError as exc:  # a platform or value the data does not have: say which
            if parsed.kpi_id is None or parsed.intent not in _NUMBER_INTENTS:
                raise
            answer = compose_unknown_platform(question, str(exc), kpi_id=parsed.kpi_id, period=parsed.period,
                                              catalog=catalog)
    actions = list(answer.actions)
    if answer.intent in ("recommend", "verdict", "digest") and u.alternatives and not u.clarify:
        actions += [Action(id="choose_goal", label=f"Or: {catalog.goals[g].name}",
                           payload={"goal": g, "question": question_payload(question), "intent": answer.intent})
                    for g in u.alternatives[:2] if g in catalog.goals]
    return answer.model_copy(update={
        "question": question, "confidence": round(u.confidence, 3), "understood_as": u.understood_as,
        "evidence": [f"resolved by {u.resolved_by}", *u.evidence][:12],
        "warnings": [*answer.warnings, *u.ignored], "actions": actions,
    })


def understand_pick(action_id: str, payload: dict[str, Any], *, catalog: Catalog) -> tuple[Understanding, str]:
    """A goal or KPI picked from a clarifying answer: the original question, read with the pick."""
    question = str(payload.get("question") or "").strip()[:MAX_QUESTION_CHARS]
    u = understand(question, catalog=catalog) if question else None
    base = u.parsed if u else ParsedQuestion(intent="recommend")
    asked = str(payload.get("intent") or base.intent)
    if action_id == "choose_goal":
        goal = str(payload.get("goal") or "")
        if goal not in catalog.goals:
            raise BadQuestion(f"Unknown goal '{goal}'. Goals: {', '.join(catalog.goals)}.")
        intent = asked if asked in ("recommend", "digest", "verdict") else "recommend"
        if intent == "verdict" and not (u and u.subject_kpi):
            intent = "recommend"
        parsed = base.model_copy(update={"intent": intent, "goal": goal, "kpi_id": catalog.goals[goal].primary})
        picked = Understanding(parsed=parsed, confidence=1.0, resolved_by="your pick",
                               subject_kpi=u.subject_kpi if u else None)
    else:
        kpi_id = str(payload.get("kpi_id") or "")
        if kpi_id not in catalog.kpis:
            raise BadQuestion(f"Unknown KPI '{kpi_id}'. `/kpi list` shows the KPIs I know.")
        intent = asked if asked in ("value", "compare", "why", "explain") else \
            ("value" if (base.period or base.filters or base.by) else "explain")
        parsed = base.model_copy(update={"intent": cast(Intent, intent), "kpi_id": kpi_id, "goal": None,
                                         "topic": None})
        picked = Understanding(parsed=parsed, confidence=1.0, resolved_by="your pick")
    return replace(picked, understood_as=describe(picked, catalog)), question or f"[{action_id}]"
