"""The narrator interface: turn a grounded answer into prose without touching its numbers.

``TemplateNarrator`` (the default) needs no network and no keys; ``advisor.llm.LlmNarrator``
phrases with a language model and falls back to the template answer whenever its
prose cannot be trusted.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from .answer import Answer, Fact, Section

if TYPE_CHECKING:
    from .settings import Settings

__all__ = ["Narrator", "EngineTools", "TemplateNarrator", "with_narrative", "with_fallback", "fallback_note",
           "build_narrator"]


@runtime_checkable
class EngineTools(Protocol):
    """Engine functions an LLM narrator may call as tools; the advisor implements it per workspace."""

    def get_kpi_value(self, kpi_id: str, period: str,
                      filters: dict[str, list[str]] | None) -> list[Fact]:
        """Facts (value, numerator, denominator, period dates) of one KPI; engine errors for bad input."""
        ...


@runtime_checkable
class Narrator(Protocol):
    """Phrases an answer; never changes its facts, intent, actions, chart or context."""

    name: str

    def narrate(self, answer: Answer, *, history: Sequence[str] = ()) -> Answer: ...

    def with_tools(self, tools: EngineTools | None) -> Narrator:
        """This narrator calling ``tools`` (one workspace's engine); template narrators ignore them."""
        ...


class TemplateNarrator:
    """The deterministic default: the template answer as it is."""

    name = "template"

    def with_tools(self, tools: EngineTools | None) -> TemplateNarrator:
        return self

    def narrate(self, answer: Answer, *, history: Sequence[str] = ()) -> Answer:
        return answer.model_copy(update={"narrator": "template"})


def with_narrative(answer: Answer, text: str, *, extra_facts: Sequence[Fact] = ()) -> Answer:
    """A copy of ``answer`` whose narrative section is ``text`` (replaced in place, or added first).

    ``extra_facts`` (engine facts fetched while narrating) are appended so every number
    shown still traces to a fact; existing facts are never altered or removed.
    """
    section = Section(title="", text=text, kind="narrative")
    sections = list(answer.sections)
    at = next((i for i, s in enumerate(sections) if s.kind == "narrative"), None)
    if at is None:
        sections.insert(0, section)
    else:
        sections[at] = section.model_copy(update={"title": sections[at].title})
    facts = list(answer.facts)
    keys = {f.key for f in facts}
    for fact in extra_facts:
        if fact.key not in keys:
            facts.append(fact)
            keys.add(fact.key)
    return answer.model_copy(update={"sections": sections, "facts": facts, "narrator": "llm"})


def fallback_note(reason: str) -> str:
    """The one-line note a front end shows when the model's wording was not used."""
    return f"Standard wording: the language model's reply was not used ({reason})."


def with_fallback(answer: Answer, reason: str) -> Answer:
    """``answer`` as the template wrote it, saying why the model's wording is not there."""
    note = fallback_note(reason)
    warnings = [*answer.warnings, note] if note not in answer.warnings else list(answer.warnings)
    return answer.model_copy(update={"narrator": "template", "fallback_reason": reason, "warnings": warnings})


def build_narrator(settings: Settings, *, tools: EngineTools | None = None,
                   logger: logging.Logger | None = None) -> Narrator:
    """The LLM narrator when settings enable it, else the template one (LangChain imported only then)."""
    if not settings.llm:
        return TemplateNarrator()
    from .llm import LlmNarrator

    return LlmNarrator.from_settings(settings, tools=tools, logger=logger)
