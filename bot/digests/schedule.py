"""When a subscription is due, and the APScheduler process that wakes it up.

The due period is computed from the clock, not from the scheduler: for a tick
at ``now`` the latest fire time at or before ``now`` (and after the
subscription became active) is the one that counts. Fire times come from
:mod:`bot.digests.firetimes`: local wall-clock times in the subscription's
IANA zone, so a weekly Monday 09:00 Europe/Berlin fires at 09:00 local on both
sides of a DST switch; a time in the repeated autumn hour fires once (its first
occurrence) and a time in the skipped spring hour fires when the clocks jump.
After downtime the latest missed fire is due (marked late) and the service
names and summarises the earlier ones it missed (see ``DigestService``).

The in-process scheduler keeps one job per active subscription in a persistent
SQLAlchemyJobStore on the state database (coalesce=True, no misfire limit),
triggered by :class:`DigestTrigger` (the same fire-time code, not APScheduler's
own cron arithmetic), plus a sweep job as a safety net; both only call
``DigestService.run_due``, which is safe to call any number of times from any
number of processes.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from apscheduler.triggers.base import BaseTrigger

from kpi_engine.periods import Period, resolve_period

from .firetimes import Schedule, last_fire, next_fire, schedule_of

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from .models import Subscription

__all__ = [
    "LATE_AFTER",
    "DigestScheduler",
    "DigestTrigger",
    "Due",
    "due_at",
    "due_for",
    "last_fire_time",
    "next_fire_time",
]

log = logging.getLogger(__name__)

LATE_AFTER = timedelta(minutes=15)  # posted later than this after its fire time -> marked late
_JOBS_TABLE = "digest_jobs"  # created by the schema migrations (advisor.state), not by APScheduler
_SERVICES: dict[str, Any] = {}


@dataclass(frozen=True)
class Due:
    """The fire a tick should deliver: when it was scheduled and which data period it covers."""

    fire_at: datetime  # aware, UTC
    local: datetime  # the same instant in the subscription's timezone
    as_of: date  # the last complete local day the digest is computed with (fire day - 1)
    period: Period
    key: str  # delivery-log period key: '2025-03-24..2025-03-30'
    late: bool


class DigestTrigger(BaseTrigger):
    """APScheduler trigger over :mod:`bot.digests.firetimes` (picklable: it holds a Schedule)."""

    def __init__(self, schedule: Schedule):
        self.schedule = schedule

    def get_next_fire_time(self, previous_fire_time: datetime | None, now: datetime) -> datetime | None:
        # like CronTrigger: from the previous fire (so missed fires are seen and coalesced), never later
        # than now; all in UTC so a microsecond step cannot land back on the same fire
        now = now.astimezone(UTC)
        start = now
        if previous_fire_time is not None:
            after_previous = previous_fire_time.astimezone(UTC) + timedelta(microseconds=1)
            start = after_previous  # from just after the previous fire: missed fires are seen, coalesced
        return next_fire(self.schedule, start - timedelta(microseconds=1))

    def __str__(self) -> str:
        s = self.schedule
        when = f'cron "{s.cron}"' if s.cadence == "cron" else f"{s.cadence} {s.day or ''} {s.time}".replace("  ", " ")
        return f"digest[{when} {s.timezone}]"

    def __repr__(self) -> str:
        return f"<DigestTrigger {self.schedule!r}>"


def next_fire_time(sub: Subscription | Schedule, after: datetime) -> datetime | None:
    """The first fire time strictly after ``after`` (aware, UTC)."""
    return next_fire(sub, after)


def last_fire_time(sub: Subscription | Schedule, now: datetime) -> datetime | None:
    """The latest fire time at or before ``now`` (aware, UTC), or None within the look-back."""
    return last_fire(sub, now)


def due_at(sub: Subscription, fire: datetime, now: datetime) -> Due:
    """The Due for one fire time of ``sub`` (the period it covers, whether it is late at ``now``)."""
    tz = ZoneInfo(sub.timezone)
    local = fire.astimezone(tz)
    period = resolve_period(sub.period, today=local.date(), timezone=sub.timezone)
    key = f"{period.start.isoformat()}..{period.end.isoformat()}"
    return Due(fire_at=fire.astimezone(UTC), local=local, as_of=local.date() - timedelta(days=1),
               period=period, key=key, late=_aware(now) - fire > LATE_AFTER)


def due_for(sub: Subscription, now: datetime) -> Due | None:
    """What a tick at ``now`` should deliver for ``sub``; None when nothing is due."""
    now = _aware(now)
    fire = last_fire(schedule_of(sub), now)
    if fire is None or fire <= _aware(sub.active_since):
        return None
    return due_at(sub, fire, now)


def _aware(dt: datetime) -> datetime:
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=UTC)


def run_job(service_name: str, sub_id: int | None = None) -> None:
    """APScheduler job entry point (a module-level function, so the job store can persist it)."""
    service = _SERVICES.get(service_name)
    if service is None:  # a persisted job loaded before this process registered its service
        log.warning("digest job for %s fired but no DigestService is registered", service_name)
        return
    try:
        service.run_due(only=[sub_id] if sub_id is not None else None)
    except Exception:  # run_due isolates each subscription; this is the last line for a bug in it
        log.exception("digest run for %s failed", "sweep" if sub_id is None else f"#{sub_id}")


class DigestScheduler:
    """APScheduler 3 BackgroundScheduler with a persistent job store on the state database."""

    def __init__(self, *, service: Any, engine: Engine, name: str = "default",
                 sweep_minutes: int = 5, scheduler: Any = None):
        self.service = service
        self.name = name
        self.sweep_minutes = sweep_minutes
        self._engine = engine
        self._scheduler = scheduler

    @property
    def scheduler(self) -> Any:
        if self._scheduler is None:
            from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
            from apscheduler.schedulers.background import BackgroundScheduler

            self._scheduler = BackgroundScheduler(
                jobstores={"default": SQLAlchemyJobStore(engine=self._engine, tablename=_JOBS_TABLE)},
                # run a missed job once however late (the service marks it late), never once per
                # missed fire; one run at a time per job
                job_defaults={"coalesce": True, "misfire_grace_time": None, "max_instances": 1},
                timezone=UTC,
            )
        return self._scheduler

    def start(self) -> None:
        _SERVICES[self.name] = self.service
        self.scheduler.start()
        self.sync_all()

    def shutdown(self, wait: bool = True) -> None:
        if self._scheduler is not None and self._scheduler.running:
            self._scheduler.shutdown(wait=wait)
        _SERVICES.pop(self.name, None)

    def job_id(self, sub_id: int) -> str:
        return f"{self.name}:digest:{sub_id}"

    def sync(self, sub: Subscription) -> None:
        """Add, replace or remove the cron job of one subscription."""
        if sub.status == "active":
            self.scheduler.add_job(run_job, trigger=DigestTrigger(schedule_of(sub)), args=[self.name, sub.id],
                                   id=self.job_id(sub.id), name=f"digest #{sub.id} ({sub.team_id})",
                                   replace_existing=True)
        else:
            self.remove(sub.id)

    def remove(self, sub_id: int) -> None:
        from apscheduler.jobstores.base import JobLookupError

        try:
            self.scheduler.remove_job(self.job_id(sub_id))
        except JobLookupError:
            pass

    def sync_all(self) -> None:
        """Make the job store match the subscriptions table (and keep the sweep job)."""
        from apscheduler.triggers.interval import IntervalTrigger

        subs = {s.id: s for s in self.service.all_active()}
        prefix = f"{self.name}:digest:"
        for job in self.scheduler.get_jobs():
            if job.id.startswith(prefix) and int(job.id.removeprefix(prefix)) not in subs:
                job.remove()
        for sub in subs.values():
            self.sync(sub)
        self.scheduler.add_job(run_job, trigger=IntervalTrigger(minutes=self.sweep_minutes),
                               args=[self.name, None], id=f"{self.name}:sweep",
                               name="digest sweep", replace_existing=True)
