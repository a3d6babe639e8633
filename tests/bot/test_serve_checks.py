"""`kpi-advisor serve` as a subprocess with each bad setting: one line naming the setting to fix and
a non-zero exit, never a traceback; with good settings it serves."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.bot.harness import BOT_TOKEN, SIGNING_SECRET, free_port

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "state-pw-4471"


def serve_env(home: Path, slack_api: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SLACK_", "OPENAI_", "KPI_ADVISOR_")) and k != "DATABASE_URL"}
    env.update(PYTHONPATH=os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]), KPI_ADVISOR_HOME_DIR=str(home),
               SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET, SLACK_API_URL=slack_api)
    env.update(extra)
    return {k: v for k, v in env.items() if v != ""}


def run_serve(env: dict[str, str], *args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot.cli.main", "serve", "--advisor-processes", "0", *args],
                          capture_output=True, text=True, env=env, cwd=cwd, timeout=90)


def assert_one_line(r: subprocess.CompletedProcess, *needles: str) -> None:
    assert r.returncode != 0, r.stderr
    text = r.stderr + r.stdout
    assert "Traceback" not in text
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1, text
    for needle in needles:
        assert needle in lines[0], lines[0]
    for secret in (PASSWORD, SIGNING_SECRET, BOT_TOKEN.removeprefix("xoxb-")):
        assert secret not in text


@pytest.fixture()
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.mark.parametrize("code", ["invalid_auth", "token_revoked", "account_inactive"])
def test_a_rejected_bot_token_names_slack_bot_token(home, slack, code):
    slack.errors["auth.test"] = code
    r = run_serve(serve_env(home, slack.api_url), cwd=home.parent)
    assert_one_line(r, "SLACK_BOT_TOKEN", code, "OAuth & Permissions")


def test_a_token_of_the_wrong_kind_is_named_before_calling_slack(home, slack):
    r = run_serve(serve_env(home, slack.api_url, SLACK_BOT_TOKEN="xapp-1-A1-pasted-the-wrong-one"), cwd=home.parent)
    assert_one_line(r, "SLACK_BOT_TOKEN", "xoxb-")
    assert "pasted-the-wrong-one" not in r.stderr
    assert slack.calls == []


def test_an_unreachable_slack_api_is_named(home):
    api = f"http://127.0.0.1:{free_port()}/api/"
    r = run_serve(serve_env(home, api), cwd=home.parent)
    assert_one_line(r, "Could not reach the Slack API", api, "SLACK_API_URL")


def test_an_api_url_that_is_not_slack_is_named(home, slack):
    r = run_serve(serve_env(home, slack.url + "upload/"), cwd=home.parent)
    assert_one_line(r, "SLACK_API_URL", "did not answer like Slack")


def test_a_rejected_app_token_names_slack_app_token(home, slack):
    slack.errors["apps.connections.open"] = "invalid_auth"
    r = run_serve(serve_env(home, slack.api_url, SLACK_APP_TOKEN="xapp-1-A1-revoked"), cwd=home.parent)
    assert_one_line(r, "SLACK_APP_TOKEN", "invalid_auth")


@pytest.mark.parametrize("url,needles", [
    (f"postgresql+psycopg://kpi:{PASSWORD}@127.0.0.1:1/state", ["DATABASE_URL", "Cannot connect", "kpi:***@"]),
    (f"postgres:/kpi:{PASSWORD}@db/state", ["DATABASE_URL"]),
    (f"postgresql+psycopg2://kpi:{PASSWORD}@db/state", ["DATABASE_URL", "psycopg2", "[postgres]"]),
], ids=["unreachable", "malformed", "driver-missing"])
def test_a_bad_database_url_is_named(home, slack, url, needles):
    r = run_serve(serve_env(home, slack.api_url, DATABASE_URL=url), cwd=home.parent)
    assert_one_line(r, *needles)


def test_a_missing_psycopg_keeps_the_postgres_extra_in_the_hint(home, slack, tmp_path):
    shim = tmp_path / "shim" / "psycopg"
    shim.mkdir(parents=True)
    (shim / "__init__.py").write_text("raise ModuleNotFoundError(\"No module named 'psycopg'\", name='psycopg')\n")
    env = serve_env(home, slack.api_url, DATABASE_URL=f"postgresql+psycopg://kpi:{PASSWORD}@db/state")
    env["PYTHONPATH"] = os.pathsep.join([str(shim.parent), env["PYTHONPATH"]])
    r = run_serve(env, cwd=home.parent)
    assert_one_line(r, "DATABASE_URL", "'psycopg'", "pip install 'kpi-advisor[postgres]'")


def test_an_unreachable_chroma_server_is_named(home, slack):
    r = run_serve(serve_env(home, slack.api_url, KPI_ADVISOR_CHROMA_HOST="127.0.0.1",
                            KPI_ADVISOR_CHROMA_PORT=str(free_port())), cwd=home.parent)
    assert_one_line(r, "Chroma server", "KPI_ADVISOR_CHROMA_HOST", "KPI_ADVISOR_CHROMA_PORT")


def test_https_to_a_plain_http_chroma_port_is_named(home, slack):
    plain = slack.url.rstrip("/").replace("http://", "https://")  # an HTTP server that speaks no TLS
    r = run_serve(serve_env(home, slack.api_url, KPI_ADVISOR_CHROMA_HOST=plain), cwd=home.parent)
    assert_one_line(r, "TLS", "http://", "KPI_ADVISOR_CHROMA_HOST")


def test_a_non_numeric_chroma_port_is_named(home, slack):
    r = run_serve(serve_env(home, slack.api_url, KPI_ADVISOR_CHROMA_HOST="chroma.internal",
                            KPI_ADVISOR_CHROMA_PORT="80a"), cwd=home.parent)
    assert_one_line(r, "KPI_ADVISOR_CHROMA_PORT", "integer")


def test_good_settings_serve_and_stop_cleanly(home, slack):
    port = free_port()
    env = serve_env(home, slack.api_url, KPI_ADVISOR_PORT=str(port), HOST="203.0.113.9", PORT="1")
    proc = subprocess.Popen([sys.executable, "-m", "bot.cli.main", "serve", "--mode", "http",
                             "--advisor-processes", "0", "--log-level", "warning"],
                            env={**env, "KPI_ADVISOR_HOST": "127.0.0.1"}, cwd=home.parent,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:  # the bare HOST and PORT are someone else's: it listens where KPI_ADVISOR_* say
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).json()["ok"]:
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None, proc.communicate()[1]
            assert time.monotonic() < deadline, "serve did not come up"
            time.sleep(0.2)
        assert [c["method"] for c in slack.calls].count("auth.test") >= 1
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    assert "Traceback" not in err
