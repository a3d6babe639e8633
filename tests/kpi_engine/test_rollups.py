"""Batch computation over shared day-level cubes gives today's numbers with far fewer passes."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest

from kpi_engine import Engine, MemorySource
from kpi_engine.periods import Period
from kpi_engine.rollups import RollupCache
from kpi_engine.sample import generate_sample

END = date(2025, 6, 30)
PERIOD = Period(start=END - timedelta(days=27), end=END, label="last 28 days")


class Counting:
    """A Source that counts the rollups reaching it."""

    def __init__(self, source):
        self._source = source
        self.rollups = 0

    def __getattr__(self, name):
        return getattr(self._source, name)

    def rollup(self, *args, **kwargs):
        self.rollups += 1
        return self._source.rollup(*args, **kwargs)

    def columns(self, *args, **kwargs):  # a rollup as numpy columns
        self.rollups += 1
        return self._source.columns(*args, **kwargs)


@pytest.fixture(scope="module")
def memory():
    return MemorySource(generate_sample(end=END, days=420, scale=0.3))


def _same(a, b):
    return a == (None if b is None else pytest.approx(b, rel=1e-9, abs=1e-9))


CASES = [
    ("posts", ["impressions", "engagements"], PERIOD.start, PERIOD.end, None, ()),
    ("posts", ["impressions", "clicks"], PERIOD.start, PERIOD.end, {"platform": ["instagram", "tiktok"]},
     ["platform"]),
    ("posts", ["impressions"], PERIOD.start, PERIOD.end, None, ["date"]),
    ("posts", ["engagements"], PERIOD.start, PERIOD.end, {"platform": ["x"]}, ["date", "content_type"]),
    ("posts", ["impressions"], date(2030, 1, 1), date(2030, 1, 31), None, ()),
    ("posts", ["impressions"], date(2030, 1, 1), date(2030, 1, 31), None, ["platform"]),
    ("posts", ["impressions"], date(2000, 1, 1), END - timedelta(days=400), None, ["date"]),
    ("accounts", ["brand_mentions"], PERIOD.start, PERIOD.end, None, ["platform"]),
    ("interactions", ["interactions", "responded"], PERIOD.start, PERIOD.end, {"channel": ["dm"]}, ["sentiment"]),
    ("posts", ["engagements", "impressions"], PERIOD.start, PERIOD.end, None, ["post_id"]),  # not cubed
    ("posts", ["impressions"], PERIOD.start, PERIOD.end, None, ["platform", "date"]),  # not cubed
]


@pytest.mark.parametrize("table, measures, start, end, filters, by", CASES)
def test_a_cube_answers_like_the_source(memory, table, measures, start, end, filters, by):
    got = RollupCache(memory).rollup(table, measures, start, end, filters, by)
    expected = memory.rollup(table, measures, start, end, filters, by)
    assert list(got.columns) == list(expected.columns)
    key = list(by)
    if key:
        got = got.sort_values(key).reset_index(drop=True)
        expected = expected.sort_values(key).reset_index(drop=True)
    for b in key:
        got[b] = got[b].astype("datetime64[ns]" if b == "date" else str)
        expected[b] = expected[b].astype("datetime64[ns]" if b == "date" else str)
    pd.testing.assert_frame_equal(got, expected, check_dtype=False, rtol=1e-12)


@pytest.mark.parametrize("table, measures, start, end, filters, by", CASES)
def test_numpy_columns_answer_like_the_source(memory, table, measures, start, end, filters, by):
    """The DataFrame-free answers the compute layer reads (a batch's cubes, the memory source's own)."""
    expected = memory.rollup(table, measures, start, end, filters, by)
    cache = RollupCache(memory)
    cache.prefetch(table, measures)  # per-post sums are read for the measures a batch names
    for got in (cache.columns(table, measures, start, end, filters, by),
                memory.columns(table, measures, start, end, filters, by)):
        if got is None:  # not answered from a cube: the caller asks rollup
            assert list(by) == ["platform", "date"], by
            continue
        got = pd.DataFrame(got)
        assert list(got.columns) == list(expected.columns)
        if by:
            got = got.sort_values(list(by)).reset_index(drop=True)
            exp = expected.sort_values(list(by)).reset_index(drop=True)
        else:
            exp = expected
        for b in by:
            got[b] = got[b].astype("datetime64[ns]" if b == "date" else str)
            exp[b] = exp[b].astype("datetime64[ns]" if b == "date" else str)
        pd.testing.assert_frame_equal(got, exp, check_dtype=False, rtol=1e-12)


def test_a_missing_measure_fails_only_the_kpi_that_needs_it(memory):
    cache = RollupCache(memory)
    cache.prefetch("posts", ["impressions", "no_such_measure"])
    assert cache.rollup("posts", ["impressions"], PERIOD.start, PERIOD.end)["rows"][0] > 0
    with pytest.raises(Exception, match="no_such_measure"):
        cache.rollup("posts", ["no_such_measure"], PERIOD.start, PERIOD.end)


def test_a_batch_gives_every_kpi_the_same_numbers_in_far_fewer_passes(memory):
    """Every catalog KPI: report (value, previous, last year, verdicts), platform breakdown, weekly trend."""
    plain = Engine(source=Counting(memory), today=END + timedelta(days=1))
    batched = Engine(source=Counting(memory), today=END + timedelta(days=1))
    trend_period = Period(start=END - timedelta(days=7 * 13 - 1), end=END, label="13 weeks")

    def scorecard(engine):
        out = {}
        for kpi_id, kpi in engine.catalog.kpis.items():
            report = engine.compute_report(kpi_id, PERIOD)
            by_platform = (engine.compute_breakdown(kpi_id, "platform", PERIOD)
                           if "platform" in _dims(kpi) else None)
            trend = engine.compute_trend(kpi_id, trend_period, "week")
            out[kpi_id] = (report, by_platform, trend)
        return out

    expected = scorecard(plain)
    with batched.batch(batched.catalog.kpis):
        got = scorecard(batched)
    for kpi_id, (report, by_platform, trend) in expected.items():
        r = got[kpi_id][0]
        assert _same(r.current.value, report.current.value), kpi_id
        assert r.current.status == report.current.status, kpi_id
        for mine, theirs in ((r.previous, report.previous), (r.last_year, report.last_year)):
            assert _same(mine.reference.value, theirs.reference.value), kpi_id
            assert mine.verdict == theirs.verdict, kpi_id
            assert _same(mine.p_value, theirs.p_value), kpi_id
        if by_platform is not None:
            mine = {s.key: (s.value, s.contribution) for s in got[kpi_id][1].segments}
            theirs = {s.key: (s.value, s.contribution) for s in by_platform.segments}
            assert mine.keys() == theirs.keys(), kpi_id
            for k, (v, c) in theirs.items():
                assert _same(mine[k][0], v) and _same(mine[k][1], c), (kpi_id, k)
        points = got[kpi_id][2].points
        assert [p.start for p in points] == [p.start for p in trend.points]
        for a, b in zip(points, trend.points, strict=True):
            assert _same(a.value, b.value) and _same(a.expected, b.expected) and a.anomaly == b.anomaly, kpi_id
    # 535 -> 23: one read per cube, per period of per-post sums (clustered tests) and per stock (account
    # levels); matched-denominator platforms from the cube by platform (150 before those were batched)
    assert batched.source.rollups * 20 < plain.source.rollups, (batched.source.rollups, plain.source.rollups)


def _dims(kpi):
    from kpi_engine.schema import TABLES

    return TABLES[kpi.formula.table].dimensions


def test_scorecard_uses_the_batch_and_leaves_the_engine_as_it_was(memory):
    engine = Engine(source=memory, today=END + timedelta(days=1))
    card = engine.compute_scorecard("awareness", "last_28_days")
    assert engine.source is memory
    plain = Engine(source=memory, today=END + timedelta(days=1)).compute_report(card.primary.current.kpi_id,
                                                                                 "last_28_days")
    assert _same(card.primary.current.value, plain.current.value)
    assert card.primary.previous.verdict == plain.previous.verdict


def test_one_cache_over_overlapping_windows_and_new_measures(memory):
    """Days are read once, as requests reach them; measures join later; every answer stays the source's."""
    cache = RollupCache(memory)
    requests = [
        (["impressions"], PERIOD.start, PERIOD.end, ["platform"]),
        (["impressions", "clicks"], PERIOD.start - timedelta(days=40), PERIOD.start + timedelta(days=3), ["platform"]),
        (["engagements"], PERIOD.start - timedelta(days=60), PERIOD.end, ["date", "platform"]),
        (["clicks"], END - timedelta(days=200), END + timedelta(days=30), ["platform"]),
        (["impressions"], PERIOD.start, PERIOD.end, ()),
    ]
    for measures, start, end, by in requests:
        got = cache.rollup("posts", measures, start, end, None, by)
        expected = memory.rollup("posts", measures, start, end, None, by)
        key = list(by)
        got = got.sort_values(key).reset_index(drop=True) if key else got
        expected = expected.sort_values(key).reset_index(drop=True) if key else expected
        for b in key:
            got[b] = got[b].astype("datetime64[ns]" if b == "date" else str)
            expected[b] = expected[b].astype("datetime64[ns]" if b == "date" else str)
        pd.testing.assert_frame_equal(got, expected, check_dtype=False, rtol=1e-12)
    cube = cache._cubes[("posts", (), "platform")]
    first = cube.first
    assert cube.loaded[(END - timedelta(days=200) - first).days:].all() and not cube.loaded[0]
