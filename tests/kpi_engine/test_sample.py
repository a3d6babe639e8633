"""The synthetic sample: deterministic, internally consistent, planted events visible."""

from __future__ import annotations

import json
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from freezegun import freeze_time

from kpi_engine.sample import (
    CONTENT_TYPES,
    PLANTED_EVENTS,
    PLATFORMS,
    TOPICS,
    VIDEO_TYPES,
    generate_flat,
    generate_sample,
    write_sample,
)
from kpi_engine.schema import ACCOUNTS, INTERACTIONS, POSTS

END = date(2025, 6, 30)


@pytest.fixture(scope="module")
def sample():
    return generate_sample(end=END, days=200)


@pytest.fixture(scope="module")
def full():
    return generate_sample(end=END)


def _between(frame: pd.DataFrame, first: date, last: date, platform: str | None = None) -> pd.DataFrame:
    mask = (frame["date"] >= pd.Timestamp(first)) & (frame["date"] <= pd.Timestamp(last))
    if platform is not None:
        mask &= frame["platform"] == platform
    return frame[mask]


def test_same_arguments_give_identical_frames():
    a = generate_sample(end=END, days=60, seed=3)
    b = generate_sample(end=END, days=60, seed=3)
    for table in ("posts", "accounts", "interactions"):
        pd.testing.assert_frame_equal(a.table(table), b.table(table))
    c = generate_sample(end=END, days=60, seed=4)
    assert not a.posts["impressions"].equals(c.posts["impressions"])


def test_end_defaults_to_yesterday_utc():
    with freeze_time("2025-03-10 01:30:00"):
        ds = generate_sample(days=30)
    assert ds.posts["date"].max() == pd.Timestamp("2025-03-09")
    assert ds.posts["date"].min() == pd.Timestamp("2025-02-08")
    assert ds.accounts["date"].nunique() == 30


def test_full_sample_shape(full):
    posts = full.posts
    assert 100_000 <= len(posts) <= 300_000
    assert set(posts["platform"].unique()) == set(PLATFORMS)
    assert posts["account"].nunique() == 10
    assert posts.groupby("account", observed=True)["platform"].nunique().max() == 1
    assert set(posts["content_type"].unique()) == set(CONTENT_TYPES)
    assert set(posts["topic"].unique()) == set(TOPICS)
    untagged = (posts["campaign"] == "").mean()
    assert 0.4 < untagged < 0.9
    assert posts["campaign"].nunique() >= 8
    assert list(posts.columns) == ["date", *POSTS.dimensions, *POSTS.measures]
    assert all(posts[m].dtype == "float64" for m in POSTS.measures)
    assert posts["date"].dtype == "datetime64[ns]"
    assert all(isinstance(posts[d].dtype, pd.CategoricalDtype) for d in POSTS.dimensions)
    assert len(full.accounts) == 10 * 730
    assert list(full.accounts.columns) == ["date", *ACCOUNTS.dimensions, *ACCOUNTS.measures]
    assert set(INTERACTIONS.measures) <= set(full.interactions.columns)


def test_post_measures_are_consistent(full):
    p = full.posts
    parts = p[["likes", "comments", "shares", "saves"]].sum(axis=1)
    assert (p["engagements"] == parts).all()
    assert (p[list(POSTS.measures)] >= 0).all().all()
    assert (p["reach"] <= p["impressions"]).all()
    assert (p["clicks"] <= p["impressions"]).all()
    assert (p["video_completions"] <= p["video_views"]).all()
    assert (p["sessions"] <= p["clicks"]).all()
    assert (p["engaged_sessions"] <= p["sessions"]).all()
    assert (p["opportunities"] <= p["leads"]).all()
    assert ((p["opportunities"] == 0) == (p["pipeline_value"] == 0)).all()
    assert (p["add_to_carts"] <= p["product_page_views"]).all()
    assert (p["purchases"] <= p["add_to_carts"]).all()
    assert ((p["purchases"] == 0) == (p["revenue"] == 0)).all()
    assert (p["qualified_inquiries"] <= p["inquiries"]).all()
    assert (p["inquiries_won"] <= p["qualified_inquiries"]).all()
    not_video = ~p["content_type"].isin(sorted(VIDEO_TYPES))
    assert (p.loc[not_video, ["video_views", "video_completions", "watch_time_seconds"]] == 0).all().all()
    assert p.loc[~not_video, "video_views"].sum() > 0
    # Every funnel measure is actually exercised.
    assert (p[list(POSTS.measures)].sum() > 0).all()


