"""A digest's footer says movers survive a false-discovery-rate control over its comparisons."""

from __future__ import annotations

from datetime import date, timedelta

from advisor.compose_numbers import compose_digest
from bot.digests.render import render_digest
from kpi_engine import Engine, MemorySource
from kpi_engine.sample import generate_flat


def _engine() -> Engine:
    end = date(2025, 6, 30)
    return Engine(source=MemorySource(generate_flat(end=end, seed=5, days=400)), today=end + timedelta(days=1))


def test_goal_digest_footer_names_the_fdr_control_and_the_count():
    answer = compose_digest(_engine(), goal="engagement", kpis=None, period="last_7_days")
    n = [f for f in answer.facts if f.key.endswith("ci_low")]  # one per tested comparison
    assert answer.footnote and "survive a false-discovery-rate control" in answer.footnote
    assert f"over the {len(n)} comparisons in this digest" in answer.footnote
    msg = render_digest(answer)
    assert answer.footnote in msg.text
    assert answer.footnote in msg.blocks[-1]["elements"][0]["text"]


def test_custom_digest_is_one_family_too():
    answer = compose_digest(_engine(), goal=None, kpis=["engagement_rate", "impressions"], period="last_28_days")
    tested = [f for f in answer.facts if f.key.endswith("ci_low")]
    assert answer.footnote and f"over the {len(tested)} comparisons" in answer.footnote
