"""Shared plumbing for CLI commands: settings, output (rich or --json), errors."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape

__all__ = [
    "console", "err_console", "emit", "fail", "user_errors", "get_settings", "to_jsonable",
    "json_option", "set_json_mode", "json_mode", "error_payload",
]

# Piped output is for files and scripts: never wrapped at 80 columns, tables never truncated.
_PIPED_WIDTH = 10_000


def _make_console(*, stderr: bool = False) -> Console:
    probe = Console(stderr=stderr)
    if probe.is_terminal:
        return probe
    return Console(stderr=stderr, width=_PIPED_WIDTH, soft_wrap=True)


console = _make_console()
err_console = _make_console(stderr=True)

_settings = None
# Set by every command's --json option while its arguments are parsed (see json_option), so
# an error raised anywhere after that, even before the command's body runs, prints as JSON.
_json_mode = False


def set_json_mode(on: bool) -> None:
    global _json_mode
    _json_mode = bool(on)


def json_mode() -> bool:
    return _json_mode


def _json_callback(value: bool) -> bool:
    set_json_mode(value)
    return value


def json_option(help: str = "Print JSON for scripts (errors too, as {\"error\": ...}).") -> Any:
    """The --json option every command takes; parsing it switches errors to JSON as well."""
    return typer.Option(False, "--json", help=help, callback=_json_callback, is_eager=True)


def get_settings():  # -> advisor.settings.Settings
    """The process's Settings, read once from env / .env; a bad value exits naming the setting."""
    global _settings
    if _settings is None:
        from advisor.errors import ConfigError
        from advisor.settings import load_settings

        try:
            _settings = load_settings()
        except ConfigError as exc:
            fail(str(exc), code=2, error=exc)
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


def _masked(text: str) -> str:
    """``text`` with configured secrets and URL passwords masked (settings turn into messages here)."""
    from advisor.settings import mask_passwords

    secrets = _settings.secret_values() if _settings is not None else []
    return mask_passwords(text, secrets)


def error_payload(message: str, *, error: BaseException | None = None, kind: str | None = None) -> dict[str, Any]:
    """The JSON shape of an error: {"error": {"type", "message", "hint"}}."""
    hint = getattr(error, "hint", None) if error is not None else None
    text = getattr(error, "message", None) or message if hint else message
    return {"error": {"type": kind or (type(error).__name__ if error is not None else "UsageError"),
                      "message": _masked(str(text)), "hint": _masked(hint) if hint else None}}


def fail(message: str, code: int = 1, *, error: BaseException | None = None, kind: str | None = None) -> None:
    """Print one error (a line on stderr, or JSON on stdout under --json) and exit with ``code``."""
    if _json_mode:
        sys.stdout.write(json.dumps(error_payload(message, error=error, kind=kind)) + "\n")
        sys.stdout.flush()
    else:
        # escape: messages carry text like `pip install 'kpi-advisor[postgres]'` that rich would eat
        err_console.print(f"[bold red]Error:[/] {escape(_masked(message))}", highlight=False)
    raise typer.Exit(code)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn the project's user-facing errors into a one-line message (JSON under --json) and exit 1.

    Every layer's exception tree derives from a base with a user-readable
    message; anything else is a bug and keeps its traceback (under --json,
    :func:`run_json_mode` still gives stdout one JSON object saying so).
    """
    from kpi_engine.errors import KpiAdvisorError

    try:
        yield
    except KpiAdvisorError as exc:
        fail(str(exc), error=exc)


def run_json_mode(app: Any) -> int:
    """Run the typer ``app`` for a --json invocation; returns the exit code.

    click prints usage errors as text and an unexpected exception ends in a bare
    traceback: a script reading stdout gets JSON for both (the traceback still goes to stderr).
    """
    import traceback

    set_json_mode(True)
    try:
        code = app(standalone_mode=False)
    except typer.TyperException as exc:  # click's usage errors (typer vendors click)
        sys.stdout.write(json.dumps(error_payload(exc.format_message(), kind="UsageError")) + "\n")
        return int(getattr(exc, "exit_code", 2))
    except typer.Abort:
        sys.stdout.write(json.dumps(error_payload("Interrupted.", kind="Aborted")) + "\n")
        return 1
    except Exception as exc:  # a bug: keep the traceback for the report, tell the script in JSON
        traceback.print_exc()
        sys.stdout.write(json.dumps(error_payload(
            f"Unexpected {type(exc).__name__}; the traceback is on stderr. Please report it.",
            kind="InternalError")) + "\n")
        return 1
    return code if isinstance(code, int) else 0
