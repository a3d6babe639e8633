"""The in-memory source's build: no copy of sorted data, integers kept, missing values handled once."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from kpi_engine.memory import MemorySource

from .frames import dataset, interactions, posts

D = [date(2025, 3, 3), date(2025, 3, 4), date(2025, 3, 5)]


def _posts(order):
    rows = [{"date": D[i], "platform": p, "account": "a", "post_id": f"p{i}{p}", "impressions": 100 * (i + 1),
             "engagements": i + (p == "x")} for i in order for p in ("x", "tiktok")]
    return posts(rows)


def test_sorted_frames_are_used_in_place_and_unsorted_ones_give_the_same_sums():
    sorted_frame = _posts([0, 1, 2])
    source = MemorySource(dataset(posts=sorted_frame))
    table = source._tables["posts"]
    assert np.shares_memory(table.measures["impressions"], sorted_frame["impressions"].to_numpy())
    shuffled = MemorySource(dataset(posts=_posts([2, 0, 1])))
    assert not np.shares_memory(shuffled._tables["posts"].measures["impressions"],
                                sorted_frame["impressions"].to_numpy())
    for by in ((), ("date",), ("platform",), ("date", "platform")):
        a = source.rollup("posts", ["impressions", "engagements"], D[0], D[2], by=list(by))
        b = shuffled.rollup("posts", ["impressions", "engagements"], D[0], D[2], by=list(by))
        pd.testing.assert_frame_equal(a, b)


def test_integer_measures_stay_integers():
    frame = _posts([0, 1, 2])
    assert frame["impressions"].dtype == np.int64 and frame["reach"].dtype == np.float64
    source = MemorySource(dataset(posts=frame))
    assert source._tables["posts"].measures["impressions"].dtype == np.int64
    assert source._tables["posts"].measures["reach"].dtype == np.float64
    total = source.rollup("posts", ["impressions", "reach"], D[0], D[2])
    assert total["impressions"][0] == 1200 and total["reach"][0] == 0 and total["rows"][0] == 6
    by_day = source.rollup("posts", ["impressions"], D[0], D[2], by=["date"])
    assert by_day["impressions"].tolist() == [200.0, 400.0, 600.0]
    tiktok = source.rollup("posts", ["impressions"], D[0], D[2], {"platform": ["tiktok"]})
    assert tiktok["impressions"][0] == 600


def test_missing_values_are_zero_in_sums_and_left_out_of_values():
    frame = interactions([10.0, None, 30.0, None, 50.0], D[0])
    source = MemorySource(dataset(interactions=frame))
    t = source._tables["interactions"]
    assert "response_minutes" not in t.complete and "interactions" in t.complete
    assert source.rollup("interactions", ["response_minutes"], D[0], D[0])["response_minutes"][0] == 90.0
    grouped = source.rollup("interactions", ["response_minutes", "responded"], D[0], D[0], by=["platform"])
    assert grouped["response_minutes"].tolist() == [90.0] and grouped["responded"].tolist() == [3.0]
    assert sorted(source.values("interactions", "response_minutes", D[0], D[0])) == [10.0, 30.0, 50.0]
    counts = source.values("interactions", "interactions", D[0], D[0])
    counts.sort()  # a copy: sorting it leaves the source as it was
    assert source.values("interactions", "interactions", D[0], D[0]).tolist() == [1.0] * 5
