"""The one retry layer for digest Slack calls: slack_sdk RetryHandlers sharing a time budget.

Every wait on Slack goes through a :class:`RetryBudget`: a 429 is retried after
its Retry-After, a dropped connection or a 5xx on a read is retried with
exponential backoff, each within a per-call cap and a total for the run and
workspace. When the budget cannot cover a wait, the call fails at once and
the delivery is retried on a later run (the delivery log's backoff), so one
persistent 429 costs ``1 + max_retries`` HTTP attempts, not dozens.

Posting is never blindly repeated here: ``chat.postMessage`` that failed
ambiguously (5xx, dropped connection) may have landed, so only the poster may
post again, after it has looked for the message's marker in the channel.
The service installs these handlers on every client it gets from its client
factory (replacing whatever the factory set up), so no second layer runs
underneath them.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from http.client import RemoteDisconnected
from typing import Any
from urllib.error import URLError
from urllib.parse import urlparse

from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

__all__ = ["SAFE_TO_REPEAT", "RetryBudget", "install_retry"]

log = logging.getLogger(__name__)

# methods that change nothing (or nothing a repeat would double): retried after an ambiguous failure
SAFE_TO_REPEAT = frozenset({"auth.test", "conversations.history", "conversations.open", "conversations.info",
                            "users.info", "files.getUploadURLExternal"})
_SERVER_ERRORS = (500, 502, 503, 504)


def _method(request: HttpRequest) -> str:
    return urlparse(request.url).path.rsplit("/", 1)[-1]


def _retry_after(response: HttpResponse) -> float:
    for key, value in (response.headers or {}).items():
        if key.lower() == "retry-after":
            raw = (value[0] if value else "") if isinstance(value, list) else value
            try:
                return max(float(raw), 0.0)
            except (TypeError, ValueError):
                return 1.0
    return 1.0


class RetryBudget:
    """How long Slack calls may wait in total (``total``) and per call (``per_call``), and how often."""

    def __init__(self, *, total: float = 120.0, per_call: float = 30.0, max_retries: int = 3,
                 backoff: float = 1.0, sleep: Callable[[float], None] = time.sleep,
                 monotonic: Callable[[], float] = time.monotonic):
        self.total, self.per_call, self.max_retries, self.backoff = total, per_call, max_retries, backoff
        self.sleep, self.monotonic = sleep, monotonic
        self.waited = 0.0
        self.retries = 0

    @property
    def left(self) -> float:
        return max(self.total - self.waited, 0.0)

    def allows(self, seconds: float, state: RetryState | None = None) -> bool:
        in_call = (state.custom_values or {}).get("waited", 0.0) if state is not None else 0.0
        return seconds <= self.left and in_call + seconds <= self.per_call

    def wait(self, seconds: float, state: RetryState | None = None) -> None:
        self.sleep(seconds)
        self.waited += seconds
        if state is not None:
            state.custom_values = state.custom_values or {}
            state.custom_values["waited"] = state.custom_values.get("waited", 0.0) + seconds

    def handlers(self) -> list[RetryHandler]:
        return [_RateLimited(self), _Transient(self)]


class _Budgeted(RetryHandler):
    def __init__(self, budget: RetryBudget):
        super().__init__(max_retry_count=budget.max_retries)
        self.budget = budget

    def _delay(self, state: RetryState, request: HttpRequest, response: HttpResponse | None) -> float:
        raise NotImplementedError

    def prepare_for_next_attempt(self, *, state: RetryState, request: HttpRequest,
                                 response: HttpResponse | None = None, error: Exception | None = None) -> None:
        delay = self._delay(state, request, response)
        log.info("Slack %s: retrying in %.1fs (attempt %d)", _method(request), delay, state.current_attempt + 2)
        state.next_attempt_requested = True
        self.budget.wait(delay, state)
        self.budget.retries += 1
        state.increment_current_attempt()


class _RateLimited(_Budgeted):
    """HTTP 429: Slack did not process the call, so any method may be sent again after Retry-After."""

    def _delay(self, state: RetryState, request: HttpRequest, response: HttpResponse | None) -> float:
        return _retry_after(response) if response is not None else 1.0

    def _can_retry(self, *, state: RetryState, request: HttpRequest, response: HttpResponse | None = None,
                   error: Exception | None = None) -> bool:
        if response is None or response.status_code != 429:
            return False
        delay = _retry_after(response)
        if not self.budget.allows(delay, state):
            log.warning("Slack %s rate-limited for %.0fs, more than the retry budget allows; giving up "
                        "for this run", _method(request), delay)
            return False
        return True


class _Transient(_Budgeted):
    """A dropped connection or a 5xx, retried with backoff, on methods a repeat cannot double."""

    def _delay(self, state: RetryState, request: HttpRequest, response: HttpResponse | None) -> float:
        return self.budget.backoff * 2 ** state.current_attempt

    def _can_retry(self, *, state: RetryState, request: HttpRequest, response: HttpResponse | None = None,
                   error: Exception | None = None) -> bool:
        if _method(request) not in SAFE_TO_REPEAT:
            return False
        failed = (response is not None and response.status_code in _SERVER_ERRORS) or (
            response is None and isinstance(error, URLError | ConnectionError | RemoteDisconnected | TimeoutError))
        return failed and self.budget.allows(self._delay(state, request, response), state)


def install_retry(client: Any, budget: RetryBudget) -> Any:
    """Make ``budget``'s handlers the client's only retry layer (whatever the factory installed)."""
    client.retry_handlers = budget.handlers()
    return client
