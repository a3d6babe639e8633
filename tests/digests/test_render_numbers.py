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


def test_an_all_platform_figure_is_not_labelled_with_a_segment():
    facts = [
        Fact(key="product_page_visits.value", label="Product-page visits from social, last week", value=1200,
             display="1.2k", unit="count", kpi_id="product_page_visits"),
        Fact(key="product_page_visits.previous.value", label="previous period", value=999, display="999",
             unit="count", kpi_id="product_page_visits"),
        Fact(key="product_page_visits.platform.youtube.value", label="Product-page visits from social for youtube",
             value=40, display="40", unit="count", kpi_id="product_page_visits", segment="youtube"),
    ]
    answer = Answer(question="digest", intent="digest", title="Traffic digest", summary="A week.", facts=facts)
    text = render_digest(answer).text
    assert "Product-page visits from social: previous period: 999" in text
    assert "youtube: previous period" not in text and "for youtube ... previous" not in text


def test_a_threshold_alert_title_agrees_with_its_reason():
    """"Engagement rate up 7.3%" over "below your threshold" read as a contradiction: a level alert
    leads with the level and the threshold, and the move stays in the detail."""
    from datetime import date

    from advisor.alerts import evaluate_alert
    from kpi_engine import Engine
    from kpi_engine.memory import MemorySource
    from kpi_engine.sample import generate_sample

    engine = Engine(source=MemorySource(generate_sample(end=date(2025, 6, 29), days=70, scale=0.3)),
                    today=date(2025, 6, 30))
    value = engine.compute_value("engagement_rate", "last_week").value
    for kind, threshold in (("below", value * 1.5), ("above", value / 2)):
        res = evaluate_alert(engine, kpi_id="engagement_rate", period=engine.period("last_week"), filters=None,
                             threshold_kind=kind, threshold_value=threshold)
        assert res.triggered
        assert f"{kind} " in res.title and " up " not in res.title and " down " not in res.title
        assert f"{kind} your threshold" in res.headline and f"{kind} your threshold" in res.reason
        assert "a change of" in res.detail  # the move against the previous period is still said
