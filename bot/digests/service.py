"""DigestService: manage subscriptions and deliver what is due, once.

``run_due`` is the one delivery path: the in-process scheduler
(:class:`bot.digests.schedule.DigestScheduler`) and ``kpi-advisor digest
run-due`` (cron, Kubernetes CronJob) both call it, and any number of them may
run at once against the same database. Every query is scoped by team_id.
"""

from __future__ import annotations

from bot.threads import thread_key

import json
import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from kpi_engine.errors import KpiAdvisorError

from . import render
from .alerts import evaluate_alert, render_alert_chart
from .delivery import MAX_ATTEMPTS, ChannelUnavailable, DeliveryFailed, DeliveryLog, SlackPoster
from .errors import DigestError
from .models import Subscription
from .schedule import Due, due_for, next_fire_time
from .spec import DigestSpec, parse_spec

__all__ = ["DigestService", "RunReport", "thread_key", "MAX_PER_TEAM"]

log = logging.getLogger(__name__)

MAX_PER_TEAM = 500
_PAUSE_TEXT = {
    "not_in_channel": ("I am not a member of that channel",
                       "Invite me with `/invite @kpi-advisor` in the channel"),
    "is_archived": ("the channel is archived", "Unarchive it, or subscribe another channel"),
    "channel_is_archived": ("the channel is archived", "Unarchive it, or subscribe another channel"),
    "channel_not_found": ("the channel no longer exists or I cannot see it",
                          "Check the channel, or subscribe another one"),
}


@dataclass
class RunReport:
    """What one ``run_due`` did; ``ok`` is False when anything failed or was paused."""

    now: datetime
    posted: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[dict[str, Any]] = field(default_factory=list)  # quiet rule / alert not firing
    failed: list[dict[str, Any]] = field(default_factory=list)
    paused: list[dict[str, Any]] = field(default_factory=list)
    already: int = 0  # due but delivered (or being delivered) by another run

    @property
    def ok(self) -> bool:
        return not self.failed and not self.paused

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["now"] = self.now.isoformat()
        d["ok"] = self.ok
        return d


class _Cache:
    """Per-run memo of identical computations (same workspace, goal, period, filters, day)."""

    def __init__(self) -> None:
        self.answers: dict[str, Any] = {}
        self.charts: dict[str, bytes | None] = {}
        self.hits = 0


