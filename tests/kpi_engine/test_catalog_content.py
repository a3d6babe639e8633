"""What the catalog's words promise, checked against the engine on tiny hand-computed frames."""

from __future__ import annotations

from datetime import date

import pytest

from kpi_engine import Engine, MemorySource
from kpi_engine.catalog import default_catalog
from kpi_engine.periods import Period

from .frames import dataset, posts

DAY1, DAY8 = date(2025, 3, 3), date(2025, 3, 10)
WEEK2 = Period(start=DAY8, end=date(2025, 3, 16), label="second week", kind="week")


def _engine() -> Engine:
    # Post a is published on day 1 and keeps collecting on day 8; post b is published on day 8.
    rows = [
        {"date": DAY1, "platform": "instagram", "account": "m", "post_id": "a", "posts_published": 1,
         "impressions": 5000, "engagements": 200, "comments": 10},
        {"date": DAY8, "platform": "instagram", "account": "m", "post_id": "a", "posts_published": 0,
         "impressions": 1000, "engagements": 30, "comments": 4},
        {"date": DAY8, "platform": "instagram", "account": "m", "post_id": "b", "posts_published": 1,
         "impressions": 3000, "engagements": 90, "comments": 6},
        {"date": DAY8, "platform": "linkedin", "account": "p", "post_id": "c", "posts_published": 1,
         "impressions": 2000, "engagements": 40, "comments": 2},
    ]
    return Engine(source=MemorySource(dataset(posts=posts(rows))), today=date(2025, 3, 20))


@pytest.mark.parametrize("kpi_id, numerator", [("impressions_per_post", 6000), ("engagements_per_post", 160)])
def test_per_post_ratios_are_outcome_in_the_period_over_posts_published_in_it(kpi_id: str, numerator: int) -> None:
    # Week 2: impressions 1,000 (post a, published in week 1) + 3,000 + 2,000 = 6,000 over 2 new posts.
    v = _engine().compute_value(kpi_id, WEEK2)
    assert (v.numerator, v.denominator) == (numerator, 2)
    assert v.value == pytest.approx(numerator / 2)
    kpi = default_catalog().kpis[kpi_id]
    assert "older posts" in kpi.denominator  # the catalog text says what the numbers above show


def test_comments_per_post_counts_comments_on_older_posts_as_its_text_says() -> None:
    v = _engine().compute_value("comments_per_post", WEEK2)
    assert (v.numerator, v.denominator) == (4 + 6 + 2, 2)
    assert "older posts" in default_catalog().kpis["comments_per_post"].denominator


def test_efficiency_reads_posts_published_against_outcome_per_post() -> None:
    cat = default_catalog()
    goal = cat.goals["efficiency"]
    assert goal.primary == "impressions_per_post"  # an outcome per unit of output, not the output
    assert {"posts_published", "engagements_per_post"} <= set(goal.diagnostics)
    posts_published = cat.kpis["posts_published"]
    assert "input" in posts_published.definition and posts_published.direction == "input"
    assert "impressions_per_post" in posts_published.diagnostics


@pytest.mark.parametrize("kpi_id, timing", [
    ("follower_growth_rate", "lagging"),  # confirms reach and shares weeks later (DOMAIN: lagging confirms)
    ("product_conversion_rate", "leading"),  # a purchase rate per visit predicts revenue, like a sign-up rate
])
def test_timing_decisions(kpi_id: str, timing: str) -> None:
    assert default_catalog().kpis[kpi_id].timing == timing
