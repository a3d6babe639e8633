"""Two workers with separate database engines racing for the same digest: one post."""

from __future__ import annotations

import os
import threading
from datetime import timedelta

import pytest

from tests.digests.conftest import Clock, make_service, utc
from tests.digests.static_advisor import StaticAdvisor


def _race(url: str, slack, sleeps, *, rounds: int = 5) -> None:
    from advisor.db import open_database

    engines = [open_database(url), open_database(url)]
    clock = Clock(utc(2025, 6, 1))
    services = [make_service(state_db=e, advisor=StaticAdvisor(), slack=slack, clock=clock, sleeps=sleeps)
                for e in engines]
    team = f"TRACE{os.getpid()}"
    services[0].subscribe(team, "CRACE", "U1", "weekly mon 09:00 UTC goal=awareness quiet=full")
    for week in range(rounds):
        now = utc(2025, 6, 2, 9, 0) + timedelta(weeks=week)
        barrier = threading.Barrier(2)
        reports = [None, None]

        def work(i: int, barrier: threading.Barrier = barrier, reports: list = reports, now=now) -> None:
            barrier.wait()
            reports[i] = services[i].run_due(now)

        threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        posted = sum(len(r.posted) for r in reports)
        assert posted == 1, reports
        assert sum(r.already for r in reports) == 1
        assert len(slack.posts("CRACE")) == week + 1
    for e in engines:
        e.dispose()


@pytest.fixture
def pg_url():
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.skip("TEST_DATABASE_URL is not set (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)")
    from sqlalchemy import text

    from advisor.db import open_database

    eng = open_database(url)
    with eng.begin() as conn:  # these tables are ours: start from empty
        conn.execute(text("DELETE FROM digest_deliveries"))
        conn.execute(text("DELETE FROM digest_subscriptions"))
    eng.dispose()
    return url


def test_two_workers_on_postgresql_post_once(pg_url, slack, sleeps):
    _race(pg_url, slack, sleeps)


def test_two_workers_on_one_sqlite_file_post_once(tmp_path, slack, sleeps):
    _race(f"sqlite:///{tmp_path / 'shared.db'}", slack, sleeps)


def test_two_processes_on_postgresql_post_once(pg_url, slack, tmp_path):
    """Separate OS processes, not just threads: `run_due` in each, one post between them."""
    import subprocess
    import sys
    import textwrap

    from advisor.db import open_database
    from bot.digests.service import DigestService

    clock = Clock(utc(2025, 6, 1))
    svc = DigestService(engine=open_database(pg_url), advisor=StaticAdvisor(), clock=clock,
                        client_factory=lambda team: None)
    svc.subscribe("TPROC", "CPROC", "U1", "weekly mon 09:00 UTC goal=awareness quiet=full")
    script = textwrap.dedent(f"""
        import sys, time
        from slack_sdk import WebClient
        from advisor.db import open_database
        from bot.digests.poster import SlackPoster
        from bot.digests.service import DigestService
        from tests.digests.conftest import utc
        from tests.digests.static_advisor import StaticAdvisor
        svc = DigestService(engine=open_database({pg_url!r}), advisor=StaticAdvisor(),
                            poster=SlackPoster(sleep=lambda s: None),
                            client_factory=lambda team: WebClient(token="x", base_url={slack.url!r}))
        start = float(sys.argv[1])
        while time.time() < start:
            time.sleep(0.001)
        r = svc.run_due(utc(2025, 6, 2, 9, 0))
        print(len(r.posted), r.already)
    """)
    import time

    start = str(time.time() + 2.0)
    env = dict(os.environ, PYTHONPATH=os.getcwd() + os.pathsep + str(__import__("pathlib").Path(__file__).parents[2]))
    procs = [subprocess.Popen([sys.executable, "-c", script, start], stdout=subprocess.PIPE, text=True, env=env)
             for _ in range(2)]
    outs = [p.communicate(timeout=60)[0].split() for p in procs]
    assert sorted(outs) == [["0", "1"], ["1", "0"]], outs
    assert len(slack.posts("CPROC")) == 1
