"""The Advisor: a question (and its thread) in, a grounded structured Answer out."""

from __future__ import annotations

import logging
import threading
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from .answer import Answer, ChartSpec, Context, Fact, ParsedQuestion
from .compose_clarify import COMMON_GOALS, compose_choose_goal, compose_choose_kpi, compose_unknown_platform
from .compose_guidance import (
    compose_explain, compose_help, compose_out_of_scope, compose_recommend, compose_verdict,
)
from .compose_numbers import compose_compare, compose_digest, compose_value, compose_why
from .errors import BadQuestion
from .parse import MAX_QUESTION_CHARS
from .understand import Understanding, understand

if TYPE_CHECKING:
    from kpi_engine import Engine

    from .conversations import ConversationStore
    from .settings import Settings
    from .workspaces import EngineProvider, WorkspaceConfig, WorkspaceStore

__all__ = ["Advisor"]

log = logging.getLogger("kpi_advisor.advisor")

_NUMBER_INTENTS = ("value", "compare", "why")


class Advisor:
    """Routes a question to the catalog, knowledge base and engine, then narrates.

    Collaborators are passed in; :meth:`from_settings` wires the defaults.
    ``knowledge`` needs ``retrieve(question, k, families, kpis)``; the narrator
    ``narrate(answer, history=...)``; ``router`` (optional, LLM) ``parse(...)``.
    """

    def __init__(
        self,
        *,
        engines: EngineProvider,
        workspaces: WorkspaceStore,
        conversations: ConversationStore,
        knowledge: Any,
        narrator: Any,
        router: Any = None,
    ):
        self._engines = engines
        self._workspaces = workspaces
        self._conversations = conversations
        self._knowledge = knowledge
        self._narrator = narrator
        self._router = router
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings, *, sample_end: date | None = None) -> Advisor:
        from knowledge import KnowledgeBase, create_embedder

        from .conversations import ConversationStore
        from .db import open_database
        from .workspaces import EngineProvider, WorkspaceStore, settings_defaults

        db = open_database(settings.state_url)
        key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
        knowledge = KnowledgeBase(
            store_dir=settings.chroma_dir, chroma_host=settings.chroma_host, chroma_port=settings.chroma_port,
            embedder=create_embedder(settings.embedder, model=settings.embedding_model, api_key=key,
                                     base_url=settings.openai_base_url),
            team_dirs=settings.knowledge_dirs,
        )
        narrator, router = _narrator(settings)
        from .goals import use_stem_cache

        use_stem_cache(settings.home / "cache" / "stems.json")  # cold starts skip re-stemming the goal cues
        engines = EngineProvider(sample_end=sample_end, cache_dir=settings.home / "cache")
        from .understand import warm_understanding

        warm_understanding(engines.catalog_for(settings_defaults(settings).get("catalog_paths") or []))
        return cls(engines=engines, workspaces=WorkspaceStore(db=db, defaults=settings_defaults(settings)),
                   conversations=ConversationStore(db=db), knowledge=knowledge, narrator=narrator, router=router)

    @property
    def knowledge(self) -> Any:
        return self._knowledge

    # ------------------------------------------------------------------ workspaces

    def workspace(self, team_id: str) -> WorkspaceConfig:
        return self._workspaces.get(team_id)

    def update_workspace(self, team_id: str, **changes: Any) -> WorkspaceConfig:
        return self._workspaces.update(team_id, **changes)

    def engine(self, workspace: str = "local", *, as_of: date | None = None) -> Engine:
        """The workspace's engine; ``as_of`` pins the last complete day (snapshots)."""
        today = as_of + timedelta(days=1) if as_of else None
        return self._engines.for_config(self._workspaces.get(workspace), today=today)

    # ------------------------------------------------------------------ questions

    def answer(self, question: str, *, workspace: str = "local", thread: str | None = None,
               user: str | None = None) -> Answer:
        if not isinstance(question, str) or not question.strip():
            raise BadQuestion('Ask a question, e.g. "which KPI for awareness?" or "engagement rate last 28 days".')
        question = question.strip()[:MAX_QUESTION_CHARS]
        context = self._conversations.context(workspace, thread) if thread else None
        engine = self.engine(workspace, as_of=_as_of(context))
        understanding = understand(question, catalog=engine.catalog, context=context, router=self._router)
        answer = self._compose_understood(understanding, question, engine, workspace)
        history = self._conversations.history(workspace, thread) if thread else []
        answer = self._narrate(answer, history, workspace)
        if context and context.as_of and not answer.context.as_of:
            answer = answer.model_copy(update={"context": answer.context.model_copy(update={"as_of": context.as_of})})
        if thread:
            self._conversations.remember(workspace, thread, answer)
        return answer

    def has_thread(self, thread: str, *, workspace: str) -> bool:
        """Whether this workspace has a conversation under ``thread`` (replies there are follow-ups)."""
        return self._conversations.context(workspace, thread) is not None

    def remember(self, thread: str, answer: Answer, *, workspace: str) -> None:
        """Record an answer posted outside `answer()` (a digest) as a thread's context."""
        self._conversations.remember(workspace, thread, answer)

    def run_action(self, action_id: str, payload: dict[str, Any], *, workspace: str = "local",
                   thread: str | None = None) -> Answer:
        """A button from an earlier answer: show_value, explain, breakdown, trend, recommend, subscribe."""
        context = self._conversations.context(workspace, thread) if thread else None
        engine = self.engine(workspace, as_of=_as_of(context))
        filters = {k: list(v) for k, v in (payload.get("filters") or {}).items()}
        kpi_id = payload.get("kpi_id")
        if action_id in ("show_value", "trend", "breakdown"):
            if not kpi_id:
                raise BadQuestion("That button has no KPI attached; ask for the KPI by name.")
            parsed = ParsedQuestion(intent="value", kpi_id=kpi_id, period=payload.get("period"),
                                    filters=filters, by=payload.get("by") if action_id == "breakdown" else None)
        elif action_id == "explain":
            parsed = ParsedQuestion(intent="explain", kpi_id=kpi_id)
        elif action_id == "recommend":
            parsed = ParsedQuestion(intent="recommend", goal=payload.get("goal") or "awareness")
        elif action_id == "subscribe":
            return _subscribe_help(payload.get("goal") or (context.goal if context else None) or "awareness")
        elif action_id in ("choose_goal", "choose_kpi"):
            answer = self._answer_pick(action_id, payload, engine, workspace)
            if thread:
                self._conversations.remember(workspace, thread, answer)
            return answer
        else:
            raise BadQuestion(f"Unknown action '{action_id}'.")
        question = f"[{action_id}] {kpi_id or payload.get('goal') or ''}".strip()
        answer = self._compose(parsed, question, engine, workspace)
        if thread:
            self._conversations.remember(workspace, thread, answer)
        return answer

    def compose_digest(self, *, workspace: str, goal: str | None = None, kpis: list[str] | None = None,
                       period: str = "last_week", filters: dict[str, list[str]] | None = None,
                       as_of: date | None = None) -> Answer:
        engine = self.engine(workspace, as_of=as_of)
        answer = compose_digest(engine, goal=goal, kpis=kpis, period=period, filters=filters)
        answer = answer.model_copy(update={"question": f"digest {goal or ','.join(kpis or [])} {period}"})
        return self._narrate(answer, [], workspace)

    def render_chart(self, spec: ChartSpec, *, workspace: str = "local", as_of: date | None = None) -> bytes:
        from kpi_engine.charts import render_breakdown_png, render_trend_png

        engine = self.engine(workspace, as_of=as_of)
        if spec.kind == "breakdown" and spec.by:
            return render_breakdown_png(engine.compute_breakdown(spec.kpi_id, spec.by, spec.period, spec.filters))
        trend = engine.compute_trend(spec.kpi_id, spec.period, spec.grain, spec.filters)
        highlight = engine.period(spec.highlight) if spec.highlight else None
        return render_trend_png(trend, highlight=highlight, title=spec.title)

    # ------------------------------------------------------------------ internals

    def _retrieve(self, question: str, k: int, families, kpis):
        from knowledge.errors import KnowledgeError

        try:
            return self._knowledge.retrieve(question, k=k, families=families, kpis=kpis)
        except KnowledgeError as exc:  # guidance is supporting material: answer without it
            log.warning("knowledge retrieval failed: %s", exc)
            return []

    def _compose_understood(self, u: Understanding, question: str, engine: Engine, workspace: str) -> Answer:
        """The answer to an understood question, carrying how sure the advisor is and why."""
        from kpi_engine.errors import FilterError

        catalog, parsed = engine.catalog, u.parsed
        if u.clarify == "kpi":
            intent = parsed.intent if parsed.intent in ("value", "compare", "why", "explain") else "value"
            answer = compose_choose_kpi(question, u.suggestions, catalog=catalog, unknown=u.unknown, intent=intent)
        elif u.clarify in ("goal", "governance"):
            answer = compose_choose_goal(question, u.alternatives, catalog=catalog,
                                         intent="recommend" if u.clarify == "governance" else parsed.intent,
                                         governance=u.clarify == "governance")
        elif parsed.intent == "verdict" and u.subject_kpi:
            answer = compose_verdict(parsed, subject=u.subject_kpi, question=question, catalog=catalog,
                                     retrieve=self._retrieve).model_copy(update={"question": question})
        else:
            try:
                answer = self._compose(parsed, question, engine, workspace)
            except FilterError as exc:  # a platform or value the data does not have: say which
                if parsed.kpi_id is None or parsed.intent not in _NUMBER_INTENTS:
                    raise
                answer = compose_unknown_platform(question, str(exc), kpi_id=parsed.kpi_id, period=parsed.period,
                                                  catalog=catalog)
        actions = list(answer.actions)
        if answer.intent in ("recommend", "verdict", "digest") and u.alternatives and not u.clarify:
            from .answer import Action
            from .compose_clarify import question_payload

            actions += [Action(id="choose_goal", label=f"Or: {catalog.goals[g].name}",
                               payload={"goal": g, "question": question_payload(question), "intent": answer.intent})
                        for g in u.alternatives[:2] if g in catalog.goals]
        return answer.model_copy(update={
            "confidence": round(u.confidence, 3), "understood_as": u.understood_as,
            "evidence": [f"resolved by {u.resolved_by}", *u.evidence][:12],
            "warnings": [*answer.warnings, *u.ignored], "actions": actions,
        })

    def _answer_pick(self, action_id: str, payload: dict[str, Any], engine: Engine, workspace: str) -> Answer:
        """A goal or KPI picked from a clarifying answer: the original question, answered with the pick."""
        catalog = engine.catalog
        question = str(payload.get("question") or "").strip()[:MAX_QUESTION_CHARS]
        u = understand(question, catalog=catalog) if question else None
        base = u.parsed if u else ParsedQuestion(intent="recommend")
        if action_id == "choose_goal":
            goal = str(payload.get("goal") or "")
            if goal not in catalog.goals:
                raise BadQuestion(f"Unknown goal '{goal}'. Goals: {', '.join(catalog.goals)}.")
            intent = str(payload.get("intent") or base.intent)
            intent = intent if intent in ("recommend", "digest", "verdict") else "recommend"
            if intent == "verdict" and not (u and u.subject_kpi):
                intent = "recommend"
            parsed = base.model_copy(update={"intent": intent, "goal": goal, "kpi_id": catalog.goals[goal].primary})
            picked = Understanding(parsed=parsed, confidence=1.0, resolved_by="your pick",
                                   subject_kpi=u.subject_kpi if u else None)
        else:
            kpi_id = str(payload.get("kpi_id") or "")
            if kpi_id not in catalog.kpis:
                raise BadQuestion(f"Unknown KPI '{kpi_id}'. `/kpi list` shows the KPIs I know.")
            intent = str(payload.get("intent") or base.intent)
            if intent not in ("value", "compare", "why", "explain"):
                intent = "value" if (base.period or base.filters or base.by) else "explain"
            parsed = base.model_copy(update={"intent": intent, "kpi_id": kpi_id, "goal": None, "topic": None})
            picked = Understanding(parsed=parsed, confidence=1.0, resolved_by="your pick")
        from dataclasses import replace

        from .understand import describe

        picked = replace(picked, understood_as=describe(picked, catalog))
        return self._compose_understood(picked, question or f"[{action_id}]", engine, workspace)

    def _compose(self, parsed: ParsedQuestion, question: str, engine: Engine, workspace: str) -> Answer:
        intent = parsed.intent
        if intent in _NUMBER_INTENTS and parsed.kpi_id is None:
            parsed = parsed.model_copy(update={"intent": "recommend" if parsed.goal else "help"})
            intent = parsed.intent
        if intent in ("recommend", "digest", "verdict") and parsed.goal is None and parsed.kpi_id is None:
            return compose_choose_goal(question, COMMON_GOALS, catalog=engine.catalog)  # never a guess
        if intent == "verdict":
            intent = "recommend"
        if intent == "recommend":
            answer = compose_recommend(parsed, question=question, catalog=engine.catalog, retrieve=self._retrieve)
        elif intent == "explain":
            answer = compose_explain(parsed, question=question, catalog=engine.catalog, retrieve=self._retrieve)
        elif intent == "value":
            answer = compose_value(engine, parsed)
        elif intent == "compare":
            answer = compose_compare(engine, parsed)
        elif intent == "why":
            answer = compose_why(engine, parsed)
        elif intent == "digest":
            goal = parsed.goal or engine.catalog.get(parsed.kpi_id).families[0]
            answer = compose_digest(engine, goal=goal, kpis=None, period=parsed.period or "last_7_days",
                                    filters=parsed.filters)
        elif intent == "help":
            answer = compose_help(question)
        else:
            answer = compose_out_of_scope(question)
        return answer.model_copy(update={"question": question})

    def _narrate(self, answer: Answer, history: list[str], workspace: str) -> Answer:
        if answer.intent in ("help", "out_of_scope", "clarify"):
            return answer
        # engine tools are bound to this workspace, so a model can only read this workspace's data
        narrator = self._narrator.with_tools(_WorkspaceTools(self, workspace))
        return narrator.narrate(answer, history=history)

    def kpi_facts(self, kpi_id: str, period: str, filters: dict[str, list[str]] | None,
                  *, workspace: str = "local") -> list[Fact]:
        """Engine tool for the LLM narrator: the facts behind one KPI value."""
        from .facts import value_facts

        return value_facts(self.engine(workspace).compute_value(kpi_id, period, filters))


