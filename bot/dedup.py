"""Persisted de-duplication of Slack deliveries: a retried event, or a replayed command or
button click, is answered once.

Events carry an id that Slack keeps across its retries. Commands and interactions carry
none, and Slack never retries them, so a second copy with the same signature and timestamp
is a replay (someone re-sending a captured request inside the 5-minute signature window).

The claim is made by the worker that would answer, not on the request path: the
ack never waits for the database, and a copy that arrives while the first delivery
is still queued loses the claim and does nothing.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, delete, insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped

from advisor.db import Base
from advisor.state import tables

__all__ = ["SeenEvent", "SeenRequest", "EventDeduplicator", "ReplayGuard", "delivery_key", "request_key"]

log = logging.getLogger(__name__)


class SeenEvent(Base):
    """One Slack event delivery that has already been claimed by a worker."""

    __table__ = tables.bot_seen_events

    team_id: Mapped[str]
    event_id: Mapped[str]
    seen_at: Mapped[float]


class SeenRequest(Base):
    """One signed command or interaction that has already been acted on."""

    __table__ = tables.bot_seen_requests

    timestamp: Mapped[str]
    signature: Mapped[str]
    seen_at: Mapped[float]


def request_key(headers: Any) -> tuple[str, str] | None:
    """(timestamp, signature) of a signed HTTP request, from bolt's headers (name -> list of values);
    None in Socket Mode, where requests are not signed and arrive over an authenticated socket."""
    def first(name: str) -> str:
        values = (headers or {}).get(name) or [""]
        return str(values[0] if isinstance(values, list | tuple) else values)

    timestamp, signature = first("x-slack-request-timestamp"), first("x-slack-signature")
    return (timestamp[:20], signature[:100]) if timestamp and signature else None


def delivery_key(body: dict[str, Any]) -> tuple[str, str] | None:
    """(team, event_id) of an Events API payload; None for commands and interactions."""
    if body.get("type") != "event_callback" or not body.get("event_id"):
        return None
    team = body.get("team_id") or body.get("enterprise_id") or ""
    return str(team), str(body["event_id"])


class _SeenSet:
    """Rows claimed once in a state-database table with a unique key and a ``seen_at`` time: the first
    insert wins, across processes and restarts; rows older than ``keep_seconds`` are pruned now and then."""

    table: Any  # the ORM class mapped onto the table (from the schema migrations, never created here)

    def __init__(self, *, engine: Engine, keep_seconds: float, clock: Callable[[], float] = time.time):
        self.engine = engine
        self.keep_seconds = keep_seconds
        self.clock = clock
        self._claims = 0
        # One writer at a time inside this process: SQLite's busy handler backs off in
        # growing sleeps when threads collide, which is far slower than queueing here.
        self._lock = threading.Lock()

    def _claim(self, **key: Any) -> bool:
        now = self.clock()
        try:
            with self._lock, self.engine.begin() as conn:
                conn.execute(insert(self.table).values(**key, seen_at=now))
        except IntegrityError:
            return False
        self._claims += 1
        if self._claims % 500 == 0:
            self.prune(now)
        return True

    def prune(self, now: float | None = None) -> int:
        """Forget rows older than ``keep_seconds``; returns how many were dropped."""
        cutoff = (now if now is not None else self.clock()) - self.keep_seconds
        with self.engine.begin() as conn:
            result = conn.execute(delete(self.table).where(self.table.seen_at < cutoff))
        return int(result.rowcount or 0)


class EventDeduplicator(_SeenSet):
    """Claims event ids in the state database; the first claim wins, across processes and restarts."""

    table = SeenEvent

    def __init__(self, *, engine: Engine, keep_seconds: float = 3 * 24 * 3600,
                 clock: Callable[[], float] = time.time):
        # Slack retries for about an hour; keeping ids for days is cheap and safe.
        super().__init__(engine=engine, keep_seconds=keep_seconds, clock=clock)

    def claim(self, team_id: str, event_id: str) -> bool:
        """True the first time (team_id, event_id) is seen, False for every repeat."""
        if self._claim(team_id=team_id, event_id=event_id):
            return True
        log.info("skipping repeated delivery %s/%s", team_id, event_id)
        return False


class ReplayGuard(_SeenSet):
    """Claims (timestamp, signature) pairs in the state database; a replayed copy loses the claim."""

    table = SeenRequest

    def __init__(self, *, engine: Engine, keep_seconds: float = 15 * 60,
                 clock: Callable[[], float] = time.time):
        # A signature is accepted while its timestamp is within 5 minutes of now, either way:
        # a pair must be remembered for at least 10 minutes after it was first seen.
        super().__init__(engine=engine, keep_seconds=keep_seconds, clock=clock)

    def claim(self, timestamp: str, signature: str) -> bool:
        """True the first time this signed request is seen, False for every copy."""
        if self._claim(timestamp=timestamp, signature=signature):
            return True
        log.warning("ignoring a replayed request (timestamp %s)", timestamp)
        return False
