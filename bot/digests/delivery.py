"""Exactly-once delivery of a digest per (subscription, period), and polite posting to Slack.

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

Slack limits: posts are paced to about one per second per channel, HTTP 429 is
retried after its Retry-After, transient errors with exponential backoff;
``not_in_channel`` / ``is_archived`` / ``channel_not_found`` stop the
subscription (the service pauses it and tells the owner).
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from .models import Delivery

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from .models import Subscription
    from .render import Message
    from .schedule import Due

__all__ = ["Claim", "DeliveryLog", "Pacer", "SlackPoster", "ChannelUnavailable", "DeliveryFailed",
           "PAUSE_ERRORS", "EVENT_TYPE", "CLAIM_STALE_AFTER", "MAX_ATTEMPTS"]

log = logging.getLogger(__name__)

EVENT_TYPE = "kpi_advisor_digest"
PAUSE_ERRORS = frozenset({"not_in_channel", "is_archived", "channel_not_found", "channel_is_archived"})
_TRANSIENT = frozenset({"internal_error", "fatal_error", "service_unavailable", "request_timeout",
                        "ratelimited", "team_added_to_org"})
CLAIM_STALE_AFTER = timedelta(minutes=10)
MAX_ATTEMPTS = 4  # runs that may try one period before it is reported as failed for good
RETRY_BACKOFF = timedelta(minutes=5)  # between runs: 5, 10, 20 minutes


class ChannelUnavailable(Exception):
    """The channel cannot take posts (archived, bot removed, deleted)."""

    def __init__(self, error: str):
        self.error = error
        super().__init__(error)


class DeliveryFailed(Exception):
    def __init__(self, error: str, *, retryable: bool):
        self.error = error
        self.retryable = retryable
        super().__init__(error)


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


def _aware(dt: datetime | None) -> datetime | None:
    if dt is None:
        return None
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=timezone.utc)


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
                row_id = conn.execute(insert(self.t).values(
                    subscription_id=sub.id, team_id=sub.team_id, period_key=due.key,
                    scheduled_for=due.fire_at, late=due.late, state="claimed", final=False,
                    claim_token=token, claimed_at=now, attempts=1, marker=marker,
                )).inserted_primary_key[0]
            return Claim(id=row_id, subscription_id=sub.id, team_id=sub.team_id, period_key=due.key,
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


class Pacer:
    """At most one post per ``interval`` seconds per channel (Slack's chat.postMessage guidance)."""

    def __init__(self, *, interval: float = 1.0, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep):
        self.interval, self.clock, self.sleep = interval, clock, sleep
        self._last: dict[str, float] = {}

    def wait(self, channel: str) -> None:
        last = self._last.get(channel)
        if last is not None:
            gap = self.interval - (self.clock() - last)
            if gap > 0:
                self.sleep(gap)
        self._last[channel] = self.clock()


def _error_code(exc: Exception) -> str:
    resp = getattr(exc, "response", None)
    try:
        return str(resp["error"]) if resp is not None else type(exc).__name__
    except (KeyError, TypeError):
        return type(exc).__name__


def _retry_after(exc: Exception) -> float | None:
    resp = getattr(exc, "response", None)
    if resp is None or getattr(resp, "status_code", None) != 429 and _error_code(exc) != "ratelimited":
        return None
    headers = {str(k).lower(): v for k, v in (getattr(resp, "headers", None) or {}).items()}
    value = headers.get("retry-after")
    if isinstance(value, list):
        value = value[0] if value else None
    try:
        return max(float(value), 0.0) if value is not None else 1.0
    except ValueError:
        return 1.0


class SlackPoster:
    """Slack calls with pacing, Retry-After, backoff, and the marker check that prevents doubles."""

    def __init__(self, *, sleep: Callable[[float], None] = time.sleep,
                 monotonic: Callable[[], float] = time.monotonic, pace_seconds: float = 1.0,
                 max_rate_retries: int = 5, max_transient_retries: int = 3, backoff: float = 1.0):
        self.sleep = sleep
        self.pacer = Pacer(interval=pace_seconds, clock=monotonic, sleep=sleep)
        self.max_rate_retries = max_rate_retries
        self.max_transient_retries = max_transient_retries
        self.backoff = backoff

    def call(self, fn: Callable[..., Any], **kwargs: Any) -> Any:
        """Call a Slack method, sleeping out 429s (Retry-After) and retrying transient errors."""
        from slack_sdk.errors import SlackApiError

        rate_waits = transient = 0
        while True:
            try:
                return fn(**kwargs)
            except SlackApiError as exc:
                wait = _retry_after(exc)
                if wait is not None and rate_waits < self.max_rate_retries:
                    rate_waits += 1
                    log.info("Slack rate limit on %s; retrying after %.0fs", fn.__name__, wait)
                    self.sleep(wait)
                    continue
                if self._transient(exc) and transient < self.max_transient_retries:
                    self.sleep(self.backoff * 2 ** transient)
                    transient += 1
                    continue
                raise

    @staticmethod
    def _transient(exc: Exception) -> bool:
        status = getattr(getattr(exc, "response", None), "status_code", 200)
        return _error_code(exc) in _TRANSIENT or (isinstance(status, int) and status >= 500)

    def post(self, client: Any, claim: Claim, channel: str, message: Message) -> tuple[str, str, bool]:
        """Post the message once; returns (channel, ts, recovered) where recovered means already there."""
        from slack_sdk.errors import SlackApiError

        if claim.recovering:
            found = self.find_posted(client, channel, claim)
            if found:
                return found[0], found[1], True
        last = "unknown error"
        for attempt in range(self.max_transient_retries + 1):
            self.pacer.wait(channel)
            try:
                resp = self._post_once(client, channel, claim, message)
                return str(resp["channel"]), str(resp["ts"]), False
            except SlackApiError as exc:
                err = _error_code(exc)
                if err in PAUSE_ERRORS:
                    raise ChannelUnavailable(err) from None
                if not self._transient(exc):
                    raise DeliveryFailed(err, retryable=False) from None
                last = err
            except OSError as exc:  # connection reset, timeout: the post may or may not have landed
                last = f"network error: {exc}"
            if attempt < self.max_transient_retries:
                self.sleep(self.backoff * 2 ** attempt)
            found = self.find_posted(client, channel, claim)
            if found:
                return found[0], found[1], True
        raise DeliveryFailed(last, retryable=True)

    def _post_once(self, client: Any, channel: str, claim: Claim, message: Message) -> Any:
        from slack_sdk.errors import SlackApiError

        rate_waits = 0
        while True:  # 429 means the post was not processed: safe to send again
            try:
                return client.chat_postMessage(
                    channel=channel, text=message.text, blocks=message.blocks,
                    unfurl_links=False, unfurl_media=False,
                    metadata={"event_type": EVENT_TYPE, "event_payload": {"delivery": claim.marker}},
                )
            except SlackApiError as exc:
                wait = _retry_after(exc)
                if wait is None or rate_waits >= self.max_rate_retries:
                    raise
                rate_waits += 1
                self.sleep(wait)

    def find_posted(self, client: Any, channel: str, claim: Claim) -> tuple[str, str] | None:
        """The (channel, ts) of a message carrying the claim's marker, posted since its fire time."""
        from slack_sdk.errors import SlackApiError

        try:
            ch = claim.channel or channel
            if ch.startswith(("U", "W")):  # a DM target: its history lives in the IM channel
                ch = self.call(client.conversations_open, users=ch)["channel"]["id"]
            oldest = (claim.scheduled_for - timedelta(minutes=5)).timestamp()
            cursor = None
            for _ in range(10):
                resp = self.call(client.conversations_history, channel=ch, oldest=f"{oldest:.6f}",
                                 limit=200, include_all_metadata=True, cursor=cursor)
                for m in resp.get("messages", []) or []:
                    md = m.get("metadata") or {}
                    if (md.get("event_type") == EVENT_TYPE
                            and (md.get("event_payload") or {}).get("delivery") == claim.marker):
                        return ch, str(m["ts"])
                cursor = (resp.get("response_metadata") or {}).get("next_cursor")
                if not cursor:
                    return None
            return None
        except SlackApiError as exc:
            err = _error_code(exc)
            if err in PAUSE_ERRORS:
                raise ChannelUnavailable(err) from None
            raise DeliveryFailed(f"could not check whether an earlier attempt was posted ({err}); "
                                 "not posting to avoid a duplicate", retryable=True) from None
        except OSError as exc:
            raise DeliveryFailed(f"could not read channel history ({exc})", retryable=True) from None

    def upload_chart(self, client: Any, channel: str, thread_ts: str, png: bytes, title: str) -> None:
        self.pacer.wait(channel)
        self.call(client.files_upload_v2, channel=channel, thread_ts=thread_ts, file=png,
                  filename="kpi-chart.png", title=title[:250], alt_txt=title[:1000])

    def notify(self, client: Any, user_id: str, text: str) -> bool:
        """DM a person (the subscription's owner); False when Slack refuses."""
        from slack_sdk.errors import SlackApiError

        try:
            self.pacer.wait(user_id)
            self.call(client.chat_postMessage, channel=user_id, text=text, unfurl_links=False)
            return True
        except (SlackApiError, OSError) as exc:
            log.warning("could not notify %s: %s", user_id, _error_code(exc))
            return False
