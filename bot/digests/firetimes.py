"""When a subscription fires: wall-clock schedules in an IANA zone, mapped to instants across DST.

A schedule names local wall-clock times ("Mondays 09:00 Europe/Berlin"). They
are enumerated in wall-clock space, where no hour is skipped or repeated (by
date arithmetic, or for cron expressions by an APScheduler CronTrigger running
in UTC), then each wall time is mapped to one instant in the subscription's zone:

* an ordinary time is that instant;
* a time the clocks pass twice (the repeated autumn hour: 02:30 Europe/Berlin on
  2026-10-25) fires once, at its first occurrence (the summer-time one, fold=0),
  as cron does;
* a time the clocks skip (02:30 Europe/Berlin on 2026-03-29, 02:15 on a
  30-minute Lord Howe spring day) fires once, at the moment the clocks jump
  (03:00 CEST), so the digest is as early as it can be and never lost.

All arithmetic on instants is done in UTC, where adding a microsecond cannot
reset ``fold``, and every loop has a hard bound: a bug raises
:class:`ScheduleError` instead of spinning.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from .errors import DigestError

__all__ = [
    "MAX_STEPS",
    "Schedule",
    "ScheduleError",
    "fires_between",
    "last_fire",
    "next_fire",
    "schedule_of",
    "to_instant",
]

MAX_STEPS = 5000  # trigger steps any one computation may take before it is declared a bug
MAX_LOOKBACK = timedelta(days=400)
_FIRST_SPAN = {"daily": timedelta(hours=26), "weekly": timedelta(days=7, hours=2),
               "monthly": timedelta(days=32), "cron": timedelta(hours=1)}


class ScheduleError(DigestError):
    """A fire time could not be computed within the step bound (a bug, reported, never a hang)."""


@dataclass(frozen=True)
class Schedule:
    """The part of a subscription that says when it fires."""

    cadence: str  # daily | weekly | monthly | cron
    time: str = "09:00"
    timezone: str = "UTC"
    day: str | None = None
    cron: str | None = None

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def schedule_of(sub: Any) -> Schedule:
    """The Schedule of a subscription row (or anything with the same attributes)."""
    if isinstance(sub, Schedule):
        return sub
    return Schedule(cadence=sub.cadence, time=sub.time or "09:00", timezone=sub.timezone or "UTC",
                    day=sub.day, cron=sub.cron)


@lru_cache(maxsize=4096)
def _wall_trigger(s: Schedule) -> Any:
    """A CronTrigger in UTC whose fire times, read as naive, are a cron schedule's local wall times."""
    from apscheduler.triggers.cron import CronTrigger

    return CronTrigger.from_crontab(s.cron or "", timezone=UTC)


_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _on(s: Schedule, d: date) -> bool:
    if s.cadence == "daily":
        return True
    if s.cadence == "weekly":
        return d.weekday() == _WEEKDAYS.index(s.day or "mon")
    if (s.day or "1") == "last":
        return (d + timedelta(days=1)).month != d.month
    return d.day == int(s.day or "1")


def _walls(s: Schedule, start: datetime, end: datetime) -> list[datetime]:
    """Wall times (naive) in [start, end], oldest first.

    Daily, weekly and monthly schedules step through the days (one wall time a day
    at most); cron expressions step an APScheduler CronTrigger in UTC.
    """
    out: list[datetime] = []
    if s.cadence != "cron":
        hour, minute = (int(x) for x in s.time.split(":"))
        at = time(hour, minute)
        d = start.date()
        for _ in range(MAX_STEPS):
            if d > end.date():
                return out
            wall = datetime.combine(d, at)
            if start <= wall <= end and _on(s, d):
                out.append(wall)
            d += timedelta(days=1)
    else:
        trigger = _wall_trigger(s)
        t = trigger.get_next_fire_time(None, start.replace(tzinfo=UTC))
        for _ in range(MAX_STEPS):
            if t is None or t.replace(tzinfo=None) > end:
                return out
            out.append(t.replace(tzinfo=None))
            t = trigger.get_next_fire_time(t, t + timedelta(seconds=1))
    raise ScheduleError(f"Schedule {s} has more than {MAX_STEPS} steps between {start} and {end}; "
                        "this is a bug in kpi-advisor, please report it.")


