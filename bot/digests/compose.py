"""A digest or alert as a Slack message: composed in the advisor, rendered here.

What a digest says (the shared answers and charts of a run, the missed periods summarised,
the quiet rule) is :mod:`advisor.digest_compose`; alerts are
:func:`advisor.alerts.compute_alert`, run through ``call_in_advisor`` (in ``serve`` the
advisor is a pool of worker processes, so neither builds an engine in the bot process).
This module turns them into :class:`bot.digests.render.Message` and the terminal preview.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from advisor.alerts import compute_alert
from advisor.digest_compose import MAX_SUMMARISED, DigestComposer, RunCache, digest_treatment, is_material

from . import render
from .errors import DigestError
from .render import Missed

if TYPE_CHECKING:
    from .models import Subscription
    from .schedule import Due
    from .spec import DigestSpec

__all__ = ["MAX_SUMMARISED", "Composer", "RunCache"]


class _EngineHolder:
    """Lets ``compute_alert`` use an engine the caller wired directly (``kpi_engine_for``)."""

    def __init__(self, engine_for: Callable[[str], Any]):
        self.engine = engine_for


class Composer(DigestComposer):
    def __init__(self, *, advisor: Any, kpi_engine_for: Callable[[str], Any] | None = None):
        super().__init__(advisor=advisor)
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
    def summarise_missed(self, sub: Subscription, missed: Sequence[Due], cache: RunCache | None) -> list[Missed]:
        """Each missed period, with its digest when the advisor summarises it (digests only)."""
        if sub.kind != "digest":
            return [Missed(due=due) for due in missed]
        answers = self.missed_answers(sub.team_id, sub.goal, list(sub.kpis or []) or None, sub.period,
                                      sub.filters or None, [due.as_of for due in missed], cache)
        return [Missed(due=due, answer=answer) for due, answer in zip(missed, answers, strict=True)]

    def compose(self, sub: Subscription, due: Due, cache: RunCache | None = None,
                missed: Sequence[Missed] = ()) -> render.Message | None:
        """The message for (sub, due), or None when nothing should be posted."""
        if sub.kind == "alert":
            return self.compose_alert(sub, due, missed)[0]
        answer = self.answer(sub.team_id, sub.goal, list(sub.kpis or []) or None, sub.period,
                             sub.filters or None, due.as_of, cache)
        treatment = digest_treatment(answer, sub.quiet, [m.answer for m in missed])
        if treatment == "skip":
            return None
        if treatment == "quiet":
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
        if not is_material(answer):
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
