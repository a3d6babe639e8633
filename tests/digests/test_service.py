"""Subscriptions: create, list, change, pause, remove; strictly per workspace."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.digests.errors import DigestError
from tests.digests.conftest import Clock, make_service, utc
from tests.digests.static_advisor import StaticAdvisor


@pytest.fixture
def svc(state_db, slack, sleeps):
    return make_service(state_db=state_db, advisor=StaticAdvisor(), slack=slack,
                        clock=Clock(utc(2025, 6, 1)), sleeps=sleeps)


def test_lifecycle(svc):
    sub = svc.subscribe("T1", "C1", "U1", "weekly mon 09:00 Europe/Berlin goal=Visibility")
    assert sub.goal == "awareness" and sub.status == "active" and sub.target == "channel"
    assert [s.id for s in svc.list("T1")] == [sub.id]
    assert svc.list("T1", channel_id="C2") == []
    assert svc.pause("T1", sub.id).status == "paused"
    assert svc.next_run(svc.get("T1", sub.id)) is None
    assert svc.resume("T1", str(sub.id)).status == "active"
    nxt = svc.next_run(svc.get("T1", sub.id))
    assert (nxt.weekday(), nxt.hour) == (0, 9)
    changed = svc.update("T1", sub.id, "daily 07:00 UTC kpis=reach quiet=skip")
    assert (changed.cadence, changed.kpis, changed.quiet) == ("daily", ["reach"], "skip")
    svc.remove("T1", sub.id)
    assert svc.list("T1") == []


def test_workspaces_are_isolated(svc):
    mine = svc.subscribe("T1", "C1", "U1", "weekly mon 09:00 UTC goal=awareness")
    svc.subscribe("T2", "C9", "U9", "daily 08:00 UTC goal=traffic")
    assert [s.team_id for s in svc.list("T1")] == ["T1"]
    for action in (svc.pause, svc.resume, svc.remove, svc.get):
        with pytest.raises(DigestError, match="No subscription"):
            action("T2", mine.id)
    with pytest.raises(DigestError):
        svc.update("T2", mine.id, "daily 08:00 UTC goal=traffic")
    assert svc.get("T1", mine.id).status == "active"


def test_unknown_goal_or_kpi_is_a_readable_error(svc):
    with pytest.raises(DigestError, match="Unknown goal"):
        svc.subscribe("T1", "C1", "U1", "weekly mon 09:00 UTC goal=fame")
    with pytest.raises(DigestError, match="Unknown KPI"):
        svc.subscribe("T1", "C1", "U1", "daily 09:00 UTC kpis=engagment_rate")
    with pytest.raises(DigestError, match="not a subscription number"):
        svc.pause("T1", "abc")
    assert svc.list("T1") == []


def test_dm_subscription_and_paused_ones_are_not_run(svc, slack):
    dm = svc.subscribe("T1", "D123", "U1", "weekly mon 09:00 UTC goal=awareness quiet=full")
    other = svc.subscribe("T1", "C1", "U1", "weekly mon 09:00 UTC goal=awareness quiet=full")
    assert dm.target == "dm"
    svc.pause("T1", other.id)
    report = svc.run_due(utc(2025, 6, 2, 9, 0))
    assert [p["subscription"] for p in report.posted] == [dm.id]
    # resumed after the fire: no back-fill for the paused week
    svc.clock = lambda: utc(2025, 6, 2, 10, 0)
    svc.resume("T1", other.id)
    assert svc.run_due(utc(2025, 6, 2, 10, 0) + timedelta(minutes=5)).posted == []
