"""ORM classes for digest subscriptions and the delivery log, mapped onto ``advisor.state.tables``.

The tables themselves are declared in :mod:`advisor.state.tables` and created by the
schema migrations. The delivery log's UNIQUE (subscription_id, period_key) is
what makes delivery once-only: a worker must insert (claim) that row before it
posts anything.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Mapped

from advisor.db import Base
from advisor.state import tables

__all__ = ["DELIVERY_STATES", "SUB_STATUSES", "Delivery", "Subscription", "utcnow"]

SUB_STATUSES = ("active", "paused")
# claimed: a worker owns the period and may be posting; posted / skipped: done for good;
# failed: the last attempt failed (retried until `final`); missed: the service was down at its
# fire time and a later (late) digest names and summarises it.
DELIVERY_STATES = ("claimed", "posted", "skipped", "failed", "missed")


def utcnow() -> datetime:
    return datetime.now(UTC)


class Subscription(Base):
    """A channel's (or a user's DM) digest or alert subscription."""

    __table__ = tables.digest_subscriptions

    id: Mapped[int]
    team_id: Mapped[str]
    channel_id: Mapped[str]
    target: Mapped[str]
    owner_id: Mapped[str]
    kind: Mapped[str]
    cadence: Mapped[str]
    cron: Mapped[str | None]
    day: Mapped[str | None]
    time: Mapped[str]
    timezone: Mapped[str]
    period: Mapped[str]
    goal: Mapped[str | None]
    kpis: Mapped[list[str]]
    filters: Mapped[dict[str, list[str]]]
    quiet: Mapped[str]
    threshold_kind: Mapped[str | None]
    threshold_value: Mapped[float | None]
    alert_direction: Mapped[str]
    alert_state: Mapped[str]
    spec_text: Mapped[str]
    status: Mapped[str]
    paused_reason: Mapped[str | None]
    active_since: Mapped[datetime]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    def describe(self) -> str:
        """One line for lists: '#3 weekly mon 09:00 Europe/Berlin goal=awareness (active)'."""
        return f"#{self.id} {self.spec_text} ({self.status})"

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "team_id": self.team_id, "channel_id": self.channel_id,
            "target": self.target, "owner_id": self.owner_id, "kind": self.kind,
            "cadence": self.cadence, "cron": self.cron, "day": self.day, "time": self.time,
            "timezone": self.timezone, "period": self.period, "goal": self.goal,
            "kpis": list(self.kpis or []), "filters": dict(self.filters or {}),
            "quiet": self.quiet, "threshold_kind": self.threshold_kind,
            "threshold_value": self.threshold_value, "direction": self.alert_direction,
            "spec": self.spec_text,
            "status": self.status, "paused_reason": self.paused_reason,
            "created_at": self.created_at.isoformat() if self.created_at else None,
            "updated_at": self.updated_at.isoformat() if self.updated_at else None,
        }


class Delivery(Base):
    """One (subscription, period): claimed before posting, completed after."""

    __table__ = tables.digest_deliveries

    id: Mapped[int]
    subscription_id: Mapped[int]
    team_id: Mapped[str]
    period_key: Mapped[str]
    scheduled_for: Mapped[datetime]
    late: Mapped[bool]
    state: Mapped[str]
    final: Mapped[bool]
    claim_token: Mapped[str]
    claimed_at: Mapped[datetime]
    attempts: Mapped[int]
    next_attempt_at: Mapped[datetime | None]
    marker: Mapped[str]
    channel: Mapped[str | None]
    message_ts: Mapped[str | None]
    chart_posted: Mapped[bool]
    error: Mapped[str | None]
    completed_at: Mapped[datetime | None]
