"""The data-quality report finds each planted problem and stays quiet on clean data."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest
from typer.testing import CliRunner

from kpi_engine.quality import check_quality
from kpi_engine.schema import ACCOUNTS, INTERACTIONS, POSTS
from kpi_engine.source import Dataset

TODAY = date(2025, 6, 4)


def _posts(rows: list[dict]) -> pd.DataFrame:
    base = {"platform": "x", "account": "a", "content_type": "text", "topic": "product", "campaign": "launch"}
    frame = pd.DataFrame([{**base, **r} for r in rows])
    frame["date"] = pd.to_datetime(frame["date"])
    for m in POSTS.measures:
        if m not in frame:
            frame[m] = 0.0
    return frame[["date", *POSTS.dimensions, *POSTS.measures]]


def _clean_posts() -> pd.DataFrame:
    return _posts([
        {"date": f"2025-06-0{d}", "post_id": f"p{d}", "impressions": 100.0, "reach": 80.0, "likes": 5.0,
         "comments": 1.0, "engagements": 6.0, "clicks": 3.0, "sessions": 2.0, "engaged_sessions": 1.0}
        for d in (1, 2, 3, 4)
    ])


def _accounts() -> pd.DataFrame:
    return pd.DataFrame({"date": pd.to_datetime(["2025-06-03", "2025-06-04"]), "platform": "x", "account": "a",
                         "followers": [100.0, 101.0], "brand_mentions": 1.0, "competitor_mentions": 2.0})[
        ["date", *ACCOUNTS.dimensions, *ACCOUNTS.measures]]


def _interactions(minutes: list[float]) -> pd.DataFrame:
    frame = pd.DataFrame({"interaction_id": [f"i{k}" for k in range(len(minutes))], "platform": "x",
                          "account": "a", "channel": "dm", "sentiment": "neutral",
                          "date": pd.Timestamp("2025-06-04"), "response_minutes": minutes})
    for m in INTERACTIONS.measures:
        if m not in frame:
            frame[m] = 1.0 if m in ("interactions", "responded", "neutral") else 0.0
    frame["resolution_minutes"] = float("nan")
    return frame


def _checks(report, table: str = "posts") -> dict[str, object]:
    return {i.check: i for i in report.issues if i.table == table}


def test_clean_data_is_ok():
    report = check_quality(Dataset(posts=_clean_posts(), accounts=_accounts(), interactions=_interactions([5, 9])),
                           today=TODAY)
    assert report.ok
    assert [i for i in report.issues if i.severity != "info"] == []
    posts = report.tables[0]
    assert (posts.table, posts.rows, posts.first_date, posts.last_date) == ("posts", 4, date(2025, 6, 1), TODAY)
    assert posts.gap_days == [] and posts.duplicate_rows == 0


def test_gap_days_are_listed():
    frame = _clean_posts()
    frame = frame[frame["date"] != "2025-06-02"]
    report = check_quality(Dataset(posts=frame), today=TODAY)
    gap = _checks(report)["gaps"]
    assert gap.severity == "warning" and gap.count == 1
    assert "2025-06-02" in gap.message
    assert report.tables[0].gap_days == [date(2025, 6, 2)]
    assert report.ok  # a gap is a warning, not an error


def test_duplicates_by_natural_key_are_errors():
    frame = _clean_posts()
    frame = pd.concat([frame, frame.iloc[[1, 2]]], ignore_index=True)
    report = check_quality(Dataset(posts=frame), today=TODAY)
    dup = _checks(report)["duplicates"]
    assert (dup.severity, dup.count) == ("error", 2)
    assert "count them twice" in dup.message
    assert not report.ok and report.tables[0].duplicate_rows == 2
    # Interactions are keyed by their id.
    inter = _interactions([1, 2, 3])
    inter.loc[2, "interaction_id"] = "i0"
    assert _checks(check_quality(Dataset(interactions=inter), today=TODAY), "interactions")["duplicates"].count == 1


def test_negative_values_are_errors():
    frame = _clean_posts()
    frame.loc[0, "likes"] = -3.0
    frame.loc[1, "impressions"] = -1.0
    issue = _checks(check_quality(Dataset(posts=frame), today=TODAY))["negative"]
    assert issue.severity == "error" and issue.count == 2
    assert "likes (1)" in issue.message and "impressions (1)" in issue.message
    inter = _interactions([4.0, -30.0])
    issue = _checks(check_quality(Dataset(interactions=inter), today=TODAY), "interactions")["negative"]
    assert "response_minutes (1)" in issue.message and "response before receipt" in issue.message


@pytest.mark.parametrize("changes, check, severity", [
    ({"clicks": 150.0}, "clicks_gt_impressions", "error"),
    ({"reach": 120.0}, "reach_gt_impressions", "warning"),
    ({"engaged_sessions": 5.0}, "engaged_sessions_gt_sessions", "error"),
    ({"video_views": 10.0, "video_completions": 11.0}, "video_completions_gt_video_views", "error"),
    ({"inquiries": 2.0, "qualified_inquiries": 3.0}, "qualified_inquiries_gt_inquiries", "error"),
    ({"leads": 1.0, "opportunities": 2.0}, "opportunities_gt_leads", "error"),
    ({"engagements": 60.0}, "engagements_mismatch", "warning"),
])
def test_impossible_relations(changes, check, severity):
    frame = _clean_posts()
    for column, value in changes.items():
        frame.loc[2, column] = value
    report = check_quality(Dataset(posts=frame), today=TODAY)
    issue = _checks(report)[check]
    assert (issue.severity, issue.count) == (severity, 1)
    assert issue.examples == ["2025-06-03 / p3"]
    assert report.ok is (severity != "error")


def test_engagements_within_tolerance_pass():
    frame = _clean_posts()
    frame["impressions"] = 100000.0
    frame["likes"], frame["engagements"] = 5000.0, 5041.0  # 0.8% off: rounding in exports
    frame["comments"] = 0.0
    assert "engagements_mismatch" not in _checks(check_quality(Dataset(posts=frame), today=TODAY))


def test_untagged_campaign_share():
    frame = _clean_posts()
    frame["campaign"] = ["", "", "", "launch"]
    issue = _checks(check_quality(Dataset(posts=frame), today=TODAY))["untagged_campaign"]
    assert issue.severity == "info" and issue.count == 3
    assert issue.message.startswith("75% of post rows (75% of impressions) have no campaign tag")
    frame["campaign"] = ""
    assert _checks(check_quality(Dataset(posts=frame), today=TODAY))["untagged_campaign"].severity == "warning"


def test_stale_and_future_data():
    report = check_quality(Dataset(posts=_clean_posts()), today=date(2025, 6, 20), stale_after_days=3)
    stale = _checks(report)["stale"]
    assert stale.severity == "warning" and stale.count == 16
    assert "ends on 2025-06-04, 16 days before 2025-06-20" in stale.message
    assert "stale" not in _checks(check_quality(Dataset(posts=_clean_posts()), today=date(2025, 6, 7)))
    future = _checks(check_quality(Dataset(posts=_clean_posts()), today=date(2025, 6, 2)))["future"]
    assert future.count == 2


def test_missing_tables_and_empty_tables():
    report = check_quality(Dataset(posts=_clean_posts().iloc[:0]), today=TODAY)
    assert _checks(report)["empty"].severity == "error"
    assert _checks(report, "accounts")["missing_table"].severity == "info"
    assert "follower" in _checks(report, "accounts")["missing_table"].message


def test_cli_check_exit_codes(tmp_path):
    from bot.cli.data_cmd import app

    clean = tmp_path / "posts.csv"
    _clean_posts().assign(date=lambda f: f["date"].dt.strftime("%Y-%m-%d")).to_csv(clean, index=False)
    ok = CliRunner().invoke(app, ["check", str(clean), "--json", "--stale-after", "100000"])
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.output)["ok"] is True

    bad = tmp_path / "bad" / "posts.csv"
    bad.parent.mkdir()
    frame = _clean_posts()
    frame.loc[0, "clicks"] = 500.0
    frame.assign(date=lambda f: f["date"].dt.strftime("%Y-%m-%d")).to_csv(bad, index=False)
    result = CliRunner().invoke(app, ["check", str(bad.parent)])
    assert result.exit_code == 1
    assert "error(s)" in result.output and "Issues" in result.output
    as_json = json.loads(CliRunner().invoke(app, ["check", str(bad.parent), "--json"]).output)
    assert as_json["ok"] is False
    assert any(i["check"] == "clicks_gt_impressions" for i in as_json["issues"])

    missing = CliRunner().invoke(app, ["check", str(tmp_path / "nope.csv")])
    assert missing.exit_code == 1 and "no such file or folder" in " ".join(missing.output.split())
