"""Shared listener plumbing: workspace of a request, posting answers, charts, ephemeral replies."""

from __future__ import annotations

import logging
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from advisor.answer import Answer
from bot.render.blocks import render_answer, render_text
from bot.render.errors import describe_error
from bot.workers import SlowReply

__all__ = [
    "RecentAnswers", "team_of", "post_messages", "upload_chart", "answer_in_thread",
    "answer_ephemeral", "submit_or_apologise", "first_delivery", "first_request", "open_view_soon",
    "WORKING", "BUSY", "render_reply", "chart_alt_text",
]

log = logging.getLogger(__name__)

WORKING = ":hourglass_flowing_sand: Working on it…"
BUSY = "I'm handling a lot of requests right now. Please try again in a minute."


class RecentAnswers:
    """Answers shown ephemerally, kept briefly so "Share to channel" posts exactly what was seen."""

    def __init__(self, size: int = 1000):
        self._size = size
        self._items: OrderedDict[str, tuple[str, Answer]] = OrderedDict()
        self._lock = threading.Lock()

    def put(self, team_id: str, answer: Answer) -> str:
        token = uuid.uuid4().hex[:16]
        with self._lock:
            self._items[token] = (team_id, answer)
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return token

    def get(self, team_id: str, token: str | None) -> Answer | None:
        """The cached answer, only for the workspace that produced it."""
        with self._lock:
            item = self._items.get(token or "")
        return item[1] if item and item[0] == team_id else None


def first_request(services: Any, request: Any) -> bool:
    """Claim a signed command or interaction; False for a replayed copy (same signature and timestamp)."""
    from bot.dedup import request_key

    key = request_key(getattr(request, "headers", None))
    return key is None or services.replays is None or services.replays.claim(*key)


def first_delivery(services: Any, body: dict[str, Any]) -> bool:
    """Claim an Events API delivery; False for a Slack retry (or redelivery after a restart)."""
    from bot.dedup import delivery_key

    key = delivery_key(body)
    return key is None or services.dedup is None or services.dedup.claim(*key)


def team_of(context: Any) -> str:
    """The authorised workspace of the request (never taken from user-supplied payload fields)."""
    return str(context.team_id or context.enterprise_id or "")


def post_messages(
    client: Any, *, channel: str, messages: list[dict[str, Any]], thread_ts: str | None = None,
    replace_ts: str | None = None,
) -> str | None:
    """Post ``messages`` (the first may replace a placeholder in place); returns the first ts."""
    first_ts: str | None = None
    for i, message in enumerate(messages):
        if i == 0 and replace_ts:
            client.chat_update(channel=channel, ts=replace_ts, **message)
            first_ts = replace_ts
            continue
        resp = client.chat_postMessage(channel=channel, thread_ts=thread_ts, **message)
        first_ts = first_ts or resp.get("ts")
    return first_ts


def upload_chart(services: Any, client: Any, *, team_id: str, channel: str,
                 thread_ts: str | None, answer: Answer) -> None:
    """Render the answer's chart (PNG) and upload it next to the reply; failures only cost the chart."""
    if not (services.charts and answer.chart is not None):
        return
    try:
        png = services.advisor.render_chart(answer.chart, workspace=team_id)
        client.files_upload_v2(
            channel=channel, thread_ts=thread_ts, content=png,
            filename=f"{answer.chart.kpi_id}-{answer.chart.kind}.png",
            title=answer.chart.title or answer.title, alt_txt=chart_alt_text(services, team_id, answer),
        )
    except Exception as exc:  # the answer is already posted; a missing chart is not worth an error
        log.warning("chart upload failed: %s", describe_error(exc))


def chart_alt_text(services: Any, team_id: str, answer: Answer) -> str:
    """Alt text stating the numbers the answer's chart shows (computed where the advisor lives);
    the answer's own headline when the chart's data cannot be described."""
    from advisor.compose_trend import describe_chart
    from bot.advisor_client import call_in_advisor

    try:
        return call_in_advisor(services.advisor, describe_chart, answer.chart, workspace=team_id)
    except Exception as exc:  # the chart still goes out; its alt text falls back to the headline
        log.info("chart alt text from the answer's headline: %s", type(exc).__name__)
        return f"{answer.chart.title if answer.chart else answer.title}: {answer.summary}"[:1000]