def test_posts_published_once_on_first_day(full):
    p = full.posts
    published = p[p["posts_published"] == 1]
    assert set(p["posts_published"].unique()) <= {0.0, 1.0}
    assert not published["post_id"].duplicated().any()
    first_day = p.groupby("post_id", observed=True)["date"].min()
    assert (published.set_index("post_id")["date"] == first_day.reindex(published["post_id"]).values).all()
    # Posts live 7-14 days with decaying impressions.
    life = p.groupby("post_id", observed=True)["date"].agg(["min", "max"])
    span = (life["max"] - life["min"]).dt.days + 1
    assert span.max() <= 14
    age = (p["date"] - p.groupby("post_id", observed=True)["date"].transform("min")).dt.days
    by_age = p.groupby(age)["impressions"].sum()
    assert by_age[0] > by_age[2] > by_age[6]


def test_interactions_are_consistent(full):
    i = full.interactions
    assert str(i["received_at"].dt.tz) == "UTC"
    answered = i["first_response_at"].notna()
    assert 0.5 < answered.mean() < 0.95
    assert (i.loc[answered, "first_response_at"] >= i.loc[answered, "received_at"]).all()
    resolved = i["resolved_at"].notna()
    assert (resolved <= answered).all()
    assert (i.loc[resolved, "resolved_at"] >= i.loc[resolved, "first_response_at"]).all()
    assert (i["date"] == i["received_at"].dt.tz_localize(None).dt.normalize()).all()
    assert (i[["positive", "neutral", "negative"]].sum(axis=1) == 1).all()
    assert set(i["channel"].unique()) == {"comment", "dm", "mention", "review"}
    assert not i["interaction_id"].duplicated().any()
    minutes = i["response_minutes"].dropna()
    # Log-normal with business hours: long right tail, median well below the mean.
    assert minutes.median() < minutes.mean() / 2
    assert minutes.quantile(0.9) > 5 * minutes.median()


def test_followers_are_a_growing_stock(full):
    a = full.accounts
    first = a[a["date"] == a["date"].min()].set_index("account")["followers"]
    last = a[a["date"] == a["date"].max()].set_index("account")["followers"]
    assert (last > first).mean() >= 0.8
    assert (a["followers"] > 0).all()
    assert (a["competitor_mentions"].sum() > a["brand_mentions"].sum())


def test_weekly_seasonality_by_platform(full):
    p = full.posts
    weekday = p["date"].dt.day_of_week >= 5
    share = p[weekday].groupby("platform", observed=True)["impressions"].sum() / p.groupby(
        "platform", observed=True)["impressions"].sum()
    assert share["linkedin"] < 2 / 7 * 0.75  # weekends quiet on LinkedIn
    assert share["instagram"] > 2 / 7  # busier on Instagram
    assert share["tiktok"] > 2 / 7


def test_yearly_seasonality_peaks_in_q4(full):
    p = full.posts
    daily = p.groupby("date")["impressions"].sum()
    year = daily[daily.index > pd.Timestamp(END - timedelta(days=365))]
    q4 = year[year.index.quarter == 4].mean()
    q2q3 = year[year.index.quarter.isin([2, 3])].mean()
    assert q4 > 1.15 * q2q3


def test_planted_events_stay_clear_of_the_last_week():
    for event in PLANTED_EVENTS:
        first, last = event.window(END)
        assert last <= END
        # Either over before the last 7 days, or a step that began long before them.
        assert last <= END - timedelta(days=7) or (event.kind == "step" and first <= END - timedelta(days=28))


