"""DigestService: manage subscriptions and deliver what is due, once, one workspace never blocking another.

``run_due`` is the one delivery path: the in-process scheduler
(:class:`bot.digests.schedule.DigestScheduler`) and ``kpi-advisor digest
run-due`` (cron, Kubernetes CronJob) both call it, and any number of them may
run at once against the same database. Every query is scoped by team_id.

Failures stay where they belong:

* a subscription whose schedule or content cannot be computed is reported and
  the run goes on;
* a workspace that cannot be posted to (app uninstalled, token revoked) is
  reported once per run, nothing is claimed for it (or its claim is released),
  and the other workspaces are served;
* a channel that lost the bot pauses that subscription and tells its owner;
* a Slack error is retried within one time budget per workspace and run, then
  recorded for a later run (and reported to the owner when it fails for good).

After downtime the latest period is delivered (marked late) and names and
summarises the periods missed before it; those are logged as ``missed``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from bot.render.mrkdwn import escape
from bot.threads import thread_key
from kpi_engine.errors import KpiAdvisorError

from .compose import Composer, RunCache
from .delivery import MAX_ATTEMPTS, DeliveryLog
from .firetimes import fires_between
from .models import Subscription
from .poster import (
    ChannelUnavailable,
    DeliveryFailed,
    SlackPoster,
    WorkspaceUnavailable,
)
from .retry import RetryBudget, install_retry
from .schedule import Due, due_at, due_for
from .subscriptions import MAX_PER_TEAM, Subscriptions

__all__ = ["MAX_MISSED", "MAX_PER_TEAM", "MISSED_LOOKBACK", "DigestService", "RunReport", "thread_key"]

log = logging.getLogger(__name__)

MISSED_LOOKBACK = timedelta(days=92)  # how far back a late digest looks for periods it missed
MAX_MISSED = 26  # named at most (half a year of weekly digests); older ones are counted in the log only
_PAUSE_TEXT = {
    "not_in_channel": ("I am not a member of that channel",
                       "Invite me with `/invite @kpi-advisor` in the channel"),
    "is_archived": ("the channel is archived", "Unarchive it, or subscribe another channel"),
    "channel_is_archived": ("the channel is archived", "Unarchive it, or subscribe another channel"),
    "channel_not_found": ("the channel no longer exists or I cannot see it",
                          "Check the channel, or subscribe another one"),
}
_INTERNAL = "an internal error while preparing the digest (see the bot's log)"


@dataclass
class RunReport:
    """What one ``run_due`` did.

    ``ok`` is False when anything failed, was paused or could not reach its workspace;
    the CLI's exit code is about whether the run could run at all (see ``digest run-due``).
    """

    now: datetime
    posted: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[dict[str, Any]] = field(default_factory=list)  # quiet rule / alert not firing
    failed: list[dict[str, Any]] = field(default_factory=list)
    paused: list[dict[str, Any]] = field(default_factory=list)
    unavailable: list[dict[str, Any]] = field(default_factory=list)  # workspaces that cannot be posted to
    missed: list[dict[str, Any]] = field(default_factory=list)  # earlier periods named in a late digest
    already: int = 0  # due but delivered (or being delivered) by another run

    @property
    def ok(self) -> bool:
        return not self.failed and not self.paused and not self.unavailable

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["now"] = self.now.isoformat()
        d["ok"] = self.ok
        return d


class _Workspaces:
    """One run's Slack clients per workspace, each with its own retry budget; failures remembered."""

    def __init__(self, factory: Callable[[str], Any], poster: SlackPoster, report: RunReport):
        self.factory, self.poster, self.report = factory, poster, report
        self.clients: dict[str, tuple[Any, RetryBudget]] = {}
        self.down: dict[str, dict[str, Any]] = {}

    def get(self, team: str) -> tuple[Any, RetryBudget] | None:
        if team in self.down:
            return None
        if team not in self.clients:
            try:
                client = self.factory(team)
            except (LookupError, KpiAdvisorError) as exc:  # not installed, or no credentials for it
                self.mark_down(team, str(exc))
                return None
            except Exception as exc:  # a broken installation store must not stop the other workspaces
                log.exception("cannot make a Slack client for workspace %s", team)
                self.mark_down(team, f"cannot make a Slack client ({type(exc).__name__})")
                return None
            if client is None:
                self.mark_down(team, "no Slack client for this workspace")
                return None
            budget = self.poster.new_budget()
            self.clients[team] = (install_retry(client, budget), budget)
        return self.clients[team]

    def mark_down(self, team: str, error: str) -> None:
        log.warning("workspace %s cannot be posted to (%s); its digests wait for the next run", team, error)
        self.down[team] = {"team": team, "error": error, "subscriptions": []}
        self.report.unavailable.append(self.down[team])

    def note(self, team: str, sub_id: int) -> None:
        self.down[team]["subscriptions"].append(sub_id)


