"""Exactly-once delivery of a digest per (subscription, period): the delivery log.

The Slack side (posting with the marker, looking for it, pacing) is
:mod:`bot.digests.poster`.

Design
------
1. *Claim before posting.* A worker inserts the delivery-log row for
   (subscription_id, period_key); the table's UNIQUE constraint lets exactly one
   insert win, in one process or many, on SQLite or PostgreSQL. The loser sees
   the row and leaves it alone while it is fresh.
2. *Mark every message.* chat.postMessage carries Slack message metadata
   ``{"event_type": "kpi_advisor_digest", "event_payload": {"delivery": <marker>}}``
   with a marker derived from the claim (``sub:<id>:<period>``), deterministic
   across retries and processes.
3. *Complete after.* The message ts is written as soon as Slack returns it; the
   row becomes ``posted`` once the chart is in the thread.
4. *Recover without a duplicate.* A claim older than CLAIM_STALE_AFTER (its
   worker crashed or hung) or a failed attempt due for a retry can be taken over
   with a compare-and-set on the claim token. Before re-posting, the new owner
   reads the channel's history since the fire time (``conversations.history``
   with ``include_all_metadata``) and looks for the marker: if the message is
   there, it records that ts instead of posting again. The same check runs
   after an ambiguous error (timeout, 5xx) before retrying a post. If the
   history cannot be read, nothing is posted: a missed digest is reported to
   its owner, a doubled one could not be taken back.
5. *Release what was not used.* A claim whose post never happened because the
   workspace cannot be reached (app uninstalled, token revoked) is released:
   the row is removed (or put back as it was, for a taken-over claim), so the
   next run tries again at once instead of finding it "claimed" for 10 minutes.

Slack limits: posts are paced to about one per second per channel; every wait
on Slack (429 Retry-After, backoff after a dropped connection) goes through one
:class:`bot.digests.retry.RetryBudget`. ``not_in_channel`` / ``is_archived`` /
``channel_not_found`` stop the subscription (the service pauses it and tells the
owner); ``invalid_auth`` / ``token_revoked`` / ... stop the workspace for this run.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, overload

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from .models import Delivery

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from .models import Subscription
    from .schedule import Due

__all__ = ["CLAIM_STALE_AFTER", "MAX_ATTEMPTS", "Claim", "DeliveryLog"]

log = logging.getLogger(__name__)

CLAIM_STALE_AFTER = timedelta(minutes=10)
MAX_ATTEMPTS = 4  # runs that may try one period before it is reported as failed for good
RETRY_BACKOFF = timedelta(minutes=5)  # between runs: 5, 10, 20 minutes


@dataclass
class Claim:
    id: int
    subscription_id: int
    team_id: str
    period_key: str
    token: str
    marker: str
    attempts: int
    recovering: bool  # an earlier attempt may already have posted
    scheduled_for: datetime
    late: bool
    channel: str | None = None
    message_ts: str | None = None
    chart_posted: bool = False


@overload
def _aware(dt: datetime) -> datetime: ...
@overload
def _aware(dt: None) -> None: ...


def _aware(dt: datetime | None) -> datetime | None:
    if dt is None:
        return None
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=UTC)


class DeliveryLog:
    """The delivery-log table: claim, record, complete, fail."""

    def __init__(self, engine: Engine, *, stale_after: timedelta = CLAIM_STALE_AFTER):
        self.engine = engine
        self.stale_after = stale_after
        self.t = Delivery.__table__

    def claim(self, sub: Subscription, due: Due, now: datetime) -> Claim | None:
        """Own (sub, period) or return None when it is done or another worker holds it."""
        token = uuid.uuid4().hex
        marker = f"sub:{sub.id}:{due.key}"
        try:
            with self.engine.begin() as conn:
                key = conn.execute(insert(self.t).values(
                    subscription_id=sub.id, team_id=sub.team_id, period_key=due.key,
                    scheduled_for=due.fire_at, late=due.late, state="claimed", final=False,
                    claim_token=token, claimed_at=now, attempts=1, marker=marker,
                )).inserted_primary_key
            assert key is not None  # an INSERT always returns its key
            return Claim(id=key[0], subscription_id=sub.id, team_id=sub.team_id, period_key=due.key,
                         token=token, marker=marker, attempts=1, recovering=False,
                         scheduled_for=due.fire_at, late=due.late)
        except IntegrityError:
            pass
        with self.engine.begin() as conn:
            row = conn.execute(select(self.t).where(self.t.c.subscription_id == sub.id,
                                                    self.t.c.period_key == due.key)).one_or_none()
            if row is None or row.state in ("posted", "skipped") or row.final:
                return None
            if row.state == "claimed" and _aware(row.claimed_at) > now - self.stale_after:
                return None  # someone is working on it
            if row.state == "failed" and row.next_attempt_at and _aware(row.next_attempt_at) > now:
                return None
            # compare-and-set on the old token: of two workers taking over, one wins
            won = conn.execute(update(self.t).where(
                self.t.c.id == row.id, self.t.c.claim_token == row.claim_token,
                self.t.c.state == row.state,
            ).values(claim_token=token, claimed_at=now, state="claimed", attempts=row.attempts + 1,
                     late=row.late or due.late)).rowcount
            if won != 1:
                return None
        return Claim(id=row.id, subscription_id=sub.id, team_id=sub.team_id, period_key=due.key,
                     token=token, marker=row.marker, attempts=row.attempts + 1, recovering=True,
                     scheduled_for=_aware(row.scheduled_for), late=row.late or due.late,
                     channel=row.channel, message_ts=row.message_ts, chart_posted=row.chart_posted)

    def settled(self, keys: set[tuple[int, str]], now: datetime) -> set[tuple[int, str]]:
        """The (subscription, period) pairs among ``keys`` that need no claim attempt now.

        One query for a whole run: done (posted, skipped, missed, failed for good), being
        worked on (a fresh claim) or waiting out a retry backoff. ``claim`` still decides
        the rest; this only spares every tick a failing insert per subscription.
        """
        if not keys:
            return set()
        ids = sorted({k[0] for k in keys})
        periods = sorted({k[1] for k in keys})
        out: set[tuple[int, str]] = set()
        with self.engine.connect() as conn:
            for i in range(0, len(ids), 500):
                rows = conn.execute(select(
                    self.t.c.subscription_id, self.t.c.period_key, self.t.c.state, self.t.c.final,
                    self.t.c.claimed_at, self.t.c.next_attempt_at,
                ).where(self.t.c.subscription_id.in_(ids[i:i + 500]), self.t.c.period_key.in_(periods)))
                for r in rows:
                    key = (r.subscription_id, r.period_key)
                    if key not in keys:
                        continue
                    if (r.state in ("posted", "skipped", "missed") or r.final
                            or (r.state == "claimed" and _aware(r.claimed_at) > now - self.stale_after)
                            or (r.state == "failed" and r.next_attempt_at and _aware(r.next_attempt_at) > now)):
                        out.add(key)
        return out

    def release(self, claim: Claim) -> None:
        """Give up a claim that posted nothing, so the next run can try at once.

        A fresh claim's row is deleted; a taken-over one goes back to a retryable failure
        without counting this attempt (an earlier attempt's message, if any, stays recorded).
        """
        with self.engine.begin() as conn:
            if not claim.recovering:
                conn.execute(delete(self.t).where(self.t.c.id == claim.id, self.t.c.claim_token == claim.token))
            else:
                conn.execute(update(self.t).where(self.t.c.id == claim.id, self.t.c.claim_token == claim.token)
                             .values(state="failed", final=False, next_attempt_at=None,
                                     attempts=max(claim.attempts - 1, 0)))

    def record_missed(self, sub: Subscription, dues: list[Due], now: datetime, note: str,
                      channel: str | None = None, ts: str | None = None) -> int:
        """Log periods whose fire passed unserved as ``missed``, pointing at what covered them."""
        added = 0
        for due in dues:
            try:
                with self.engine.begin() as conn:
                    conn.execute(insert(self.t).values(
                        subscription_id=sub.id, team_id=sub.team_id, period_key=due.key,
                        scheduled_for=due.fire_at, late=True, state="missed", final=False,
                        claim_token=uuid.uuid4().hex, claimed_at=now, attempts=0,
                        marker=f"sub:{sub.id}:{due.key}", channel=channel, message_ts=ts,
                        error=note[:2000], completed_at=now))
                added += 1
            except IntegrityError:
                pass  # delivered (or being delivered) by another run after all
        return added

    def last_logged(self, sub_id: int, *, other_than: str) -> datetime | None:
        """The latest fire time with a delivery-log row for the subscription (any state), but one period."""
        with self.engine.connect() as conn:
            value = conn.execute(select(func.max(self.t.c.scheduled_for)).where(
                self.t.c.subscription_id == sub_id, self.t.c.period_key != other_than)).scalar()
        return _aware(value)

    def keys_logged(self, sub_id: int, keys: list[str]) -> set[str]:
        """Which of ``keys`` already have a delivery-log row for the subscription."""
        if not keys:
            return set()
        with self.engine.connect() as conn:
            return set(conn.execute(select(self.t.c.period_key).where(
                self.t.c.subscription_id == sub_id, self.t.c.period_key.in_(keys))).scalars())

    def _set(self, claim: Claim, **values: Any) -> bool:
        with self.engine.begin() as conn:
            return conn.execute(update(self.t).where(
                self.t.c.id == claim.id, self.t.c.claim_token == claim.token).values(**values)
            ).rowcount == 1

    def record_message(self, claim: Claim, channel: str, ts: str) -> None:
        claim.channel, claim.message_ts = channel, ts
        self._set(claim, channel=channel, message_ts=ts)

    def complete(self, claim: Claim, state: str, now: datetime, error: str | None = None) -> None:
        self._set(claim, state=state, completed_at=now, error=error, chart_posted=claim.chart_posted)

    def fail(self, claim: Claim, now: datetime, error: str, *, final: bool) -> None:
        backoff = RETRY_BACKOFF * (2 ** max(0, claim.attempts - 1))
        self._set(claim, state="failed", final=final, error=error[:2000],
                  next_attempt_at=None if final else now + backoff, completed_at=now if final else None)

    def rows(self, team_id: str, sub_id: int | None = None, limit: int = 50) -> list[Any]:
        q = select(self.t).where(self.t.c.team_id == team_id)
        if sub_id is not None:
            q = q.where(self.t.c.subscription_id == sub_id)
        with self.engine.connect() as conn:
            return list(conn.execute(q.order_by(self.t.c.id.desc()).limit(limit)))
