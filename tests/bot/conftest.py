"""Fixtures: the fake Slack Web API, the fake advisor, and the bot served over HTTP."""

from __future__ import annotations

import pytest

from tests.bot.fake_advisor import FakeAdvisor, FakeDigests
from tests.bot.fake_slack import FakeSlack
from tests.bot.harness import Harness, make_settings


@pytest.fixture
def slack():
    fake = FakeSlack().start()
    yield fake
    fake.stop()


@pytest.fixture
def advisor():
    return FakeAdvisor()


@pytest.fixture
def digests():
    return FakeDigests()


@pytest.fixture
def settings(tmp_path, slack):
    return make_settings(tmp_path / "home", slack.api_url)


@pytest.fixture
def bot(settings, advisor, slack, digests):
    harness = Harness(settings=settings, advisor=advisor, slack=slack, digests=digests)
    slack.clear()  # drop the start-up auth.test
    yield harness
    harness.close()
