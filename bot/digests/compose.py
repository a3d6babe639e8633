"""What a digest or alert says: computed where the advisor lives, rendered here.

Digests come from ``advisor.compose_digest`` and ``advisor.render_chart``;
alerts from :func:`advisor.alerts.compute_alert` run through
``call_in_advisor``. In ``serve`` the advisor is a pool of worker processes,
so neither builds an engine in the bot process. Identical computations within
one run (same workspace, goal or KPIs, period, filters and day) are shared.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from advisor.alerts import compute_alert
from kpi_engine.errors import KpiAdvisorError

from . import render
from .errors import DigestError
from .render import Missed

if TYPE_CHECKING:
    from .models import Subscription
    from .schedule import Due
    from .spec import DigestSpec

__all__ = ["MAX_SUMMARISED", "Composer", "RunCache"]

MAX_SUMMARISED = 4  # missed periods summarised with their numbers; older ones are named only


class RunCache:
    """Per-run memo of identical computations (same workspace, goal, period, filters, day)."""

    def __init__(self) -> None:
        self.answers: dict[str, Any] = {}
        self.charts: dict[str, bytes | None] = {}
        self.hits = 0


class _EngineHolder:
    """Lets ``compute_alert`` use an engine the caller wired directly (``kpi_engine_for``)."""

    def __init__(self, engine_for: Callable[[str], Any]):
        self.engine = engine_for


class Composer:
    def __init__(self, *, advisor: Any, kpi_engine_for: Callable[[str], Any] | None = None):
        self.advisor = advisor
        self.kpi_engine_for = kpi_engine_for

    # ------------------------------------------------------------------ alerts
    def _alert(self, team: str, **options: Any) -> tuple[Any, bytes | None]:
        if self.kpi_engine_for is not None:
            return compute_alert(_EngineHolder(self.kpi_engine_for), team, **options)
        from bot.advisor_client import call_in_advisor

        return call_in_advisor(self.advisor, compute_alert, team, **options)

    def _alert_options(self, sub: Subscription | DigestSpec, period: Any, as_of: date | None,
                       chart: bool) -> dict[str, Any]:
        direction = getattr(sub, "alert_direction", None) or getattr(sub, "direction", None) or "bad"
        return dict(kpi_id=sub.kpis[0], period=period, timezone=sub.timezone, as_of=as_of,
                    filters=dict(sub.filters) or None, threshold_kind=sub.threshold_kind or "unusual",
                    threshold_value=sub.threshold_value, direction=direction, chart=chart)

    def compose_alert(self, sub: Subscription, due: Due, missed: Sequence[Missed] = ()) -> tuple[Any, Any]:
        """(message or None, the AlertResult) for an alert subscription's due check."""
        res, png = self._alert(sub.team_id, **self._alert_options(sub, due.period, due.as_of,
                                                                  chart=sub.alert_state != "alarm"))
        if not res.triggered or sub.alert_state == "alarm":  # quiet, or still out of line: already told
            return None, res
        return render.render_alert(res, png=png, due=due, missed=missed), res

    # ------------------------------------------------------------------ digests
    def answer(self, team: str, goal: str | None, kpis: list[str] | None, period: str,
               filters: dict[str, list[str]] | None, as_of: date | None, cache: RunCache | None) -> Any:
        key = json.dumps([team, goal, kpis, period, filters, str(as_of)], sort_keys=True)
        if cache is not None and key in cache.answers:
            cache.hits += 1
            return cache.answers[key]
        answer = self.advisor.compose_digest(workspace=team, goal=goal, kpis=kpis, period=period,
                                             filters=filters, as_of=as_of)
        if cache is not None:
            cache.answers[key] = answer
        return answer

    def chart(self, team: str, answer: Any, cache: RunCache | None) -> bytes | None:
        if answer.chart is None:
            return None
        spec = answer.chart
        scope = render.scope_label(spec.filters)
        if scope and scope not in spec.title:  # a filtered digest's chart says which segment it shows
            spec = spec.model_copy(update={"title": f"{spec.title} | {scope}" if spec.title else scope})
        key = json.dumps([team, spec.model_dump(mode="json")], sort_keys=True)
        if cache is not None and key in cache.charts:
            cache.hits += 1
            return cache.charts[key]
        png = self.advisor.render_chart(spec, workspace=team)
        if cache is not None:
            cache.charts[key] = png
        return png

    def summarise_missed(self, sub: Subscription, missed: Sequence[Due], cache: RunCache | None) -> list[Missed]:
        """The newest MAX_SUMMARISED missed periods with their digests; older ones named only."""
        out = []
        for i, due in enumerate(missed):
            answer = None
            if sub.kind == "digest" and i >= len(missed) - MAX_SUMMARISED:
                try:
                    answer = self.answer(sub.team_id, sub.goal, list(sub.kpis or []) or None, sub.period,
                                         sub.filters or None, due.as_of, cache)
                except KpiAdvisorError:  # e.g. no data that far back: the period is still named
                    answer = None
            out.append(Missed(due=due, answer=answer))
        return out

    def compose(self, sub: Subscription, due: Due, cache: RunCache | None = None,
                missed: Sequence[Missed] = ()) -> render.Message | None:
        """The message for (sub, due), or None when nothing should be posted."""
        if sub.kind == "alert":
            return self.compose_alert(sub, due, missed)[0]
        answer = self.answer(sub.team_id, sub.goal, list(sub.kpis or []) or None, sub.period,
                             sub.filters or None, due.as_of, cache)
        material = render.is_material(answer)
        missed_material = any(m.answer is not None and render.is_material(m.answer) for m in missed)
        if not material and sub.quiet == "skip" and not missed_material:
            return None
        if not material and sub.quiet != "full":
            return render.render_quiet(answer, due=due, missed=missed)
        return render.render_digest(answer, png=self.chart(sub.team_id, answer, cache), due=due, missed=missed)

    # ------------------------------------------------------------------ preview
    def preview(self, team: str, spec: DigestSpec | None, *, goal: str | None, kpis: list[str] | None,
                period: str, filters: dict[str, list[str]] | None, as_of: date | None) -> tuple[str, bytes | None]:
        if spec is not None:
            if spec.kind == "alert":
                return self._preview_alert(team, spec, as_of)
            goal, kpis, period, filters = spec.goal, list(spec.kpis) or None, spec.period, spec.filters or None
        if not goal and not kpis:
            raise DigestError("Say what to preview: --goal awareness or --kpis engagement_rate,reach.")
        answer = self.answer(team, goal, kpis, period, filters, as_of, None)
        png = self.chart(team, answer, None)
        text = render.render_digest(answer, png=png).plain  # a terminal: unescaped
        if not render.is_material(answer):
            text += "\n\n(Nothing material changed: with quiet=brief the post would be:)\n" + \
                render.render_quiet(answer).plain
        return text, png

    def _preview_alert(self, team: str, spec: DigestSpec, as_of: date | None) -> tuple[str, bytes | None]:
        res, png = self._alert(team, **self._alert_options(spec, spec.period, as_of, chart=True))
        if not res.triggered:
            value = render.fmt_value(res.value, res.unit)
            when = render.period_phrase(res.period.start, res.period.end, res.period.label)
            text = f"The alert would not fire {when}: {res.name} is {value} (engine verdict: {res.verdict})."
            return text, None
        return render.render_alert(res).plain, png
