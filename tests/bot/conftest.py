"""Fixtures: the fake Slack Web API, the fake advisor, the bot served over HTTP, and the bot over the real
Advisor (bundled sample, no network)."""

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


@pytest.fixture(scope="module")
def real_advisor(tmp_path_factory):
    """The real Advisor on the bundled sample, one per test module (a module may override it)."""
    from advisor import Advisor
    from advisor.settings import Settings

    return Advisor.from_settings(Settings(home=tmp_path_factory.mktemp("advisor") / "home"))


@pytest.fixture
def real_bot(tmp_path, slack, real_advisor):
    h = Harness(settings=make_settings(tmp_path / "home", slack.api_url), advisor=real_advisor, slack=slack)
    slack.clear()
    yield h
    h.close()


@pytest.fixture
def real_bot_with_digests(tmp_path, slack, real_advisor):
    """The bot over the real Advisor and a real digest service on its own state database."""
    from advisor.db import open_database
    from bot.digests.service import DigestService
    from bot.oauth import make_client_factory

    settings = make_settings(tmp_path / "home", slack.api_url)
    digests = DigestService(engine=open_database(settings.state_url), advisor=real_advisor,
                            client_factory=make_client_factory(settings=settings))
    h = Harness(settings=settings, advisor=real_advisor, slack=slack, digests=digests)
    slack.clear()
    yield h
    h.close()
