"""`kpi-advisor target ...` and `kpi-advisor note ...` as people run them (in-process: same arguments, streams and exit codes), --json."""

from __future__ import annotations

import json

import pytest

from tests.cli_inprocess import run


@pytest.fixture()
def home(tmp_path):
    return tmp_path / "home"


def test_target_set_list_suggest_remove_json(home):
    r = run("target", "set", "engagement_rate", "5%", "by", "2099-03-31", "platform=instagram", "owner=maria",
            "--json", home=home, timeout=300)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    facts = {f["key"]: f for f in out["facts"]}
    assert out["title"] == "Set target #1: Engagement rate"
    assert facts["target_1.target"]["value"] == 5.0 and facts["target_1.target"]["source"] == "targets (user data)"
    assert "Q1 2099 (2099-01-01 to 2099-03-31)" in out["summary"]
    listed = json.loads(run("target", "list", "--json", home=home).stdout)
    assert "Engagement rate on instagram" in listed["summary"] and "Owner: maria." in json.dumps(listed["sections"])
    other_team = json.loads(run("target", "list", "--team", "T2", "--json", home=home).stdout)
    assert other_team["summary"] == "No targets are set in this workspace yet."
    suggestion = json.loads(run("target", "suggest", "impressions", "next_quarter", "--json", home=home).stdout)
    assert suggestion["summary"].startswith("Suggestion (not a commitment)")
    assert {"impressions.suggest.realistic", "impressions.suggest.stretch"} <= {f["key"] for f in suggestion["facts"]}
    removed = run("target", "remove", "1", "--json", home=home)
    assert removed.returncode == 0 and "Removed target #1" in json.loads(removed.stdout)["summary"]
    again = run("target", "remove", "1", home=home)
    assert again.returncode == 1 and "No target #1 here" in again.stderr and "Traceback" not in again.stderr


@pytest.mark.parametrize("args,message", [
    (("target", "set", "engagement_rate", "lots"), "is not a number"),
    (("target", "set", "impressions", "5%", "2027-Q1"), "not a percentage"),
    (("target", "set", "fluffiness_index", "5"), "Unknown KPI 'fluffiness_index'"),
    (("target", "set", "reach", "5", "whenever"), "Cannot read the target period"),
    (("target", "set", "reach", "5", "2099-Q1", "zodiac=leo"), "cannot be filtered by 'zodiac'"),
    (("note", "add", "yesterday-ish", "text"), "Start with a date"),
])
def test_bad_input_gets_one_clear_line(home, args, message):
    r = run(*args, home=home, timeout=300)
    assert r.returncode == 1 and message in r.stderr and "Traceback" not in r.stderr, r.stderr


def test_note_add_list_remove_json(home):
    r = run("note", "add", "2026-11-18", "LinkedIn feed change", "platform=linkedin", "--author", "maria", "--json",
            home=home, timeout=300)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["summary"] == "A note on 18 Nov 2026 says: LinkedIn feed change (platform=linkedin)."
    listed = json.loads(run("note", "list", "--json", home=home).stdout)
    assert "#1 18 Nov 2026: LinkedIn feed change (platform=linkedin), by maria" in listed["sections"][0]["text"]
    assert json.loads(run("note", "remove", "1", "--json", home=home).stdout)["title"] == "Removed note #1"
    assert json.loads(run("note", "list", "--json", home=home).stdout)["summary"] == "No notes yet."


def test_target_alerts_without_slack_credentials_claim_nothing(home):
    run("target", "set", "engagement_rate", "50%", "2099-Q1", "owner=<@U0OWN|ana>", home=home, timeout=300)
    r = run("target", "alerts", home=home, timeout=300)
    assert r.returncode == 1 and "No Slack credentials" in r.stderr
    listed = json.loads(run("target", "list", "--json", home=home).stdout)  # still announceable later
    from advisor.db import open_database
    from advisor.targets import TargetStore

    assert listed["summary"].startswith("Engagement rate")
    assert TargetStore(db=open_database(f"sqlite:///{home / 'state.db'}")).list("local")[0].last_status is None
