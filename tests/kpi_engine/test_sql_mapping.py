"""Warehouse tables mapped by the same YAML files use: Fivetran's social-media rollup report.

The hand-built table below has Fivetran's columns and quirks (platform 'twitter',
YouTube 'clicks' that are views and no impressions, Facebook without comments
and shares). The SQL source reading it through the mapping must give the same
numbers as the file loader reading a CSV of it with the same mapping, and the
hand-computed ones.
"""

from __future__ import annotations

import os
import uuid
from datetime import date

import pandas as pd
import pytest
import sqlalchemy as sa

from kpi_engine import Engine, MemorySource
from kpi_engine.errors import DataError
from kpi_engine.loaders import load_dataset
from kpi_engine.periods import Period
from kpi_engine.sql import SqlSource

PG_URL = os.environ.get("TEST_DATABASE_URL")
TABLE = "social_media_reporting__rollup_report"
NAN = float("nan")
# created_timestamp, post_id, page_id, page_name, platform, clicks, impressions, likes, shares, comments
ROWS = [
    ("2025-06-01 09:15:00", "fb1", "p1", "Acme", "facebook", 12, 1000, 40, NAN, NAN),
    ("2025-06-01 18:00:00", "ig1", "u1", "acme", "instagram", NAN, 2000, 90, NAN, 10),
    ("2025-06-02 07:30:00", "li1", "o1", "Acme Corp", "linkedin", 30, 800, 20, 5, 3),
    ("2025-06-02 12:00:00", "tw1", "a1", "acme", "twitter", 8, 500, 10, 4, 2),
    ("2025-06-03 23:59:00", "yt1", "c1", "Acme TV", "youtube", 700, NAN, 25, 3, 6),
    ("2025-06-04 10:00:00", "ig2", "u1", "acme", "instagram", NAN, 1500, 60, NAN, 5),
]
COLUMNS = ["created_timestamp", "post_id", "page_id", "page_name", "platform", "clicks", "impressions",
           "likes", "shares", "comments"]
PERIOD = Period(start=date(2025, 6, 1), end=date(2025, 6, 4), label="June 1-4", kind="custom")


def _frame() -> pd.DataFrame:
    frame = pd.DataFrame(ROWS, columns=COLUMNS)
    frame["created_timestamp"] = pd.to_datetime(frame["created_timestamp"])
    return frame


try:
    import duckdb_engine  # noqa: F401

    HAVE_DUCKDB = True
except ImportError:
    HAVE_DUCKDB = False


@pytest.fixture(scope="module", params=[
    "sqlite",
    pytest.param("duckdb", marks=pytest.mark.skipif(not HAVE_DUCKDB, reason="pip install 'kpi-advisor[duckdb]'")),
    pytest.param("postgresql", marks=pytest.mark.skipif(not PG_URL, reason="TEST_DATABASE_URL not set")),
])
def warehouse(request, tmp_path_factory):
    """(url, engine, schema) holding the Fivetran-shaped table, as dbt would build it."""
    schema = None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('fivetran') / 'w.db'}"
    elif request.param == "duckdb":
        url = f"duckdb:///{tmp_path_factory.mktemp('fivetran') / 'w.duckdb'}"
    else:
        url = PG_URL
        schema = f"social_media_reporting_{uuid.uuid4().hex[:8]}"
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        if schema:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        prefix = f'"{schema}".' if schema else ""
        types = ["TIMESTAMP", "TEXT", "TEXT", "TEXT", "TEXT"] + ["DOUBLE PRECISION"] * 5
        if request.param == "sqlite":
            types = ["TEXT"] * 5 + ["REAL"] * 5
        conn.execute(sa.text(f"CREATE TABLE {prefix}{TABLE} ("
                             + ", ".join(f"{c} {t}" for c, t in zip(COLUMNS, types, strict=True)) + ")"))
        for row in ROWS:
            values = {c: (None if isinstance(v, float) and v != v else v) for c, v in zip(COLUMNS, row, strict=True)}
            conn.execute(sa.text(f"INSERT INTO {prefix}{TABLE} VALUES ("
                                 + ", ".join(f":{c}" for c in COLUMNS) + ")"), values)
    yield url, engine, schema
    if schema:
        with engine.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


@pytest.fixture
def sql_engine(warehouse):
    url, engine, schema = warehouse
    source = SqlSource(url, engine=engine, schema=schema, mappings=["fivetran_social_media_rollup"])
    return Engine(source=source, today=date(2025, 6, 5))


@pytest.fixture(scope="module")
def file_engine(tmp_path_factory):
    path = tmp_path_factory.mktemp("export") / "rollup.csv"
    _frame().to_csv(path, index=False)
    dataset = load_dataset(path, mapping="fivetran_social_media_rollup")
    return Engine(source=MemorySource(dataset), today=date(2025, 6, 5))


