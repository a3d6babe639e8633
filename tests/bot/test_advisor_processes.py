"""The advisor in worker processes (as `kpi-advisor serve` runs it), end to end through the HTTP adapter."""

from __future__ import annotations

import json
import os
import threading

import pytest

from advisor.errors import AdvisorError
from bot.advisor_client import (
    AdvisorClient,
    AdvisorCrashed,
    ProcessPoolAdvisor,
    RemoteAdvisorError,
    _portable,
    call_in_advisor,
)
from bot.render.errors import describe_error
from kpi_engine.errors import UnknownKpi
from tests.bot.harness import Harness, make_settings, mention


class _Unpicklable(AdvisorError):
    """A user-facing error carrying something that cannot be pickled (a lock)."""

    def __init__(self, kpi: str, hint: str):
        super().__init__(f"No KPI called '{kpi}'. {hint}")
        self.lock = threading.Lock()


def _pid(advisor: object) -> int:
    return os.getpid()


def _fail_for_user(advisor: object) -> None:
    raise _Unpicklable("nosuch", "Try `/kpi list`.")


def _fail_with_bug(advisor: object) -> None:
    class Local(Exception):  # pickle cannot find a class defined in a function
        pass

    raise Local("boom")


@pytest.fixture(scope="module")
def pool(tmp_path_factory):
    settings = make_settings(tmp_path_factory.mktemp("pool") / "home", "http://127.0.0.1:9/api/")
    advisor = ProcessPoolAdvisor(settings=settings, processes=2).start(wait=True, timeout=120)
    yield advisor
    advisor.close()


@pytest.fixture
def pool_bot(tmp_path, slack, pool):
    h = Harness(settings=make_settings(tmp_path / "home", slack.api_url), advisor=pool, slack=slack,
                digests=None)
    slack.clear()
    yield h
    h.close()


def test_mention_is_answered_by_a_worker_process(pool_bot, slack, pool):
    assert isinstance(pool, AdvisorClient)
    assert call_in_advisor(pool, _pid) != os.getpid()
    resp = pool_bot.event(mention("engagement_rate last 28 days by platform", ts="1600000101.000001"))
    assert resp.status_code == 200 and resp.text == ""
    post = slack.wait_for("chat.postMessage", timeout=30)[0]["params"]
    assert post["thread_ts"] == "1600000101.000001"
    if "Working on it" in post["text"]:
        post = slack.wait_for("chat.update", timeout=30)[0]["params"]
    assert "Engagement rate" in post["text"]
    # the chart PNG was rendered in a worker and came back as bytes
    assert slack.wait_for("files.completeUploadExternal", timeout=30)
    pool_bot.idle(30)
    replies = [c for c in slack.of("chat.postMessage") if "Working on it" not in c["params"]["text"]]
    assert len(replies) == 1


def test_retried_delivery_is_answered_once_with_the_pool(pool_bot, slack):
    ev = mention("reach last week", ts="1600000102.000001")
    pool_bot.event(ev, event_id="EvPool1")
    pool_bot.event(ev, event_id="EvPool1", retry_num=1)
    pool_bot.idle(30)
    answers = [c for c in slack.of("chat.postMessage", "chat.update")
               if "Working on it" not in c["params"]["text"]]
    assert len(answers) == 1 and "Reach" in answers[0]["params"]["text"]


def test_kpi_list_runs_next_to_the_engine(pool_bot, slack):
    pool_bot.command("list")
    listing = slack.wait_for("response_url", timeout=30)[0]["params"]
    assert "engagement_rate" in json.dumps(listing["blocks"])


def _fail_unknown_kpi(advisor: object) -> None:
    advisor.engine("local").kpi("fluffiness_index")


def test_errors_cross_the_process_boundary(pool):
    with pytest.raises(UnknownKpi) as unknown:
        pool.call(_fail_unknown_kpi)
    assert unknown.value.kpi_id == "fluffiness_index"
    assert describe_error(unknown.value).count("Unknown KPI") == 1
    with pytest.raises(RemoteAdvisorError) as user:
        pool.call(_fail_for_user)
    assert describe_error(user.value) == "No KPI called 'nosuch'. Try `/kpi list`."
    with pytest.raises(AdvisorCrashed) as bug:
        pool.call(_fail_with_bug)
    assert "Traceback" in str(bug.value)
    assert describe_error(bug.value).startswith("Sorry, something went wrong")
    assert pool.workspace("T1").team_id == "T1"  # the pool still works after both


def test_portable_keeps_picklable_errors_as_they_are():
    exc = AdvisorError("Ask a question first.")
    assert _portable(exc) is exc
    converted = _portable(_Unpicklable("x", "y"))
    assert type(converted) is RemoteAdvisorError and str(converted) == "No KPI called 'x'. y"


def test_oauth_acks_do_not_wait_for_auth_test_each_time(tmp_path, slack, digests):
    from tests.bot.fake_advisor import FakeAdvisor
    from tests.bot.test_security import _install

    settings = make_settings(tmp_path / "home", slack.api_url, slack_bot_token=None,
                             slack_client_id="111.222", slack_client_secret="oauth-client-secret")
    h = Harness(settings=settings, advisor=FakeAdvisor(), slack=slack, digests=digests)
    try:
        _install(h, slack, "T1")
        slack.clear()
        for i in range(3):
            assert h.event(mention(f"q{i}", ts=f"16000002{i:02d}.000001")).status_code == 200
        assert len(slack.wait_for("chat.postMessage", 3)) == 3
        h.idle()
        assert len(slack.of("auth.test")) == 1  # cached per bot token, not one Slack call per request
    finally:
        h.close()


def _raise(advisor: object, exc: BaseException) -> None:
    raise exc


def _error_classes() -> list[type[BaseException]]:
    from tests.test_errors import _error_classes as every_project_error

    return every_project_error()


@pytest.mark.parametrize("cls", _error_classes(), ids=lambda c: c.__qualname__)
def test_every_error_class_crosses_the_worker_boundary_intact(pool, cls):
    """Each error goes to a worker process as an argument and comes back raised: same class,
    message and attributes, and the same sentence in Slack."""
    from kpi_engine.errors import KpiAdvisorError
    from tests.test_errors import _instance

    exc = _instance(cls)
    if not str(exc):  # no required arguments: give it a message and, where it takes one, a hint
        kwargs = {"hint": "Then try again."} if issubclass(cls, KpiAdvisorError) else {}
        exc = cls(f"{cls.__name__} for a person to read.", **kwargs)
    with pytest.raises(cls) as info:
        pool.call(_raise, exc)
    back = info.value
    assert type(back) is cls and str(back) == str(exc) and vars(back) == vars(exc)
    if isinstance(exc, KpiAdvisorError):
        assert describe_error(back) == describe_error(exc) != ""
