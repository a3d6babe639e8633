"""Run `kpi-advisor` commands in this process (typer's runner) with the subprocess helper's interface.

The subprocess tests in tests/test_cli.py check what only a real process shows (the installed
entry point, start-up imports, exit codes through the shell). Everything else runs here: same
arguments, same environment, same exit codes and streams, without paying for a Python start-up
and the imports per command.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from typer.testing import CliRunner

from bot.cli import common
from bot.cli.main import app


def run(*args: str, home: Path, timeout: int = 120, input: str | None = None) -> subprocess.CompletedProcess:
    """Like tests.test_cli.run, in-process; `timeout` is accepted for symmetry and not enforced."""
    env: dict[str, str | None] = {k: None for k in os.environ if k.startswith(("SLACK_", "OPENAI_"))}
    env.update(KPI_ADVISOR_HOME_DIR=str(home), COLUMNS="120")
    common._settings = None  # settings are read once per process; each command here is a new "process"
    common.set_json_mode(False)
    try:
        result = CliRunner().invoke(app, list(args), input=input, env=env, catch_exceptions=True)
    finally:
        common._settings = None
        common.set_json_mode(False)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception  # a traceback in a real process: the test must see it
    return subprocess.CompletedProcess(list(args), result.exit_code, result.stdout, result.stderr)
