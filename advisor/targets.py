"""KPI targets per workspace: a KPI (optionally filtered), a value, a period and an owner.

Targets are user data (the value is what the team typed); pace toward them is an
engine result. Every query is scoped by team id, so one workspace never sees or
changes another's targets. ``last_status`` remembers the pace status the owner
was last told about, so a status change is announced once.
"""

from __future__ import annotations

import builtins
import math
import re
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict
from sqlalchemy import func, select, update
from sqlalchemy.orm import Mapped, Session

from advisor.state import tables

from .db import Base
from .errors import AdvisorError

if TYPE_CHECKING:
    from sqlalchemy import Engine as SqlEngine

    from kpi_engine.periods import Period

__all__ = ["MAX_TARGETS", "Target", "TargetError", "TargetNotFound", "TargetStore", "scope_key"]

MAX_TARGETS = 500  # per workspace


class TargetError(AdvisorError):
    """A target cannot be stored as asked; the message says what to change."""


class TargetNotFound(TargetError):
    """No target with that id in this workspace."""


class _TargetRow(Base):
    __table__ = tables.kpi_targets

    id: Mapped[int]
    team_id: Mapped[str]
    kpi_id: Mapped[str]
    filters: Mapped[dict[str, list[str]]]
    scope_key: Mapped[str]
    value: Mapped[float]
    period_start: Mapped[date]
    period_end: Mapped[date]
    period_label: Mapped[str]
    period_kind: Mapped[str]
    owner: Mapped[str | None]
    owner_label: Mapped[str | None]
    created_by: Mapped[str]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    last_status: Mapped[str | None]
    status_changed_at: Mapped[datetime | None]


class Target(BaseModel):
    """A stored target (plain data: crosses process boundaries and prints as JSON)."""

    model_config = ConfigDict(frozen=True)

    id: int
    team_id: str
    kpi_id: str
    filters: dict[str, list[str]] = {}
    value: float
    period_start: date
    period_end: date
    period_label: str
    period_kind: str = "custom"
    owner: str | None = None
    owner_label: str | None = None
    created_by: str = ""
    created_at: datetime
    updated_at: datetime
    last_status: str | None = None

    @property
    def owner_name(self) -> str | None:
        """How the owner reads in text: '@maria', or the Slack user id when no name came with it."""
        return self.owner_label or self.owner

    @property
    def owner_user(self) -> str | None:
        """The owner's Slack user id, when the owner is a Slack user (they can be sent a DM)."""
        return self.owner if self.owner and re.fullmatch(r"[UW][A-Z0-9]{2,}", self.owner) else None

    def period(self) -> Period:
        from kpi_engine.periods import Period

        return Period(start=self.period_start, end=self.period_end, label=self.period_label,
                      kind=self.period_kind)


def scope_key(filters: dict[str, list[str]] | None) -> str:
    """Filters in one canonical form: {'platform': ['tiktok', 'instagram']} -> 'platform=instagram,tiktok'."""
    parts = [f"{d}={','.join(sorted(v))}" for d, v in sorted((filters or {}).items()) if v]
    return ";".join(parts)[:255]


def _now() -> datetime:
    return datetime.now(UTC)


def _target(row: _TargetRow) -> Target:
    return Target(id=row.id, team_id=row.team_id, kpi_id=row.kpi_id, filters=dict(row.filters or {}),
                  value=row.value, period_start=row.period_start, period_end=row.period_end,
                  period_label=row.period_label, period_kind=row.period_kind, owner=row.owner,
                  owner_label=row.owner_label,
                  created_by=row.created_by, created_at=row.created_at, updated_at=row.updated_at,
                  last_status=row.last_status)