class DigestService:
    def __init__(self, *, engine: Engine, advisor: Any,
                 client_factory: Callable[[str], Any], clock: Callable[[], datetime] | None = None,
                 kpi_engine_for: Callable[[str], Any] | None = None,
                 poster: SlackPoster | None = None, default_timezone: str = "UTC"):
        self.engine = engine
        self.advisor = advisor
        self.client_factory = client_factory
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        self.kpi_engine_for = kpi_engine_for
        self.poster = poster or SlackPoster()
        self.default_timezone = default_timezone
        self.log = DeliveryLog(engine)
        self.on_change: Callable[[Subscription], None] | None = None  # scheduler hook

    # ------------------------------------------------------------------ subscriptions
    def _now(self) -> datetime:
        now = self.clock()
        return now if now.tzinfo else now.replace(tzinfo=timezone.utc)

    def _session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    def _validate(self, team_id: str, spec: DigestSpec) -> DigestSpec:
        from dataclasses import replace

        from kpi_engine.errors import EngineError

        catalog = self._catalog(team_id)
        try:
            goal = catalog.goal(spec.goal).id if spec.goal else None
            kpis = tuple(catalog.get(k).id for k in spec.kpis)
            from kpi_engine.periods import resolve_period

            resolve_period(spec.period, today=self._now().date())
        except EngineError as exc:
            raise DigestError(str(exc)) from None
        return replace(spec, goal=goal, kpis=kpis)

    def _catalog(self, team_id: str) -> Any:
        try:
            return self._kpi_engine(team_id).catalog
        except DigestError:
            from kpi_engine.catalog import default_catalog

            return default_catalog()

    def subscribe(self, team_id: str, channel_id: str, user_id: str, spec_text: str) -> Subscription:
        """Create a subscription for a channel (or a DM: channel_id D... / U...)."""
        if not team_id or not channel_id or not user_id:
            raise DigestError("A subscription needs a workspace, a channel and an owner.")
        spec = self._validate(team_id, parse_spec(spec_text, default_timezone=self._tz(team_id)))
        now = self._now()
        with self._session() as s, s.begin():
            count = len(s.scalars(select(Subscription.id).where(Subscription.team_id == team_id)).all())
            if count >= MAX_PER_TEAM:
                raise DigestError(f"This workspace has {count} subscriptions, the most allowed; "
                                  "remove some with `/kpi digest remove ID` first.")
            sub = Subscription(team_id=team_id, channel_id=channel_id, owner_id=user_id,
                               target="dm" if channel_id.startswith(("D", "U", "W")) else "channel",
                               status="active", active_since=now, created_at=now, updated_at=now)
            self._apply(sub, spec)
            s.add(sub)
        self._changed(sub)
        return sub

    def _tz(self, team_id: str) -> str:
        ws = getattr(self.advisor, "workspace", None)
        try:
            tz = getattr(ws(team_id), "timezone", None) if callable(ws) else None
        except Exception:  # a workspace lookup must not block subscribing
            tz = None
        return tz or self.default_timezone

    @staticmethod
    def _apply(sub: Subscription, spec: DigestSpec) -> None:
        sub.kind, sub.cadence, sub.cron, sub.day = spec.kind, spec.cadence, spec.cron, spec.day
        sub.time, sub.timezone, sub.period = spec.time, spec.timezone, spec.period
        sub.goal, sub.kpis, sub.filters, sub.quiet = spec.goal, list(spec.kpis), dict(spec.filters), spec.quiet
        sub.threshold_kind, sub.threshold_value = spec.threshold_kind, spec.threshold_value
        sub.alert_direction = spec.direction
        sub.spec_text, sub.alert_state = spec.text, "normal"

    def _changed(self, sub: Subscription) -> None:
        if self.on_change is not None:
            self.on_change(sub)

    def list(self, team_id: str, channel_id: str | None = None) -> list[Subscription]:
        q = select(Subscription).where(Subscription.team_id == team_id)
        if channel_id:
            q = q.where(Subscription.channel_id == channel_id)
        with self._session() as s:
            return list(s.scalars(q.order_by(Subscription.id)))

    def get(self, team_id: str, sub_id: int | str) -> Subscription:
        sid = str(sub_id).strip().lstrip("#")
        if not sid.isdigit():
            raise DigestError(f"'{sub_id}' is not a subscription number; `/kpi digest list` shows them.")
        sub_id = int(sid)
        with self._session() as s:
            sub = s.scalars(select(Subscription).where(Subscription.team_id == team_id,
                                                       Subscription.id == int(sub_id))).one_or_none()
        if sub is None:  # another workspace's id reads exactly like a missing one
            raise DigestError(f"No subscription #{sub_id} in this workspace; "
                              "`/kpi digest list` shows the ones there are.")
        return sub

    def _modify(self, team_id: str, sub_id: int, fn: Callable[[Subscription], None]) -> Subscription:
        self.get(team_id, sub_id)
        with self._session() as s, s.begin():
            sub = s.scalars(select(Subscription).where(Subscription.team_id == team_id,
                                                       Subscription.id == int(sub_id))).one()
            fn(sub)
            sub.updated_at = self._now()
        self._changed(sub)
        return sub

    def pause(self, team_id: str, sub_id: int, reason: str | None = None) -> Subscription:
        def f(sub: Subscription) -> None:
            sub.status, sub.paused_reason = "paused", reason or "paused by a user"
        return self._modify(team_id, sub_id, f)

    def resume(self, team_id: str, sub_id: int) -> Subscription:
        now = self._now()

        def f(sub: Subscription) -> None:  # no back-fill for the weeks it was paused
            sub.status, sub.paused_reason, sub.active_since = "active", None, now
        return self._modify(team_id, sub_id, f)

    def update(self, team_id: str, sub_id: int, spec_text: str) -> Subscription:
        spec = self._validate(team_id, parse_spec(spec_text, default_timezone=self._tz(team_id)))
        now = self._now()

        def f(sub: Subscription) -> None:
            self._apply(sub, spec)
            sub.active_since = now
        return self._modify(team_id, sub_id, f)

    def remove(self, team_id: str, sub_id: int) -> Subscription:
        sub = self.get(team_id, sub_id)
        with self._session() as s, s.begin():
            s.delete(s.get(Subscription, sub.id))
        sub.status = "removed"
        self._changed(sub)
        return sub

    def all_active(self, ids: list[int] | None = None) -> list[Subscription]:
        q = select(Subscription).where(Subscription.status == "active")
        if ids:
            q = q.where(Subscription.id.in_(ids))
        with self._session() as s:
            return list(s.scalars(q.order_by(Subscription.id)))

    def next_run(self, sub: Subscription) -> datetime | None:
        return next_fire_time(sub, self._now()) if sub.status == "active" else None

    def deliveries(self, team_id: str, sub_id: int | None = None, limit: int = 50) -> list[Any]:
        return self.log.rows(team_id, sub_id, limit)

    # ------------------------------------------------------------------ delivery
    def run_due(self, now: datetime | None = None, *, only: list[int] | None = None) -> RunReport:
        """Deliver every due (subscription, period) not yet delivered; safe to run concurrently."""
        now = now or self._now()
        report = RunReport(now=now)
        cache = _Cache()
        for sub in self.all_active(only):
            try:
                due = due_for(sub, now)
            except Exception:  # a corrupt row must not stop the others
                log.exception("cannot compute the schedule of subscription %s", sub.id)
                continue
            if due is None:
                continue
            claim = self.log.claim(sub, due, now)
            if claim is None:
                report.already += 1
                continue
            self._deliver(sub, due, claim, now, cache, report)
        return report

    def _deliver(self, sub: Subscription, due: Due, claim: Any, now: datetime, cache: _Cache,
                 report: RunReport) -> None:
        info = {"subscription": sub.id, "team": sub.team_id, "channel": sub.channel_id,
                "period": due.key, "late": due.late}
        try:
            message = self.compose_message(sub, due, cache)
        except Exception as exc:
            text = _user_message(exc)
            if text is None:
                log.exception("composing digest #%s failed", sub.id)
                text = "an internal error while computing the digest (see the bot's log)"
            self._fail(sub, claim, now, text, True, report, info)
            return
        if message is None:
            self.log.complete(claim, "skipped", now)
            report.skipped.append(info | {"reason": "alert not firing" if sub.kind == "alert" else "quiet"})
            return
        client = self.client_factory(sub.team_id)
        try:
            channel, ts, recovered = self.poster.post(client, claim, sub.channel_id, message)
            self.log.record_message(claim, channel, ts)
        except ChannelUnavailable as exc:
            self.log.fail(claim, now, exc.error, final=True)
            reason, fix = _PAUSE_TEXT.get(exc.error, (exc.error, "Fix the channel"))
            self.pause(sub.team_id, sub.id, reason=f"{reason} ({exc.error})")
            self.poster.notify(client, sub.owner_id, (
                f"I paused {sub.kind} #{sub.id} for {_where(sub)} (`{sub.spec_text}`) because {reason}. "
                f"{fix}, then run `/kpi digest resume {sub.id}`."))
            report.paused.append(info | {"error": exc.error})
            return
        except DeliveryFailed as exc:
            self._fail(sub, claim, now, exc.error, exc.retryable, report, info, client=client)
            return
        if message.png and not claim.chart_posted:
            try:
                self.poster.upload_chart(client, channel, ts, message.png, message.chart_title)
                claim.chart_posted = True
            except Exception as exc:  # the text carries every number; a missing chart is not a failure
                log.warning("chart upload for digest #%s failed: %s", sub.id, exc)
        self.log.complete(claim, "posted", now)
        if sub.kind == "alert":
            self._set_alert_state(sub, "alarm")
        remember = getattr(self.advisor, "remember", None)
        if message.answer is not None and callable(remember):
            remember(thread_key(sub.team_id, channel, ts), message.answer, workspace=sub.team_id)
        report.posted.append(info | {"ts": ts, "message_channel": channel, "recovered": recovered,
                                     "kind": message.kind})

    def _fail(self, sub: Subscription, claim: Any, now: datetime, error: str, retryable: bool,
              report: RunReport, info: dict[str, Any], client: Any = None) -> None:
        final = not retryable or claim.attempts >= MAX_ATTEMPTS
        self.log.fail(claim, now, error, final=final)
        report.failed.append(info | {"error": error, "final": final, "attempt": claim.attempts})
        if final:
            client = client or self.client_factory(sub.team_id)
            self.poster.notify(client, sub.owner_id, (
                f"Your {sub.kind} #{sub.id} for {_where(sub)} could not be posted for {claim.period_key} "
                f"after {claim.attempts} attempt(s): {error}. The next one will be tried as scheduled; "
                f"`/kpi digest list` shows its status."))

    def _set_alert_state(self, sub: Subscription, state: str) -> None:
        if sub.alert_state == state:
            return
        with self._session() as s, s.begin():
            row = s.get(Subscription, sub.id)
            if row is not None:
                row.alert_state = state
        sub.alert_state = state

    # ------------------------------------------------------------------ content
    def _kpi_engine(self, team_id: str) -> Any:
        """The workspace's kpi_engine.Engine (alerts compute on it directly)."""
        if self.kpi_engine_for is not None:
            return self.kpi_engine_for(team_id)
        fn = getattr(self.advisor, "engine", None)
        if callable(fn):  # Advisor.engine(workspace, *, as_of=None)
            return fn(team_id)
        if fn is not None and hasattr(fn, "compute_report"):
            return fn
        raise DigestError("Alerts need the KPI engine, and this advisor does not expose one.")

    def compose_message(self, sub: Subscription, due: Due, cache: _Cache | None = None) -> render.Message | None:
        """The message for (sub, due), or None when nothing should be posted."""
        if sub.kind == "alert":
            eng = self._kpi_engine(sub.team_id)
            res = evaluate_alert(eng, kpi_id=sub.kpis[0], period=due.period, filters=sub.filters or None,
                                 threshold_kind=sub.threshold_kind or "unusual",
                                 threshold_value=sub.threshold_value,
                                 direction=sub.alert_direction or "bad")
            if not res.triggered:
                self._set_alert_state(sub, "normal")
                return None
            if sub.alert_state == "alarm":  # still out of line: already told
                return None
            png = render_alert_chart(eng, res, sub.filters or None)
            return render.render_alert(res, png=png, due=due)
        answer = self._answer(sub.team_id, sub.goal, list(sub.kpis or []) or None, sub.period,
                              sub.filters or None, due.as_of, cache)
        material = render.is_material(answer)
        if not material and sub.quiet == "skip":
            return None
        if not material and sub.quiet == "brief":
            return render.render_quiet(answer, due=due)
        png = self._chart(sub.team_id, answer, cache)
        return render.render_digest(answer, png=png, due=due)

    def _answer(self, team: str, goal: str | None, kpis: list[str] | None, period: str,
                filters: dict[str, list[str]] | None, as_of: date | None, cache: _Cache | None) -> Any:
        key = json.dumps([team, goal, kpis, period, filters, str(as_of)], sort_keys=True)
        if cache is not None and key in cache.answers:
            cache.hits += 1
            return cache.answers[key]
        answer = self.advisor.compose_digest(workspace=team, goal=goal, kpis=kpis, period=period,
                                             filters=filters, as_of=as_of)
        if cache is not None:
            cache.answers[key] = answer
        return answer

    def _chart(self, team: str, answer: Any, cache: _Cache | None) -> bytes | None:
        if answer.chart is None:
            return None
        key = json.dumps([team, answer.chart.model_dump(mode="json")], sort_keys=True)
        if cache is not None and key in cache.charts:
            cache.hits += 1
            return cache.charts[key]
        png = self.advisor.render_chart(answer.chart, workspace=team)
        if cache is not None:
            cache.charts[key] = png
        return png

    def preview(self, team_id: str | None = None, spec_text: str | None = None, *,
                goal: str | None = None, kpis: list[str] | None = None, period: str = "last_week",
                filters: dict[str, list[str]] | None = None,
                as_of: date | None = None) -> tuple[str, bytes | None]:
        """Render a digest (or alert) now without posting: (text, png or None)."""
        team = team_id or "local"
        if spec_text:
            spec = self._validate(team, parse_spec(spec_text, default_timezone=self._tz(team)))
            if spec.kind == "alert":
                return self._preview_alert(team, spec, as_of)
            goal, kpis, period, filters = spec.goal, list(spec.kpis) or None, spec.period, spec.filters or None
        if not goal and not kpis:
            raise DigestError("Say what to preview: --goal awareness or --kpis engagement_rate,reach.")
        answer = self._answer(team, goal, kpis, period, filters, as_of, None)
        png = self._chart(team, answer, None)
        msg = render.render_digest(answer, png=png)
        if not render.is_material(answer):
            msg.text += "\n\n(Nothing material changed: with quiet=brief the post would be:)\n" + \
                render.render_quiet(answer).text
        return msg.text, png

    def _preview_alert(self, team: str, spec: DigestSpec, as_of: date | None) -> tuple[str, bytes | None]:
        from kpi_engine.periods import resolve_period

        eng = self._kpi_engine(team)
        today = as_of + timedelta(days=1) if as_of else eng.today()
        period = resolve_period(spec.period, today=today, timezone=spec.timezone)
        res = evaluate_alert(eng, kpi_id=spec.kpis[0], period=period, filters=spec.filters or None,
                             threshold_kind=spec.threshold_kind or "unusual",
                             threshold_value=spec.threshold_value, direction=spec.direction)
        if not res.triggered:
            value = render.fmt_value(res.value, res.unit)
            return (f"The alert would not fire for {period}: {res.name} is {value} "
                    f"(engine verdict: {res.verdict}).", None)
        return render.render_alert(res).text, render_alert_chart(eng, res, spec.filters or None)


def _where(sub: Subscription) -> str:
    return "your DMs" if sub.target == "dm" else f"<#{sub.channel_id}>"


def _user_message(exc: Exception) -> str | None:
    """The user-facing text of the project's own errors; None for bugs."""
    return str(exc) if isinstance(exc, KpiAdvisorError) else None

