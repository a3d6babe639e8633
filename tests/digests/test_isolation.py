"""One workspace never blocks another; claims are released when nothing was posted; run-due's exit codes."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from tests.digests.conftest import Clock, make_service, utc
from tests.digests.static_advisor import StaticAdvisor

MONDAY_9 = utc(2025, 6, 2, 9, 0)
SPEC = "weekly mon 09:00 UTC goal=awareness quiet=full"
CLIENT_ID = "111.222"


def _rows(engine) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(
            "SELECT team_id, period_key, state FROM digest_deliveries ORDER BY id"))]


def _install(engine, team: str, token: str) -> None:
    from slack_sdk.oauth.installation_store import Installation

    from bot.oauth import build_stores

    installations, _ = build_stores(engine=engine, client_id=CLIENT_ID)
    installations.save(Installation(app_id="A1", team_id=team, user_id="UINSTALLER", bot_token=token,
                                    bot_id="B1", bot_user_id="UBOT", bot_scopes=["chat:write"]))


def _oauth_factory(engine, slack):
    from types import SimpleNamespace

    from bot.oauth import build_stores, make_client_factory

    installations, _ = build_stores(engine=engine, client_id=CLIENT_ID)
    settings = SimpleNamespace(slack_api_url=slack.url, slack_bot_token=None)
    return make_client_factory(settings=settings, installation_store=installations)


def _two_workspaces(state_db, slack, sleeps):
    clock = Clock(MONDAY_9 - timedelta(days=1))
    svc = make_service(state_db=state_db, advisor=StaticAdvisor(), slack=slack, clock=clock, sleeps=sleeps)
    svc.client_factory = _oauth_factory(state_db, slack)
    gone = svc.subscribe("TGONE", "CGONE", "UGONE", SPEC)  # lower id: served first
    ok = svc.subscribe("TOK", "COK", "UOK", SPEC)
    _install(state_db, "TOK", "xoxb-ok")
    clock.now = MONDAY_9
    return svc, clock, gone, ok


def test_an_uninstalled_workspace_next_to_a_healthy_one(state_db, slack, sleeps):
    svc, clock, gone, ok = _two_workspaces(state_db, slack, sleeps)
    report = svc.run_due()
    assert [p["subscription"] for p in report.posted] == [ok.id]
    assert report.unavailable == [{"team": "TGONE", "error": "The app is not installed in workspace TGONE.",
                                   "subscriptions": [gone.id]}]
    assert _rows(state_db) == [("TOK", "2025-05-26..2025-06-01", "posted")]  # nothing claimed for TGONE
    assert len(slack.posts("COK")) == 1 and slack.posts("CGONE") == []
    # reinstalled an hour later: the next run delivers at once (late), nothing "already done elsewhere"
    _install(state_db, "TGONE", "xoxb-gone")
    clock.now += timedelta(hours=1)
    report = svc.run_due()
    assert [p["subscription"] for p in report.posted] == [gone.id] and report.posted[0]["late"]
    assert report.already == 1  # TOK's, posted in the first run


@pytest.mark.parametrize("error", ["token_revoked", "invalid_auth", "account_inactive"])
def test_a_revoked_token_releases_the_claim_and_the_others_are_served(state_db, slack, sleeps, error):
    svc, clock, gone, ok = _two_workspaces(state_db, slack, sleeps)
    _install(state_db, "TGONE", "xoxb-gone")
    clock.now = MONDAY_9 - timedelta(days=1)
    second = svc.subscribe("TGONE", "CGONE2", "UGONE", SPEC)
    clock.now = MONDAY_9
    slack.token_errors["xoxb-gone"] = error
    report = svc.run_due()
    assert [p["subscription"] for p in report.posted] == [ok.id]
    (down,) = report.unavailable
    assert down["team"] == "TGONE" and down["error"] == error
    assert down["subscriptions"] == [gone.id, second.id]  # the second was not even tried
    assert len(slack.method_calls("chat.postMessage", token="xoxb-gone")) == 1
    assert [r for r in _rows(state_db) if r[0] == "TGONE"] == []  # the claim was released, not left claimed
    slack.token_errors.clear()  # the token works again (re-authorised): the very next run posts
    clock.now += timedelta(minutes=1)
    report = svc.run_due()
    assert sorted(p["subscription"] for p in report.posted) == [gone.id, second.id]


def test_a_client_factory_that_crashes_affects_only_its_workspace(state_db, slack, sleeps):
    from slack_sdk import WebClient

    clock = Clock(MONDAY_9 - timedelta(days=1))
    svc = make_service(state_db=state_db, advisor=StaticAdvisor(), slack=slack, clock=clock, sleeps=sleeps)
    svc.subscribe("TBAD", "CBAD", "U1", SPEC)
    ok = svc.subscribe("TOK", "COK", "U1", SPEC)

    def factory(team: str):
        if team == "TBAD":
            raise RuntimeError("installation store is broken")
        return WebClient(token="xoxb-ok", base_url=slack.url)

    svc.client_factory = factory
    clock.now = MONDAY_9
    report = svc.run_due()
    assert [p["subscription"] for p in report.posted] == [ok.id]
    assert report.unavailable[0]["team"] == "TBAD" and "RuntimeError" in report.unavailable[0]["error"]


def test_a_bug_composing_one_digest_is_recorded_and_the_next_is_posted(state_db, slack, sleeps):
    class Flaky(StaticAdvisor):
        def compose_digest(self, *, workspace, **kw):
            if workspace == "TBUG":
                raise ZeroDivisionError("a bug")
            return super().compose_digest(workspace=workspace, **kw)

    clock = Clock(MONDAY_9 - timedelta(days=1))
    svc = make_service(state_db=state_db, advisor=Flaky(), slack=slack, clock=clock, sleeps=sleeps)
    bug = svc.subscribe("TBUG", "C1", "U1", SPEC)
    ok = svc.subscribe("TOK", "C2", "U1", SPEC)
    clock.now = MONDAY_9
    report = svc.run_due()
    assert [p["subscription"] for p in report.posted] == [ok.id]
    assert [f["subscription"] for f in report.failed] == [bug.id]
    assert "internal error" in report.failed[0]["error"]
    assert ("TBUG", "2025-05-26..2025-06-01", "failed") in _rows(state_db)  # retried later, not stuck claimed


# ---------------------------------------------------------------- the CLI: OAuth mode, no token, exit codes


@pytest.fixture
def cli(monkeypatch, slack):
    from bot import wiring
    from bot.cli import common

    monkeypatch.setattr(common, "_settings", None)
    monkeypatch.setattr(wiring, "build_advisor", lambda settings: StaticAdvisor())
    monkeypatch.setenv("SLACK_API_URL", slack.url)
    return CliRunner()


def _state(tmp_path):
    from advisor.db import open_database

    return open_database(f"sqlite:///{(tmp_path / 'home' / 'state.db').resolve()}")


def _subscribe_last_week(engine, team: str, channel: str, spec: str = SPEC) -> int:
    """A subscription made two weeks ago, so the latest Monday 09:00 is due now."""
    from bot.digests.service import DigestService

    svc = DigestService(engine=engine, advisor=StaticAdvisor(), client_factory=lambda t: None,
                        clock=lambda: datetime.now(UTC) - timedelta(days=14))
    return svc.subscribe(team, channel, "UOWNER", spec).id


def test_run_due_in_oauth_mode_posts_from_the_installation_store(cli, tmp_path, monkeypatch, slack):
    from bot.cli import digest_cmd

    monkeypatch.setenv("SLACK_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("SLACK_CLIENT_SECRET", "shh")
    engine = _state(tmp_path)
    _install(engine, "TA", "xoxb-a")
    _install(engine, "TB", "xoxb-b")
    a = _subscribe_last_week(engine, "TA", "CA")
    b = _subscribe_last_week(engine, "TB", "CB")
    _subscribe_last_week(engine, "TGONE", "CGONE")  # never installed
    res = cli.invoke(digest_cmd.app, ["run-due", "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert sorted(p["subscription"] for p in out["posted"]) == [a, b]
    assert [w["team"] for w in out["unavailable"]] == ["TGONE"]
    assert {c["_token"] for c in slack.method_calls("chat.postMessage")} == {"xoxb-a", "xoxb-b"}


def test_run_due_without_a_token_claims_nothing_and_says_what_to_set(cli, tmp_path, monkeypatch, slack):
    from bot.cli import digest_cmd

    engine = _state(tmp_path)
    sub = _subscribe_last_week(engine, "local", "C1")
    res = cli.invoke(digest_cmd.app, ["run-due"])
    assert res.exit_code == 1 and "SLACK_BOT_TOKEN" in res.output and "Traceback" not in res.output
    assert _rows(engine) == []  # nothing claimed: the next run is not told "already done elsewhere"
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-local")
    from bot.cli import common

    monkeypatch.setattr(common, "_settings", None)
    res = cli.invoke(digest_cmd.app, ["run-due", "--json"])
    assert res.exit_code == 0, res.output
    assert [p["subscription"] for p in json.loads(res.stdout)["posted"]] == [sub]


def test_run_due_exits_0_when_it_pauses_a_subscription_and_tells_the_owner(cli, tmp_path, monkeypatch, slack):
    from bot.cli import digest_cmd

    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-local")
    engine = _state(tmp_path)
    gone = _subscribe_last_week(engine, "local", "CGONE")
    ok = _subscribe_last_week(engine, "local", "COK")
    slack.channel_errors["CGONE"] = "not_in_channel"
    res = cli.invoke(digest_cmd.app, ["run-due", "--json"])
    assert res.exit_code == 0, res.output  # only the owner can fix it; cron monitoring is not paged
    out = json.loads(res.stdout)
    assert [p["subscription"] for p in out["paused"]] == [gone] and out["paused"][0]["owner_told"] is True
    assert [p["subscription"] for p in out["posted"]] == [ok]
    assert f"resume {gone}" in slack.posts("DUOWNER")[0]["text"]


def test_run_due_exits_1_when_the_only_workspace_rejects_the_token(cli, tmp_path, monkeypatch, slack):
    from bot.cli import digest_cmd

    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-revoked")
    slack.token_errors["xoxb-revoked"] = "invalid_auth"
    engine = _state(tmp_path)
    _subscribe_last_week(engine, "local", "C1")
    res = cli.invoke(digest_cmd.app, ["run-due"])
    assert res.exit_code == 1 and "invalid_auth" in res.output
    assert _rows(engine) == []


def test_the_scheduler_job_survives_a_failing_run(caplog):
    from bot.digests import schedule

    class Boom:
        def run_due(self, now=None, *, only=None):
            raise RuntimeError("boom")

    schedule._SERVICES["t-boom"] = Boom()
    try:
        schedule.run_job("t-boom", 3)  # logged, not raised into APScheduler's worker
    finally:
        schedule._SERVICES.pop("t-boom", None)
    assert "digest run for #3 failed" in caplog.text
