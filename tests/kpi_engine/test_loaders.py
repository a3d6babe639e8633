"""Loading files and platform exports into the canonical tables, and the errors people see."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from kpi_engine.errors import LoadError
from kpi_engine.loaders import available_mappings, load_dataset, load_mapping, load_table
from kpi_engine.sample import generate_sample, write_sample
from kpi_engine.schema import INTERACTIONS, POSTS

END = date(2025, 6, 30)


@pytest.fixture(scope="module")
def sample():
    return generate_sample(end=END, days=45)


def _write(path: Path, text: str) -> Path:
    path.write_text(text.lstrip("\n"), encoding="utf-8")
    return path


POSTS_CSV = """
date,platform,account,post_id,content_type,topic,campaign,impressions,likes,comments,shares,saves,clicks
2025-06-01,Instagram,acme,p1,Reel,how_to,,100,5,1,1,2,3
2025-06-02,instagram,acme,p1,reel,how_to,,40,2,0,0,1,1
2025-06-02,Twitter,acme_x,0017,text,product,launch ,30,1,0,0,0,2
"""


# -- round trips ---------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_round_trip_of_written_sample(tmp_path, sample, fmt):
    write_sample(sample, tmp_path, fmt=fmt)
    loaded = load_dataset(tmp_path)
    for table in ("posts", "accounts", "interactions"):
        pd.testing.assert_frame_equal(loaded.table(table), sample.table(table))
        assert loaded.table(table).attrs["load_notes"] == []
    assert loaded.timezone == "UTC"


def test_single_canonical_file_is_normalised(tmp_path):
    frame = load_table(_write(tmp_path / "export.csv", POSTS_CSV))
    assert frame.attrs["table"] == "posts"  # inferred from the post_id column
    assert list(frame.columns) == ["date", *POSTS.dimensions, *POSTS.measures]
    assert list(frame["platform"]) == ["instagram", "instagram", "x"]
    assert list(frame["content_type"]) == ["reel", "reel", "text"]
    assert list(frame["campaign"]) == ["", "", "launch"]  # empty = untagged, spaces trimmed
    assert list(frame["post_id"]) == ["p1", "p1", "0017"]  # ids stay text
    assert list(frame["engagements"]) == [9.0, 3.0, 1.0]  # derived from its parts
    assert list(frame["posts_published"]) == [1.0, 0.0, 1.0]  # first day of each post
    assert frame["reach"].sum() == 0 and "reach" in frame.attrs["absent_measures"]
    assert frame["date"].dtype == "datetime64[ns]"
    assert all(frame[m].dtype == "float64" for m in POSTS.measures)
    assert isinstance(frame["platform"].dtype, pd.CategoricalDtype)


def test_interactions_derive_measures_in_the_reporting_timezone(tmp_path):
    path = _write(tmp_path / "interactions.csv", """
interaction_id,platform,account,channel,sentiment,received_at,first_response_at,resolved_at
a,x,care,DM,Positive,2025-06-02T03:00:00Z,2025-06-02T03:30:00Z,2025-06-02T05:00:00Z
b,x,care,comment,negative,2025-06-02T15:00:00Z,,
c,x,care,mention,mixed,2025-06-02 16:00:00,2025-06-02 16:10:00,
""")
    utc = load_dataset(path).interactions
    assert list(utc["response_minutes"].fillna(-1)) == [30.0, -1, 10.0]
    assert list(utc["resolution_minutes"].fillna(-1)) == [120.0, -1, -1]
    assert list(utc["responded"]) == [1.0, 0.0, 1.0]
    assert list(utc["positive"]) == [1.0, 0.0, 0.0] and list(utc["negative"]) == [0.0, 1.0, 0.0]
    assert any("mixed" in n for n in utc.attrs["load_notes"])
    assert str(utc["received_at"].dt.tz) == "UTC"
    assert list(utc.columns) == ["interaction_id", *INTERACTIONS.dimensions, *INTERACTIONS.timestamps, "date",
                                 *INTERACTIONS.measures]
    ny = load_dataset(path, timezone="America/New_York").interactions
    assert list(ny["date"].dt.day) == [1, 2, 2]  # 03:00 UTC is the evening before in New York


def test_rows_without_keys_are_dropped_and_reported(tmp_path):
    path = _write(tmp_path / "posts.csv", """
