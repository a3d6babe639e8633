"""Answers built on the catalog and the knowledge base: recommend, explain, help, out of scope."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from kpi_engine.catalog import Catalog, Kpi

from .answer import Action, Answer, Citation, Context, ParsedQuestion, Section

__all__ = [
    "compose_recommend",
    "compose_verdict",
    "compose_explain",
    "compose_help",
    "compose_out_of_scope",
    "BETTER_ALTERNATIVES",
    "Retrieve",
]

# (question, k, families, kpis) -> passages with .source .title .heading .text .score
Retrieve = Callable[..., Sequence[Any]]

# Metrics that rise without business effect, and what to track instead.
BETTER_ALTERNATIVES: dict[str, tuple[str, ...]] = {
    "followers": ("follower_growth_rate", "reach", "engagement_rate"),
    "engagements": ("engagement_rate", "save_rate", "share_rate"),
    "impressions": ("reach", "engagement_rate", "share_of_voice"),
    "video_views": ("video_completion_rate", "avg_watch_time"),
    "posts_published": ("impressions_per_post", "engagements_per_post"),
    "mention_volume": ("net_sentiment", "share_of_voice"),
}

_GENERAL_TRAPS = {
    "vanity": "Vanity metrics (followers, likes, raw impressions) can rise with no business effect: keep them as diagnostics.",
    "attribution": "Attribution is messy (dark social, several touches, devices): report results as sourced or influenced under written rules.",
    "balance": "Pair the primary KPI with a quality check so nobody games one number.",
}


def _citations(passages: Sequence[Any], n: int = 3) -> list[Citation]:
    out = []
    for p in passages[:n]:
        out.append(Citation(source=p.source, title=p.title, heading=p.heading,
                            excerpt=_excerpt(p.text), score=round(float(p.score), 4)))
    return out


def _excerpt(text: str, limit: int = 320) -> str:
    text = re.sub(r"^#+ .*$", "", text, flags=re.M)
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) <= limit:
        return text
    cut = text[: limit + 1]
    # whole sentences: the last full stop that fits (a clause cut at ';' reads as a cut too)
    ends = [m.end() for m in re.finditer(r"[.!?](?=\s)", cut)]
    if ends:
        return cut[: ends[-1]]
    word = cut.rfind(" ", 0, limit)  # one long sentence: cut at a word, and say so
    return cut[: word if word > 0 else limit].rstrip(" ,;:") + "…"


def _kpi_line(k: Kpi) -> str:
    return f"*{k.name}* (`{k.id}`): {k.formula.describe()}"


def _good_direction_text(k: Kpi) -> str:
    """'up', 'down', or for an input 'none, an input (more is more effort): read it against ...'."""
    if k.read_against is None:
        return k.direction
    return f"none, an input (more is more effort): read it against {k.read_against.replace('_', ' ')}"


def _guidance_section(citations: list[Citation]) -> Section | None:
    if not citations:
        return None
    lines = [f"- _{c.title} > {c.heading}_: {c.excerpt}" for c in citations]
    return Section(title="Guidance this draws on", kind="guidance", text="\n".join(lines))


def compose_recommend(q: ParsedQuestion, *, question: str, catalog: Catalog, retrieve: Retrieve) -> Answer:
    if q.goal is None:  # the advisor asks which goal before it comes here; never a guess, never a traceback
        from .errors import BadQuestion

        raise BadQuestion('Which goal? Try "which KPI for awareness?" or name what social is for.')
    goal = catalog.goal(q.goal)
    # a scenario (B2B authority) may name another primary than the family's default
    primary = catalog.get(q.kpi_id if q.kpi_id and q.kpi_id in catalog.kpis else goal.primary)
    names = [goal.primary, *goal.diagnostics] if primary.id != goal.primary else list(goal.diagnostics)
    diagnostics = [catalog.get(d) for d in dict.fromkeys(names) if d != primary.id][:5]
    passages = retrieve(question, 4, [goal.id], None)
    citations = _citations(passages)
    timing = "a leading indicator" if primary.timing == "leading" else "a lagging indicator"
    sections = [
        Section(title="Primary KPI", kind="formula", text="\n".join([
            _kpi_line(primary),
            f"- What it means: {primary.definition}",
            f"- Denominator: {primary.denominator}",
            f"- Good direction: {_good_direction_text(primary)}; {timing}.",
        ])),
        Section(title="Diagnostics (why it moved)", kind="diagnostics",
                text="\n".join(f"- {_kpi_line(d)}" for d in diagnostics)),
        Section(title="Traps to avoid", kind="guardrails", text="\n".join(
            [f"- {g}" for g in primary.guardrails]
            + [f"- {_GENERAL_TRAPS['vanity']}"]
            + ([f"- {_GENERAL_TRAPS['attribution']}"] if goal.id in ("leads", "ecommerce", "local", "traffic") else [])
        )),
    ]
    if primary.caveat:
        sections.append(Section(title="Note", kind="note", text=primary.caveat))
    if primary.id != goal.primary:
        default = catalog.get(goal.primary)
        by = f", read by {q.by.replace('_', ' ')}" if q.by else ""
        sections.insert(1, Section(title="Why this KPI here", kind="note", text=(
            f"In this situation {primary.name} is the better primary{by}: {primary.definition} "
            f"{default.name}, the usual {goal.name.lower()} KPI, stays a diagnostic.")))
    guidance = _guidance_section(citations)
    if guidance:
        sections.append(guidance)
    return Answer(
        question=question, intent="recommend", title=f"For {goal.name.lower()}, track {primary.name}",
        summary=(f"Goal: {goal.objective} Primary KPI: {primary.name} = {primary.formula.describe()}. "
                 f"Explain its moves with {', '.join(d.name for d in diagnostics)}."),
        goal=goal.id, kpi_id=primary.id, diagnostics=[d.id for d in diagnostics], sections=sections,
        citations=citations,
        actions=[
            Action(id="show_value", label="Show current value", payload={"kpi_id": primary.id}),
            Action(id="explain", label=f"Explain {primary.name}", payload={"kpi_id": primary.id}),
            Action(id="subscribe", label="Subscribe to a digest", payload={"goal": goal.id}),
        ],
        context=Context(intent="recommend", goal=goal.id, kpi_id=primary.id, filters=q.filters),
    )


def compose_verdict(q: ParsedQuestion, *, subject: str, question: str, catalog: Catalog,
                    retrieve: Retrieve) -> Answer:
    """'Is X a good KPI?' / 'X keeps going up, are we doing well?': the verdict first, then the goal's KPI."""
    assert q.goal is not None and q.kpi_id is not None
    goal, kpi, primary = catalog.goal(q.goal), catalog.get(subject), catalog.get(q.kpi_id)
    diagnostics = [catalog.get(d) for d in goal.diagnostics if d in catalog.kpis]
    rising = bool(re.search(r"\b(?:up|going up|grow\w*|climb\w*|ris\w*|doubl\w*|tripl\w*|increas\w*|great)\b",
                            question.lower()))
    why = kpi.guardrails[0] if kpi.guardrails else "it is not tied to the objective"
    objective = goal.name.lower()
    if kpi.id == primary.id:
        verdict = (f"Yes: {kpi.name} is the primary KPI for {objective}, as long as its definition (formula, "
                   f"denominator, scope) is written down and it is read with its diagnostics.")
        if rising:
            verdict += " A rise is good news once it holds beyond normal week-to-week noise."
    elif kpi.id in BETTER_ALTERNATIVES or (kpi.timing == "lagging" and kpi.unit == "count"):
        verdict = (f"Not as a KPI: {kpi.name} can rise with no business effect ({why.rstrip('.')}). "
                   f"For {objective} track {primary.name} (primary) and keep {kpi.name} as a diagnostic.")
        if rising:
            verdict = (f"Not necessarily: {kpi.name} going up says little on its own ({why.rstrip('.')}). "
                       f"For {objective} check {primary.name} (primary): if it is flat, the rise is noise or vanity.")
    else:
        verdict = (f"As a diagnostic, yes; as the KPI, no: {kpi.name} explains moves in {objective}, whose primary "
                   f"KPI is {primary.name}.")
        if rising:
            verdict += f" Check {primary.name} before calling it progress."
    passages = retrieve(question, 3, [goal.id], None)
    citations = _citations(passages)
    sections = [
        Section(title="Verdict", kind="summary", text=verdict),
        Section(title=f"For {objective}, track", kind="formula", text="\n".join([
            _kpi_line(primary), f"- What it means: {primary.definition}", f"- Denominator: {primary.denominator}"])),
        Section(title="Read it with", kind="diagnostics",
                text="\n".join(f"- {_kpi_line(d)}" for d in diagnostics)),
        Section(title=f"About {kpi.name}", kind="guardrails",
                text="\n".join(f"- {g}" for g in kpi.guardrails) or f"- {kpi.definition}"),
    ]
    guidance = _guidance_section(citations)
    if guidance:
        sections.append(guidance)
    return Answer(
        question=question, intent="verdict", title=f"Is {kpi.name} a good KPI?", summary=verdict,
        goal=goal.id, kpi_id=primary.id, diagnostics=[d.id for d in diagnostics], sections=sections,
        citations=citations,
        actions=[Action(id="show_value", label=f"Show {primary.name}", payload={"kpi_id": primary.id}),
                 Action(id="explain", label=f"Explain {kpi.name}", payload={"kpi_id": kpi.id})],
        context=Context(intent="verdict", goal=goal.id, kpi_id=kpi.id, filters=q.filters),
    )