def _wall(instant: datetime, zone: ZoneInfo) -> datetime:
    return instant.astimezone(zone).replace(tzinfo=None)


def to_instant(wall: datetime, zone: ZoneInfo) -> datetime:
    """The UTC instant a local wall time fires at (first occurrence when repeated, the jump when skipped)."""
    naive = wall.replace(tzinfo=None)
    first = naive.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if _wall(first, zone) == naive:
        return first  # exists; fold=0 is the earlier of two occurrences
    # skipped: fold=0 reads it with the offset before the jump (an instant after it), fold=1 with the
    # offset after (an instant before it); the jump lies between them
    lo, hi = naive.replace(tzinfo=zone, fold=1).astimezone(UTC), first
    for _ in range(64):
        if hi - lo <= timedelta(seconds=1):
            return hi
        mid = lo + (hi - lo) / 2
        if _wall(mid, zone) > naive:
            hi = mid
        else:
            lo = mid
    raise ScheduleError(f"Could not place {naive} in {zone}; this is a bug in kpi-advisor, please report it.")


def _aware(dt: datetime) -> datetime:
    return (dt if dt.tzinfo is not None else dt.replace(tzinfo=UTC)).astimezone(UTC)


def _upper_wall(now: datetime, zone: ZoneInfo) -> datetime:
    """The latest wall time that can fire at or before ``now``.

    In the second pass of a repeated hour the whole first pass has already fired,
    so wall times up to the end of the repeated span (now's wall + the shift) count.
    """
    local = now.astimezone(zone)
    wall = local.replace(tzinfo=None)
    if local.fold:
        shift = local.replace(fold=0).utcoffset() - local.utcoffset()  # type: ignore[operator]
        if shift > timedelta(0):
            wall += shift
    return wall


def last_fire(sub: Any, now: datetime) -> datetime | None:
    """The latest fire time (UTC) at or before ``now``; None within the look-back."""
    s = schedule_of(sub)
    zone, now = s.zone, _aware(now)
    upper = _upper_wall(now, zone)
    span = _FIRST_SPAN.get(s.cadence, timedelta(hours=1))
    while span <= MAX_LOOKBACK * 2:  # at most ~14 doublings
        fired = [i for i in (to_instant(w, zone) for w in _walls(s, upper - span, upper)) if i <= now]
        if fired:
            return max(fired)
        span *= 2
    return None


def next_fire(sub: Any, after: datetime) -> datetime | None:
    """The first fire time (UTC) strictly after ``after``."""
    s = schedule_of(sub)
    zone, after = s.zone, _aware(after)
    start = _wall(after, zone)
    span = _FIRST_SPAN.get(s.cadence, timedelta(hours=1))
    while span <= MAX_LOOKBACK * 2:
        later = [i for i in (to_instant(w, zone) for w in _walls(s, start, start + span)) if i > after]
        if later:
            return min(later)
        span *= 2
    return None


def fires_between(sub: Any, after: datetime, until: datetime, *, limit: int = 60) -> list[datetime]:
    """Distinct fire times (UTC) in (after, until], oldest first: the newest ``limit`` of them."""
    s = schedule_of(sub)
    after, until = _aware(after), _aware(until)
    out: list[datetime] = []
    t = last_fire(s, until)
    while t is not None and t > after and len(out) < limit:  # walks back: bounded by ``limit``
        out.append(t)
        earlier = last_fire(s, t - timedelta(microseconds=1))  # UTC arithmetic: fold cannot reset
        if earlier is not None and earlier >= t:
            raise ScheduleError(f"Schedule {s} does not move back from {t}; this is a bug in kpi-advisor.")
        t = earlier
    return out[::-1]
