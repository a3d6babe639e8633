"""Posting digests to Slack: the marker, the look-before-repost check, pacing, owner notices.

Retries live in one place, :mod:`bot.digests.retry` (installed on the client by
the service): 429s and dropped connections on reads are waited out there,
within a time budget. Here a post is sent at most twice per run, and the
second time only after the channel's history shows the first did not land
(an ambiguous failure, 5xx or a dropped connection, may have posted it).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from .retry import RetryBudget

if TYPE_CHECKING:
    from .delivery import Claim
    from .render import Message

__all__ = [
    "EVENT_TYPE",
    "PAUSE_ERRORS",
    "WORKSPACE_ERRORS",
    "ChannelUnavailable",
    "DeliveryFailed",
    "Pacer",
    "SlackPoster",
    "WorkspaceUnavailable",
    "error_code",
]

log = logging.getLogger(__name__)

EVENT_TYPE = "kpi_advisor_digest"
PAUSE_ERRORS = frozenset({"not_in_channel", "is_archived", "channel_not_found", "channel_is_archived"})
# the workspace's token no longer works there: nothing can be posted (not even to the owner)
WORKSPACE_ERRORS = frozenset({"invalid_auth", "not_authed", "token_revoked", "token_expired",
                              "account_inactive", "team_disabled", "missing_scope", "no_permission",
                              "not_allowed_token_type", "org_login_required", "ekm_access_denied"})
_TRANSIENT = frozenset({"internal_error", "fatal_error", "service_unavailable", "request_timeout",
                        "team_added_to_org"})


class ChannelUnavailable(Exception):
    """The channel cannot take posts (archived, bot removed, deleted)."""

    def __init__(self, error: str):
        self.error = error
        super().__init__(error)


class WorkspaceUnavailable(Exception):
    """The workspace cannot be posted to at all (uninstalled, token revoked, chat:write missing)."""

    def __init__(self, error: str):
        self.error = error
        super().__init__(error)


class DeliveryFailed(Exception):
    def __init__(self, error: str, *, retryable: bool):
        self.error = error
        self.retryable = retryable
        super().__init__(error)


def error_code(exc: Exception) -> str:
    resp = getattr(exc, "response", None)
    try:
        return str(resp["error"]) if resp is not None else type(exc).__name__
    except (KeyError, TypeError):
        return type(exc).__name__


def _status(exc: Exception) -> int:
    status = getattr(getattr(exc, "response", None), "status_code", 200)
    return status if isinstance(status, int) else 200


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


class SlackPoster:
    """Posts with the delivery marker, paced, and checks for an earlier copy before posting again."""

    def __init__(self, *, sleep: Callable[[float], None] = time.sleep,
                 monotonic: Callable[[], float] = time.monotonic, pace_seconds: float = 1.0,
                 budget_seconds: float = 120.0, call_seconds: float = 30.0, max_retries: int = 3,
                 backoff: float = 1.0):
        self.sleep, self.monotonic = sleep, monotonic
        self.pacer = Pacer(interval=pace_seconds, clock=monotonic, sleep=sleep)
        self.budget_seconds, self.call_seconds = budget_seconds, call_seconds
        self.max_retries, self.backoff = max_retries, backoff

    def new_budget(self) -> RetryBudget:
        """The retry budget for one run in one workspace."""
        return RetryBudget(total=self.budget_seconds, per_call=self.call_seconds, max_retries=self.max_retries,
                           backoff=self.backoff, sleep=self.sleep, monotonic=self.monotonic)

    @staticmethod
    def _raise_for(exc: Exception) -> None:
        err = error_code(exc)
        if err in PAUSE_ERRORS:
            raise ChannelUnavailable(err) from None
        if err in WORKSPACE_ERRORS:
            raise WorkspaceUnavailable(err) from None
        if _status(exc) == 429 or err == "ratelimited":
            raise DeliveryFailed("Slack kept rate-limiting beyond the retry budget (ratelimited)",
                                 retryable=True) from None

    def post(self, client: Any, claim: Claim, channel: str, message: Message,
             budget: RetryBudget | None = None) -> tuple[str, str, bool]:
        """Post the message once; returns (channel, ts, recovered) where recovered means already there."""
        from slack_sdk.errors import SlackApiError

        budget = budget or self.new_budget()
        if claim.recovering:
            found = self.find_posted(client, channel, claim)
            if found:
                return found[0], found[1], True
        last = "unknown error"
        for attempt in range(2):  # a second post only once the history shows the first did not land
            self.pacer.wait(channel)
            try:
                resp = self._post_once(client, channel, claim, message)
                return str(resp["channel"]), str(resp["ts"]), False
            except SlackApiError as exc:
                self._raise_for(exc)
                err = error_code(exc)
                if not (err in _TRANSIENT or _status(exc) >= 500):
                    raise DeliveryFailed(err, retryable=False) from None
                last = err
            except OSError as exc:  # connection reset, timeout: the post may or may not have landed
                last = f"network error: {exc}"
            wait = self.backoff * 2 ** attempt
            if budget.allows(wait):
                budget.wait(wait)
            found = self.find_posted(client, channel, claim)
            if found:
                return found[0], found[1], True
            if not budget.allows(self.backoff):
                break
        raise DeliveryFailed(last, retryable=True)

    @staticmethod
    def _post_once(client: Any, channel: str, claim: Claim, message: Message) -> Any:
        return client.chat_postMessage(
            channel=channel, text=message.text, blocks=message.blocks, unfurl_links=False, unfurl_media=False,
            metadata={"event_type": EVENT_TYPE, "event_payload": {"delivery": claim.marker}},
        )

    def find_posted(self, client: Any, channel: str, claim: Claim) -> tuple[str, str] | None:
        """The (channel, ts) of a message carrying the claim's marker, posted since its fire time."""
        from slack_sdk.errors import SlackApiError

        try:
            ch = claim.channel or channel
            if ch.startswith(("U", "W")):  # a DM target: its history lives in the IM channel
                ch = client.conversations_open(users=ch)["channel"]["id"]
            oldest = (claim.scheduled_for - timedelta(minutes=5)).timestamp()
            cursor = None
            for _ in range(10):
                resp = client.conversations_history(channel=ch, oldest=f"{oldest:.6f}", limit=200,
                                                    include_all_metadata=True, cursor=cursor)
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
            self._raise_for(exc)
            raise DeliveryFailed(f"could not check whether an earlier attempt was posted ({error_code(exc)}); "
                                 "not posting to avoid a duplicate", retryable=True) from None
        except OSError as exc:
            raise DeliveryFailed(f"could not read channel history ({exc})", retryable=True) from None

    def upload_chart(self, client: Any, channel: str, thread_ts: str, png: bytes, title: str,
                     alt: str | None = None) -> None:
        """Upload the chart in the post's thread; ``alt`` states the numbers it shows."""
        self.pacer.wait(channel)
        client.files_upload_v2(channel=channel, thread_ts=thread_ts, file=png, filename="kpi-chart.png",
                               title=title[:250], alt_txt=(alt or title)[:1000])

    def notify(self, client: Any, user_id: str, text: str) -> bool:
        """DM a person (the subscription's owner); False when Slack refuses."""
        from slack_sdk.errors import SlackApiError

        try:
            self.pacer.wait(user_id)
            client.chat_postMessage(channel=user_id, text=text, unfurl_links=False)
            return True
        except (SlackApiError, OSError) as exc:
            log.warning("could not notify %s: %s", user_id, error_code(exc))
            return False