def test_the_mapping_reads_the_table_by_its_dbt_name_with_hand_computed_numbers(sql_engine):
    value = lambda kpi, f=None: sql_engine.compute_value(kpi, PERIOD, f).value  # noqa: E731
    assert value("impressions") == 1000 + 2000 + 800 + 500 + 1500  # YouTube has none
    assert value("posts_published") == 6
    assert value("video_views") == 700  # YouTube clicks are views
    # link clicks: Facebook and X only (LinkedIn's are all clicks, YouTube's are views)
    assert value("click_through_rate") == pytest.approx((12 + 8) / 5800 * 100)
    # engagements = likes + comments + shares, missing parts counting 0
    engagements = 40 + (90 + 10) + (20 + 5 + 3) + (10 + 4 + 2) + (25 + 3 + 6) + (60 + 5)
    assert value("engagements") == engagements
    assert value("impressions", {"platform": ["x"]}) == 500  # 'twitter' is the canonical x
    assert sql_engine.source.dimension_values("posts", "platform") == [
        "facebook", "instagram", "linkedin", "x", "youtube"]
    assert sql_engine.source.date_range("posts") == (date(2025, 6, 1), date(2025, 6, 4))


def test_sql_and_file_give_the_same_numbers_with_the_same_mapping(sql_engine, file_engine):
    for kpi in ("impressions", "engagements", "engagement_rate", "click_through_rate", "video_views",
                "posts_published", "engagements_per_post"):
        for filters in (None, {"platform": ["instagram", "youtube"]}):
            a = sql_engine.compute_value(kpi, PERIOD, filters).value
            b = file_engine.compute_value(kpi, PERIOD, filters).value
            assert a == (None if b is None else pytest.approx(b, rel=1e-9)), (kpi, filters)


def test_what_the_mapping_cannot_provide_is_said(sql_engine):
    for kpi, missing in (("reach", "reach"), ("save_rate", "saves")):
        with pytest.raises(DataError, match=f"fivetran_social_media_rollup.*provides no {missing}.*impressions"):
            sql_engine.compute_value(kpi, PERIOD)
    assert not sql_engine.source.has_table("accounts")  # no followers there


def test_wrong_table_or_schema_names_the_settings(warehouse):
    url, engine, schema = warehouse
    src = SqlSource(url, engine=engine, schema=schema, tables={"posts": "no_such_table"},
                    mappings=["fivetran_social_media_rollup"])
    settings = "KPI_ADVISOR_DATA_TABLES.*KPI_ADVISOR_DATA_SCHEMA"
    with pytest.raises(DataError, match=f"no table '(\\w+\\.)?no_such_table'.*{settings}"):
        src.rollup("posts", ["impressions"], PERIOD.start, PERIOD.end)
    with pytest.raises(DataError, match="KPI_ADVISOR_DATA_TABLES names unknown table"):
        SqlSource(url, engine=engine, tables={"post": "x"})


def test_a_table_without_the_mapped_columns_says_which(tmp_path):
    url = f"sqlite:///{tmp_path / 'w.db'}"
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text(f"CREATE TABLE {TABLE} (created_timestamp TEXT, post_id TEXT, platform TEXT)"))
    src = SqlSource(url, engine=engine, mappings=["fivetran_social_media_rollup"])
    with pytest.raises(DataError, match="does not look like a 'fivetran_social_media_rollup' table.*page_name"):
        src.rollup("posts", ["impressions"], PERIOD.start, PERIOD.end)


def test_settings_point_a_workspace_at_the_warehouse(warehouse, monkeypatch, tmp_path):
    from advisor.settings import Settings
    from advisor.workspaces import EngineProvider, WorkspaceConfig, settings_defaults

    url, engine, schema = warehouse
    if url.startswith("duckdb"):
        engine.dispose()  # DuckDB lets one process open a file once: the provider opens its own
    monkeypatch.setenv("KPI_ADVISOR_DATA_URL", url)
    monkeypatch.setenv("KPI_ADVISOR_DATA_MAPPING", "fivetran_social_media_rollup")
    monkeypatch.setenv("KPI_ADVISOR_DATA_TABLES", f"posts={TABLE}")
    if schema:
        monkeypatch.setenv("KPI_ADVISOR_DATA_SCHEMA", schema)
    settings = Settings(_env_file=None, home_dir=tmp_path)
    assert settings.data_tables == {"posts": TABLE}
    config = WorkspaceConfig(team_id="T1", **settings_defaults(settings))
    eng = EngineProvider().for_config(config, today=date(2025, 6, 5))
    assert eng.compute_value("impressions", PERIOD).value == 5800


@pytest.mark.parametrize("text, expected", [
    ("posts=social_posts", {"posts": "social_posts"}),
    (" posts = a , accounts=b ", {"posts": "a", "accounts": "b"}),
    ('{"interactions": "inbox"}', {"interactions": "inbox"}),
])
def test_data_tables_setting(monkeypatch, text, expected):
    from advisor.settings import Settings

    monkeypatch.setenv("KPI_ADVISOR_DATA_TABLES", text)
    assert Settings(_env_file=None).data_tables == expected


@pytest.mark.parametrize("text", ["posts", "post=x", "posts=x,=y"])
def test_bad_data_tables_setting_is_named(monkeypatch, text):
    from pydantic import ValidationError

    from advisor.settings import Settings

    monkeypatch.setenv("KPI_ADVISOR_DATA_TABLES", text)
    with pytest.raises(ValidationError, match="data_tables|DATA_TABLES"):
        Settings(_env_file=None)


def test_platform_columns_must_name_measures(tmp_path):
    from kpi_engine.errors import LoadError
    from kpi_engine.mapping import load_mapping

    path = tmp_path / "bad.yaml"
    path.write_text("table: posts\nplatform_columns:\n  youtube:\n    clicks: views\n")
    with pytest.raises(LoadError, match="platform_columns.youtube: 'clicks' maps to 'views'"):
        load_mapping(path)
