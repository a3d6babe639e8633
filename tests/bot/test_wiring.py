"""The CLI and the Slack app build their services through bot.wiring, not each on its own."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from typer.testing import CliRunner

from bot import wiring
from tests.digests.static_advisor import StaticAdvisor


class WiredFactory:
    """A Slack client factory only the wiring hands out: it records the workspace and refuses."""

    def __init__(self) -> None:
        self.teams: list[str] = []

    def __call__(self, team_id: str) -> None:
        self.teams.append(team_id)
        raise LookupError(f"the wired factory has no client for {team_id}")


def _next_monday_morning(now: datetime) -> datetime:
    days = (7 - now.weekday()) % 7 or 7
    return (now + timedelta(days=days)).replace(hour=9, minute=5, second=0, microsecond=0)


def test_the_cli_and_the_slack_app_get_the_client_factory_from_the_wiring(tmp_path, monkeypatch):
    from advisor.settings import Settings
    from bot.app import build_app
    from bot.cli import common, digest_cmd

    factory = WiredFactory()
    asked: list[str] = []

    def wired(settings, *, state=None, installation_store=None):
        asked.append("factory")
        return factory

    monkeypatch.setattr(wiring, "build_client_factory", wired)
    monkeypatch.setattr(wiring, "build_advisor", lambda settings: StaticAdvisor())

    # The CLI: no Slack credentials in the environment, so without the wiring's factory
    # `run-due` would refuse to run ("No Slack credentials"); with it, the run goes ahead.
    monkeypatch.setattr(common, "_settings", None)
    res = CliRunner().invoke(digest_cmd.app, ["run-due", "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["ok"] is True
    assert asked == ["factory"]

    # The Slack app: its bot token would make a working client; the digests it delivers go
    # through the wiring's factory instead.
    settings = Settings(home=tmp_path / "home", slack_bot_token="xoxb-test", slack_signing_secret="s")
    app = build_app(settings=settings, advisor=StaticAdvisor(), token_verification=False)
    try:
        digests = app.kpi_services.digests
        digests.subscribe("T1", "C1", "U1", "weekly mon 09:00 UTC goal=awareness")
        report = digests.run_due(now=_next_monday_morning(datetime.now(UTC)))
    finally:
        app.kpi_services.workers.shutdown()
    assert asked == ["factory", "factory"]
    assert factory.teams == ["T1"]
    assert [u["error"] for u in report.unavailable] == ["the wired factory has no client for T1"]
