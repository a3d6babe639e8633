"""Data can never ping a channel: hostile platform, account, campaign, topic and KPI names go
through answers, scorecards, scheduled digests, alerts, App Home and modals, and every posted
payload carries them escaped (signed requests into the real app, the real advisor, a fake Web API)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from tests.bot.evil_data import KPI_NAME, PLATFORM, unescaped, write_evil_export
from tests.bot.harness import Harness, block_action, make_settings, mention

MONDAY = datetime(2025, 6, 30, 9, 0, tzinfo=UTC)
JUNE = "from 2025-06-01 to 2025-06-28"


class Clock:
    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(scope="module")
def evil(tmp_path_factory):
    from advisor import Advisor
    from advisor.settings import Settings

    root = tmp_path_factory.mktemp("evil")
    data, catalog = write_evil_export(root)
    advisor = Advisor.from_settings(Settings(home=root / "home", data_path=data, catalog_paths=[catalog]))
    return advisor


@pytest.fixture
def evil_bot(tmp_path, slack, evil):
    from advisor.db import open_database
    from bot.digests.service import DigestService
    from bot.oauth import make_client_factory

    settings = make_settings(tmp_path / "home", slack.api_url)
    clock = Clock(MONDAY.replace(day=28))
    digests = DigestService(engine=open_database(settings.state_url), advisor=evil, clock=clock,
                            client_factory=make_client_factory(settings=settings))
    h = Harness(settings=settings, advisor=evil, slack=slack, digests=digests)
    h.clock, h.digests = clock, digests
    slack.clear()
    yield h
    h.close()


def _payloads(slack) -> list[dict]:
    return [c["params"] for c in slack.calls if isinstance(c["params"], dict)]


def test_hostile_names_reach_slack_escaped_everywhere(evil_bot, slack, evil):
    bot = evil_bot
    # answers: a threaded mention and private /kpi replies, by every hostile dimension
    bot.event(mention(f"engagement rate {JUNE} by platform", ts="1600000001.000001"))
    for by in ("account", "campaign", "topic"):
        bot.command(f"engagement rate {JUNE} by {by}")
    bot.command("scorecard engagement 2025-06-01..2025-06-28")
    bot.idle(60)
    # scheduled digest and alerts, posted by the digest service
    svc = bot.digests
    svc.subscribe("T1", "CDIGEST", "UOWNER", "weekly mon 09:00 UTC goal=engagement quiet=full")
    svc.subscribe("T1", "CALERT", "UOWNER", "alert weekly mon 09:00 UTC kpi=engagement_rate above=0.5")
    bot.clock.now = MONDAY
    report = svc.run_due()
    assert len(report.posted) == 2, report
    # App Home, then the modals it opens (subscribe with a hostile schedule: the error comes back)
    bot.event({"type": "app_home_opened", "user": "U1", "channel": "D1", "tab": "home"})
    bot.interact(block_action("home.subscribe", "", message_ts=None))
    bot.idle(30)
    slack.wait_for("views.publish", timeout=30)
    slack.wait_for("views.open", timeout=30)
    bad = bot.interact({"type": "view_submission", "team": {"id": "T1"}, "user": {"id": "U1", "team_id": "T1"},
                        "api_app_id": "A1", "token": "legacy", "trigger_id": "trig-x",
                        "view": {"id": "V1", "type": "modal", "callback_id": "subscribe_modal", "private_metadata": "C1",
                                 "state": {"values": {"spec": {"value": {
                                     "type": "plain_text_input", "value": f"weekly mon 09:00 kpis={PLATFORM}"}}}}}})
    assert bad.status_code == 200
    errors = bad.json().get("errors", {})
    assert errors and all(len(e) <= 150 and "`" not in e for e in errors.values())

    payloads = _payloads(slack)
    posted = json.dumps(payloads)
    # the names really went through (escaped), in answers, digests and alerts alike
    assert "tik&lt;!channel&gt;&amp;tok" in posted
    assert "acme&lt;@u123&gt;" in posted or "acme&lt;@U123&gt;" in posted
    assert "&lt;https://x|y&gt;launch" in posted
    assert "Eng &lt;!channel&gt; &amp; &lt;@U123&gt; rate" in posted
    methods = {c["method"] for c in slack.calls}
    assert {"chat.postMessage", "response_url", "views.publish", "views.open"} <= methods
    problems = [p for payload in payloads for p in unescaped(payload)]
    assert problems == []


def test_alert_reason_and_drivers_are_escaped():
    from datetime import date

    from advisor.alerts import AlertResult
    from bot.digests.render import render_alert
    from kpi_engine.periods import Period

    period = Period(start=date(2025, 6, 23), end=date(2025, 6, 29), label="last week", kind="week")
    res = AlertResult(triggered=True, kpi_id="engagement_rate", name=KPI_NAME, unit="percent", period=period,
                      value=0.04, previous_value=0.05, abs_change=-0.01, rel_change=-0.2, verdict="down",
                      title=f"Alert: {KPI_NAME} down 20.0% in last week",
                      headline=f"*{KPI_NAME}* is 4.00% in last week.",
                      detail="Against the previous period: 5.00%.",
                      reason="the engine's test says this change is very unlikely to be noise (p < 0.01)",
                      drivers=[f"{PLATFORM}: 3.00% (was 4.00%)"], driver_dimension="platform")
    msg = render_alert(res)
    payload = {"text": msg.text, "blocks": msg.blocks}
    assert unescaped(payload) == []
    assert "p &lt; 0.01" in json.dumps(payload) and "p < 0.01" in msg.plain


def test_markdown_from_documents_becomes_slack_mrkdwn():
    from bot.render.mrkdwn import to_mrkdwn

    assert to_mrkdwn("**Reach** is *not* additive & <b>") == "*Reach* is *not* additive &amp; &lt;b&gt;"
    assert to_mrkdwn("## When to use\n- one\n  - two") == "*When to use*\n• one\n  • two"
    assert to_mrkdwn("see [the guide](https://x.org/a?b=1&c=2)") == "see <https://x.org/a?b=1&amp;c=2|the guide>"


def test_modal_errors_are_short_whole_and_plain():
    from bot.render.errors import modal_error

    long = ("Unknown KPI `engagment_rate`. Did you mean `engagement_rate`? " * 5).strip()
    text = modal_error(long)
    assert len(text) <= 150 and "`" not in text and text.endswith((".", "?"))
    assert text.startswith("Unknown KPI engagment_rate. Did you mean engagement_rate?")
    one = modal_error("x" * 20 + " " + "y" * 200)
    assert len(one) <= 150 and one.endswith("…") and "y" not in one
