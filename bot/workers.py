"""Acknowledge fast, work later: a bounded worker pool and a "working on it" placeholder."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

__all__ = ["WorkerPool", "SlowReply"]

log = logging.getLogger(__name__)


class WorkerPool:
    """Runs advisor work off the request thread; refuses (instead of queueing forever) when full."""

    def __init__(self, *, max_workers: int = 8, max_pending: int = 512, name: str = "kpi-advisor"):
        self._executor = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix=name)
        self._slots = threading.BoundedSemaphore(max_pending)
        self._lock = threading.Condition()
        self._pending = 0

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> bool:
        """Queue ``fn``; False when the pool is saturated (the caller tells the user to retry)."""
        if not self._slots.acquire(blocking=False):
            return False
        with self._lock:
            self._pending += 1
        try:
            self._executor.submit(self._run, fn, args, kwargs)
        except RuntimeError:  # shut down
            self._done()
            return False
        return True

    def _run(self, fn: Callable[..., Any], args: tuple, kwargs: dict) -> None:
        try:
            fn(*args, **kwargs)
        except Exception:  # a job must never kill its worker; jobs report to users themselves
            log.exception("background job failed")
        finally:
            self._done()

    def _done(self) -> None:
        self._slots.release()
        with self._lock:
            self._pending -= 1
            self._lock.notify_all()

    @property
    def pending(self) -> int:
        return self._pending

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until every queued job has finished (tests, benchmarks, shutdown)."""
        with self._lock:
            return self._lock.wait_for(lambda: self._pending == 0, timeout)

    def shutdown(self, wait: bool = True) -> None:
        self._executor.shutdown(wait=wait, cancel_futures=not wait)


class SlowReply:
    """Shows a placeholder only when the real answer is late, so fast answers post once.

    ``show`` posts the placeholder and returns a handle (e.g. the message ts);
    :meth:`settle` stops the timer and returns that handle if the placeholder
    went out, so the caller updates it in place instead of posting again.
    """

    def __init__(self, *, after: float, show: Callable[[], Any]):
        self._after = after
        self._show = show
        self._lock = threading.Lock()
        self._settled = False
        self._handle: Any = None
        self._timer: threading.Timer | None = None

    def start(self) -> SlowReply:
        if self._after >= 0:
            self._timer = threading.Timer(self._after, self._fire)
            self._timer.daemon = True
            self._timer.start()
        return self

    def _fire(self) -> None:
        with self._lock:  # settle() waits for an in-flight placeholder, so it can update it
            if self._settled:
                return
            try:
                self._handle = self._show()
            except Exception:
                log.warning("could not post the placeholder", exc_info=True)

    def settle(self) -> Any:
        """Stop waiting; returns the placeholder's handle, or None if it was never shown."""
        if self._timer is not None:
            self._timer.cancel()
        with self._lock:
            self._settled = True
            return self._handle

    def __enter__(self) -> SlowReply:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.settle()
