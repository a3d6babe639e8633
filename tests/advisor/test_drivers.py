"""'Why did it move' names a driver only when a segment moved out of proportion to its size."""

from __future__ import annotations

from datetime import date

from advisor.why_evidence import find_drivers as _drivers
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


# --- drivers only when they hold up (issue 11) ------------------------------------------------

def _posts_engine(segments: dict[str, tuple[list[float], list[float]]]) -> Engine:
    """Per platform: engagements of its posts on PREV and on CUR, 1,000 impressions each."""
    rows = []
    for platform, (before, after) in segments.items():
        for day, values in ((PREV, before), (CUR, after)):
            rows += [{"date": day, "platform": platform, "account": "a", "post_id": f"{platform}{day}{i}",
                      "impressions": 1000, "engagements": e} for i, e in enumerate(values)]
    return Engine(source=MemorySource(dataset(posts=posts(rows))), today=date(2025, 3, 10))


def _why(engine: Engine):
    from advisor.answer import ParsedQuestion
    from advisor.compose_numbers import compose_why

    return compose_why(engine, ParsedQuestion(intent="why", kpi_id="engagement_rate", period="2025-03-03..2025-03-03"))


def test_a_change_that_does_not_hold_up_names_no_segment():
    engine = _posts_engine({"instagram": ([50, 150, 100], [60, 160, 90]), "tiktok": ([30, 90, 60], [40, 80, 70])})
    answer = _why(engine)
    assert "too early to tell" in answer.summary
    assert not any(s.kind == "drivers" for s in answer.sections)
    note = next(s for s in answer.sections if s.title == "Drivers")
    assert note.text.startswith("No single segment stands out")
    assert not any(f.segment for f in answer.facts)


def test_a_segment_that_moved_clearly_on_its_own_is_named_with_its_interval():
    # instagram is all over the place (the total cannot be told); tiktok rose from 5% to 8% on every
    # one of its 12 posts (segments need at least 10 posts in both periods to be tested on their own)
    engine = _posts_engine({"instagram": ([10, 300, 50, 250] * 3, [300, 20, 40, 150] * 3),
                            "tiktok": ([50, 51, 49, 50] * 3, [80, 81, 79, 80] * 3)})
    answer = _why(engine)
    assert "too early to tell" in answer.summary and "On its own, tiktok (platform) moved clearly" in answer.summary
    section = next(s for s in answer.sections if s.kind == "drivers")
    assert "- tiktok (platform): +3.00 pp (+60.0%), a meaningful rise (good; 95% interval" in section.text
    assert "instagram" not in section.text
    keys = {f.key for f in answer.facts if f.segment == "tiktok"}
    assert {"engagement_rate.by_platform.tiktok.rel_change", "engagement_rate.by_platform.tiktok.previous.rel_ci_low",
            "engagement_rate.by_platform.tiktok.previous.rel_mde"} <= keys


def test_a_segment_with_few_posts_is_not_tested_on_its_own():
    engine = _posts_engine({"instagram": ([10, 300, 50, 250], [300, 20, 40, 150]),
                            "tiktok": ([50, 51, 49, 50], [80, 81, 79, 80])})
    answer = _why(engine)
    assert not any(s.kind == "drivers" for s in answer.sections)


def test_a_segment_with_a_sliver_of_a_real_change_is_not_named():
    from advisor.why_evidence import material_movers as _material_movers

    engine = _posts_engine({"instagram": ([100] * 4, [200] * 4), "tiktok": ([100] * 4, [104] * 4)})
    b = engine.compute_breakdown("engagement_rate", "platform", PERIOD)
    # total change +5.2 pp: instagram carries +5.0 (96%), tiktok +0.2 (4%, under a quarter)
    kept = _material_movers(b, [s for s in b.segments if s.contribution > 0])
    assert [s.key for s in kept] == ["instagram"]
