"""The structured answer the advisor returns and every front end renders its own way."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field

__all__ = [
    "Intent", "Fact", "Citation", "Section", "Action", "ChartSpec", "Answer", "Context", "ParsedQuestion",
    "RankedItem", "Briefing",
]

CompareTo = Literal["previous", "last_year"]
Intent = Literal[
    "recommend", "explain", "value", "compare", "why", "digest", "help", "out_of_scope",
    "verdict",  # "is X a good KPI?": a straight verdict, then the goal's primary KPI
    "clarify",  # not sure enough to answer: the likeliest goals or KPIs to pick from
    "brief",  # "how are we doing?": the team's goals for a scope and period, what matters first
]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class Fact(_Model):
    """A number the engine produced, with how it is displayed and where it came from."""

    key: str  # stable id, e.g. "engagement_rate.value"
    label: str  # "Engagement rate, last 28 days"
    value: float | None
    display: str  # "4.21%", "12.3k", "+8.0%", "no data"
    unit: str = ""
    kpi_id: str | None = None
    source: str = "kpi_engine"  # the engine call that produced it
    # What the number is, so a narrator can refer to it as a slot (advisor.slots) and check the
    # words around it; None on facts that do not say. Kinds: value, numerator, denominator,
    # volume, start, end, abs_change, rel_change, interval (a 95% interval's end), mde (minimum
    # detectable change at 80% power), contribution, share, mix, rate.
    kind: str | None = None
    period: str | None = None  # whose period: "current", "previous" or "last_year" (a change: against which)
    period_label: str | None = None  # the engine's words for that period: "last week", "previous period"
    good_direction: Literal["up", "down"] | None = None  # the KPI's good direction
    name: str | None = None  # what is measured: "Engagement rate"
    segment: str | None = None  # breakdown segment: "instagram"
    dimension: str | None = None  # breakdown dimension: "platform"

    @computed_field  # type: ignore[prop-decorator]
    @property
    def sign(self) -> int | None:
        """-1, 0 or +1 for the value (a change's direction); None without a value."""
        if self.value is None or self.value != self.value:
            return None
        return (self.value > 0) - (self.value < 0)


class Citation(_Model):
    source: str  # knowledge document slug
    title: str
    heading: str
    excerpt: str
    score: float


class Section(_Model):
    title: str
    text: str  # plain text with light markdown (*bold*, bullet lines starting "- ")
    kind: Literal["summary", "formula", "diagnostics", "guardrails", "values", "breakdown",
                  "drivers", "guidance", "narrative", "help", "note"] = "summary"


class Action(_Model):
    """A follow-up a front end can offer as a button or a suggested command."""

    # choose_goal / choose_kpi answer the original question (payload "question") with the pick
    id: Literal["show_value", "explain", "breakdown", "subscribe", "recommend", "trend", "choose_goal", "choose_kpi",
                "why"]
    label: str
    payload: dict[str, Any] = Field(default_factory=dict)


class ChartSpec(_Model):
    """What to chart; front ends ask the advisor to render it (PNG) when they can show images."""

    kind: Literal["trend", "breakdown"]
    kpi_id: str
    period: str  # a period string the engine resolves, e.g. "2025-01-01..2025-01-28"
    grain: Literal["day", "week", "month"] = "day"
    by: str | None = None
    filters: dict[str, list[str]] = Field(default_factory=dict)
    title: str = ""
    highlight: str | None = None  # the period to highlight, e.g. the digest's week


class Context(_Model):
    """What a follow-up in the same thread resolves against."""

    intent: Intent | None = None
    goal: str | None = None
    kpi_id: str | None = None
    period: str | None = None
    filters: dict[str, list[str]] = Field(default_factory=dict)
    by: str | None = None
    as_of: str | None = None  # ISO date of the last complete day the numbers cover (digest snapshots)


class ParsedQuestion(_Model):
    """What a question asks, from the deterministic parser or an LLM's structured output."""

    intent: Intent
    goal: str | None = None  # goal family id
    kpi_id: str | None = None
    period: str | None = None  # e.g. "last_28_days", "2025-01-01..2025-01-31"
    filters: dict[str, list[str]] = Field(default_factory=dict)
    by: str | None = None  # breakdown dimension
    compare_to: CompareTo | None = None
    topic: str | None = None  # concept asked about when no KPI is named ("vanity metrics")
    confidence: float = 1.0


class RankedItem(_Model):
    """One line of a briefing, in the order it is shown (advisor.briefing ranks them)."""

    rank: int  # 1 = shown first
    kind: Literal["move", "target", "unusual", "note"]
    text: str  # the line as shown (light markdown)
    kpi_id: str | None = None
    verdict: str | None = None  # a move's tested verdict, as the engine states it
    status: str | None = None  # a target's pace status
    facts: list[str] = Field(default_factory=list)  # keys of the facts behind the line


class Briefing(_Model):
    """What a briefing covered and found: the ranked items and the KPIs with nothing to say."""

    period: str  # "2025-06-03..2025-06-09"
    period_label: str
    filters: dict[str, list[str]] = Field(default_factory=dict)
    scope: str  # where the KPIs came from: "digest subscriptions and targets" or "every goal's primary KPI"
    goals: list[str] = Field(default_factory=list)
    kpis: list[str] = Field(default_factory=list)  # every KPI looked at
    items: list[RankedItem] = Field(default_factory=list)
    quiet: list[str] = Field(default_factory=list)  # no meaningful change
    too_early: list[str] = Field(default_factory=list)  # not enough data to judge
    unscoped: list[str] = Field(default_factory=list)  # cannot be split by the filters asked: left out


class Answer(_Model):
    question: str
    intent: Intent
    title: str
    summary: str  # one or two sentences; the text fallback of every rendering
    goal: str | None = None
    kpi_id: str | None = None
    diagnostics: list[str] = Field(default_factory=list)
    sections: list[Section] = Field(default_factory=list)
    facts: list[Fact] = Field(default_factory=list)
    citations: list[Citation] = Field(default_factory=list)
    chart: ChartSpec | None = None
    actions: list[Action] = Field(default_factory=list)
    context: Context = Field(default_factory=Context)
    narrator: Literal["template", "llm"] = "template"
    # Why the language model's wording was not used ("timeout", "http 500", "rejected: invented
    # number ..."); None when it was used or not asked for.
    fallback_reason: str | None = None
    footnote: str | None = None  # how the answer's verdicts were made, for a footer ("... survive a FDR control")
    warnings: list[str] = Field(default_factory=list)
    briefing: Briefing | None = None  # a briefing's ranked items (intent "brief")
    # how the question was understood: how sure (0-1), in words, and from which evidence
    confidence: float | None = None
    understood_as: str = ""
    evidence: list[str] = Field(default_factory=list)

    @property
    def text(self) -> str:
        """The whole answer as plain text (terminal, Slack fallback, tests)."""
        parts = [f"{self.title}", self.summary]
        for s in self.sections:
            parts.append(f"{s.title}\n{s.text}" if s.title else s.text)
        parts += [f"Note: {w}" for w in self.warnings]
        if self.footnote:
            parts.append(self.footnote)
        return "\n\n".join(p for p in parts if p)
