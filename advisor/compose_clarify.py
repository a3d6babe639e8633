"""Answers that ask instead of guessing: which goal, which KPI, which platform."""

from __future__ import annotations

from collections.abc import Sequence

from kpi_engine.catalog import Catalog

from .answer import Action, Answer, Context, Section

__all__ = ["compose_choose_goal", "compose_choose_kpi", "compose_unknown_platform", "question_payload",
           "COMMON_GOALS"]

COMMON_GOALS = ("awareness", "engagement", "leads", "ecommerce")
_PAYLOAD_QUESTION_CHARS = 600


def question_payload(question: str) -> str:
    """The original question to carry in a button (Slack caps a button value at 2,000 characters)."""
    if len(question) <= _PAYLOAD_QUESTION_CHARS:
        return question
    half = _PAYLOAD_QUESTION_CHARS // 2
    return f"{question[:half]} ... {question[-half:]}"


def _goal_line(catalog: Catalog, goal_id: str) -> str:
    g = catalog.goals[goal_id]
    return f"*{g.name}*: {g.objective} Primary KPI: {catalog.kpis[g.primary].name}."


def compose_choose_goal(question: str, goals: Sequence[str], *, catalog: Catalog, intent: str = "recommend",
                        governance: bool = False) -> Answer:
    """Name the 2-4 likeliest goals, one line each, as buttons that answer ``question`` for that goal."""
    goals = [g for g in dict.fromkeys(goals) if g in catalog.goals][:4]
    if len(goals) < 2:
        goals = list(dict.fromkeys([*goals, *(g for g in COMMON_GOALS if g in catalog.goals)]))[:4]
    lines = "\n".join(f"{i}. {_goal_line(catalog, g)}" for i, g in enumerate(goals, 1))
    if governance:
        title = "Which objective is social there for?"
        summary = ("For a board or leadership report, show one primary KPI per objective social serves, with its "
                   "trend against target and a line on what you will do next; review it quarterly. "
                   "Which objective should I build it around?")
        sections = [Section(title="Pick one", kind="help", text=lines),
                    Section(title="Reporting to leadership", kind="note", text=(
                        "- One primary KPI per objective, two or three diagnostics, no vanity counts.\n"
                        "- Trend against the baseline and the target, not single weeks.\n"
                        "- One owner, one source of truth, written definitions (formula, scope, cadence)."))]
    else:
        title = "Which goal do you mean?"
        summary = ("I can't tell which goal this is about, and the right KPI depends on it. "
                   "Pick the closest (or ask again naming the goal):")
        sections = [Section(title="Pick one", kind="help", text=lines)]
    actions = [Action(id="choose_goal", label=catalog.goals[g].name,
                      payload={"goal": g, "question": question_payload(question), "intent": intent})
               for g in goals]
    return Answer(question=question, intent="clarify", title=title, summary=summary, sections=sections,
                  actions=actions, context=Context(intent="clarify"))


def compose_choose_kpi(question: str, suggestions: Sequence[str], *, catalog: Catalog, unknown: str | None,
                       intent: str = "value") -> Answer:
    """'I don't know the KPI X. Did you mean ...?' with one button per suggestion."""
    kpis = [k for k in dict.fromkeys(suggestions) if k in catalog.kpis][:4]
    names = ", ".join(f"{catalog.kpis[k].name} (`{k}`)" for k in kpis)
    if unknown:
        title = f"I don't know the KPI '{unknown}'"
        summary = f"I don't know the KPI '{unknown}'. Did you mean {names}?" if kpis else \
            f"I don't know the KPI '{unknown}'. `/kpi list` shows the KPIs I know."
    else:
        title = "Which KPI?"
        summary = f"Which KPI do you want the numbers for? For example {names}." if kpis else \
            "Which KPI do you want the numbers for? `/kpi list` shows them."
    lines = "\n".join(f"{i}. *{catalog.kpis[k].name}* (`{k}`): {catalog.kpis[k].definition}"
                      for i, k in enumerate(kpis, 1))
    sections = [Section(title="Did you mean", kind="help", text=lines)] if kpis else []
    sections.append(Section(title="", kind="help", text="`/kpi list` (or `kpi-advisor kpi list`) shows every KPI."))
    actions = [Action(id="choose_kpi", label=catalog.kpis[k].name,
                      payload={"kpi_id": k, "question": question_payload(question), "intent": intent})
               for k in kpis]
    return Answer(question=question, intent="clarify", title=title, summary=summary, sections=sections,
                  actions=actions, context=Context(intent="clarify"))


def compose_unknown_platform(question: str, message: str, *, kpi_id: str, period: str | None,
                             catalog: Catalog) -> Answer:
    """A filter to a platform the data does not have: say so, offer the KPI over every platform."""
    name = catalog.kpis[kpi_id].name if kpi_id in catalog.kpis else kpi_id
    payload: dict[str, object] = {"kpi_id": kpi_id}
    if period:
        payload["period"] = period
    return Answer(
        question=question, intent="clarify", title="No data for that platform", summary=message,
        kpi_id=kpi_id,
        sections=[Section(title="", kind="help", text=(
            f"Ask for {name} on a platform listed above, or over all of them with the button."))],
        actions=[Action(id="show_value", label=f"{name}, all platforms", payload=payload)],
        context=Context(intent="clarify", kpi_id=kpi_id, period=period),
    )
