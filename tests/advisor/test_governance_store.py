"""Targets and notes in SQLite and PostgreSQL: CRUD, edits, once-only status changes, workspace isolation."""

from __future__ import annotations

import os
import uuid
from datetime import date

import pytest
from sqlalchemy import text

from advisor.db import open_database
from advisor.notes import MAX_NOTE_CHARS, NoteError, NoteNotFound, NoteStore, fits
from advisor.targets import TargetError, TargetNotFound, TargetStore, scope_key
from kpi_engine.periods import Period

Q1 = Period(start=date(2027, 1, 1), end=date(2027, 3, 31), label="Q1 2027", kind="quarter")
DEC = Period(start=date(2026, 12, 1), end=date(2026, 12, 31), label="Dec 2026", kind="month")


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request, tmp_path):
    url = {"sqlite": f"sqlite:///{tmp_path / 'state.db'}",
           "postgresql": os.environ.get("TEST_DATABASE_URL")}[request.param]
    if url is None:
        pytest.skip("TEST_DATABASE_URL is not set")
    engine = open_database(url)
    teams: list[str] = []
    yield engine, teams
    with engine.begin() as conn:  # leave a shared PostgreSQL database as it was
        for t in teams:
            conn.execute(text("DELETE FROM kpi_targets WHERE team_id = :t"), {"t": t})
            conn.execute(text("DELETE FROM kpi_notes WHERE team_id = :t"), {"t": t})


def _teams(teams: list[str]) -> tuple[str, str]:
    a, b = f"T{uuid.uuid4().hex[:8]}", f"T{uuid.uuid4().hex[:8]}"
    teams += [a, b]
    return a, b


def test_target_crud_and_edit_in_place(db):
    engine, teams = db
    team, _ = _teams(teams)
    store = TargetStore(db=engine)
    t, created = store.set(team, kpi_id="engagement_rate", value=5.0, period=Q1,
                           filters={"platform": ["instagram"]}, owner="U_MARIA", created_by="U1")
    assert created and t.value == 5.0 and t.owner == "U_MARIA" and t.period_label == "Q1 2027"
    assert t.period() == Q1
    # the same KPI, filters and period: the target is changed, not duplicated; the owner is kept
    t2, created = store.set(team, kpi_id="engagement_rate", value=5.5, period=Q1, filters={"platform": ["instagram"]})
    assert not created and t2.id == t.id and t2.value == 5.5 and t2.owner == "U_MARIA"
    other, created = store.set(team, kpi_id="engagement_rate", value=4.0, period=Q1)  # no filters: another target
    assert created and other.id != t.id
    store.set(team, kpi_id="impressions", value=1e6, period=DEC)
    assert [x.kpi_id for x in store.list(team)] == ["impressions", "engagement_rate", "engagement_rate"]
    assert [x.id for x in store.list(team, kpi_id="engagement_rate")] == [t.id, other.id]
    assert [x.kpi_id for x in store.list(team, active_on=date(2027, 1, 5))] == ["engagement_rate"] * 2
    assert store.get(team, t.id).value == 5.5
    assert store.remove(team, t.id).id == t.id
    with pytest.raises(TargetNotFound):
        store.get(team, t.id)
    with pytest.raises(TargetError):
        store.set(team, kpi_id="reach", value=float("nan"), period=Q1)


def test_targets_are_isolated_between_workspaces(db):
    engine, teams = db
    a, b = _teams(teams)
    store = TargetStore(db=engine)
    ta, _ = store.set(a, kpi_id="engagement_rate", value=5.0, period=Q1)
    tb, created = store.set(b, kpi_id="engagement_rate", value=3.0, period=Q1)
    assert created and tb.id != ta.id  # the same key in another workspace is its own target
    assert [t.value for t in store.list(a)] == [5.0] and [t.value for t in store.list(b)] == [3.0]
    for call in (lambda: store.get(b, ta.id), lambda: store.remove(b, ta.id)):
        with pytest.raises(TargetNotFound, match="No target"):
            call()
    assert store.record_status(b, ta.id, old=None, new="off_track") is False
    assert store.get(a, ta.id).value == 5.0 and store.get(a, ta.id).last_status is None


def test_a_status_change_is_recorded_once(db):
    engine, teams = db
    team, _ = _teams(teams)
    store = TargetStore(db=engine)
    t, _ = store.set(team, kpi_id="leads", value=100, period=DEC)
    assert store.record_status(team, t.id, old=None, new="on_track") is True
    assert store.record_status(team, t.id, old=None, new="on_track") is False  # a second process lost the race
    assert store.record_status(team, t.id, old="on_track", new="off_track") is True
    assert store.get(team, t.id).last_status == "off_track"
    # a new value resets what the owner was told
    store.set(team, kpi_id="leads", value=120, period=DEC)
    assert store.get(team, t.id).last_status is None


def test_notes_crud_relevance_and_isolation(db):
    engine, teams = db
    a, b = _teams(teams)
    store = NoteStore(db=engine)
    li = store.add(a, start=date(2026, 11, 18), text="  LinkedIn   feed change ", filters={"platform": ["linkedin"]},
                   author="U1", source="slack")
    launch = store.add(a, start=date(2026, 11, 2), end=date(2026, 11, 4), text="Spring launch")
    store.add(b, start=date(2026, 11, 18), text="other workspace")
    assert li.text == "LinkedIn feed change" and li.when() == "18 Nov 2026" and launch.when() == "2-4 Nov 2026"
    assert [n.text for n in store.list(a)] == ["Spring launch", "LinkedIn feed change"]
    assert [n.text for n in store.list(b)] == ["other workspace"]
    # inside or up to a week before the period, and fitting its filters
    week = (date(2026, 11, 23), date(2026, 11, 29))
    assert [n.id for n in store.relevant(a, *week)] == [li.id]
    assert [n.id for n in store.relevant(a, *week, filters={"platform": ["linkedin", "x"]})] == [li.id]
    assert store.relevant(a, *week, filters={"platform": ["instagram"]}) == []
    assert [n.id for n in store.relevant(a, date(2026, 11, 1), date(2026, 11, 30))] == [launch.id, li.id]
    with pytest.raises(NoteNotFound):
        store.remove(b, li.id)
    assert store.remove(a, li.id).id == li.id
    assert [n.text for n in store.list(a)] == ["Spring launch"]


@pytest.mark.parametrize("kwargs,message", [
    ({"text": "   "}, "needs text"),
    ({"text": "x" * (MAX_NOTE_CHARS + 1)}, "characters"),
    ({"text": "range", "end": date(2026, 11, 1)}, "ends"),
])
def test_bad_notes_are_refused_with_a_reason(tmp_path, kwargs, message):
    store = NoteStore(db=open_database(f"sqlite:///{tmp_path / 's.db'}"))
    with pytest.raises(NoteError, match=message):
        store.add("T1", start=date(2026, 11, 18), **kwargs)
    assert store.list("T1") == []


def test_scope_key_and_fits():
    assert scope_key({"platform": ["tiktok", "instagram"], "topic": []}) == "platform=instagram,tiktok"
    assert fits({}, {"platform": ["x"]}) and fits({"platform": ["linkedin"]}, None)
    assert fits({"platform": ["LinkedIn"]}, {"platform": ["linkedin"]})
    assert not fits({"platform": ["linkedin"]}, {"platform": ["x"]})
