"""Shared plumbing for CLI commands: settings, output (rich or --json), errors."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import typer
from rich.console import Console

__all__ = ["console", "err_console", "emit", "fail", "user_errors", "get_settings", "to_jsonable"]

console = Console()
err_console = Console(stderr=True)

_settings = None


def get_settings():  # -> advisor.settings.Settings
    """The process's Settings, read once from env / .env."""
    global _settings
    if _settings is None:
        from advisor.settings import Settings

        _settings = Settings()
    return _settings


def to_jsonable(obj: Any) -> Any:
    if hasattr(obj, "model_dump"):
        return obj.model_dump(mode="json")
    if isinstance(obj, list | tuple):
        return [to_jsonable(o) for o in obj]
    if isinstance(obj, dict):
        return {k: to_jsonable(v) for k, v in obj.items()}
    return obj


def emit(obj: Any, as_json: bool, render: Callable[[Any], None]) -> None:
    """Print `obj` as JSON (for scripts) or through `render` (for people)."""
    if as_json:
        sys.stdout.write(json.dumps(to_jsonable(obj), indent=2, default=str) + "\n")
    else:
        render(obj)


def fail(message: str, code: int = 1, *, as_json: bool = False, kind: str = "error") -> None:
    """Report an error and exit ``code``: a red line on stderr, or for --json a JSON object on stdout."""
    if as_json:
        sys.stdout.write(json.dumps({"error": {"type": kind, "message": message}}) + "\n")
    else:
        err_console.print(f"[bold red]Error:[/] {message}")
    raise typer.Exit(code)


@contextmanager
def user_errors(*, as_json: bool = False) -> Iterator[None]:
    """Turn the project's user-facing errors into a one-line message and exit 1.

    Every layer's exception tree derives from a base with a user-readable
    message; anything else is a bug and keeps its traceback (on stderr: with
    ``as_json`` stdout still gets one JSON object saying an internal error happened).
    """
    from kpi_engine.errors import KpiAdvisorError

    try:
        yield
    except KpiAdvisorError as exc:
        fail(str(exc), as_json=as_json, kind=type(exc).__name__)
    except (typer.Exit, KeyboardInterrupt):
        raise
    except Exception:
        if as_json:  # the caller parses stdout: keep it JSON, leave the traceback on stderr
            sys.stdout.write(json.dumps({"error": {"type": "internal_error", "message":
                                                   "Something went wrong on our side; the details are on stderr."}}) + "\n")
            sys.stdout.flush()
        raise
