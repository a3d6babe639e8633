"""Tables for digest subscriptions and the delivery log, declared on the shared ``advisor.db.Base``.

The delivery log's UNIQUE (subscription_id, period_key) is what makes delivery
once-only: a worker must insert (claim) that row before it posts anything.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Float, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from advisor.db import Base

__all__ = ["Subscription", "Delivery", "utcnow", "SUB_STATUSES", "DELIVERY_STATES"]

SUB_STATUSES = ("active", "paused")
# claimed: a worker owns the period and may be posting; posted / skipped: done for good;
# failed: the last attempt failed (retried until `final`).
DELIVERY_STATES = ("claimed", "posted", "skipped", "failed")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Subscription(Base):
    """A channel's (or a user's DM) digest or alert subscription."""

    __tablename__ = "digest_subscriptions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(64), index=True)
    channel_id: Mapped[str] = mapped_column(String(64))  # C.../G... channel, or U... for a DM
    target: Mapped[str] = mapped_column(String(8), default="channel")  # channel | dm
    owner_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(8), default="digest")  # digest | alert
    cadence: Mapped[str] = mapped_column(String(8))  # daily | weekly | monthly | cron
    cron: Mapped[str | None] = mapped_column(String(120), nullable=True)
    day: Mapped[str | None] = mapped_column(String(8), nullable=True)  # mon..sun, 1..31, last
    time: Mapped[str] = mapped_column(String(5), default="09:00")  # HH:MM local
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    period: Mapped[str] = mapped_column(String(40))  # engine period words, e.g. last_week
    goal: Mapped[str | None] = mapped_column(String(40), nullable=True)
    kpis: Mapped[list[str]] = mapped_column(JSON, default=list)
    filters: Mapped[dict[str, list[str]]] = mapped_column(JSON, default=dict)
    quiet: Mapped[str] = mapped_column(String(8), default="brief")  # brief | skip | full
    # alerts: below / above (absolute, KPI units) | change (fraction) | unusual (engine verdict)
    threshold_kind: Mapped[str | None] = mapped_column(String(8), nullable=True)
    threshold_value: Mapped[float | None] = mapped_column(Float, nullable=True)
    # unusual-change alerts: which moves count (bad = against the KPI's good direction)
    alert_direction: Mapped[str] = mapped_column(String(8), default="bad")  # bad | good | both
    alert_state: Mapped[str] = mapped_column(String(8), default="normal")  # normal | alarm
    spec_text: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(8), default="active")
    paused_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    # fire times at or before this instant are never due (no back-fill on create/resume/update)
    active_since: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

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

    __tablename__ = "digest_deliveries"
    __table_args__ = (UniqueConstraint("subscription_id", "period_key", name="uq_digest_delivery"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # no foreign key on purpose: removing a subscription keeps its history readable
    subscription_id: Mapped[int] = mapped_column(Integer, index=True)
    team_id: Mapped[str] = mapped_column(String(64), index=True)
    period_key: Mapped[str] = mapped_column(String(64))
    scheduled_for: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(String(8), default="claimed")
    final: Mapped[bool] = mapped_column(Boolean, default=False)  # failed for good
    claim_token: Mapped[str] = mapped_column(String(40))
    claimed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # deterministic marker put in the message metadata; recovery looks for it in the channel
    marker: Mapped[str] = mapped_column(String(80))
    channel: Mapped[str | None] = mapped_column(String(64), nullable=True)  # resolved (D... for DMs)
    message_ts: Mapped[str | None] = mapped_column(String(32), nullable=True)
    chart_posted: Mapped[bool] = mapped_column(Boolean, default=False)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
