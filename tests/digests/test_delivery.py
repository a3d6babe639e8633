"""Once-only delivery: crash recovery, Slack 429 / errors, pausing on a lost channel, pacing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from slack_sdk import WebClient

from bot.digests.delivery import MAX_ATTEMPTS
from tests.digests.conftest import Clock, make_service, utc
from tests.digests.static_advisor import StaticAdvisor

MONDAY_9 = utc(2025, 6, 2, 9, 0)
SPEC = "weekly mon 09:00 UTC goal=awareness quiet=full"


def _subscribed(state_db, slack, sleeps, *specs: tuple[str, str, str]):
    """A service with subscriptions made the day before; its clock then set to Monday 09:00."""
    clock = Clock(MONDAY_9 - timedelta(days=1))
    svc = make_service(state_db=state_db, advisor=StaticAdvisor(), slack=slack, clock=clock, sleeps=sleeps)
    subs = [svc.subscribe("T1", ch, owner, spec) for ch, owner, spec in specs]
    clock.now = MONDAY_9
    return svc, clock, subs


class Crash(BaseException):
    """The process dies here (not an Exception: nothing may catch it)."""


def _crashing_factory(slack, *, when: str):
    class CrashingClient(WebClient):
        def chat_postMessage(self, **kw):
            if when == "before_post":
                raise Crash()
            super().chat_postMessage(**kw)
            raise Crash()  # posted, but the process died before recording it

    return lambda team: CrashingClient(token="xoxb", base_url=slack.url)


@pytest.mark.parametrize("when", ["before_post", "after_post"])
def test_restart_between_claim_and_post_gives_exactly_one_post(state_db, slack, sleeps, when):
    first, clock, _ = _subscribed(state_db, slack, sleeps, ("C1", "U1", SPEC))
    first.client_factory = _crashing_factory(slack, when=when)
    with pytest.raises(Crash):
        first.run_due()
    assert len(slack.posts("C1")) == (1 if when == "after_post" else 0)

    # a restarted process: while the claim is fresh it leaves it alone ...
    clock.now = MONDAY_9 + timedelta(minutes=2)
    second = make_service(state_db=state_db, advisor=StaticAdvisor(), slack=slack, clock=clock, sleeps=sleeps)
    report = second.run_due()
    assert report.posted == [] and report.already == 1
    # ... and once it is stale, it checks Slack for the marker before posting
    clock.now = MONDAY_9 + timedelta(minutes=15)
    report = second.run_due()
    assert len(report.posted) == 1
    assert report.posted[0]["recovered"] is (when == "after_post")
    assert len(slack.posts("C1")) == 1
    assert slack.method_calls("conversations.history")  # the marker lookup happened
    clock.now += timedelta(hours=1)
    assert second.run_due().posted == [] and len(slack.posts("C1")) == 1


def test_message_carries_a_deterministic_marker(state_db, slack, sleeps):
    svc, _, (sub,) = _subscribed(state_db, slack, sleeps, ("C1", "U1", SPEC))
    svc.run_due()
    md = slack.posts("C1")[0]["metadata"]
    assert md == {"event_type": "kpi_advisor_digest",
                  "event_payload": {"delivery": f"sub:{sub.id}:2025-05-26..2025-06-01"}}


def test_429_is_retried_after_retry_after(state_db, slack, sleeps):
    svc, _, _ = _subscribed(state_db, slack, sleeps, ("C1", "U1", SPEC))
    slack.fail("chat.postMessage", "ratelimited", status=429, headers={"Retry-After": "7"}, times=2)
    report = svc.run_due()
    assert len(report.posted) == 1 and report.ok
    assert sleeps.calls.count(7.0) == 2
    assert len(slack.method_calls("chat.postMessage")) == 3 and len(slack.posts("C1")) == 1


def test_transient_error_is_retried_with_backoff_and_checked_first(state_db, slack, sleeps):
    svc, _, _ = _subscribed(state_db, slack, sleeps, ("C1", "U1", SPEC))
    slack.fail("chat.postMessage", "internal_error", status=500)
    report = svc.run_due()
    assert len(report.posted) == 1 and len(slack.posts("C1")) == 1
    assert 1.0 in sleeps.calls  # backoff
    assert slack.method_calls("conversations.history")  # ambiguous failure: looked before re-posting


@pytest.mark.parametrize("error", ["not_in_channel", "is_archived", "channel_not_found"])
def test_lost_channel_pauses_the_subscription_and_tells_the_owner(state_db, slack, sleeps, error):
    svc, clock, (sub,) = _subscribed(state_db, slack, sleeps, ("CGONE", "UOWNER", SPEC))
    slack.channel_errors["CGONE"] = error
    report = svc.run_due()
    assert report.paused and report.paused[0]["error"] == error and not report.ok
    assert svc.get("T1", sub.id).status == "paused"
    notice = slack.posts("DUOWNER")
    assert len(notice) == 1 and f"resume {sub.id}" in notice[0]["text"]
    clock.now += timedelta(weeks=1)
    assert svc.run_due().posted == []  # paused: nothing tried
    assert len(slack.method_calls("chat.postMessage")) == 2  # the failed post + the notice


def test_final_failure_is_reported_to_the_owner(state_db, slack, sleeps):
    svc, clock, _ = _subscribed(state_db, slack, sleeps, ("C1", "UOWNER", SPEC))
    slack.fail("chat.postMessage", "invalid_blocks")  # not retryable
    report = svc.run_due()
    assert report.failed[0]["final"] is True
    assert "invalid_blocks" in slack.posts("DUOWNER")[0]["text"]
    clock.now += timedelta(hours=2)
    assert svc.run_due().posted == []  # final: not retried for this period


def test_retryable_failures_are_retried_on_later_runs_then_reported(state_db, slack, sleeps):
    svc, clock, _ = _subscribed(state_db, slack, sleeps, ("C1", "UOWNER", SPEC))
    slack.channel_errors["C1"] = "internal_error"  # every post to C1 fails; the owner DM works
    finals = []
    for _ in range(MAX_ATTEMPTS + 2):
        report = svc.run_due()
        finals += [f["final"] for f in report.failed]
        clock.now += timedelta(hours=1)
    assert finals == [False] * (MAX_ATTEMPTS - 1) + [True]
    assert len(slack.posts("DUOWNER")) == 1 and slack.posts("C1") == []


def test_posts_to_one_channel_are_paced(state_db, slack, sleeps):
    svc, _, _ = _subscribed(state_db, slack, sleeps,
                            *[("C1", "U1", f"weekly mon 09:00 UTC goal={g} quiet=full")
                              for g in ("awareness", "engagement", "traffic")], ("C2", "U1", SPEC))
    assert len(svc.run_due().posted) == 4
    # the chart upload and the next post in C1 each wait out the 1 s spacing
    assert sum(1 for s in sleeps.calls if 0.9 <= s <= 1.0) >= 2
    assert len(slack.files) == 4 and all(f["thread_ts"] for f in slack.files)


def test_dm_subscription_recovers_through_the_im_channel(state_db, slack, sleeps):
    first, clock, _ = _subscribed(state_db, slack, sleeps, ("U42", "U42", SPEC))
    first.client_factory = _crashing_factory(slack, when="after_post")
    with pytest.raises(Crash):
        first.run_due()
    clock.now += timedelta(minutes=30)
    second = make_service(state_db=state_db, advisor=StaticAdvisor(), slack=slack, clock=clock, sleeps=sleeps)
    report = second.run_due()
    assert report.posted[0]["recovered"] is True and len(slack.posts("DU42")) == 1