class _WorkspaceTools:
    """The engine functions an LLM narrator may call, for one workspace."""

    def __init__(self, advisor: Advisor, workspace: str):
        self._advisor, self._workspace = advisor, workspace

    def get_kpi_value(self, kpi_id: str, period: str, filters: dict[str, list[str]] | None) -> list[Fact]:
        return self._advisor.kpi_facts(kpi_id, period, filters, workspace=self._workspace)


def _as_of(context: Context | None) -> date | None:
    return date.fromisoformat(context.as_of) if context and context.as_of else None


def _subscribe_help(goal: str) -> Answer:
    from .answer import Section

    cmd = f"/kpi digest subscribe weekly mon 09:00 Europe/Berlin goal={goal}"
    return Answer(
        question=f"[subscribe] {goal}", intent="help", title="Subscribe this channel to a digest",
        summary=f"Run `{cmd}` in the channel (change the day, time and timezone to yours).",
        sections=[Section(title="Options", kind="help", text=(
            "- Cadence: daily, weekly, monthly, or cron \"0 9 * * 1\"\n"
            "- Goal or KPIs: goal=awareness, or kpis=engagement_rate,click_through_rate\n"
            "- Filters: platform=instagram\n- Quiet weeks: quiet=brief (say so briefly) or quiet=skip"))],
        context=Context(intent="help", goal=goal),
    )


def _narrator(settings: Settings):
    from .narrator import TemplateNarrator

    if not settings.llm:
        return TemplateNarrator(), None
    from .llm import LlmNarrator, LlmRouter

    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
    common = dict(model=settings.llm_model, base_url=settings.openai_base_url, api_key=key,
                  timeout=settings.llm_timeout)
    return LlmNarrator(**common), LlmRouter(**common)
