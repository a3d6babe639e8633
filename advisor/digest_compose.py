"""What a scheduled digest says, decided in the advisor: the Slack package only renders and posts it.

A digest is the advisor's :meth:`~advisor.core.Advisor.compose_digest` answer (scorecard,
movers that matter, narrative) and its chart. Within one delivery run identical
computations (same workspace, goal or KPIs, period, filters and day) are shared; a filtered
digest's chart names its segment; after downtime the newest missed periods are summarised
with their numbers; and a period where nothing material moved is posted in full, briefly, or
not at all, as the subscription's quiet rule says.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Literal, Protocol

from .errors import KpiAdvisorError

if TYPE_CHECKING:
    from .answer import Answer, ChartSpec

__all__ = [
    "MAX_SUMMARISED", "DigestComposer", "DigestSource", "RunCache", "Treatment", "digest_treatment",
    "is_material", "scope_label",
]

MAX_SUMMARISED = 4  # missed periods summarised with their numbers; older ones are named only

Treatment = Literal["skip", "quiet", "full"]


class DigestSource(Protocol):
    """What composing a digest asks of the advisor (in process, or a pool of worker processes)."""

    def compose_digest(self, *, workspace: str, goal: str | None = ..., kpis: list[str] | None = ...,
                       period: str = ..., filters: dict[str, list[str]] | None = ...,
                       as_of: date | None = ...) -> Answer: ...

    def render_chart(self, spec: ChartSpec, *, workspace: str = ...) -> bytes: ...


class RunCache:
    """Per-run memo of identical computations (same workspace, goal, period, filters, day)."""

    def __init__(self) -> None:
        self.answers: dict[str, Answer] = {}
        self.charts: dict[str, bytes | None] = {}
        self.hits = 0


def is_material(answer: Answer) -> bool:
    """Whether anything moved enough to report (the advisor's flag, else a drivers section)."""
    flag = getattr(answer, "material", None)
    if isinstance(flag, bool):
        return flag
    return any(s.kind == "drivers" for s in answer.sections)


def scope_label(filters: dict[str, list[str]] | None) -> str:
    """'platform: instagram, tiktok; topic: how_to' ('' for the whole account)."""
    if not filters:
        return ""
    return "; ".join(f"{k.replace('_', ' ')}: {', '.join(v)}" for k, v in filters.items() if v)


def digest_treatment(answer: Answer, quiet: str, missed: Sequence[Answer | None] = ()) -> Treatment:
    """Post the digest in full, as a brief quiet note, or skip it (quiet=full, brief or skip).

    A material move in a missed period still gets a post: the late digest names it.
    """
    if is_material(answer):
        return "full"
    missed_material = any(a is not None and is_material(a) for a in missed)
    if quiet == "skip" and not missed_material:
        return "skip"
    return "quiet" if quiet != "full" else "full"


class DigestComposer:
    """The digest answers and charts of one subscription's periods, shared within a run."""

    def __init__(self, *, advisor: DigestSource):
        self.advisor = advisor

    def answer(self, team: str, goal: str | None, kpis: list[str] | None, period: str,
               filters: dict[str, list[str]] | None, as_of: date | None, cache: RunCache | None) -> Answer:
        key = json.dumps([team, goal, kpis, period, filters, str(as_of)], sort_keys=True)
        if cache is not None and key in cache.answers:
            cache.hits += 1
            return cache.answers[key]
        answer = self.advisor.compose_digest(workspace=team, goal=goal, kpis=kpis, period=period,
                                             filters=filters, as_of=as_of)
        if cache is not None:
            cache.answers[key] = answer
        return answer

    def chart(self, team: str, answer: Answer, cache: RunCache | None) -> bytes | None:
        """The digest's chart, titled with its segment when the digest is filtered."""
        if answer.chart is None:
            return None
        spec = answer.chart
        scope = scope_label(spec.filters)
        if scope and scope not in spec.title:
            spec = spec.model_copy(update={"title": f"{spec.title} | {scope}" if spec.title else scope})
        key = json.dumps([team, spec.model_dump(mode="json")], sort_keys=True)
        if cache is not None and key in cache.charts:
            cache.hits += 1
            return cache.charts[key]
        png = self.advisor.render_chart(spec, workspace=team)
        if cache is not None:
            cache.charts[key] = png
        return png

    def missed_answers(self, team: str, goal: str | None, kpis: list[str] | None, period: str,
                       filters: dict[str, list[str]] | None, as_ofs: Sequence[date | None],
                       cache: RunCache | None) -> list[Answer | None]:
        """Digests of the newest MAX_SUMMARISED missed periods (oldest first); None for older ones,
        and for a period that cannot be computed (e.g. no data that far back): it is still named."""
        out: list[Answer | None] = []
        for i, as_of in enumerate(as_ofs):
            answer = None
            if i >= len(as_ofs) - MAX_SUMMARISED:
                try:
                    answer = self.answer(team, goal, kpis, period, filters, as_of, cache)
                except KpiAdvisorError:
                    answer = None
            out.append(answer)
        return out
