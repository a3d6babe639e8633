"""`kpi-advisor digest ...` from the terminal."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from typer.testing import CliRunner

from bot import wiring
from bot.cli import common, digest_cmd
from tests.digests.conftest import SAMPLE_END


@pytest.fixture
def cli(monkeypatch, advisor, tmp_path):
    monkeypatch.setattr(common, "_settings", None)
    monkeypatch.setattr(wiring, "build_advisor", lambda settings: advisor)
    return CliRunner()


def test_preview_writes_text_and_png(cli, tmp_path):
    out = tmp_path / "out"
    res = cli.invoke(digest_cmd.app, ["preview", "--goal", "awareness", "--period", "last_week",
                                      "--as-of", SAMPLE_END.isoformat(), "--out", str(out), "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert "Reach" in data["text"] and data["chart_bytes"] > 10_000
    assert (out / "digest-awareness-last_week.png").read_bytes()[:4] == b"\x89PNG"


def test_subscribe_list_pause_and_errors(cli):
    res = cli.invoke(digest_cmd.app, ["subscribe", "weekly mon 09:00 UTC goal=awareness", "--channel", "C1",
                                      "--json"])
    assert res.exit_code == 0, res.output
    sub_id = json.loads(res.stdout)["id"]
    res = cli.invoke(digest_cmd.app, ["list", "--json"])
    assert [s["id"] for s in json.loads(res.stdout)] == [sub_id]
    assert cli.invoke(digest_cmd.app, ["pause", str(sub_id)]).exit_code == 0
    res = cli.invoke(digest_cmd.app, ["pause", str(sub_id), "--team", "OTHER"])
    assert res.exit_code == 1 and "No subscription" in res.output
    res = cli.invoke(digest_cmd.app, ["subscribe", "fortnightly goal=awareness", "--channel", "C1"])
    assert res.exit_code == 1 and "is not a schedule" in res.output
    assert "Traceback" not in res.output


def test_run_due_exit_code_says_whether_the_run_could_run(cli, monkeypatch):
    """0 when it did its job (even with failures recorded for a retry); 1 when it could not run."""
    from bot.digests.service import RunReport

    class Svc:
        def __init__(self, report):
            self.report = report

        def run_due(self):
            return self.report

    ok = RunReport(now=datetime(2025, 6, 30))
    monkeypatch.setattr(digest_cmd, "_service", lambda **kw: Svc(ok))
    res = cli.invoke(digest_cmd.app, ["run-due", "--json"])
    assert res.exit_code == 0 and json.loads(res.stdout)["ok"] is True
    failed = RunReport(now=ok.now, failed=[{"subscription": 1, "team": "T", "period": "p", "error": "boom"}])
    monkeypatch.setattr(digest_cmd, "_service", lambda **kw: Svc(failed))
    res = cli.invoke(digest_cmd.app, ["run-due"])
    assert res.exit_code == 0 and "boom" in res.output  # recorded and retried by a later run
    blocked = RunReport(now=ok.now, unavailable=[{"team": "T", "error": "invalid_auth", "subscriptions": [1]}])
    monkeypatch.setattr(digest_cmd, "_service", lambda **kw: Svc(blocked))
    res = cli.invoke(digest_cmd.app, ["run-due"])
    assert res.exit_code == 1 and "invalid_auth" in res.output  # token mode: nothing can be delivered
