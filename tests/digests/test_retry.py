"""One retry layer with a time budget, against a scripted Slack that keeps answering 429."""

from __future__ import annotations

from datetime import timedelta

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
)

from bot.digests.poster import SlackPoster
from tests.digests.conftest import Clock, make_service, utc
from tests.digests.static_advisor import StaticAdvisor

MONDAY_9 = utc(2025, 6, 2, 9, 0)
SPEC = "weekly mon 09:00 UTC goal=awareness quiet=full"


def _service(state_db, slack, sleeps, n_subs: int = 1, **poster):
    clock = Clock(MONDAY_9 - timedelta(days=1))
    svc = make_service(state_db=state_db, advisor=StaticAdvisor(), slack=slack, clock=clock, sleeps=sleeps)
    svc.poster = SlackPoster(sleep=sleeps.sleep, monotonic=sleeps.monotonic, **poster)
    # the factory's own handlers (bolt's client comes with two) must not add a second layer
    svc.client_factory = lambda team: WebClient(token="xoxb", base_url=slack.url, retry_handlers=[
        RateLimitErrorRetryHandler(max_retry_count=2), ConnectionErrorRetryHandler()])
    subs = [svc.subscribe("T1", f"C{i}", "UOWNER", SPEC) for i in range(n_subs)]
    clock.now = MONDAY_9
    return svc, clock, subs


def test_a_persistent_429_costs_one_attempt_plus_the_budgeted_retries(state_db, slack, sleeps):
    svc, clock, _ = _service(state_db, slack, sleeps)
    slack.fail("chat.postMessage", "ratelimited", status=429, headers={"Retry-After": "7"}, times=100)
    report = svc.run_due()
    assert len(slack.method_calls("chat.postMessage")) == 4  # 1 + max_retries (27 before this change)
    assert sleeps.calls == [7.0, 7.0, 7.0]  # Retry-After honoured, nothing slept on top
    (failed,) = report.failed
    assert failed["final"] is False and "rate" in failed["error"]  # retried by a later run, not lost
    assert slack.posts("C0") == []


def test_a_retry_after_longer_than_the_budget_is_not_waited_for(state_db, slack, sleeps):
    svc, _, _ = _service(state_db, slack, sleeps, call_seconds=30)
    slack.fail("chat.postMessage", "ratelimited", status=429, headers={"Retry-After": "45"}, times=100)
    report = svc.run_due()
    assert len(slack.method_calls("chat.postMessage")) == 1 and sleeps.calls == []
    assert report.failed[0]["final"] is False


def test_the_budget_is_shared_by_every_call_of_a_workspace_in_a_run(state_db, slack, sleeps):
    svc, _, _ = _service(state_db, slack, sleeps, n_subs=3, budget_seconds=30, call_seconds=30)
    slack.fail("chat.postMessage", "ratelimited", status=429, headers={"Retry-After": "10"}, times=100)
    report = svc.run_due()
    assert sum(sleeps.calls) <= 30  # the whole run waited at most its budget
    # 4 attempts (30 s of waits), then the budget is spent: one attempt each for the other two
    assert len(slack.method_calls("chat.postMessage")) == 4 + 1 + 1
    assert len(report.failed) == 3


def test_a_429_that_clears_within_the_budget_posts_once(state_db, slack, sleeps):
    svc, _, _ = _service(state_db, slack, sleeps)
    slack.fail("chat.postMessage", "ratelimited", status=429, headers={"Retry-After": "2"}, times=2)
    report = svc.run_due()
    assert len(report.posted) == 1 and len(slack.posts("C0")) == 1
    assert sleeps.calls.count(2.0) == 2


def test_reads_are_retried_after_a_server_error_but_a_post_is_not_blindly_resent(state_db, slack, sleeps):
    svc, _, _ = _service(state_db, slack, sleeps)
    slack.fail("chat.postMessage", "internal_error", status=503)
    slack.fail("conversations.history", "internal_error", status=503)
    report = svc.run_due()
    assert len(report.posted) == 1 and len(slack.posts("C0")) == 1
    # the history read was retried by the handler; the post was re-sent only after it came back empty
    assert len(slack.method_calls("conversations.history")) == 2
    assert len(slack.method_calls("chat.postMessage")) == 2
