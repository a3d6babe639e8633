"""The digest's numbers list names KPIs correctly, commas in names included."""

from __future__ import annotations

from advisor.answer import Answer, Fact
from bot.digests.render import render_digest


def test_kpi_names_with_commas_are_kept_whole():
    facts = [
        Fact(key="save_rate.value", label="Saves per 1,000 impressions, last week", value=3.0,
             display="3.0 per 1k impressions", unit="per_1000", kpi_id="save_rate"),
        Fact(key="save_rate.previous.abs_change", label="change vs previous period", value=-0.55,
             display="-0.55", unit="per_1000", kpi_id="save_rate"),
    ]
    answer = Answer(question="digest", intent="digest", title="Engagement digest", summary="Quiet week.",
                    facts=facts)
    text = render_digest(answer).text
    assert "Saves per 1,000 impressions: change vs previous period: -0.55" in text
    assert "Saves per 1:" not in text
