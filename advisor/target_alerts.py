"""Target status alerts: decide, from the remembered status and today's pace, whether to tell the owner.

Pure decisions (no clock, no database, no Slack) so they can be tested alone and
called from any scheduler. The remembered status is the last one the owner was
told about (or that needed no telling). *At risk* is a dead band: it is never
remembered, so a KPI wobbling around its target's range does not flood the owner.

- first look: remember it; tell the owner only if it is already off track;
- on track -> off track: tell ("X went off track");
- off track -> on track: tell ("back on track");
- the period ends: tell once, achieved or missed;
- no data / not enough history / at risk: nothing is remembered or told.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ALERT_STATUSES", "StatusChange", "evaluate_status_change"]

ALERT_STATUSES = ("on_track", "off_track", "achieved", "missed")


@dataclass(frozen=True)
class StatusChange:
    record: str | None  # the status to remember now (None: leave the remembered one)
    notify: bool


def evaluate_status_change(last: str | None, status: str) -> StatusChange:
    """What to remember and whether to tell the owner, given the last remembered status."""
    if status not in ALERT_STATUSES or status == last:
        return StatusChange(record=None, notify=False)
    if last in ("achieved", "missed"):
        return StatusChange(record=None, notify=False)  # a finished period was announced already
    if status == "on_track":
        return StatusChange(record=status, notify=last == "off_track")
    return StatusChange(record=status, notify=True)  # off track, achieved, missed
