"""Acks depend on nothing but parsing: a slow Slack, a slow advisor or a burst of background work
never delays the HTTP answer to Slack; background work gives way to acks, within bounds."""

from __future__ import annotations

import json
import threading
import time

from tests.bot.fake_advisor import FakeAdvisor
from tests.bot.harness import Harness, block_action, mention

SLOW = 2.0


def test_no_ack_waits_for_slack_or_the_advisor(settings, slack, digests):
    for method in ("views.open", "chat.postMessage", "chat.postEphemeral", "views.publish", "response_url",
                   "chat.update"):
        slack.delays[method] = SLOW
    h = Harness(settings=settings, advisor=FakeAdvisor(delay=SLOW), slack=slack, digests=digests)
    slack.clear()
    requests = {
        "command": lambda: h.command("engagement_rate last 28 days"),
        "mention": lambda: h.event(mention("reach last week")),
        "home opened": lambda: h.event({"type": "app_home_opened", "user": "U1", "channel": "D1", "tab": "home"}),
        "answer button": lambda: h.interact(block_action("kpi.explain", '{"kpi_id": "reach"}')),
        "subscribe button (opens a modal)": lambda: h.interact(block_action("kpi.subscribe", '{"goal": "awareness"}')),
        "ask button (opens a modal)": lambda: h.interact(block_action("home.ask", "")),
    }
    sent_at: dict[str, float] = {}
    try:
        for name, send in requests.items():
            t0 = sent_at[name] = time.monotonic()
            r = send()
            took = time.monotonic() - t0
            assert r.status_code == 200, name
            assert took < SLOW / 4, f"{name}: the ack took {took:.2f} s"
        opened = {_callback_id(c): c["at"] for c in slack.wait_for("views.open", 2, timeout=10)}
        assert set(opened) == {"subscribe_modal", "ask_modal"}
        # the modals open at once, well inside the trigger_id's 3 seconds, whatever the workers do
        assert opened["subscribe_modal"] - sent_at["subscribe button (opens a modal)"] < 1.0
        assert opened["ask_modal"] - sent_at["ask button (opens a modal)"] < 1.0
    finally:
        h.close()


def _callback_id(call: dict) -> str:
    view = call["params"]["view"]
    return (json.loads(view) if isinstance(view, str) else view)["callback_id"]


def test_background_work_waits_for_a_quiet_front_door_but_not_forever():
    from bot.workers import AckFirst

    gate = AckFirst(quiet=0.05, max_wait=0.6)
    t0 = time.monotonic()
    gate.wait()
    assert time.monotonic() - t0 < 0.05  # nothing going on: no wait at all

    gate.enter()  # a request being acknowledged
    done = threading.Event()
    threading.Thread(target=lambda: (gate.wait(), done.set()), daemon=True).start()
    assert not done.wait(0.2)
    gate.leave()
    t1 = time.monotonic()
    assert done.wait(1.0)
    assert 0.0 <= time.monotonic() - t1 < 0.3  # quiet a moment after the last ack, then on its way

    gate.enter()  # requests that never stop: the job still runs after max_wait
    try:
        t2 = time.monotonic()
        gate.wait()
        assert 0.55 <= time.monotonic() - t2 < 1.0
    finally:
        gate.leave()


def test_jobs_queued_during_a_burst_run_after_it(settings, slack, digests):
    advisor = FakeAdvisor()
    h = Harness(settings=settings, advisor=advisor, slack=slack, digests=digests)
    slack.clear()
    try:
        gate = h.workers.gate
        gate.enter()  # as if acks were still being written
        h.event(mention("reach last week"))
        time.sleep(0.3)
        assert advisor.calls == []  # the job is queued behind the acks
        gate.leave()
        slack.wait_for("chat.postMessage", timeout=5)
        assert len(advisor.of("answer")) == 1
    finally:
        h.close()
