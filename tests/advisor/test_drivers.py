"""'Why did it move' names a driver only when a segment moved out of proportion to its size."""

from __future__ import annotations

from datetime import date

from advisor.compose_numbers import _drivers
from kpi_engine import Engine, MemorySource
from kpi_engine.periods import Period
from tests.kpi_engine.frames import dataset, posts

PREV, CUR = date(2025, 3, 2), date(2025, 3, 3)
PERIOD = Period(start=CUR, end=CUR, label="that day", kind="day")


def _engine(cur_a: float, cur_b: float) -> Engine:
    rows = []
    for day, (a, b) in ((PREV, (90, 10)), (CUR, (cur_a, cur_b))):
        rows += [
            {"date": day, "platform": "instagram", "account": "a", "post_id": f"a{day}", "impressions": 900,
             "engagements": a},
            {"date": day, "platform": "tiktok", "account": "b", "post_id": f"b{day}", "impressions": 100,
             "engagements": b},
        ]
    return Engine(source=MemorySource(dataset(posts=posts(rows))), today=date(2025, 3, 10))


def test_a_drop_everywhere_in_proportion_names_no_driver():
    b, movers = _drivers(_engine(45, 5), "engagement_rate", PERIOD, {}, dimensions=("platform",))
    assert b is None and movers == []


def test_a_small_segment_that_collapsed_is_the_driver():
    b, movers = _drivers(_engine(90, 0), "engagement_rate", PERIOD, {}, dimensions=("platform",))
    assert b is not None and [s.key for s in movers] == ["tiktok"]