def _is_good_kpi_question(question: str) -> bool:
    return bool(re.search(r"\b(good|real|useful|right|valid|proper)\b.{0,20}\b(kpi|metric)\b|or nah|worth tracking",
                          question.lower()))


def compose_explain(q: ParsedQuestion, *, question: str, catalog: Catalog, retrieve: Retrieve) -> Answer:
    if q.kpi_id is None:
        return _explain_concept(q, question=question, retrieve=retrieve)
    kpi = catalog.get(q.kpi_id)
    passages = retrieve(question, 4, None, [kpi.id])
    citations = _citations(passages)
    primary_for = [g for g in catalog.goals.values() if g.primary == kpi.id]
    sections = []
    if _is_good_kpi_question(question):
        sections.append(Section(title="Is it a good KPI?", kind="summary", text=_verdict_on(kpi, catalog)))
    sections += [
        Section(title="Definition", kind="formula", text="\n".join([
            kpi.definition,
            f"- Formula: {kpi.formula.describe()}",
            f"- Denominator: {kpi.denominator}",
            f"- Scope: {kpi.scope}",
            f"- Good direction: {_good_direction_text(kpi)}; {kpi.timing} indicator; "
            f"goal families: {', '.join(catalog.goals[f].name for f in kpi.families)}.",
        ])),
        Section(title="Traps", kind="guardrails", text="\n".join(f"- {g}" for g in kpi.guardrails)),
        Section(title="Read it with", kind="diagnostics",
                text="\n".join(f"- {_kpi_line(catalog.get(d))}" for d in kpi.diagnostics)),
    ]
    if kpi.caveat:
        sections.append(Section(title="Note", kind="note", text=kpi.caveat))
    guidance = _guidance_section(citations)
    if guidance:
        sections.append(guidance)
    role = (f" It is the primary KPI for {', '.join(g.name.lower() for g in primary_for)}." if primary_for else "")
    summary = f"{kpi.name}: {kpi.definition} Formula: {kpi.formula.describe()}.{role}"
    if _is_good_kpi_question(question):
        summary = sections[0].text.split("\n")[0]
    return Answer(
        question=question, intent="explain", title=f"{kpi.name} explained", summary=summary,
        kpi_id=kpi.id, goal=q.goal, diagnostics=list(kpi.diagnostics), sections=sections, citations=citations,
        actions=[Action(id="show_value", label="Show current value", payload={"kpi_id": kpi.id})],
        context=Context(intent="explain", kpi_id=kpi.id, goal=q.goal),
    )