class TargetStore:
    """Targets in the state database; every method takes the workspace (team id) first."""

    def __init__(self, *, db: SqlEngine):
        self._db = db

    def set(self, team_id: str, *, kpi_id: str, value: float, period: Period,
            filters: dict[str, list[str]] | None = None, owner: str | None = None,
            owner_label: str | None = None, created_by: str = "") -> tuple[Target, bool]:
        """Create the target, or change the one for the same KPI, filters and period; (target, created)."""
        if not isinstance(value, int | float) or not math.isfinite(value):
            raise TargetError("A target needs a finite number, e.g. 5% or 12000.")
        filters = {d: sorted(v) for d, v in (filters or {}).items() if v}
        key = scope_key(filters)
        now = _now()
        with Session(self._db) as s:
            row = s.scalars(select(_TargetRow).where(
                _TargetRow.team_id == team_id, _TargetRow.kpi_id == kpi_id, _TargetRow.scope_key == key,
                _TargetRow.period_start == period.start, _TargetRow.period_end == period.end)).first()
            created = row is None
            if row is None:
                count = s.scalar(select(func.count()).select_from(_TargetRow).where(_TargetRow.team_id == team_id))
                if (count or 0) >= MAX_TARGETS:
                    raise TargetError(f"This workspace already has {MAX_TARGETS} targets; remove old ones "
                                      "with `/kpi target remove <id>` first.")
                row = _TargetRow(team_id=team_id, kpi_id=kpi_id, filters=filters, scope_key=key,
                                 period_start=period.start, period_end=period.end, created_at=now,
                                 created_by=created_by[:64])
                s.add(row)
            elif row.value != float(value):
                row.last_status = None  # a new value is a new question: announce its status afresh
            row.value = float(value)
            row.period_label, row.period_kind = period.label[:64], period.kind[:16]
            if owner is not None or created:  # editing without owner= keeps the owner
                row.owner = owner[:64] if owner else None
                row.owner_label = owner_label[:80] if owner_label else None
            row.updated_at = now
            s.commit()
            return _target(row), created

    def list(self, team_id: str, *, kpi_id: str | None = None, active_on: date | None = None) -> builtins.list[Target]:
        """The workspace's targets (of one KPI; or those whose period has not ended by ``active_on``)."""
        q = select(_TargetRow).where(_TargetRow.team_id == team_id)
        if kpi_id:
            q = q.where(_TargetRow.kpi_id == kpi_id)
        if active_on:
            q = q.where(_TargetRow.period_end >= active_on)
        with Session(self._db) as s:
            rows = s.scalars(q.order_by(_TargetRow.period_end, _TargetRow.kpi_id, _TargetRow.id)).all()
            return [_target(r) for r in rows]

    def teams(self, *, active_on: date) -> builtins.list[str]:
        """Workspaces with a target whose period has not ended by ``active_on`` (the alert sweep)."""
        with Session(self._db) as s:
            return sorted(s.scalars(select(_TargetRow.team_id).where(_TargetRow.period_end >= active_on)
                                    .distinct()))

    def get(self, team_id: str, target_id: int) -> Target:
        with Session(self._db) as s:
            row = s.get(_TargetRow, int(target_id))
            if row is None or row.team_id != team_id:  # another workspace's id reads as unknown
                raise TargetNotFound(f"No target #{target_id} here. `/kpi target list` shows this workspace's targets.")
            return _target(row)

    def remove(self, team_id: str, target_id: int) -> Target:
        with Session(self._db) as s:
            row = s.get(_TargetRow, int(target_id))
            if row is None or row.team_id != team_id:
                raise TargetNotFound(f"No target #{target_id} here. `/kpi target list` shows this workspace's targets.")
            target = _target(row)
            s.delete(row)
            s.commit()
            return target

    def record_status(self, team_id: str, target_id: int, *, old: str | None, new: str) -> bool:
        """Move the remembered status from ``old`` to ``new``; False when another process already did.

        The conditional UPDATE is the once-only guarantee for status-change alerts.
        """
        cond = _TargetRow.last_status.is_(None) if old is None else _TargetRow.last_status == old
        with Session(self._db) as s:
            result = s.execute(update(_TargetRow).where(
                _TargetRow.id == int(target_id), _TargetRow.team_id == team_id, cond,
            ).values(last_status=new, status_changed_at=_now()))
            s.commit()
            return bool(getattr(result, "rowcount", 0) == 1)
