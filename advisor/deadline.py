"""One time budget per answer, shared by LLM routing, guidance retrieval and narration.

Each step that waits on a network service runs inside ``Budget.spend()``, which
publishes an absolute deadline in a context variable; the LLM's HTTP transport
(``advisor.bounded_http``) and the embeddings client clamp every socket operation
to it. Time the engine spends computing is not charged: the budget is for waiting.
Context variables are per thread, so concurrent answers never share a deadline.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

__all__ = ["Budget", "current_deadline", "deadline_at", "seconds_left"]

_deadline: ContextVar[float | None] = ContextVar("kpi_advisor_deadline", default=None)


def current_deadline() -> float | None:
    """The ``time.monotonic()`` instant the current step must finish by, or None outside any budget."""
    return _deadline.get()


def seconds_left(default: float = math.inf) -> float:
    """Seconds until the current deadline (``default`` when there is none); may be negative."""
    at = _deadline.get()
    return default if at is None else at - time.monotonic()


@contextmanager
def deadline_at(at: float) -> Iterator[float]:
    """Run the block under ``at`` or the enclosing deadline, whichever comes first; yields that instant."""
    outer = _deadline.get()
    effective = at if outer is None else min(at, outer)
    token = _deadline.set(effective)
    try:
        yield effective
    finally:
        _deadline.reset(token)


class Budget:
    """Seconds one answer may spend waiting on models and embeddings, whatever the step."""

    def __init__(self, seconds: float):
        self.total = max(0.0, float(seconds))
        self._left = self.total

    def remaining(self) -> float:
        return max(0.0, self._left)

    @property
    def exhausted(self) -> bool:
        return self._left <= 0.0

    @contextmanager
    def spend(self) -> Iterator[float]:
        """Charge the block's wall time to the budget; yields the block's absolute deadline."""
        start = time.monotonic()
        try:
            with deadline_at(start + max(0.0, self._left)) as at:
                yield at
        finally:
            self._left -= time.monotonic() - start