def _verdict_on(kpi: Kpi, catalog: Catalog) -> str:
    better = [catalog.get(b) for b in BETTER_ALTERNATIVES.get(kpi.id, ()) if b in catalog.kpis]
    if better:
        return (f"Not on its own. {kpi.name} can rise with no business effect, so use it as a diagnostic, "
                f"not the KPI.\n- Better: " + "; ".join(_kpi_line(b) for b in better)
                + f"\n- Why: {kpi.guardrails[0] if kpi.guardrails else 'tie the KPI to the objective.'}")
    goals = [g.name.lower() for g in catalog.goals.values() if g.primary == kpi.id]
    if goals:
        return (f"Yes, for {', '.join(goals)}: it is the primary KPI there, as long as the definition "
                f"(formula, denominator, scope) is written down and it is read with its diagnostics.")
    return (f"As a diagnostic, yes: it explains moves in "
            f"{', '.join(catalog.goals[f].name.lower() for f in kpi.families)}; the primary KPI there is "
            f"{catalog.get(catalog.goals[kpi.families[0]].primary).name}.")


def _explain_concept(q: ParsedQuestion, *, question: str, retrieve: Retrieve) -> Answer:
    passages = retrieve(question, 3, None, None)
    citations = _citations(passages)
    if not citations:
        return compose_out_of_scope(question)
    top = passages[0]
    body = _excerpt(top.text, limit=900)
    sections = [Section(title=f"{top.title}: {top.heading}", kind="summary", text=body)]
    guidance = _guidance_section(citations[1:])
    if guidance:
        sections.append(guidance)
    return Answer(
        question=question, intent="explain", title=top.title, summary=_excerpt(top.text, limit=300),
        sections=sections, citations=citations, context=Context(intent="explain"),
    )


