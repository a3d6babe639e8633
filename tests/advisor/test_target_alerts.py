"""Status-change alerts: told once per change; 'at risk' is a dead band."""

from __future__ import annotations

import pytest

from advisor.target_alerts import StatusChange, evaluate_status_change


@pytest.mark.parametrize("last,status,record,notify", [
    (None, "on_track", "on_track", False),  # first look, fine: remembered quietly
    (None, "off_track", "off_track", True),  # first look, already off: the owner hears it
    ("on_track", "off_track", "off_track", True),
    ("off_track", "off_track", None, False),  # still off: told already
    ("off_track", "on_track", "on_track", True),  # back on track
    ("on_track", "at_risk", None, False),  # the dead band is never remembered...
    ("off_track", "at_risk", None, False),  # ...so wobbling off/at risk/off tells once
    ("on_track", "achieved", "achieved", True),
    ("off_track", "missed", "missed", True),
    ("missed", "missed", None, False),
    ("achieved", "off_track", None, False),  # a finished period was announced
    ("on_track", "no_data", None, False),
    (None, "not_enough_history", None, False),
])
def test_status_changes(last, status, record, notify):
    assert evaluate_status_change(last, status) == StatusChange(record=record, notify=notify)


def test_a_wobbling_kpi_tells_its_owner_once():
    told, last = [], None
    for status in ["on_track", "at_risk", "off_track", "at_risk", "off_track", "at_risk", "off_track"]:
        change = evaluate_status_change(last, status)
        if change.record:
            last = change.record
        if change.notify:
            told.append(status)
    assert told == ["off_track"]