date,platform,account,post_id,impressions
2025-06-01,x,a,p1,10
,x,a,p2,20
2025-06-02,x,a,,5
2025-06-03,x,a,p3,
""")
    frame = load_table(path)
    assert len(frame) == 2
    notes = " | ".join(frame.attrs["load_notes"])
    assert "dropped 1 rows with no date (first at line 3)" in notes
    assert "dropped 1 rows with no post_id (first at line 4)" in notes
    assert "filled 1 blank impressions cells with 0" in notes
    from kpi_engine.quality import check_quality

    report = check_quality(load_dataset(path), today=date(2025, 6, 3))
    assert any(i.check == "load" and "dropped" in i.message for i in report.issues)


# -- mappings ---------------------------------------------------------------------------


META_IG = """
Post ID,Account ID,Account username,Account name,Description,Duration (sec),Publish time,Permalink,Post type,Data comment,Date,Views,Reach,Likes,Shares,Follows,Comments,Saves
17900000000000001,178,acme,Acme,Tips,12,06/13/2024 23:30,https://instagram.com/p/1,IG reel,,Lifetime,"1,200",900,50,5,1,4,7
17900000000000002,178,acme,Acme,Carousel,0,06/14/2024 09:00,https://instagram.com/p/2,IG carousel,,Lifetime,800,700,40,2,0,3,9
"""

META_FB = """
Post ID,Page ID,Page name,Title,Description,Duration (sec),Publish time,Caption type,Permalink,Is crosspost,Is share,Post type,Languages,Custom labels,Funded content status,Data comment,Date,Impressions,Reach,"Reactions, comments and shares",Reactions,Comments,Shares,Total clicks,Link clicks,Other clicks,Seconds viewed,3-second video views
1234_5678,1234,Acme Page,,Sale,0,06/14/2024 10:00,,https://fb.com/1,No,No,Links,,summer_sale,,,Lifetime,2000,1500,60,40,12,8,90,30,60,0,0
1234_5679,1234,Acme Page,,Video,45,06/15/2024 10:00,,https://fb.com/2,No,No,Videos,,,,,Lifetime,3000,2500,110,80,20,10,50,10,40,9000,600
"""

LINKEDIN = """
All posts - exported 07/01/2024,,,,,,,,,,,,,,,,,,,
Post title,Post link,Post type,Campaign name,Posted by,Created date,Campaign start date,Campaign end date,Audience,Impressions,Views (excluding off-site video views),Off-site views,Clicks,Click through rate (CTR),Likes,Comments,Reposts,Follows,Engagement rate,Content Type
Our Q2 report,https://www.linkedin.com/feed/update/urn:li:activity:1,Organic,,Ann,06/03/2024,,,All followers,4000,,,120,0.03,80,10,5,2,0.054,Document
Hiring!,https://www.linkedin.com/feed/update/urn:li:activity:2,Organic,,Ann,06/04/2024,,,All followers,2500,300,0,40,0.016,30,4,2,0,0.03,Video
Promo,https://www.linkedin.com/feed/update/urn:li:activity:3,Sponsored,Q2 push,Ann,06/05/2024,06/05/2024,06/30/2024,Targeted,90000,,,900,0.01,200,10,5,40,0.012,Image
"""

TIKTOK = """
Video title,Video link,Post time,Total likes,Total comments,Total shares,Total views,Total saves
Dance,https://www.tiktok.com/@acme/video/1,2024-06-13 18:00:00,300,20,15,5000,40
Tips,https://www.tiktok.com/@acme/video/2,2024-06-14 18:00:00,100,5,3,2000,12
"""


def test_shipped_mappings_load():
    names = available_mappings()
    assert {"meta_business_suite_posts", "linkedin_page_updates", "tiktok_studio_content"} <= set(names)
    for name in names:
        assert load_mapping(name).table == "posts"


def test_meta_instagram_export(tmp_path):
    path = _write(tmp_path / "ig.csv", META_IG)
    ds = load_dataset(path, mapping="meta_business_suite_posts")
    p = ds.posts
    assert list(p["platform"]) == ["instagram", "instagram"]
    assert list(p["account"]) == ["acme", "acme"]
    assert list(p["post_id"]) == ["17900000000000001", "17900000000000002"]
    assert list(p["content_type"]) == ["reel", "carousel"]
    assert list(p["impressions"]) == [1200.0, 800.0]  # "Views" with a thousands separator
    assert list(p["engagements"]) == [50 + 4 + 5 + 7, 40 + 3 + 2 + 9]
    assert list(p["posts_published"]) == [1.0, 1.0]
    # 23:30 Pacific on the 13th is the 14th in UTC; the date follows the reporting timezone.
    assert list(p["date"].dt.day) == [14, 14]
    local = load_dataset(path, mapping="meta_business_suite_posts", timezone="America/Los_Angeles").posts
    assert list(local["date"].dt.day) == [13, 14]


def test_meta_facebook_export(tmp_path):
    p = load_dataset(_write(tmp_path / "fb.csv", META_FB), mapping="meta_business_suite_posts").posts
    assert list(p["platform"]) == ["facebook", "facebook"]
    assert list(p["account"]) == ["Acme Page", "Acme Page"]
    assert list(p["content_type"]) == ["link", "video"]
    assert list(p["campaign"]) == ["summer_sale", ""]
    assert list(p["clicks"]) == [30.0, 10.0]  # link clicks, not all clicks
    assert list(p["likes"]) == [40.0, 80.0]
    assert list(p["video_views"]) == [0.0, 600.0]
    assert list(p["watch_time_seconds"]) == [0.0, 9000.0]


def test_meta_unknown_post_type_names_the_fix(tmp_path):
    text = META_FB.replace(",Links,", ",Carousel album,")
    with pytest.raises(LoadError, match="Carousel album.*values.platform"):
        load_dataset(_write(tmp_path / "fb.csv", text), mapping="meta_business_suite_posts")


def test_linkedin_updates_export(tmp_path):
    path = _write(tmp_path / "linkedin.csv", LINKEDIN)
    p = load_dataset(path, mapping="linkedin_page_updates").posts
    assert len(p) == 2  # the sponsored row is dropped ...
    assert any("Sponsored" not in n and "Post type" in n for n in p.attrs["load_notes"])  # ... and reported
    assert list(p["platform"]) == ["linkedin", "linkedin"]
    assert list(p["account"]) == ["linkedin_page", "linkedin_page"]
    assert list(p["date"]) == [pd.Timestamp("2024-06-03"), pd.Timestamp("2024-06-04")]
    assert list(p["shares"]) == [5.0, 2.0]
    assert list(p["engagements"]) == [95.0, 36.0]
    assert list(p["content_type"]) == ["carousel", "video"]
    # Same export without the title row: the header is found anyway.
    no_title = _write(tmp_path / "li2.csv", LINKEDIN.lstrip("\n").split("\n", 1)[1])
    assert len(load_dataset(no_title, mapping="linkedin_page_updates").posts) == 2


META_IG_BOTH = """
Post ID,Account username,Publish time,Post type,Impressions,Views,Reach,Likes,Comments,Shares,Saves
17900000000000003,acme,06/13/2024 10:00,IG image,900,1400,700,30,2,1,5
"""


def test_meta_views_fill_impressions_only_when_the_export_has_no_impressions(tmp_path):
    # Views count reel plays and repeat screens: a stand-in for times shown, not a renamed impressions.
    only_views = load_dataset(_write(tmp_path / "ig.csv", META_IG), mapping="meta_business_suite_posts").posts
    assert list(only_views["impressions"]) == [1200.0, 800.0]
    assert list(only_views["video_views"]) == [0.0, 0.0]  # views never feed video views (photos count too)
    assert "video_views" in only_views.attrs["absent_measures"]
    both = load_dataset(_write(tmp_path / "both.csv", META_IG_BOTH), mapping="meta_business_suite_posts").posts
    assert list(both["impressions"]) == [900.0]  # the export's own impressions win over views
    assert "views" in load_mapping("meta_business_suite_posts").description.lower()


def test_linkedin_clicks_are_not_link_clicks_and_saves_are_mapped(tmp_path):
    p = load_dataset(_write(tmp_path / "linkedin.csv", LINKEDIN), mapping="linkedin_page_updates").posts
    # "Clicks" counts clicks on the content, company name or logo: not the link clicks CTR divides.
    assert "clicks" in p.attrs["absent_measures"] and "saves" in p.attrs["absent_measures"]
    assert list(p["impressions"]) == [4000.0, 2500.0]
    with_saves = LINKEDIN.replace("Content Type\n", "Content Type,Saves\n").replace(",Document\n", ",Document,12\n") \
        .replace(",Video\n", ",Video,3\n").replace(",Image\n", ",Image,9\n")
    p = load_dataset(_write(tmp_path / "li_saves.csv", with_saves), mapping="linkedin_page_updates").posts
    assert list(p["saves"]) == [12.0, 3.0] and "saves" not in p.attrs["absent_measures"]
    assert list(p["engagements"]) == [80 + 10 + 5 + 12, 30 + 4 + 2 + 3]


def test_tiktok_export(tmp_path):
    p = load_dataset(_write(tmp_path / "tt.csv", TIKTOK), mapping="tiktok_studio_content").posts
    assert list(p["impressions"]) == [5000.0, 2000.0]  # views stand in for impressions
    assert list(p["video_views"]) == [5000.0, 2000.0]
    assert list(p["saves"]) == [40.0, 12.0]
    assert list(p["content_type"]) == ["short", "short"]


def test_mapping_on_the_wrong_export_says_so(tmp_path):
    with pytest.raises(LoadError) as err:
        load_dataset(_write(tmp_path / "tt.csv", TIKTOK), mapping="linkedin_page_updates")
    message = str(err.value)
    assert "tt.csv" in message and "linkedin_page_updates" in message
    assert "'Post link' or 'Update link'" in message and "Video link" in message


def test_custom_mapping_file(tmp_path):
    mapping = _write(tmp_path / "mine.yaml", """
