"""When one post carries most of a period's numerator, change or variance, the answer says so."""

from __future__ import annotations

from datetime import date

import pytest

from advisor.answer import ParsedQuestion
from advisor.compose_numbers import compose_why
from kpi_engine import Engine, MemorySource
from kpi_engine.periods import Period
from tests.kpi_engine.frames import dataset, posts

PREV, CUR = date(2025, 3, 2), date(2025, 3, 3)
DAY = Period(start=CUR, end=CUR, label="that day", kind="day")


def _engine() -> Engine:
    rows = []
    for i in range(5):
        rows.append({"date": PREV, "platform": "youtube", "post_id": f"old{i}", "content_type": "short_video",
                     "video_views": 100, "watch_time_seconds": 1100})
    for i, seconds in enumerate([4400, 1400, 1400, 1400, 1400]):
        rows.append({"date": CUR, "platform": "youtube", "post_id": "live1" if i == 0 else f"v{i}",
                     "content_type": "live" if i == 0 else "short_video", "video_views": 100,
                     "watch_time_seconds": seconds})
    return Engine(source=MemorySource(dataset(posts=posts(rows))), today=date(2025, 3, 10))


def test_top_post_share_of_numerator_and_variance_by_hand():
    c = _engine().compute_concentration("avg_watch_time", DAY)
    # 4,400 of 10,000 seconds; rate 20 s per view: residuals 2,400 and -600 x 4 -> 2,400^2 / 7.2M = 0.8
    assert c.post_id == "live1" and c.posts == 5
    assert c.share_of_numerator == pytest.approx(0.44)
    assert c.share_of_variance == pytest.approx(0.8)
    assert (c.platform, c.content_type) == ("youtube", "live") and c.notable()


def _count_engine(now: list[float]) -> Engine:
    rows = [{"date": PREV, "platform": "x", "post_id": f"p{i}", "impressions": 1000} for i in range(5)]
    rows += [{"date": CUR, "platform": "x", "post_id": "v0", "impressions": now[0]}]
    rows += [{"date": CUR, "platform": "x", "post_id": f"p{i}", "impressions": v} for i, v in enumerate(now[1:])]
    return Engine(source=MemorySource(dataset(posts=posts(rows))), today=date(2025, 3, 10))


def test_count_share_of_change_by_hand():
    # before: 5 posts x 1,000; now: a new post with 2,000 and the five at 1,200: +3,000, of which v0 +2,000
    c = _count_engine([2000, 1200, 1200, 1200, 1200, 1200]).compute_concentration("impressions", DAY)
    assert c.post_id == "v0" and c.share_of_numerator == pytest.approx(0.25)
    assert c.share_of_change == pytest.approx(2 / 3) and c.notable()


def test_share_of_a_tiny_change_is_not_computed():
    # now 2,000 + 5 x 600 = 5,000: no change at all, so "v0 is x% of the change" would explode
    c = _count_engine([2000, 600, 600, 600, 600, 600]).compute_concentration("impressions", DAY)
    assert c.share_of_change is None and c.share_of_numerator == pytest.approx(0.4)


def test_why_answer_names_the_post():
    answer = compose_why(_engine(), ParsedQuestion(intent="why", kpi_id="avg_watch_time", period=f"{CUR}..{CUR}"))
    section = next(s for s in answer.sections if s.title == "One post carries much of it")
    assert section.text.startswith("One youtube live (live1) is 44% of the period's watch time seconds and 80% "
                                   "of the uncertainty in the rate, out of 5 posts")
    assert any(f.key == "avg_watch_time.top_post.share" and f.display == "44%" for f in answer.facts)
