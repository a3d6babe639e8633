"""Fire times at both DST edges, in several zones (Lord Howe shifts by 30 minutes), never a spin."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.digests.firetimes import (
    MAX_STEPS,
    Schedule,
    ScheduleError,
    fires_between,
    last_fire,
    next_fire,
)
from tests.digests.conftest import Clock, make_service
from tests.digests.static_advisor import StaticAdvisor

# (schedule, zone, the local day of the switch, the local time it must fire at that day)
AUTUMN = [  # a time in the repeated hour fires once, at its first (summer-time) occurrence
    ("daily 02:30", "Europe/Berlin", "2026-10-25", "02:30+02:00"),
    ("daily 01:30", "America/New_York", "2026-11-01", "01:30-04:00"),
    ("weekly sun 02:15", "Europe/Berlin", "2026-10-25", "02:15+02:00"),
    ("daily 01:45", "Australia/Lord_Howe", "2026-04-05", "01:45+11:00"),
]
SPRING = [  # a time the clocks skip fires once, when they jump
    ("daily 02:30", "Europe/Berlin", "2026-03-29", "03:00+02:00"),
    ("daily 02:30", "America/New_York", "2026-03-08", "03:00-04:00"),
    ("weekly sun 02:15", "Europe/Berlin", "2026-03-29", "03:00+02:00"),
    ("daily 02:15", "Australia/Lord_Howe", "2026-10-04", "02:30+11:00"),
]


def _schedule(text: str, zone: str) -> Schedule:
    words = text.split()
    if words[0] == "weekly":
        return Schedule(cadence="weekly", day=words[1], time=words[2], timezone=zone)
    return Schedule(cadence="daily", time=words[1], timezone=zone)


def _expected(day: str, clock: str) -> datetime:
    return datetime.fromisoformat(f"{day}T{clock}").astimezone(UTC)


def _ticks(day: str, zone: str, every: timedelta):
    """Every ``every`` from the local day before the switch to the local day after (as UTC instants)."""
    start = datetime.fromisoformat(day).replace(tzinfo=ZoneInfo(zone)) - timedelta(days=1)
    t = start.astimezone(UTC)
    while t < start.astimezone(UTC) + timedelta(days=3):
        yield t
        t += every


@pytest.mark.timeout(60)
@pytest.mark.parametrize("edge", ["autumn", "spring"])
@pytest.mark.parametrize("case", range(4))
def test_fire_time_at_the_dst_edge(edge, case):
    text, zone, day, clock = (AUTUMN if edge == "autumn" else SPRING)[case]
    s = _schedule(text, zone)
    want = _expected(day, clock)
    seen = {last_fire(s, t) for t in _ticks(day, zone, timedelta(minutes=5))}
    on_the_day = [f for f in seen if f and f.astimezone(ZoneInfo(zone)).date().isoformat() == day]
    assert on_the_day == [want]  # once, at the documented time
    around = fires_between(s, want - timedelta(days=2), want + timedelta(days=2))
    assert want in around and len(around) == len(set(around))
    chain, t = [], want - timedelta(days=2)  # next_fire walks the same instants one by one
    while (t := next_fire(s, t)) <= want + timedelta(days=2):
        chain.append(t)
    assert chain == around


@pytest.mark.timeout(60)
def test_run_due_through_the_autumn_night_posts_each_subscription_once_per_day(state_db, slack, sleeps):
    """The issue's four schedules that used to spin, plus one after them in id order."""
    clock = Clock(datetime(2026, 3, 1, tzinfo=UTC))
    svc = make_service(state_db=state_db, advisor=StaticAdvisor(), slack=slack, clock=clock, sleeps=sleeps)
    specs = [(f"C{i}", f"{text} {zone} goal=awareness quiet=full period=last_7_days", zone, day, clock_)
             for i, (text, zone, day, clock_) in enumerate(AUTUMN)]
    subs = [svc.subscribe("T1", ch, "U1", spec) for ch, spec, *_ in specs]
    svc.subscribe("T1", "CLAST", "U1", "daily 09:00 UTC goal=awareness quiet=full")  # after them in id order
    posted: dict[str, list[datetime]] = {}
    # Lord Howe's autumn is in April; Berlin's and New York's in late October / early November
    for start, days in ((datetime(2026, 4, 3, tzinfo=UTC), 4), (datetime(2026, 10, 23, tzinfo=UTC), 10)):
        t = start
        clock.now = t
        svc.run_due()  # the catch-up after the jump in time is late: not counted below
        while t < start + timedelta(days=days):
            clock.now = t
            for p in svc.run_due().posted:
                if not p["late"]:
                    posted.setdefault(p["channel"], []).append(t)
            t += timedelta(minutes=15)
    for (ch, _spec, zone, day, clock_), sub in zip(specs, subs, strict=True):
        want = _expected(day, clock_)
        on_day = [p for p in posted[ch] if p.astimezone(ZoneInfo(zone)).date().isoformat() == day]
        assert on_day == [want], (sub.spec_text, on_day)
    assert len(posted["CLAST"]) == 14  # one a day, every day, in both windows