HELP_TEXT = """- *How are we doing*: "how are we doing on linkedin this month?", "anything I should know this week?"
- *Which KPI for a goal*: "which KPI for awareness?", "we want more DMs from locals"
- *Explain a KPI or idea*: "what is share of voice?", "is follower count a good KPI?"
- *Current values*: "engagement rate last 28 days by platform", "ctr on linkedin last quarter"
- *Compare*: "reach this month vs last month", "ER instagram vs tiktok"
- *Why it moved*: "why did engagement rate drop last week?"
- *Digests*: "show me the awareness digest"; subscribe with `/kpi digest subscribe weekly mon 09:00 Europe/Berlin goal=awareness`
- Follow-ups in a thread keep context: "and on tiktok?", "why did it drop?", "explain that one"."""


def compose_help(question: str) -> Answer:
    return Answer(
        question=question, intent="help", title="What I can do",
        summary="I recommend KPIs for a goal, explain them, fetch current values and changes, "
                "find what drove a move, and post scheduled digests.",
        sections=[Section(title="Try", kind="help", text=HELP_TEXT)],
        actions=[Action(id="recommend", label="Which KPI for awareness?", payload={"goal": "awareness"})],
        context=Context(intent="help"),
    )


def compose_out_of_scope(question: str) -> Answer:
    return Answer(
        question=question, intent="out_of_scope", title="Outside what I do",
        summary="I'm a KPI advisor for organic social: I can pick KPIs for a goal, explain them and "
                "fetch their current values. That question is outside what I can help with.",
        sections=[Section(title="Try", kind="help", text=HELP_TEXT)],
        context=Context(intent="out_of_scope"),
    )