class DigestService(Subscriptions):
    def __init__(self, *, engine: Engine, advisor: Any,
                 client_factory: Callable[[str], Any], clock: Callable[[], datetime] | None = None,
                 kpi_engine_for: Callable[[str], Any] | None = None,
                 poster: SlackPoster | None = None, default_timezone: str = "UTC",
                 workspace_for: Callable[[str], Any] | None = None):
        super().__init__(engine=engine, advisor=advisor, clock=clock, kpi_engine_for=kpi_engine_for,
                         default_timezone=default_timezone, workspace_for=workspace_for)
        self.client_factory = client_factory
        self.poster = poster or SlackPoster()
        self.log = DeliveryLog(engine)
        self.composer = Composer(advisor=advisor, kpi_engine_for=kpi_engine_for)

    def deliveries(self, team_id: str, sub_id: int | None = None, limit: int = 50) -> list[Any]:
        return self.log.rows(team_id, sub_id, limit)

    # ------------------------------------------------------------------ delivery
    def run_due(self, now: datetime | None = None, *, only: list[int] | None = None) -> RunReport:
        """Deliver every due (subscription, period) not yet delivered; safe to run concurrently."""
        now = now or self._now()
        report = RunReport(now=now)
        cache = RunCache()
        due: list[tuple[Subscription, Due]] = []
        for sub in self.all_active(only):
            try:
                d = due_for(sub, now)
            except Exception as exc:  # one broken schedule must not stop the others
                self._report_error(report, sub, None, exc, "computing its schedule")
                continue
            if d is not None:
                due.append((sub, d))
        settled = self.log.settled({(s.id, d.key) for s, d in due}, now)
        workspaces = _Workspaces(self.client_factory, self.poster, report)
        for sub, d in due:
            if (sub.id, d.key) in settled:
                report.already += 1
                continue
            slack = workspaces.get(sub.team_id)
            if slack is None:  # nothing is claimed for a workspace that cannot be posted to
                workspaces.note(sub.team_id, sub.id)
                continue
            claim = self.log.claim(sub, d, now)
            if claim is None:
                report.already += 1
                continue
            try:
                self._deliver(sub, d, claim, now, cache, report, *slack)
            except WorkspaceUnavailable as exc:
                self.log.release(claim)
                workspaces.mark_down(sub.team_id, exc.error)
                workspaces.note(sub.team_id, sub.id)
            except Exception:  # a bug in one delivery: recorded for a later retry, others go on
                log.exception("digest #%s (%s) failed while delivering it", sub.id, sub.team_id)
                if claim.message_ts is None:
                    self._fail(sub, claim, now, _INTERNAL, True, report, self._info(sub, d), slack[0])
                else:
                    self.log.complete(claim, "posted", now)
        return report

    @staticmethod
    def _info(sub: Subscription, due: Due | None) -> dict[str, Any]:
        return {"subscription": sub.id, "team": sub.team_id, "channel": sub.channel_id,
                "period": due.key if due else None, "late": due.late if due else False}

    def _report_error(self, report: RunReport, sub: Subscription, due: Due | None, exc: Exception,
                      doing: str) -> None:
        if isinstance(exc, KpiAdvisorError):
            log.error("digest #%s (%s): %s while %s", sub.id, sub.team_id, exc, doing)
            error = str(exc)
        else:
            log.exception("digest #%s (%s) failed while %s", sub.id, sub.team_id, doing)
            error = _INTERNAL
        report.failed.append(self._info(sub, due) | {"error": error, "final": False, "attempt": 0})

    def _missed(self, sub: Subscription, due: Due, now: datetime) -> list[Due]:
        """Earlier fires since the subscription became active that have no delivery-log row."""
        since = max(_aware(sub.active_since), due.fire_at - MISSED_LOOKBACK)
        last = self.log.last_logged(sub.id, other_than=due.key)  # periods before it were settled then
        if last is not None and last > since:
            since = last
        fires = fires_between(sub, since, due.fire_at - timedelta(microseconds=1), limit=MAX_MISSED)
        dues = {d.key: d for d in (due_at(sub, f, now) for f in fires) if d.key != due.key}
        logged = self.log.keys_logged(sub.id, list(dues))
        return [d for k, d in dues.items() if k not in logged]

    def _deliver(self, sub: Subscription, due: Due, claim: Any, now: datetime, cache: RunCache,
                 report: RunReport, client: Any, budget: RetryBudget) -> None:
        info = self._info(sub, due)
        missed_dues = self._missed(sub, due, now)
        try:
            missed = self.composer.summarise_missed(sub, missed_dues, cache)
            if sub.kind == "alert":
                message, res = self.composer.compose_alert(sub, due, missed)
                if not res.triggered:
                    self._set_alert_state(sub, "normal")
            else:
                message = self.composer.compose(sub, due, cache, missed)
        except KpiAdvisorError as exc:
            self._fail(sub, claim, now, str(exc), True, report, info, client)
            return
        if message is None:
            self.log.complete(claim, "skipped", now)
            self._log_missed(sub, missed_dues, now, report, note="nothing to post (quiet rule or alert calm)")
            report.skipped.append(info | {"reason": "alert not firing" if sub.kind == "alert" else "quiet"})
            return
        try:
            channel, ts, recovered = self.poster.post(client, claim, sub.channel_id, message, budget)
            self.log.record_message(claim, channel, ts)
        except ChannelUnavailable as exc:
            self.log.fail(claim, now, exc.error, final=True)
            reason, fix = _PAUSE_TEXT.get(exc.error, (exc.error, "Fix the channel"))
            self.pause(sub.team_id, sub.id, reason=f"{reason} ({exc.error})")
            told = self.poster.notify(client, sub.owner_id, (
                f"I paused {sub.kind} #{sub.id} for {_where(sub)} (`{escape(sub.spec_text)}`) because {escape(reason)}. "
                f"{fix}, then run `/kpi digest resume {sub.id}`."))
            report.paused.append(info | {"error": exc.error, "owner_told": told})
            return
        except DeliveryFailed as exc:
            self._fail(sub, claim, now, exc.error, exc.retryable, report, info, client)
            return
        if message.png and not claim.chart_posted:
            try:
                self.poster.upload_chart(client, channel, ts, message.png, message.chart_title,
                                         alt=message.alt_text or self._chart_alt(sub, message))
                claim.chart_posted = True
            except Exception as exc:  # the text carries every number; a missing chart is not a failure
                log.warning("chart upload for digest #%s failed: %s", sub.id, exc)
        self.log.complete(claim, "posted", now)
        self._log_missed(sub, missed_dues, now, report, note=f"named in the late digest {ts}", channel=channel, ts=ts)
        if sub.kind == "alert":
            self._set_alert_state(sub, "alarm")
        remember = getattr(self.advisor, "remember", None)
        if message.answer is not None and callable(remember):
            try:
                remember(thread_key(sub.team_id, channel, ts), message.answer, workspace=sub.team_id)
            except KpiAdvisorError as exc:  # posted: follow-ups in the thread lose context, nothing else
                log.warning("could not remember digest #%s for follow-ups: %s", sub.id, exc)
        report.posted.append(info | {"ts": ts, "message_channel": channel, "recovered": recovered,
                                     "kind": message.kind, "missed": [d.key for d in missed_dues]})

    def _chart_alt(self, sub: Subscription, message: Any) -> str | None:
        """Alt text for a digest's chart, with the numbers it shows (None: the title will do)."""
        from advisor.compose_trend import describe_chart
        from bot.advisor_client import call_in_advisor

        answer = message.answer
        if answer is None or answer.chart is None:
            return None
        as_of = date.fromisoformat(answer.context.as_of) if answer.context.as_of else None
        spec = answer.chart.model_copy(update={"title": message.chart_title})
        try:
            return call_in_advisor(self.advisor, describe_chart, spec, workspace=sub.team_id, as_of=as_of)
        except Exception as exc:  # the chart still goes out, titled
            log.info("digest #%s chart alt text: %s", sub.id, type(exc).__name__)
            return None

    def _log_missed(self, sub: Subscription, missed: list[Due], now: datetime, report: RunReport, *,
                    note: str, channel: str | None = None, ts: str | None = None) -> None:
        if not missed:
            return
        self.log.record_missed(sub, missed, now, f"missed while the service was down or could not post; {note}",
                               channel=channel, ts=ts)
        report.missed.append({"subscription": sub.id, "team": sub.team_id, "periods": [d.key for d in missed]})

    def _fail(self, sub: Subscription, claim: Any, now: datetime, error: str, retryable: bool,
              report: RunReport, info: dict[str, Any], client: Any) -> None:
        final = not retryable or claim.attempts >= MAX_ATTEMPTS
        self.log.fail(claim, now, error, final=final)
        report.failed.append(info | {"error": error, "final": final, "attempt": claim.attempts})
        if final:
            self.poster.notify(client, sub.owner_id, (
                f"Your {sub.kind} #{sub.id} for {_where(sub)} could not be posted for {claim.period_key} "
                f"after {claim.attempts} attempt(s): {escape(error)}. The next one will be tried as scheduled; "
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
    def compose_message(self, sub: Subscription, due: Due, cache: RunCache | None = None) -> Any:
        """The message for (sub, due), or None when nothing should be posted (benchmarks, previews)."""
        if sub.kind == "alert":
            return self.composer.compose_alert(sub, due)[0]
        return self.composer.compose(sub, due, cache)

    def preview(self, team_id: str | None = None, spec_text: str | None = None, *,
                goal: str | None = None, kpis: list[str] | None = None, period: str = "last_week",
                filters: dict[str, list[str]] | None = None,
                as_of: date | None = None) -> tuple[str, bytes | None]:
        """Render a digest (or alert) now without posting: (text, png or None)."""
        team = team_id or "local"
        spec = self._parse(team, spec_text) if spec_text else None
        return self.composer.preview(team, spec, goal=goal, kpis=kpis, period=period, filters=filters,
                                     as_of=as_of)


def _aware(dt: datetime) -> datetime:
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=UTC)


def _where(sub: Subscription) -> str:
    return "your DMs" if sub.target == "dm" else f"<#{sub.channel_id}>"