table: accounts
platform: instagram
date: {column: Day, format: "%d.%m.%Y"}
columns: {Handle: account, Fans: followers}
""")
    path = _write(tmp_path / "followers.csv", "Day,Handle,Fans\n01.06.2025,acme,100\n02.06.2025,acme,103\n")
    ds = load_dataset(path, mapping=mapping)
    assert ds.posts is None
    assert list(ds.accounts["followers"]) == [100.0, 103.0]
    assert list(ds.accounts["date"].dt.day) == [1, 2]
    assert list(ds.accounts["brand_mentions"]) == [0.0, 0.0]


# -- errors people see ---------------------------------------------------------------


def test_missing_required_column(tmp_path):
    path = _write(tmp_path / "posts.csv", "date,platform,account,views\n2025-06-01,x,a,4\n")
    with pytest.raises(LoadError) as err:
        load_dataset(path)
    message = str(err.value)
    assert "posts.csv" in message
    assert "post_id, impressions" in message
    assert "Found columns: date, platform, account, views" in message
    assert "--mapping" in message and "meta_business_suite_posts" in message


def test_bad_date_names_the_line(tmp_path):
    path = _write(tmp_path / "posts.csv", POSTS_CSV.replace("2025-06-02,Twitter", "2025-13-45,Twitter"))
    with pytest.raises(LoadError, match=r"posts\.csv: column 'date' .* on line 4: '2025-13-45'"):
        load_dataset(path)


def test_non_numeric_value_names_line_and_column(tmp_path):
    path = _write(tmp_path / "posts.csv", POSTS_CSV.replace(",40,2,", ",forty,2,"))
    with pytest.raises(LoadError, match=r"column 'impressions' should hold numbers but line 3 has 'forty'"):
        load_dataset(path)


def test_non_numeric_value_in_parquet_names_the_row(tmp_path):
    frame = pd.DataFrame({"date": ["2025-06-01", "2025-06-02"], "platform": "x", "account": "a",
                          "post_id": ["p1", "p2"], "impressions": ["5", "n/a?"]})
    frame.to_parquet(tmp_path / "posts.parquet")
    with pytest.raises(LoadError, match=r"row 2 has 'n/a\?'"):
        load_dataset(tmp_path / "posts.parquet")


@pytest.mark.parametrize("text, expected", [
    ("", "the file is empty"),
    ("date,platform,account,post_id,impressions\n", "header but no data rows"),
    ("date,platform,account,post_id,impressions\n2025-06-01,x,a,p1,4,9,9\n", "malformed CSV"),
])
def test_empty_and_malformed_files(tmp_path, text, expected):
    path = _write(tmp_path / "posts.csv", text) if text else tmp_path / "posts.csv"
    if not text:
        path.write_bytes(b"")
    with pytest.raises(LoadError, match=expected) as err:
        load_dataset(path)
    assert "posts.csv" in str(err.value)


def test_unknown_mapping_lists_the_shipped_ones():
    with pytest.raises(LoadError, match="Unknown column mapping 'hootsuite'.*linkedin_page_updates"):
        load_mapping("hootsuite")


@pytest.mark.parametrize("text, expected", [
    ("table: posts\ncolumns: {a: b\n", r"bad\.yaml: line \d+, column \d+: invalid YAML"),
    ("table: posts\ncolumn: {Reach: reach}\n", r"bad\.yaml: invalid column mapping: column: Extra inputs"),
    ("table: posts\ncolumns: {Reach: reech}\n", r"'Reach' maps to 'reech', which is not a posts column"),
    ("table: tweets\n", r"table: Input should be 'posts', 'accounts' or 'interactions'"),
    ("- a\n- b\n", "must be a YAML mapping"),
])
def test_bad_mapping_names_file_and_problem(tmp_path, text, expected):
    path = _write(tmp_path / "bad.yaml", text)
    with pytest.raises(LoadError, match=expected):
        load_mapping(path)


def test_other_load_errors(tmp_path):
    with pytest.raises(LoadError, match="no such file or folder"):
        load_dataset(tmp_path / "missing.csv")
    (tmp_path / "empty_dir").mkdir()
    with pytest.raises(LoadError, match="no posts, accounts or interactions file"):
        load_dataset(tmp_path / "empty_dir")
    with pytest.raises(LoadError, match="Unknown timezone 'Mars/Base'"):
        load_dataset(tmp_path, timezone="Mars/Base")
    with pytest.raises(LoadError, match="cannot tell which table"):
        load_dataset(_write(tmp_path / "thing.csv", "a,b\n1,2\n"))
    with pytest.raises(LoadError, match="save the sheet as CSV"):
        load_dataset(_write(tmp_path / "export.xlsx", "x"))
