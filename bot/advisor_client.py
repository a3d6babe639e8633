"""Advisor calls from the bot, in-process or in worker processes.

The advisor's work (pandas, numpy, charts, plain Python) holds the GIL for tens of
milliseconds per answer. In threads of the bot's own process that stalls every
acknowledgement queued behind it, so ``kpi-advisor serve`` runs the advisor in a
pool of worker processes (:class:`ProcessPoolAdvisor`) and keeps only signature
checks, acks and posting to Slack (I/O) in the bot process. Tests hand
``build_app`` an in-process advisor (the real ``Advisor`` or a fake): both satisfy
:class:`AdvisorClient`, so listeners do not know which one they talk to.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import pickle
import signal
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from datetime import date
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from advisor.errors import AdvisorError, KpiAdvisorError

__all__ = [
    "AdvisorClient", "ProcessPoolAdvisor", "call_in_advisor", "default_processes", "make_advisor",
    "RemoteAdvisorError", "AdvisorCrashed", "AdvisorTimeout",
]

log = logging.getLogger(__name__)


@runtime_checkable
class AdvisorClient(Protocol):
    """The part of ``advisor.Advisor`` the bot calls; ``Advisor`` itself is the in-process client."""

    def answer(self, question: str, *, workspace: str = "local", thread: str | None = None,
               user: str | None = None) -> Any: ...

    def run_action(self, action_id: str, payload: dict, *, workspace: str = "local",
                   thread: str | None = None) -> Any: ...

    def compose_digest(self, *, workspace: str, **options: Any) -> Any: ...

    def render_chart(self, spec: Any, *, workspace: str = "local") -> bytes: ...

    def workspace(self, team_id: str) -> Any: ...

    def has_thread(self, thread: str, *, workspace: str) -> bool: ...


class RemoteAdvisorError(AdvisorError):
    """A user-facing advisor error whose own class could not cross the process boundary."""


class AdvisorCrashed(RuntimeError):
    """An unexpected failure in (or of) an advisor worker process; the message carries its traceback."""


class AdvisorTimeout(AdvisorError):
    """The advisor did not answer in time."""


def call_in_advisor(advisor: Any, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
    """``fn(real_advisor, *args, **kwargs)`` wherever the advisor lives (``fn`` must be module-level)."""
    call = getattr(advisor, "call", None)
    return call(fn, *args, **kwargs) if callable(call) else fn(advisor, *args, **kwargs)


def default_processes() -> int:
    """One advisor process per core (at most 4): they are niced, so acks still win the CPU."""
    return max(1, min(4, os.cpu_count() or 1))


def make_advisor(settings: Any, *, processes: int | None = None) -> Any:
    """What `kpi-advisor serve` uses: a started :class:`ProcessPoolAdvisor`, or with
    ``processes=0`` an in-process ``Advisor`` (its work then shares the bot's GIL)."""
    if processes == 0:
        from bot.wiring import build_advisor

        advisor = build_advisor(settings)
        advisor.warm_up()  # the model client's imports, before the first question's clock starts
        return advisor
    return ProcessPoolAdvisor(settings=settings, processes=processes).start()


# ---------------------------------------------------------------------------- worker process side

_advisor: Any = None
_startup_error: BaseException | None = None


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    """Serialises first starts across processes (table creation, the first knowledge build)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _configure_logging(settings: Any, level: int) -> None:
    """Log like the bot process, with every configured secret redacted."""
    from bot.logs import install_redaction

    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s[worker]: %(message)s")
    install_redaction(secrets=settings.secret_values())


def _exit_with_parent(parent_pid: int, interval: float = 1.0) -> None:
    while True:
        time.sleep(interval)
        if os.getppid() != parent_pid:
            os._exit(0)


def _init_worker(settings: Any, nice: int, warm: bool, log_level: int) -> None:
    """Process-pool initializer: build the Advisor once per worker process."""
    global _advisor, _startup_error
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group; the parent stops us
    # uvicorn re-raises SIGTERM after its graceful shutdown, so the bot process can die without
    # closing the pool: workers leave on their own when their parent is gone.
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True,
                     name="parent-watch").start()
    _configure_logging(settings, log_level)
    if nice:
        with contextlib.suppress(OSError):
            os.nice(nice)  # answers yield the CPU to the bot process's acks
    try:
        from bot.wiring import build_advisor

        with _file_lock(Path(settings.home) / ".advisor-workers.lock"):
            _advisor = build_advisor(settings)
            if warm:
                _warm_knowledge(_advisor)
    except Exception as exc:  # every later call reports it, instead of a pool that keeps dying
        _startup_error = _portable(exc)
        return
    if warm:
        try:  # load the default data source now rather than on the first question
            _advisor.engine("local")
        except Exception:
            pass  # a data problem is reported with the first question that needs the data
        try:  # the model client's imports take seconds: pay them here, not in an answer's budget
            _advisor.warm_up()
        except Exception:
            log.warning("could not load the language-model client; answers use template wording", exc_info=True)


def _warm_knowledge(advisor: Any) -> None:
    """Build or open the guidance store now; if it cannot be reached (a Chroma server that is down),
    answers still work without guidance, so that is a warning, not a start-up error."""
    ensure = getattr(getattr(advisor, "knowledge", None), "ensure_built", None)
    if not callable(ensure):
        return
    try:
        ensure()
    except KpiAdvisorError as exc:
        log.warning("guidance is not available yet: %s", exc)


def _portable(exc: BaseException) -> BaseException:
    """``exc`` if it survives pickling, else an equivalent that does (same user message)."""
    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:
        pass
    if isinstance(exc, KpiAdvisorError):
        return RemoteAdvisorError(str(exc))
    return AdvisorCrashed("".join(traceback.format_exception(exc)))


def _invoke(fn: Callable[[], Any]) -> Any:
    if _startup_error is not None:
        raise _startup_error
    try:
        return fn()
    except Exception as exc:
        portable = _portable(exc)
        if portable is exc:
            raise
        raise portable from None


def _call_method(name: str, args: tuple, kwargs: dict[str, Any]) -> Any:
    return _invoke(lambda: getattr(_advisor, name)(*args, **kwargs))


def _apply(fn: Callable[..., Any], args: tuple, kwargs: dict[str, Any]) -> Any:
    return _invoke(lambda: fn(_advisor, *args, **kwargs))


def _ready() -> int:
    if _startup_error is not None:
        raise _startup_error
    return os.getpid()


# ---------------------------------------------------------------------------- bot process side


class ProcessPoolAdvisor:
    """The Advisor surface, served by ``processes`` worker processes that each build their own Advisor.

    Arguments and results are plain picklable data (strings, dicts, ``Answer``); all
    shared state (threads, workspace settings) lives in the state database, so any
    worker can answer any request. ``engine()`` is the exception: it returns a live
    object, so it comes from an Advisor built lazily in this process (alerts only).
    """

    def __init__(self, *, settings: Any, processes: int | None = None, nice: int = 10,
                 timeout: float = 120.0, warm: bool = True, start_method: str = "spawn"):
        self.settings = settings
        self.processes = processes or default_processes()
        self.nice = nice
        self.timeout = timeout
        self.warm = warm
        self.start_method = start_method
        self._executor: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()
        self._local: Any = None
        self._closed = False

    # ------------------------------------------------------------------ lifecycle

    def start(self, *, wait: bool = False, timeout: float = 300.0) -> ProcessPoolAdvisor:
        """Start every worker process now (not on the first question); ``wait`` until they are ready."""
        executor = self._ensure()
        # With spawn, each submit that finds no idle worker starts one: this starts them all.
        pings = [executor.submit(_ready) for _ in range(self.processes)]
        if wait:
            for ping in pings:
                ping.result(timeout=timeout)  # raises the start-up error, if any
        return self

    def _ensure(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._closed:
                raise AdvisorCrashed("The advisor has been shut down.")
            if self._executor is None:
                import multiprocessing

                self._executor = ProcessPoolExecutor(
                    max_workers=self.processes, mp_context=multiprocessing.get_context(self.start_method),
                    initializer=_init_worker, initargs=(self.settings, self.nice, self.warm, logging.getLogger().getEffectiveLevel()),
                )
            return self._executor

    def _discard(self, broken: ProcessPoolExecutor) -> None:
        """Drop a broken pool so the next call starts fresh worker processes."""
        with self._lock:
            if self._executor is broken:
                self._executor = None
        broken.shutdown(wait=False, cancel_futures=True)

    def close(self, *, wait: bool = True) -> None:
        """Stop the worker processes (queued calls are cancelled)."""
        with self._lock:
            self._closed = True
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=wait, cancel_futures=True)

    def __enter__(self) -> ProcessPoolAdvisor:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ calls

    def _run(self, fn: Callable[..., Any], *args: Any) -> Any:
        executor = self._ensure()
        try:
            future: Future = executor.submit(fn, *args)
        except BrokenProcessPool:
            self._discard(executor)
            future = self._ensure().submit(fn, *args)
        try:
            return future.result(timeout=self.timeout)
        except FutureTimeout:
            future.cancel()
            raise AdvisorTimeout(
                "That took me too long to work out. Try a narrower question (a shorter period or one platform)."
            ) from None
        except BrokenProcessPool as exc:
            self._discard(executor)
            raise AdvisorCrashed(f"an advisor worker process died ({exc}); the pool was restarted") from None

    def call(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        """``fn(advisor, *args, **kwargs)`` in a worker process; ``fn`` must be a module-level function."""
        return self._run(_apply, fn, args, kwargs)

    def _method(self, name: str, *args: Any, **kwargs: Any) -> Any:
        return self._run(_call_method, name, args, kwargs)

    def answer(self, question: str, *, workspace: str = "local", thread: str | None = None,
               user: str | None = None) -> Any:
        return self._method("answer", question, workspace=workspace, thread=thread, user=user)

    def run_action(self, action_id: str, payload: dict, *, workspace: str = "local",
                   thread: str | None = None) -> Any:
        return self._method("run_action", action_id, payload, workspace=workspace, thread=thread)

    def compose_digest(self, *, workspace: str, **options: Any) -> Any:
        return self._method("compose_digest", workspace=workspace, **options)

    def render_chart(self, spec: Any, *, workspace: str = "local", as_of: date | None = None) -> bytes:
        return self._method("render_chart", spec, workspace=workspace, as_of=as_of)

    def has_thread(self, thread: str, *, workspace: str) -> bool:
        return self._method("has_thread", thread, workspace=workspace)

    def remember(self, thread: str, answer: Any, *, workspace: str) -> None:
        return self._method("remember", thread, answer, workspace=workspace)

    def workspace(self, team_id: str) -> Any:
        return self._method("workspace", team_id)

    def update_workspace(self, team_id: str, **changes: Any) -> Any:
        return self._method("update_workspace", team_id, **changes)

    def engine(self, workspace: str = "local", *, as_of: date | None = None) -> Any:
        """A live engine for code that computes with it here (digest alerts); built on first use."""
        with self._lock:
            if self._local is None:
                from bot.wiring import build_advisor

                self._local = build_advisor(self.settings)
        return self._local.engine(workspace, as_of=as_of)
