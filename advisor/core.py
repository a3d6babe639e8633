"""The Advisor: a question (and its thread) in, a grounded structured Answer out."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from contextlib import nullcontext
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from .answer import Answer, ChartSpec, Context, Fact, ParsedQuestion
from .compose_clarify import COMMON_GOALS, compose_choose_goal
from .compose_guidance import (
    compose_explain,
    compose_help,
    compose_out_of_scope,
    compose_recommend,
)
from .compose_numbers import compose_compare, compose_digest, compose_value, compose_why
from .compose_trend import asks_for_trend, compose_trend
from .deadline import Budget
from .errors import BadQuestion
from .governance import enrich_answer
from .parse import MAX_QUESTION_CHARS
from .respond import compose_understood, understand_pick
from .route_governance import answer_governance
from .understand import understand

if TYPE_CHECKING:
    from knowledge import KnowledgeBase
    from kpi_engine import Engine

    from .briefing import DigestGoals
    from .conversations import ConversationStore
    from .llm import LlmRouter
    from .narrator import Narrator
    from .notes import NoteStore
    from .settings import Settings
    from .targets import TargetStore
    from .workspaces import EngineProvider, WorkspaceConfig, WorkspaceStore

__all__ = ["Advisor", "build_knowledge_base"]

log = logging.getLogger("kpi_advisor.advisor")

_NUMBER_INTENTS = ("value", "compare", "why")


class Advisor:
    """Routes a question to the catalog, knowledge base and engine, then narrates.

    Collaborators are passed in; :meth:`from_settings` wires the defaults.
    ``knowledge`` needs ``retrieve(question, k, families, kpis)``; the narrator
    ``narrate(answer, history=...)``; ``router`` (optional, LLM) ``parse(...)``.
    ``budget_seconds`` is one answer's time for waiting on models: routing, guidance
    retrieval and narration share it (``advisor.deadline``).
    """

    def __init__(
        self,
        *,
        engines: EngineProvider,
        workspaces: WorkspaceStore,
        conversations: ConversationStore,
        knowledge: Any,
        narrator: Narrator,
        router: LlmRouter | None = None,
        targets: TargetStore | None = None,
        notes: NoteStore | None = None,
        digest_goals: DigestGoals | None = None,
        budget_seconds: float = 8.0,
    ):
        self._engines = engines
        self._workspaces = workspaces
        self._conversations = conversations
        self._knowledge = knowledge
        self._narrator = narrator
        self._router = router
        self.targets, self.notes = targets, notes  # targets and notes per workspace (None: not kept)
        self.digest_goals = digest_goals  # the goals a team's digests follow (briefings cover them)
        self._budget_seconds = budget_seconds
        self._lock = threading.Lock()
        self._warm = False

    @classmethod
    def from_settings(cls, settings: Settings, *, sample_end: date | None = None) -> Advisor:
        from .briefing import DigestGoals
        from .conversations import ConversationStore
        from .db import open_database
        from .notes import NoteStore
        from .targets import TargetStore
        from .workspaces import EngineProvider, WorkspaceStore, settings_defaults

        db = open_database(settings.state_url)
        knowledge = build_knowledge_base(settings)
        narrator, router = _narrator(settings)
        from .stemming import use_stem_cache

        use_stem_cache(settings.home / "cache" / "stems.json")  # cold starts skip re-stemming the goal cues
        engines = EngineProvider(sample_end=sample_end, cache_dir=settings.home / "cache")
        from .understand import warm_understanding

        warm_understanding(engines.catalog_for(settings_defaults(settings).get("catalog_paths") or []))
        return cls(engines=engines, workspaces=WorkspaceStore(db=db, defaults=settings_defaults(settings)),
                   conversations=ConversationStore(db=db), knowledge=knowledge, narrator=narrator, router=router,
                   targets=TargetStore(db=db), notes=NoteStore(db=db), digest_goals=DigestGoals(db=db),
                   budget_seconds=settings.llm_timeout)

    def warm_up(self) -> None:
        """Load the language-model client libraries now (seconds), not inside an answer's budget.

        `serve` and each advisor worker process call it at start; ``answer()`` calls it too,
        so a first answer pays the import before its clock starts.
        """
        if self._warm:
            return
        for part in (self._narrator, self._router):
            warm = getattr(part, "warm_up", None)
            if callable(warm):
                try:
                    warm()
                except ImportError:  # the narrator then serves template wording and says why
                    log.warning("the language-model client cannot be loaded", exc_info=True)
        self._warm = True

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
        self.warm_up()
        budget = Budget(self._budget_seconds)
        context = self._conversations.context(workspace, thread) if thread else None
        engine = self.engine(workspace, as_of=_as_of(context))
        missed: list[str] = []
        retrieve = self._retriever(budget, missed)
        answer = answer_governance(self, question, engine=engine, workspace=workspace, context=context)
        if answer is None:  # targets, owners and cadence first; everything else is understood as usual
            # a configured LLM router waits on the network: that wait is charged to the answer's budget
            with budget.spend() if self._router is not None else nullcontext():
                understanding = understand(question, catalog=engine.catalog, context=context, router=self._router)
            answer = compose_understood(understanding, question, catalog=engine.catalog, retrieve=retrieve,
                                        compose=lambda p: self._compose(p, question, engine, workspace, retrieve))
        answer = _note_missing_guidance(answer, missed)
        history = self._conversations.history(workspace, thread) if thread else []
        answer = self._narrate(answer, history, workspace, budget)
        if context and context.as_of and not answer.context.as_of:
            answer = answer.model_copy(update={"context": answer.context.model_copy(update={"as_of": context.as_of})})
        if thread:
            self._conversations.remember(workspace, thread, answer)
        return answer

    def thread_context(self, thread: str, *, workspace: str) -> Context | None:
        """The latest context of a thread in this workspace (a digest's period for `note:` replies)."""
        return self._conversations.context(workspace, thread)

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
        missed: list[str] = []
        retrieve = self._retriever(Budget(self._budget_seconds), missed)
        if action_id == "trend":  # the trend itself, not the value again
            if not kpi_id:
                raise BadQuestion("That button has no KPI attached; ask for the KPI by name.")
            answer = compose_trend(engine, kpi_id, period=payload.get("period"), filters=filters)
            answer = _note_missing_guidance(answer, missed)
            if thread:
                self._conversations.remember(workspace, thread, answer)
            return answer
        if action_id in ("show_value", "breakdown", "why"):
            if not kpi_id:
                raise BadQuestion("That button has no KPI attached; ask for the KPI by name.")
            parsed = ParsedQuestion(intent="why" if action_id == "why" else "value", kpi_id=kpi_id,
                                    period=payload.get("period"), filters=filters,
                                    by=payload.get("by") if action_id == "breakdown" else None)
        elif action_id == "explain":
            parsed = ParsedQuestion(intent="explain", kpi_id=kpi_id)
        elif action_id == "recommend":
            parsed = ParsedQuestion(intent="recommend", goal=payload.get("goal") or "awareness")
        elif action_id == "subscribe":
            return _subscribe_help(payload.get("goal") or (context.goal if context else None) or "awareness",
                                   filters)
        elif action_id in ("choose_goal", "choose_kpi"):  # answers the original question with the pick
            picked, asked = understand_pick(action_id, payload, catalog=engine.catalog)
            answer = compose_understood(picked, asked, catalog=engine.catalog, retrieve=retrieve,
                                        compose=lambda p: self._compose(p, asked, engine, workspace, retrieve))
            answer = _note_missing_guidance(answer, missed)
            if thread:
                self._conversations.remember(workspace, thread, answer)
            return answer
        else:
            raise BadQuestion(f"Unknown action '{action_id}'.")
        question = f"[{action_id}] {kpi_id or payload.get('goal') or ''}".strip()
        answer = _note_missing_guidance(self._compose(parsed, question, engine, workspace, retrieve), missed)
        if thread:
            self._conversations.remember(workspace, thread, answer)
        return answer

    def compose_digest(self, *, workspace: str, goal: str | None = None, kpis: list[str] | None = None,
                       period: str = "last_week", filters: dict[str, list[str]] | None = None,
                       as_of: date | None = None) -> Answer:
        engine = self.engine(workspace, as_of=as_of)
        answer = compose_digest(engine, goal=goal, kpis=kpis, period=period, filters=filters)
        answer = answer.model_copy(update={"question": f"digest {goal or ','.join(kpis or [])} {period}"})
        answer = enrich_answer(self, answer, engine, workspace)  # pace toward targets, the team's notes
        self.warm_up()
        return self._narrate(answer, [], workspace, Budget(self._budget_seconds))

    def compose_briefing(self, parsed: ParsedQuestion, *, engine: Engine, workspace: str) -> Answer:
        """The team's goals for ``parsed``'s period and filters, what matters first (``advisor.briefing``)."""
        from .briefing import compose_briefing, team_scope

        scope = team_scope(engine, workspace, digest_goals=self.digest_goals, targets=self.targets,
                           filters=parsed.filters)
        return compose_briefing(engine, parsed, workspace=workspace, scope=scope, notes=self.notes)

    def render_chart(self, spec: ChartSpec, *, workspace: str = "local", as_of: date | None = None) -> bytes:
        from kpi_engine.charts import render_breakdown_png, render_trend_png

        engine = self.engine(workspace, as_of=as_of)
        if spec.kind == "breakdown" and spec.by:
            return render_breakdown_png(engine.compute_breakdown(spec.kpi_id, spec.by, spec.period, spec.filters))
        trend = engine.compute_trend(spec.kpi_id, spec.period, spec.grain, spec.filters)
        highlight = engine.period(spec.highlight) if spec.highlight else None
        notes = self.notes.relevant(workspace, trend.period.start, trend.period.end, spec.filters) if self.notes else []
        return render_trend_png(trend, highlight=highlight, title=spec.title,
                                notes=[(n.start, n.end, n.text) for n in notes])

    # ------------------------------------------------------------------ internals

    def _retriever(self, budget: Budget, missed: list[str]) -> Callable[..., list[Any]]:
        """Guidance retrieval inside ``budget``; each miss is noted in ``missed`` (guidance is
        supporting material: the answer goes out without it, saying so)."""

        def retrieve(question: str, k: int, families: Any, kpis: Any) -> list[Any]:
            from knowledge.embeddings import query_deadline
            from knowledge.errors import KnowledgeError

            if budget.exhausted:
                missed.append("no time was left for it")
                return []
            try:
                ensure_built = getattr(self._knowledge, "ensure_built", None)
                if callable(ensure_built):  # a first build is set-up, like loading data: not charged
                    ensure_built()
                with budget.spend() as at, query_deadline(at):
                    return list(self._knowledge.retrieve(question, k=k, families=families, kpis=kpis))
            except KnowledgeError as exc:
                log.warning("knowledge retrieval failed: %s", exc)
                timed_out = "in time" in str(exc) or "time left" in str(exc)
                missed.append("the knowledge base did not answer in time" if timed_out
                              else "the knowledge base could not be searched")
                return []

        return retrieve

    def _compose(self, parsed: ParsedQuestion, question: str, engine: Engine, workspace: str,
                 retrieve: Callable[..., list[Any]]) -> Answer:
        if parsed.intent == "brief":
            return self.compose_briefing(parsed, engine=engine, workspace=workspace).model_copy(
                update={"question": question})
        answer = self._compose_intent(parsed, question, engine, retrieve)
        answer = enrich_answer(self, answer, engine, workspace)  # pace toward targets, the team's notes
        return answer.model_copy(update={"question": question})

    def _compose_intent(self, parsed: ParsedQuestion, question: str, engine: Engine,
                        retrieve: Callable[..., list[Any]]) -> Answer:
        intent = parsed.intent
        if intent in _NUMBER_INTENTS and parsed.kpi_id is None:
            parsed = parsed.model_copy(update={"intent": "recommend" if parsed.goal else "help"})
            intent = parsed.intent
        if intent in ("recommend", "digest", "verdict") and parsed.goal is None and parsed.kpi_id is None:
            return compose_choose_goal(question, COMMON_GOALS, catalog=engine.catalog)  # never a guess
        if intent == "verdict":
            intent = "recommend"
        if intent == "recommend":
            answer = compose_recommend(parsed, question=question, catalog=engine.catalog, retrieve=retrieve)
        elif intent == "explain":
            answer = compose_explain(parsed, question=question, catalog=engine.catalog, retrieve=retrieve)
        elif intent == "value" and parsed.kpi_id and parsed.by is None and asks_for_trend(question):
            answer = compose_trend(engine, parsed.kpi_id, period=parsed.period, filters=parsed.filters,
                                   grain=_grain_asked(question))
        elif intent == "value":
            answer = compose_value(engine, parsed)
        elif intent == "compare":
            answer = compose_compare(engine, parsed)
        elif intent == "why":
            answer = compose_why(engine, parsed)
        elif intent == "digest":
            goal = parsed.goal or (engine.catalog.get(parsed.kpi_id).families[0] if parsed.kpi_id else None)
            answer = compose_digest(engine, goal=goal, kpis=None, period=parsed.period or "last_7_days",
                                    filters=parsed.filters)
        elif intent == "help":
            answer = compose_help(question)
        else:
            answer = compose_out_of_scope(question)
        return answer

    def _narrate(self, answer: Answer, history: list[str], workspace: str, budget: Budget) -> Answer:
        if answer.intent in ("help", "out_of_scope", "clarify"):
            return answer
        # engine tools are bound to this workspace, so a model can only read this workspace's data
        narrator = self._narrator.with_tools(_WorkspaceTools(self, workspace))
        with budget.spend():
            return narrator.narrate(answer, history=history)

    def kpi_facts(self, kpi_id: str, period: str, filters: dict[str, list[str]] | None,
                  *, workspace: str = "local") -> list[Fact]:
        """Engine tool for the LLM narrator: the facts behind one KPI value."""
        from .facts import value_facts

        engine = self.engine(workspace)
        value = engine.compute_value(kpi_id, period, filters)
        return value_facts(value, good_direction=engine.kpi(kpi_id).good_direction)


class _WorkspaceTools:
    """The engine functions an LLM narrator may call, for one workspace."""

    def __init__(self, advisor: Advisor, workspace: str):
        self._advisor, self._workspace = advisor, workspace

    def get_kpi_value(self, kpi_id: str, period: str, filters: dict[str, list[str]] | None) -> list[Fact]:
        return self._advisor.kpi_facts(kpi_id, period, filters, workspace=self._workspace)


def _note_missing_guidance(answer: Answer, missed: list[str]) -> Answer:
    """Say so when guidance could not be retrieved (the answer then rests on the catalog alone)."""
    if not missed:
        return answer
    note = (f"Guidance from the knowledge base was unavailable ({missed[0]}); this answer draws on the KPI "
            "catalog only.")
    return answer.model_copy(update={"warnings": [*answer.warnings, note]})


def _grain_asked(question: str) -> str | None:
    """'by week' / 'weekly' / 'by day' / 'monthly' in a trend question, else None (the span decides)."""
    import re

    m = re.search(r"\b(?:by|per)\s+(day|week|month)\b|\b(daily|weekly|monthly)\b", question, re.IGNORECASE)
    if not m:
        return None
    word = (m.group(1) or m.group(2)).lower()
    return {"daily": "day", "weekly": "week", "monthly": "month"}.get(word, word)


def _as_of(context: Context | None) -> date | None:
    return date.fromisoformat(context.as_of) if context and context.as_of else None


def _subscribe_help(goal: str, filters: dict[str, list[str]] | None = None) -> Answer:
    from .answer import Section

    where = "".join(f" {d}={','.join(map(str, v))}" for d, v in (filters or {}).items() if v)
    cmd = f"/kpi digest subscribe weekly mon 09:00 Europe/Berlin goal={goal}{where}"
    return Answer(
        question=f"[subscribe] {goal}", intent="help", title="Subscribe this channel to a digest",
        summary=f"Run `{cmd}` in the channel (change the day, time and timezone to yours).",
        sections=[Section(title="Options", kind="help", text=(
            "- Cadence: daily, weekly, monthly, or cron \"0 9 * * 1\"\n"
            "- Goal or KPIs: goal=awareness, or kpis=engagement_rate,click_through_rate\n"
            "- Filters: platform=instagram\n- Quiet weeks: quiet=brief (say so briefly) or quiet=skip"))],
        context=Context(intent="help", goal=goal),
    )


def build_knowledge_base(settings: Settings) -> KnowledgeBase:
    """The guidance store from Settings: where it lives, which embedder, the team's playbook folders."""
    from knowledge import KnowledgeBase, create_embedder

    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
    return KnowledgeBase(
        store_dir=settings.chroma_dir, chroma_host=settings.chroma_host, chroma_port=settings.chroma_port,
        chroma_options=settings.chroma_options,
        embedder=create_embedder(settings.embedder, model=settings.embedding_model, api_key=key,
                                 base_url=settings.openai_base_url, timeout=settings.embedding_timeout,
                                 max_retries=settings.embedding_retries),
        team_dirs=settings.knowledge_dirs,
    )


def _narrator(settings: Settings) -> tuple[Narrator, LlmRouter | None]:
    """The narrator and, when the model is on, the question router that shares its settings."""
    from .narrator import build_narrator

    if not settings.llm:
        return build_narrator(settings), None
    from .llm import LlmRouter

    return build_narrator(settings), LlmRouter.from_settings(settings)