@pytest.mark.parametrize("end", [END, date(2025, 7, 3)])
def test_planted_events_visible_in_raw_sums(end):
    ds = generate_sample(end=end, days=200)
    by_name = {e.name: e for e in PLANTED_EVENTS}
    p, i = ds.posts, ds.interactions

    first, last = by_name["tiktok_engagement_drop"].window(end)
    cur = _between(p, first, last, "tiktok")
    before = _between(p, first - timedelta(days=28), first - timedelta(days=1), "tiktok")
    ratio = (cur.engagements.sum() / cur.impressions.sum()) / (before.engagements.sum() / before.impressions.sum())
    assert ratio < 0.75

    day, _ = by_name["linkedin_impressions_spike"].window(end)
    daily = _between(p, day - timedelta(days=28), day, "linkedin").groupby("date")["impressions"].sum()
    assert daily[pd.Timestamp(day)] > 2.5 * daily.iloc[:-1].median()

    first, last = by_name["instagram_ctr_step"].window(end)
    for platform, low, high in (("instagram", 1.2, 9.0), ("facebook", 0.75, 1.3)):
        cur = _between(p, first, last, platform)
        before = _between(p, first - timedelta(days=60), first - timedelta(days=1), platform)
        ratio = (cur.clicks.sum() / cur.impressions.sum()) / (before.clicks.sum() / before.impressions.sum())
        assert low < ratio < high, platform

    first, last = by_name["response_time_slowdown"].window(end)
    cur = _between(i, first, last)["response_minutes"].median()
    same_weekdays = [
        _between(i, first - timedelta(days=7 * k), last - timedelta(days=7 * k))["response_minutes"].median()
        for k in (1, 2, 3, 4)
    ]
    assert cur > 1.8 * np.mean(same_weekdays)


def test_flat_has_no_events_and_no_trend():
    flat = generate_flat(end=END, days=400)
    p = flat.posts
    first, last = PLANTED_EVENTS[0].window(END)
    cur = _between(p, first, last, "tiktok")
    before = _between(p, first - timedelta(days=28), first - timedelta(days=1), "tiktok")
    ratio = (cur.engagements.sum() / cur.impressions.sum()) / (before.engagements.sum() / before.impressions.sum())
    assert 0.8 < ratio < 1.25
    f = flat.accounts.pivot_table(index="date", columns="account", values="followers", observed=True)
    assert (f.iloc[-1] / f.iloc[0] - 1).abs().max() < 0.05
    daily = p.groupby("date")["impressions"].sum()
    first_q, last_q = daily.iloc[30:120].mean(), daily.iloc[-90:].mean()
    assert 0.8 < last_q / first_q < 1.25


def test_scale_multiplies_accounts_and_rows():
    one = generate_sample(end=END, days=60)
    two = generate_sample(end=END, days=60, scale=2.0)
    assert two.posts["account"].nunique() == 20
    assert 1.7 < len(two.posts) / len(one.posts) < 2.3
    tiny = generate_sample(end=END, days=60, scale=0.1)
    assert set(tiny.posts["platform"].unique()) == set(PLATFORMS)
    assert len(tiny.posts) < len(one.posts) / 4


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_write_sample_writes_three_files(tmp_path, fmt):
    ds = generate_sample(end=END, days=20)
    files = write_sample(ds, tmp_path / "out", fmt=fmt)
    assert sorted(f.name for f in files) == sorted(f"{t}.{fmt}" for t in ("posts", "accounts", "interactions"))
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(f.name for f in files)  # no temp files
    if fmt == "csv":
        head = (tmp_path / "out" / "posts.csv").read_text().replace('"', "").splitlines()[:2]
        assert head[0].startswith("date,platform,account,post_id")
        assert head[1].startswith("2025-06-11,")
        assert ",0,1" in head[1] or ",1," in head[1] or ",0," in head[1]  # whole counts, not 0.0


def test_write_sample_rejects_unknown_format(tmp_path):
    with pytest.raises(ValueError, match="csv or parquet"):
        write_sample(generate_sample(end=END, days=5), tmp_path, fmt="xlsx")


def test_cli_sample_writes_files_and_events(tmp_path):
    from typer.testing import CliRunner

    from bot.cli.data_cmd import app

    result = CliRunner().invoke(
        app, ["sample", "--out", str(tmp_path / "s"), "--end", "2025-06-30", "--days", "30", "--json"]
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["end"] == "2025-06-30"
    assert {e["name"] for e in payload["planted_events"]} == {e.name for e in PLANTED_EVENTS}
    assert (tmp_path / "s" / "posts.csv").exists()
    bad = CliRunner().invoke(app, ["sample", "--end", "30/06/2025"])
    assert bad.exit_code == 1
    assert "--end must be a date" in bad.output
