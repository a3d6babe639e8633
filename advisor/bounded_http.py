"""An HTTP client for the OpenAI SDK whose every socket operation ends by the current deadline.

httpx timeouts apply per operation: a server that trickles a byte every second keeps
a request alive forever, and the old answer (a daemon thread abandoned at the
deadline) left threads running and could abort the interpreter at exit. Here the
request runs in the caller's thread and the network backend clamps each connect,
read and write to ``advisor.deadline.current_deadline()``, so the call itself ends
on time and nothing is left behind. DNS resolution is the one step it cannot bound.

The httpx flavour is taken from the SDK's own client class (``httpx2`` for openai>=3,
``httpx`` before), so this module imports neither the SDK nor LangChain.
"""

from __future__ import annotations

import logging
import time
import urllib.request
from importlib import import_module
from typing import Any
from urllib.parse import urlsplit

from .deadline import current_deadline

__all__ = ["env_proxy", "make_bounded_client"]

_log = logging.getLogger(__name__)


def _clamp(timeout: float | None, error: type[Exception]) -> float | None:
    at = current_deadline()
    if at is None:
        return timeout
    left = at - time.monotonic()
    if left <= 0:
        raise error("the answer's time budget is used up")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream:
    """A network stream whose operations cannot outlive the deadline."""

    def __init__(self, inner: Any, core: Any):
        self._inner, self._core = inner, core

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        data: bytes = self._inner.read(max_bytes, _clamp(timeout, self._core.ReadTimeout))
        return data

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _clamp(timeout, self._core.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context: Any, server_hostname: str | None = None,
                  timeout: float | None = None) -> _DeadlineStream:
        inner = self._inner.start_tls(ssl_context, server_hostname, _clamp(timeout, self._core.ConnectTimeout))
        return _DeadlineStream(inner, self._core)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _DeadlineBackend:
    """Wraps httpcore's network backend; only the timeouts change."""

    def __init__(self, inner: Any, core: Any):
        self._inner, self._core = inner, core

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Any = None) -> _DeadlineStream:
        t = _clamp(timeout, self._core.ConnectTimeout)
        return _DeadlineStream(self._inner.connect_tcp(host, port, t, local_address, socket_options), self._core)

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Any = None) -> _DeadlineStream:
        t = _clamp(timeout, self._core.ConnectTimeout)
        return _DeadlineStream(self._inner.connect_unix_socket(path, t, socket_options), self._core)

    def sleep(self, seconds: float) -> None:
        left = _clamp(seconds, self._core.PoolTimeout)
        self._inner.sleep(seconds if left is None else left)


def _httpx_of(client_cls: type) -> Any:
    for base in client_cls.__mro__:
        root = base.__module__.split(".")[0]
        if root.startswith("httpx"):
            return import_module(root)
    raise TypeError(f"{client_cls!r} is not an httpx client class")


def env_proxy(base_url: str | None) -> str | None:
    """The proxy the environment sets for ``base_url`` (HTTPS_PROXY, NO_PROXY...), as httpx would use it.

    A custom transport switches off httpx's own environment proxies, so they are read here.
    """
    url = urlsplit(base_url or "https://api.openai.com/v1")
    if url.hostname and urllib.request.proxy_bypass(url.hostname):
        return None
    proxies = urllib.request.getproxies()
    return proxies.get(url.scheme) or proxies.get("all")


def make_bounded_client(client_cls: type, *, proxy: str | None = None) -> Any:
    """An instance of ``client_cls`` (e.g. ``openai.DefaultHttpxClient``) bounded by the current deadline."""
    httpx = _httpx_of(client_cls)
    transport = httpx.HTTPTransport(proxy=proxy)
    pool = getattr(transport, "_pool", None)
    inner = getattr(pool, "_network_backend", None)
    if inner is None:  # a future httpx reorganised its internals: per-operation timeouts still apply
        _log.warning("cannot bound LLM requests by the answer's deadline with %s; "
                     "only per-read timeouts apply", httpx.__name__)
    else:
        core = import_module(type(pool).__module__.split(".")[0])
        setattr(pool, "_network_backend", _DeadlineBackend(inner, core))  # noqa: B010 (private on purpose)
    return client_cls(transport=transport)
