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


def fail(message: str, code: int = 1) -> None:
    err_console.print(f"[bold red]Error:[/] {message}")
    raise typer.Exit(code)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn the project's user-facing errors into a one-line message and exit 1.

    Every layer's exception tree derives from a base with a user-readable
    message; anything else is a bug and keeps its traceback.
    """
    from kpi_engine.errors import KpiAdvisorError

    try:
        yield
    except KpiAdvisorError as exc:
        fail(str(exc))
