"""Subscriptions: create, list, change, pause, remove; strictly per workspace.

Validating a subscription needs the workspace's KPI catalog (goal and KPI
names, team overrides) and timezone, never its data: the catalog is loaded
from the workspace's catalog files here (YAML and pydantic, no pandas), and
the workspace settings come from the advisor, which in ``serve`` answers from
a worker process. So ``/kpi digest subscribe`` never builds an engine in the
bot process.
"""

from __future__ import annotations

import builtins
import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from kpi_engine.errors import KpiAdvisorError

from .errors import DigestError
from .models import Subscription
from .schedule import next_fire_time
from .spec import DigestSpec, parse_spec

__all__ = ["MAX_PER_TEAM", "Subscriptions"]

log = logging.getLogger(__name__)

MAX_PER_TEAM = 500


@lru_cache(maxsize=32)
def _catalog_from(paths: tuple[str, ...]) -> Any:
    from kpi_engine.catalog import default_catalog, load_catalog

    return load_catalog([Path(p) for p in paths]) if paths else default_catalog()


class Subscriptions:
    """The subscription half of :class:`bot.digests.service.DigestService`."""

    def __init__(self, *, engine: Engine, advisor: Any, clock: Callable[[], datetime] | None = None,
                 kpi_engine_for: Callable[[str], Any] | None = None, default_timezone: str = "UTC",
                 workspace_for: Callable[[str], Any] | None = None):
        self.engine = engine
        self.advisor = advisor
        self.workspace_for = workspace_for
        self.clock = clock or (lambda: datetime.now(UTC))
        self.kpi_engine_for = kpi_engine_for
        self.default_timezone = default_timezone
        self.on_change: Callable[[Subscription], None] | None = None  # scheduler hook

    def _now(self) -> datetime:
        now = self.clock()
        return now if now.tzinfo else now.replace(tzinfo=UTC)

    def _session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    # ------------------------------------------------------------------ validation
    def _workspace(self, team_id: str) -> Any:
        """The workspace's settings (``workspace_for``, else the advisor's; None when neither has any)."""
        ws = self.workspace_for or getattr(self.advisor, "workspace", None)
        if not callable(ws):
            return None
        try:
            return ws(team_id)
        except KpiAdvisorError as exc:  # a broken workspace setting must not block subscribing
            log.warning("workspace settings of %s unreadable: %s", team_id, exc)
            return None

    def _catalog(self, team_id: str, workspace: Any = None) -> Any:
        if self.kpi_engine_for is not None:
            return self.kpi_engine_for(team_id).catalog
        paths = tuple(str(p) for p in (getattr(workspace, "catalog_paths", None) or []))
        try:
            return _catalog_from(paths)
        except KpiAdvisorError as exc:
            raise DigestError(f"This workspace's catalog override cannot be read: {exc}") from None

    def _tz(self, workspace: Any) -> str:
        return getattr(workspace, "timezone", None) or self.default_timezone

    def _parse(self, team_id: str, spec_text: str) -> DigestSpec:
        """Parse and check a subscription text against the workspace's catalog (goal, KPIs, period)."""
        from kpi_engine.errors import EngineError
        from kpi_engine.periods import resolve_period

        workspace = self._workspace(team_id)
        spec = parse_spec(spec_text, default_timezone=self._tz(workspace))
        catalog = self._catalog(team_id, workspace)
        try:
            goal = catalog.goal(spec.goal).id if spec.goal else None
            kpis = tuple(catalog.get(k).id for k in spec.kpis)
            resolve_period(spec.period, today=self._now().date())
        except EngineError as exc:
            raise DigestError(str(exc)) from None
        return replace(spec, goal=goal, kpis=kpis)

    # ------------------------------------------------------------------ changes
    def subscribe(self, team_id: str, channel_id: str, user_id: str, spec_text: str) -> Subscription:
        """Create a subscription for a channel (or a DM: channel_id D... / U...)."""
        if not team_id or not channel_id or not user_id:
            raise DigestError("A subscription needs a workspace, a channel and an owner.")
        spec = self._parse(team_id, spec_text)
        now = self._now()
        with self._session() as s, s.begin():
            count = len(s.scalars(select(Subscription.id).where(Subscription.team_id == team_id)).all())
            if count >= MAX_PER_TEAM:
                raise DigestError(f"This workspace has {count} subscriptions, the most allowed; "
                                  "remove some with `/kpi digest remove ID` first.")
            sub = Subscription(team_id=team_id, channel_id=channel_id, owner_id=user_id,
                               target="dm" if channel_id.startswith(("D", "U", "W")) else "channel",
                               status="active", active_since=now, created_at=now, updated_at=now)
            self._apply(sub, spec)
            s.add(sub)
        self._changed(sub)
        return sub

    @staticmethod
    def _apply(sub: Subscription, spec: DigestSpec) -> None:
        sub.kind, sub.cadence, sub.cron, sub.day = spec.kind, spec.cadence, spec.cron, spec.day
        sub.time, sub.timezone, sub.period = spec.time, spec.timezone, spec.period
        sub.goal, sub.kpis, sub.filters, sub.quiet = spec.goal, list(spec.kpis), dict(spec.filters), spec.quiet
        sub.threshold_kind, sub.threshold_value = spec.threshold_kind, spec.threshold_value
        sub.alert_direction = spec.direction
        sub.spec_text, sub.alert_state = spec.text, "normal"

    def _changed(self, sub: Subscription) -> None:
        if self.on_change is not None:
            self.on_change(sub)

    def list(self, team_id: str, channel_id: str | None = None) -> list[Subscription]:
        q = select(Subscription).where(Subscription.team_id == team_id)
        if channel_id:
            q = q.where(Subscription.channel_id == channel_id)
        with self._session() as s:
            return list(s.scalars(q.order_by(Subscription.id)))

    def get(self, team_id: str, sub_id: int | str) -> Subscription:
        sid = str(sub_id).strip().lstrip("#")
        if not sid.isdigit():
            raise DigestError(f"'{sub_id}' is not a subscription number; `/kpi digest list` shows them.")
        with self._session() as s:
            sub = s.scalars(select(Subscription).where(Subscription.team_id == team_id,
                                                       Subscription.id == int(sid))).one_or_none()
        if sub is None:  # another workspace's id reads exactly like a missing one
            raise DigestError(f"No subscription #{sid} in this workspace; "
                              "`/kpi digest list` shows the ones there are.")
        return sub

    def _modify(self, team_id: str, sub_id: int | str, fn: Callable[[Subscription], None]) -> Subscription:
        found = self.get(team_id, sub_id)
        with self._session() as s, s.begin():
            sub = s.scalars(select(Subscription).where(Subscription.team_id == team_id,
                                                       Subscription.id == found.id)).one()
            fn(sub)
            sub.updated_at = self._now()
        self._changed(sub)
        return sub

    def pause(self, team_id: str, sub_id: int | str, reason: str | None = None) -> Subscription:
        def f(sub: Subscription) -> None:
            sub.status, sub.paused_reason = "paused", reason or "paused by a user"
        return self._modify(team_id, sub_id, f)

    def resume(self, team_id: str, sub_id: int | str) -> Subscription:
        now = self._now()

        def f(sub: Subscription) -> None:  # no back-fill for the weeks it was paused
            sub.status, sub.paused_reason, sub.active_since = "active", None, now
        return self._modify(team_id, sub_id, f)

    def update(self, team_id: str, sub_id: int | str, spec_text: str) -> Subscription:
        spec = self._parse(team_id, spec_text)
        now = self._now()

        def f(sub: Subscription) -> None:
            self._apply(sub, spec)
            sub.active_since = now
        return self._modify(team_id, sub_id, f)

    def remove(self, team_id: str, sub_id: int | str) -> Subscription:
        sub = self.get(team_id, sub_id)
        with self._session() as s, s.begin():
            s.delete(s.get(Subscription, sub.id))
        sub.status = "removed"
        self._changed(sub)
        return sub

    def all_active(self, ids: builtins.list[int] | None = None) -> builtins.list[Subscription]:
        q = select(Subscription).where(Subscription.status == "active")
        if ids:
            q = q.where(Subscription.id.in_(ids))
        with self._session() as s:
            return list(s.scalars(q.order_by(Subscription.id)))

    def next_run(self, sub: Subscription) -> datetime | None:
        """The next fire time, in the subscription's own timezone (None when paused)."""
        if sub.status != "active":
            return None
        fire = next_fire_time(sub, self._now())
        return fire.astimezone(ZoneInfo(sub.timezone)) if fire else None
