"""Acknowledge fast, work later: a bounded worker pool and a "working on it" placeholder."""

from __future__ import annotations

import heapq
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

__all__ = ["WorkerPool", "SlowReply", "AckFirst"]

log = logging.getLogger(__name__)


class AckFirst:
    """Tracks requests being acknowledged; background work waits until the front door is quiet.

    An ack is a few hundred microseconds of Python, but a burst of them queues behind any
    thread that holds the GIL: answers rendered and posted meanwhile would delay every ack
    still waiting. "Quiet" is no request in progress and none begun in the last ``quiet``
    seconds (requests dispatched one after another on the event loop are never in progress
    together). Waiting is bounded by ``max_wait``, so steady traffic cannot starve the answers.
    """

    def __init__(self, *, quiet: float = 0.1, max_wait: float = 2.0,
                 clock: Callable[[], float] = time.monotonic):
        self.quiet = quiet
        self.max_wait = max_wait
        self.clock = clock
        self._busy = 0
        self._last = float("-inf")
        self._cond = threading.Condition()

    def enter(self) -> None:
        with self._cond:
            self._busy += 1
            self._last = self.clock()

    def leave(self) -> None:
        # No notify: waiters need `quiet` seconds without a new request anyway, so they sleep for
        # that long; waking them all after every ack would cost the acks the GIL switches saved.
        with self._cond:
            self._busy -= 1

    def wait(self) -> None:
        """Return once the front door is quiet, or after ``max_wait`` seconds."""
        deadline = self.clock() + self.max_wait
        with self._cond:
            while True:
                now = self.clock()
                if now >= deadline:
                    return
                calm_in = self._last + self.quiet - now
                if self._busy == 0 and calm_in <= 0:
                    return
                self._cond.wait(min(deadline - now, max(calm_in, self.quiet / 4)))


class WorkerPool:
    """Runs advisor work off the request thread; refuses (instead of queueing forever) when full."""

    def __init__(self, *, max_workers: int = 8, max_pending: int = 512, name: str = "kpi-advisor",
                 gate: AckFirst | None = None):
        # The HTTP front door reports its requests to `gate`; jobs give way to them (see AckFirst).
        self.gate = gate or AckFirst()
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
            self.gate.wait()
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


class _Deadlines:
    """One daemon thread waits for every placeholder deadline. A threading.Timer per answer
    started a thread per request in a burst (measured: ~100 threads during one 200-request
    burst); now a thread is started only for a placeholder that is actually posted."""

    def __init__(self) -> None:
        self._heap: list[list[Any]] = []  # [deadline, seq, callback, cancelled]
        self._seq = 0
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None

    def schedule(self, delay: float, callback: Callable[[], None]) -> list[Any]:
        with self._cond:
            self._seq += 1
            entry = [time.monotonic() + delay, self._seq, callback, False]
            heapq.heappush(self._heap, entry)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="placeholder-deadlines", daemon=True)
                self._thread.start()
            self._cond.notify()
            return entry

    @staticmethod
    def cancel(entry: list[Any]) -> None:
        entry[3] = True

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._heap:
                    self._cond.wait()
                entry = self._heap[0]
                if entry[3]:
                    heapq.heappop(self._heap)
                    continue
                wait = entry[0] - time.monotonic()
                if wait > 0:
                    self._cond.wait(wait)
                    continue
                heapq.heappop(self._heap)
            threading.Thread(target=entry[2], name="placeholder", daemon=True).start()


_DEADLINES = _Deadlines()


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
        self._timer: list[Any] | None = None

    def start(self) -> SlowReply:
        if self._after >= 0:
            self._timer = _DEADLINES.schedule(self._after, self._fire)
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
            _DEADLINES.cancel(self._timer)
        with self._lock:
            self._settled = True
            return self._handle

    def __enter__(self) -> SlowReply:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.settle()
