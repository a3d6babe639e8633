"""The CLI as a subprocess with bad settings and under --json: one clear line (or one JSON object),
a non-zero exit, never a traceback, never a password; piped output is never cut."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "s3cr3t-pw-991"


def run(*args: str, home: Path, env: dict[str, str] | None = None, pythonpath: list[Path] = (),
        timeout: int = 120) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items()
            if not k.startswith(("SLACK_", "OPENAI_", "KPI_ADVISOR_")) and k != "DATABASE_URL"}
    base["PYTHONPATH"] = os.pathsep.join([*map(str, pythonpath), str(ROOT), base.get("PYTHONPATH", "")])
    base.update(KPI_ADVISOR_HOME_DIR=str(home), **(env or {}))
    return subprocess.run([sys.executable, "-m", "bot.cli.main", *args], capture_output=True, text=True,
                          cwd=home.parent, env=base, timeout=timeout)


@pytest.fixture()
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


def assert_one_clear_line(r: subprocess.CompletedProcess, *needles: str) -> str:
    assert r.returncode != 0
    assert "Traceback" not in r.stderr + r.stdout
    lines = [line for line in r.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, r.stderr
    line = lines[0]
    assert line.startswith("Error: ")
    for needle in needles:
        assert needle in line, line
    assert PASSWORD not in r.stderr + r.stdout
    return line


@pytest.fixture()
def no_psycopg(tmp_path: Path) -> Path:
    """A path entry that makes `import psycopg` fail the way it does when the package is missing."""
    shim = tmp_path / "shim" / "psycopg"
    shim.mkdir(parents=True)
    (shim / "__init__.py").write_text(
        "raise ModuleNotFoundError(\"No module named 'psycopg'\", name='psycopg')\n")
    return shim.parent


@pytest.mark.parametrize("env,needles", [
    ({"KPI_ADVISOR_CHROMA_PORT": "eight"}, ["KPI_ADVISOR_CHROMA_PORT", "integer"]),
    ({"KPI_ADVISOR_CATALOG_PATHS": '["team.yaml"'}, ["KPI_ADVISOR_CATALOG_PATHS", "JSON list"]),
    ({"KPI_ADVISOR_CHROMA_HEADERS": "Bearer abc"}, ["KPI_ADVISOR_CHROMA_HEADERS", "JSON object"]),
    ({"KPI_ADVISOR_TIMEZONE": "Berlin"}, ["KPI_ADVISOR_TIMEZONE", "IANA"]),
    ({"DATABASE_URL": f"postgresql+psycopg://kpi:{PASSWORD}@127.0.0.1:1/state"},
     ["DATABASE_URL", "kpi:***@127.0.0.1:1", "Cannot connect"]),
    ({"DATABASE_URL": f"kpi:{PASSWORD}@db.example/state"}, ["DATABASE_URL", "is not a database URL"]),
    ({"DATABASE_URL": f"postgresql+psycopg://kpi:{PASSWORD}@db.example:port/state"},
     ["DATABASE_URL", "is not a database URL"]),
    ({"DATABASE_URL": f"postgresql+psycopg2://kpi:{PASSWORD}@db.example/state"},
     ["DATABASE_URL", "'psycopg2'", "pip install 'kpi-advisor[postgres]'"]),
], ids=["chroma-port", "catalog-json", "chroma-headers", "timezone", "database-unreachable",
        "database-not-a-url", "database-bad-port", "driver-psycopg2"])
def test_ask_with_a_bad_setting_says_which_in_one_line(home, env, needles):
    assert_one_clear_line(run("ask", "engagement rate last week", home=home, env=env), *needles)


def test_missing_psycopg_keeps_the_install_hint_intact(home, no_psycopg):
    r = run("ask", "reach last week", home=home, pythonpath=[no_psycopg],
            env={"DATABASE_URL": f"postgresql+psycopg://kpi:{PASSWORD}@db.example/state"})
    assert_one_clear_line(r, "DATABASE_URL", "'psycopg'", "pip install 'kpi-advisor[postgres]'")


def test_a_bad_data_url_never_shows_its_password(home):
    r = run("ask", "engagement rate last week", home=home,
            env={"KPI_ADVISOR_DATA_URL": f"kpi:{PASSWORD}@warehouse.example/kpis"})
    assert_one_clear_line(r, "kpi:***@warehouse.example")


def test_comma_separated_catalog_paths_load(home, tmp_path):
    (tmp_path / "team.yaml").write_text(
        "kpis:\n  - id: engagement_rate\n    override: true\n    formula: {denominator: reach}\n"
        "    denominator: Summed post reach.\n")
    r = run("kpi", "show", "engagement_rate", "--json", home=home,
            env={"KPI_ADVISOR_CATALOG_PATHS": "team.yaml"})
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["denominator"] == "Summed post reach."


def test_a_bare_llm_or_host_does_not_switch_anything_on(home):
    r = run("ask", "which KPI for awareness?", "--json", home=home, env={"LLM": "1", "HOST": "myworkstation"})
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["narrator"] == "template"


# One failing invocation of every command that takes --json.
JSON_FAILURES = [
    ("kpi", "list", "--goal", "world_peace"),
    ("kpi", "show", "fluffiness_index"),
    ("kpi", "value", "fluffiness_index"),
    ("kpi", "trend", "reach", "--grain", "year"),
    ("kpi", "scorecard", "--goal", "world_peace"),
    ("ask", "   "),
    ("data", "check", "no/such/file.csv"),
    ("data", "sample", "--format", "xml"),
    ("knowledge", "build", "--rebuild"),
    ("knowledge", "status"),
    ("knowledge", "search", "reach"),
    ("knowledge", "list"),
    ("knowledge", "add", "no/such/folder"),
    ("knowledge", "remove", "no-such-doc"),
    ("digest", "subscribe", "fortnightly goal=awareness", "--channel", "C1"),
    ("digest", "list"),
    ("digest", "pause", "999"),
    ("digest", "resume", "999"),
    ("digest", "remove", "999"),
    ("digest", "run-due"),
    ("digest", "preview", "--goal", "world_peace"),
    ("db", "status"),
    ("db", "upgrade"),
    ("kpi", "value"),  # a usage error: click's own message, as JSON too
]
# Knowledge commands fail on a Chroma server that is not there; digest list/run-due on a database.
_ENV = {"knowledge": {"KPI_ADVISOR_CHROMA_HOST": "127.0.0.1", "KPI_ADVISOR_CHROMA_PORT": "1"},
        "digest": {"DATABASE_URL": f"postgresql+psycopg://kpi:{PASSWORD}@127.0.0.1:1/state"},
        "db": {"DATABASE_URL": f"postgresql+psycopg://kpi:{PASSWORD}@127.0.0.1:1/state"}}


@pytest.mark.parametrize("args", JSON_FAILURES, ids=lambda a: " ".join(a[:3]))
def test_json_errors_are_json_on_stdout_with_a_non_zero_exit(home, args):
    env = _ENV.get(args[0], {}) if args[1] not in ("subscribe", "pause", "resume", "remove", "preview",
                                                   "add", "remove") else {}
    r = run(*args, "--json", home=home, env=env)
    assert r.returncode != 0, r.stdout
    assert "Traceback" not in r.stderr
    error = json.loads(r.stdout)["error"]  # the whole of stdout is one JSON document
    assert error["message"] and error["type"]
    assert PASSWORD not in r.stdout + r.stderr
    assert r.stderr.strip() == ""


def test_a_bad_setting_under_json_is_json_too(home):
    r = run("kpi", "list", "--json", home=home, env={"KPI_ADVISOR_TIMEZONE": "Mars/Olympus"})
    assert r.returncode != 0
    error = json.loads(r.stdout)["error"]
    assert error["type"] == "ConfigError" and error["message"].startswith("KPI_ADVISOR_TIMEZONE")


def test_piped_tables_are_not_truncated_or_wrapped(home):
    listing = json.loads(run("kpi", "list", "--json", home=home).stdout)
    r = run("kpi", "list", home=home, env={"COLUMNS": "80"})
    assert r.returncode == 0, r.stderr
    assert "…" not in r.stdout
    lines = r.stdout.splitlines()
    for kpi in listing:  # every row is whole, on one line: id, name and goals side by side
        row = next(line for line in lines if line.startswith(f"│ {kpi['id']} "))
        assert kpi["name"] in row and ", ".join(kpi["families"]) in row
    assert max(len(line) for line in lines) > 80
    r = run("kpi", "show", "engagement_rate", home=home, env={"COLUMNS": "40"})
    definition = json.loads(run("kpi", "show", "engagement_rate", "--json", home=home).stdout)["definition"]
    assert definition in r.stdout  # one line, however narrow the terminal that is not there