def test_the_scheduler_trigger_walks_through_the_repeated_hour():
    from bot.digests.schedule import DigestTrigger

    trigger = DigestTrigger(Schedule(cadence="daily", time="02:30", timezone="Europe/Berlin"))
    now = datetime(2026, 10, 24, 12, tzinfo=UTC)
    fires, prev = [], None
    for _ in range(4):
        prev = trigger.get_next_fire_time(prev, now)
        fires.append(prev.astimezone(ZoneInfo("Europe/Berlin")).isoformat())
        now = prev
    assert fires == ["2026-10-25T02:30:00+02:00", "2026-10-26T02:30:00+01:00",
                     "2026-10-27T02:30:00+01:00", "2026-10-28T02:30:00+01:00"]
    import pickle

    assert pickle.loads(pickle.dumps(trigger)).schedule == trigger.schedule  # the job store persists it


def test_a_trigger_that_never_advances_raises_instead_of_spinning(monkeypatch):
    import bot.digests.firetimes as ft

    class Stuck:
        def get_next_fire_time(self, previous, now):
            return datetime(2026, 10, 25, 2, 30, tzinfo=UTC) if previous is None else previous

    monkeypatch.setattr(ft, "_wall_trigger", lambda s: Stuck())
    s = Schedule(cadence="cron", cron="30 2 * * *", timezone="Europe/Berlin")
    with pytest.raises(ScheduleError, match="bug"):
        ft.last_fire(s, datetime(2026, 10, 26, tzinfo=UTC))
    assert MAX_STEPS <= 10_000


def test_a_broken_schedule_is_reported_and_the_others_still_run(state_db, slack, sleeps, monkeypatch):
    import bot.digests.firetimes as ft

    clock = Clock(datetime(2026, 10, 18, tzinfo=UTC))
    svc = make_service(state_db=state_db, advisor=StaticAdvisor(), slack=slack, clock=clock, sleeps=sleeps)
    bad = svc.subscribe("T1", "CBAD", "U1", 'cron "30 2 * * *" Europe/Berlin goal=awareness quiet=full')
    good = svc.subscribe("T1", "CGOOD", "U1", "daily 09:00 UTC goal=awareness quiet=full")
    real = ft._wall_trigger

    class Stuck:
        def get_next_fire_time(self, previous, now):
            return datetime(2026, 10, 19, 2, 30, tzinfo=UTC) if previous is None else previous

    monkeypatch.setattr(ft, "_wall_trigger", lambda s: Stuck() if s.timezone == "Europe/Berlin" else real(s))
    clock.now = datetime(2026, 10, 19, 9, 0, tzinfo=UTC)
    report = svc.run_due()
    assert [p["subscription"] for p in report.posted] == [good.id]
    assert [f["subscription"] for f in report.failed] == [bad.id] and "bug" in report.failed[0]["error"]
