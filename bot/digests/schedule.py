"""When a subscription is due, and the APScheduler process that wakes it up.

The due period is computed from the clock, not from the scheduler: for a tick
at ``now`` the latest fire time at or before ``now`` (and after the
subscription became active) is the one that counts. Fire times are computed by
APScheduler's CronTrigger in the subscription's IANA timezone, so a weekly
Monday 09:00 Europe/Berlin fires at 09:00 local on both sides of a DST switch.
After downtime only the latest missed fire is due, and the delivery log's
unique key lets it out once: a missed digest is sent once, marked late.

The in-process scheduler keeps one cron job per active subscription in a
persistent SQLAlchemyJobStore on the state database (coalesce=True, no misfire
limit), plus a sweep job as a safety net; both only call
``DigestService.run_due``, which is safe to call any number of times from any
number of processes.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from kpi_engine.periods import Period, resolve_period

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from .models import Subscription

__all__ = ["Due", "build_trigger", "last_fire_time", "next_fire_time", "due_for", "DigestScheduler",
           "LATE_AFTER"]

log = logging.getLogger(__name__)

LATE_AFTER = timedelta(minutes=15)  # posted later than this after its fire time -> marked late
_MAX_LOOKBACK = timedelta(days=400)
_FIRST_SPAN = {"daily": timedelta(hours=26), "weekly": timedelta(days=7, hours=2),
               "monthly": timedelta(days=32)}
_JOBS_TABLE = "digest_jobs"
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


def build_trigger(sub: Subscription) -> Any:
    """APScheduler CronTrigger for the subscription's cadence, in its timezone."""
    from apscheduler.triggers.cron import CronTrigger

    tz = ZoneInfo(sub.timezone)
    if sub.cadence == "cron":
        return CronTrigger.from_crontab(sub.cron or "", timezone=tz)
    hour, minute = (int(x) for x in sub.time.split(":"))
    if sub.cadence == "daily":
        return CronTrigger(hour=hour, minute=minute, timezone=tz)
    if sub.cadence == "weekly":
        return CronTrigger(day_of_week=sub.day or "mon", hour=hour, minute=minute, timezone=tz)
    return CronTrigger(day=sub.day or "1", hour=hour, minute=minute, timezone=tz)


def next_fire_time(sub: Subscription, after: datetime) -> datetime | None:
    """The first fire time strictly after ``after`` (aware)."""
    trigger = build_trigger(sub)
    return trigger.get_next_fire_time(None, _aware(after) + timedelta(microseconds=1))


def last_fire_time(sub: Subscription, now: datetime, trigger: Any = None) -> datetime | None:
    """The latest fire time at or before ``now``, or None within the look-back."""
    trigger = trigger or build_trigger(sub)
    now = _aware(now)
    # start from the cadence's own interval so the usual case is one or two trigger calls
    span = _FIRST_SPAN.get(sub.cadence, timedelta(minutes=1))
    found = None
    # widen the window until it holds a fire time: ~log2(cadence / 1 min) trigger calls
    while span <= _MAX_LOOKBACK * 2:
        t = trigger.get_next_fire_time(None, now - span)
        if t is not None and t <= now:
            found = t
            break
        span *= 2
    if found is None:
        return None
    while True:
        nxt = trigger.get_next_fire_time(found, found + timedelta(microseconds=1))
        if nxt is None or nxt > now:
            return found
        found = nxt


def due_for(sub: Subscription, now: datetime) -> Due | None:
    """What a tick at ``now`` should deliver for ``sub``; None when nothing is due."""
    now = _aware(now)
    fire = last_fire_time(sub, now)
    if fire is None or fire <= _aware(sub.active_since):
        return None
    tz = ZoneInfo(sub.timezone)
    local = fire.astimezone(tz)
    period = resolve_period(sub.period, today=local.date(), timezone=sub.timezone)
    key = f"{period.start.isoformat()}..{period.end.isoformat()}"
    return Due(fire_at=fire.astimezone(timezone.utc), local=local,
               as_of=local.date() - timedelta(days=1),
               period=period, key=key, late=now - fire > LATE_AFTER)


def _aware(dt: datetime) -> datetime:
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=timezone.utc)


def run_job(service_name: str, sub_id: int | None = None) -> None:
    """APScheduler job entry point (a module-level function, so the job store can persist it)."""
    service = _SERVICES.get(service_name)
    if service is None:  # a persisted job loaded before this process registered its service
        log.warning("digest job for %s fired but no DigestService is registered", service_name)
        return
    service.run_due(only=[sub_id] if sub_id is not None else None)


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
                timezone=timezone.utc,
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
            self.scheduler.add_job(run_job, trigger=build_trigger(sub), args=[self.name, sub.id],
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
