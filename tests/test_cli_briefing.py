"""`kpi-advisor ask "how are we doing ...?" --json` and `kpi-advisor brief`: the ranked briefing for scripts."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from tests.cli_inprocess import run


@pytest.fixture()
def home(tmp_path):
    return tmp_path / "home"


def _this_month() -> str:
    # the sample ends yesterday: on the 1st, "this month" has no complete day yet
    return "this month" if datetime.now(UTC).day > 1 else "last month"


def test_ask_json_returns_the_ranked_items(home):
    r = run("ask", f"how are we doing on linkedin {_this_month()}?", "--json", home=home)
    assert r.returncode == 0, r.stderr
    answer = json.loads(r.stdout)
    assert answer["intent"] == "brief"
    b = answer["briefing"]
    assert b["filters"] == {"platform": ["linkedin"]}
    assert b["scope"].startswith("every goal's primary KPI")
    assert len(b["kpis"]) >= 1 and set(b["quiet"]) | set(b["too_early"]) <= set(b["kpis"])
    assert [i["rank"] for i in b["items"]] == list(range(1, len(b["items"]) + 1))
    order = ["move", "target", "unusual", "note"]
    assert [i["kind"] for i in b["items"]] == sorted((i["kind"] for i in b["items"]), key=order.index)
    facts = {f["key"] for f in answer["facts"]}
    for item in b["items"]:
        assert item["facts"] and set(item["facts"]) <= facts  # every line's numbers are facts
    assert {a["id"] for a in answer["actions"]} >= {"breakdown", "subscribe"}


def test_brief_command_text_and_json(home):
    r = run("brief", "tiktok", "last", "week", home=home)
    assert r.returncode == 0, r.stderr
    assert "Briefing on tiktok: last week" in r.stdout
    r = run("brief", "--json", home=home)
    answer = json.loads(r.stdout)
    assert answer["intent"] == "brief" and answer["briefing"]["period_label"] == "last 7 days"
