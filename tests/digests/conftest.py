"""Fixtures: fake Slack Web API, a state database, the real advisor on pinned sample data, a clock."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.digests.fake_slack import FakeSlack

SAMPLE_END = date(2025, 6, 29)  # a Sunday: "last week" on Monday 2025-06-30 is 06-23..06-29
FLAT_TEAM = "TFLAT"


class Clock:
    """An injectable clock the tests move by hand."""

    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class Sleeps:
    """Records sleeps and advances a fake monotonic clock instead of waiting."""

    def __init__(self) -> None:
        self.calls: list[float] = []
        self.t = 0.0

    def sleep(self, seconds: float) -> None:
        self.calls.append(seconds)
        self.t += seconds

    def monotonic(self) -> float:
        return self.t


@pytest.fixture
def slack():
    fake = FakeSlack().start()
    yield fake
    fake.stop()


@pytest.fixture
def state_db(tmp_path):
    from advisor.db import open_database

    return open_database(f"sqlite:///{tmp_path / 'state.db'}")


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture(scope="session")
def advisor(tmp_path_factory):
    """The real Advisor on the bundled sample pinned to SAMPLE_END, plus a flat-data workspace."""
    from advisor import Advisor, Settings
    from kpi_engine.sample import generate_flat, write_sample

    home = tmp_path_factory.mktemp("advisor-home")
    adv = Advisor.from_settings(Settings(home=Path(home)), sample_end=SAMPLE_END)
    flat_dir = Path(home) / "flat"
    write_sample(generate_flat(end=SAMPLE_END, days=420, scale=0.5), flat_dir)
    adv.update_workspace(FLAT_TEAM, data_path=str(flat_dir))
    return adv


def make_service(*, state_db: Any, advisor: Any, slack: FakeSlack, clock: Clock, sleeps: Sleeps,
                 **kw: Any):
    from slack_sdk import WebClient

    from bot.digests.poster import SlackPoster
    from bot.digests.service import DigestService

    poster = SlackPoster(sleep=sleeps.sleep, monotonic=sleeps.monotonic)
    return DigestService(engine=state_db, advisor=advisor, poster=poster, clock=clock,
                         client_factory=lambda team: WebClient(token=f"xoxb-{team}", base_url=slack.url),
                         **kw)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)