def answer_in_thread(
    services: Any, client: Any, *, team_id: str, channel: str, thread_ts: str,
    compute: Callable[[], Answer],
) -> None:
    """Worker job: compute, then reply in the thread (updating the placeholder if one went out)."""
    slow = SlowReply(
        after=services.placeholder_after,
        show=lambda: client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=WORKING)["ts"],
    ).start()
    answer: Answer | None = None
    try:
        answer = compute()
        _yield_to_acks(services)
        messages = render_reply(services, team_id, answer)
    except Exception as exc:
        messages = [render_text(describe_error(exc))]
    placeholder_ts = slow.settle()
    try:
        post_messages(client, channel=channel, thread_ts=thread_ts, messages=messages,
                      replace_ts=placeholder_ts)
    except Exception as exc:
        describe_error(exc)  # logs it; there is nowhere left to tell the user
        return
    if isinstance(answer, Answer):
        upload_chart(services, client, team_id=team_id, channel=channel, thread_ts=thread_ts,
                     answer=answer)


def render_reply(services: Any, team_id: str, answer: Any, *, share: bool = False) -> list[dict[str, Any]]:
    """An answer's messages (its details cached for "Show numbers"), or a ready message as is
    (a goal picker)."""
    if not isinstance(answer, Answer):
        return [answer]
    token = services.recent.put(team_id, answer) if services.recent is not None else None
    note = None
    if share and answer.chart is not None:
        note = "Chart: \"Share to channel\" posts it with the answer; \"Chart by DM\" sends it to you."
    return render_answer(answer, share=share, share_token=token if share else None, token=token,
                         chart_note=note, chart_button=share and answer.chart is not None)


def answer_ephemeral(
    services: Any, respond: Any, *, team_id: str, compute: Callable[[], Answer], share: bool = True,
) -> None:
    """Worker job for /kpi and ephemeral buttons: reply through response_url, only the asker sees it."""
    slow = SlowReply(after=services.placeholder_after,
                     show=lambda: respond(text=WORKING, response_type="ephemeral") or True).start()
    try:
        answer = compute()
        _yield_to_acks(services)
        messages = render_reply(services, team_id, answer, share=share)
    except Exception as exc:
        messages = [render_text(describe_error(exc))]
    replace = slow.settle() is not None
    for i, message in enumerate(messages):
        resp = respond(response_type="ephemeral", replace_original=replace and i == 0, **message)
        if getattr(resp, "status_code", 200) >= 400:
            log.warning("response_url answered %s", resp.status_code)


def _yield_to_acks(services: Any) -> None:
    """Rendering and posting an answer is CPU work under the GIL: wait while acks are queued."""
    gate = getattr(services.workers, "gate", None)
    if gate is not None:
        gate.wait()


def open_view_soon(services: Any, client: Any, *, trigger_id: str, view: dict[str, Any]) -> None:
    """Open a modal off the request thread (the ack does not wait for Slack), but at once:
    its trigger_id expires 3 seconds after the click."""
    def open_view() -> None:
        try:
            client.views_open(trigger_id=trigger_id, view=view)
        except Exception as exc:
            describe_error(exc)  # logs it; a modal that did not open has nowhere to say so

    if services.urgent is None:
        open_view()
    else:
        services.urgent.submit(open_view)


def submit_or_apologise(services: Any, job: Callable[[], object], apologise: Callable[[str], Any], *,
                        request: Any = None) -> None:
    """Queue ``job``; when the pool is full, tell the user right away instead of going silent.

    With the listener's ``request``, the job first claims it, so a replayed copy does nothing
    (the claim runs in the worker: the ack never waits for the database).
    """
    if request is not None:
        job = _once(services, request, job)
    if not services.workers.submit(job):
        def say_busy() -> None:
            try:
                apologise(BUSY)
            except Exception:
                log.warning("could not send the busy message", exc_info=True)

        # a Slack call: not on the request's thread (which may be the event loop), but right away
        if services.urgent is None:
            say_busy()
        else:
            services.urgent.submit(say_busy)


def _once(services: Any, request: Any, job: Callable[[], object]) -> Callable[[], None]:
    def claimed_job() -> None:
        if first_request(services, request):
            job()

    return claimed_job


def answer_where_pressed(services: Any, *, client: Any, respond: Any, team_id: str, channel: str,
                         thread_ts: str | None, private: bool, compute: Callable[[], Answer]) -> Callable[[], None]:
    """The worker job that answers a button where it was pressed: privately (response_url) when the
    message was private or has no thread, else in its thread."""
    def job() -> None:
        if private or not thread_ts:
            answer_ephemeral(services, respond, team_id=team_id, compute=compute)
        else:
            answer_in_thread(services, client, team_id=team_id, channel=channel, thread_ts=thread_ts,
                             compute=compute)

    return job


def reply_privately(respond: Any) -> Callable[[str], Any]:
    """Tell the person who pressed a button something only they see (response_url, not replacing the message)."""
    return lambda text: respond(text=text, response_type="ephemeral", replace_original=False)
