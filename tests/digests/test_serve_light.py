"""`/kpi digest subscribe` in `serve` never builds an Advisor or an engine in the bot process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

_SCRIPT = textwrap.dedent("""
    import json, sys
    from advisor import Settings
    from advisor.db import open_database
    from bot.advisor_client import ProcessPoolAdvisor
    from bot.digests.errors import DigestError
    from bot.digests.service import DigestService

    settings = Settings(home=sys.argv[1])
    pool = ProcessPoolAdvisor(settings=settings, processes=1, warm=False).start(wait=True)
    try:
        pool.update_workspace("T1", timezone="Europe/Berlin")  # in the worker, like /kpi settings
        before = sorted(m for m in ("pandas", "numpy", "matplotlib", "scipy") if m in sys.modules)
        svc = DigestService(engine=open_database(settings.state_url), advisor=pool,
                            client_factory=lambda team: None)
        sub = svc.subscribe("T1", "C1", "U1", "weekly mon 09:00 goal=Visibility")
        try:
            svc.subscribe("T1", "C1", "U1", "daily 09:00 UTC kpis=engagment_rate")
            unknown = None
        except DigestError as exc:
            unknown = str(exc)
        svc.update("T1", sub.id, "daily 08:00 kpis=reach,engagement_rate")
        print(json.dumps({
            "goal": sub.goal, "timezone": sub.timezone, "unknown": unknown,
            "updated": svc.get("T1", sub.id).spec_text,
            "local_advisor": pool._local is not None,
            "heavy_before": before,
            "heavy": sorted(m for m in ("pandas", "numpy", "matplotlib", "scipy") if m in sys.modules),
        }))
    finally:
        pool.close()
""")


def test_subscribe_update_and_errors_without_an_engine_in_the_bot_process(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    res = subprocess.run([sys.executable, "-c", _SCRIPT, str(tmp_path / "home")], capture_output=True, text=True,
                         env=env, cwd=tmp_path, timeout=240)
    assert res.returncode == 0, res.stderr[-3000:]
    out = json.loads(res.stdout.strip().splitlines()[-1])
    assert out["goal"] == "awareness" and out["timezone"] == "Europe/Berlin"  # catalog alias, workspace zone
    assert "Unknown KPI" in out["unknown"]
    assert out["updated"].startswith("daily 08:00 Europe/Berlin kpis=reach,engagement_rate")
    assert out["local_advisor"] is False
    assert out["heavy"] == [], out  # no pandas / numpy / matplotlib in the bot process


def test_alerts_are_computed_where_the_advisor_lives(state_db, advisor, slack, sleeps):
    """In serve the advisor is a process pool: an alert runs there through ``call``, not on a local engine."""
    from datetime import timedelta

    from tests.digests.conftest import Clock, make_service, utc

    class PoolLike:
        def __init__(self, real):
            self.real, self.called = real, []

        def call(self, fn, *args, **kwargs):
            self.called.append(fn.__name__)
            return fn(self.real, *args, **kwargs)

        def workspace(self, team_id):
            return self.real.workspace(team_id)

    pool = PoolLike(advisor)
    monday = utc(2025, 6, 30, 9, 0)
    clock = Clock(monday - timedelta(days=2))
    svc = make_service(state_db=state_db, advisor=pool, slack=slack, clock=clock, sleeps=sleeps)
    svc.subscribe("T1", "CTHR", "UOWNER", "alert weekly mon 09:00 UTC kpi=engagement_rate above=0.5")
    clock.now = monday
    assert len(svc.run_due().posted) == 1
    assert pool.called == ["compute_alert"] and not hasattr(pool, "engine")
    assert "above your threshold of 0.50%" in slack.posts("CTHR")[0]["text"]
    assert len(slack.files) == 1  # the chart was rendered in the same call
