"""SqlSource answers like pandas (and MemorySource) while aggregating in the database.

SQLite and DuckDB (a file and in memory; the ``duckdb`` extra, part of ``test``)
always; PostgreSQL too when TEST_DATABASE_URL is set, e.g.
postgresql+psycopg://postgres@127.0.0.1:5432/test (each run uses its own schema).
"""

from __future__ import annotations

import os
import uuid
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from kpi_engine.errors import DataError, FilterError
from kpi_engine.sample import generate_sample
from kpi_engine.sql import SqlSource, write_dataset_to_sql

END = date(2025, 6, 30)
START = END - timedelta(days=59)
PG_URL = os.environ.get("TEST_DATABASE_URL")


@pytest.fixture(scope="module")
def dataset():
    ds = generate_sample(end=END, days=60, scale=0.5)
    # One account stops reporting followers 5 days early: snapshots must use its latest value.
    a = ds.accounts
    ds.accounts = a[~((a["account"] == "acme_x") & (a["date"] > pd.Timestamp(END - timedelta(days=5))))].reset_index(
        drop=True)
    return ds


try:
    import duckdb_engine  # noqa: F401

    HAVE_DUCKDB = True
except ImportError:
    HAVE_DUCKDB = False
NEEDS_DUCKDB = pytest.mark.skipif(not HAVE_DUCKDB, reason="pip install 'kpi-advisor[duckdb]'")
DIALECTS = ["sqlite", pytest.param("duckdb-file", marks=NEEDS_DUCKDB),
            pytest.param("duckdb-memory", marks=NEEDS_DUCKDB),
            pytest.param("postgresql", marks=pytest.mark.skipif(not PG_URL, reason="TEST_DATABASE_URL not set"))]


@pytest.fixture(scope="module", params=DIALECTS)
def db(request, dataset, tmp_path_factory):
    """(url, engine, schema) with the dataset written; PostgreSQL gets a throwaway schema."""
    schema = None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('sql') / 'kpis.db'}"
        engine = sa.create_engine(url)
    elif request.param == "duckdb-file":
        url = f"duckdb:///{tmp_path_factory.mktemp('duck') / 'kpis.duckdb'}"
        engine = sa.create_engine(url)
    elif request.param == "duckdb-memory":
        url = "duckdb:///:memory:"
        engine = sa.create_engine(url)  # one connection per thread: the tables outlive each query
    else:
        url = PG_URL
        engine = sa.create_engine(url)
        schema = f"kpi_test_{uuid.uuid4().hex[:10]}"
        with engine.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    write_dataset_to_sql(dataset, url, schema=schema, engine=engine)
    yield url, engine, schema
    if schema:
        with engine.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


@pytest.fixture
def source(db):
    url, engine, schema = db
    return SqlSource(url, schema=schema, engine=engine)


def _memory(dataset):
    memory = pytest.importorskip("kpi_engine.memory")
    return memory.MemorySource(dataset)


def _pandas_rollup(frame, measures, start, end, filters, by):
    mask = (frame["date"] >= pd.Timestamp(start)) & (frame["date"] <= pd.Timestamp(end))
    for dim, values in (filters or {}).items():
        mask &= frame[dim].astype("str").isin(values)
    rows = frame[mask]
    if not by:
        out = {m: [float(rows[m].sum())] for m in measures}
        out["rows"] = [len(rows)]
        return pd.DataFrame(out)
    grouped = rows.groupby(list(by), observed=True)
    out = grouped[list(measures)].sum()
    out["rows"] = grouped.size()
    return out.reset_index()


def _normal(frame, by):
    frame = frame.copy()
    for b in by:
        frame[b] = frame[b].astype("datetime64[ns]") if b == "date" else frame[b].astype("str")
    frame["rows"] = frame["rows"].astype("int64")
    return frame.sort_values(list(by)).reset_index(drop=True) if by else frame


CASES = [
    ("posts", ["impressions", "engagements", "reach"], START, END, None, ()),
    ("posts", ["impressions", "clicks"], END - timedelta(days=27), END, {"platform": ["instagram", "tiktok"]},
     ["platform"]),
    ("posts", ["impressions", "saves"], END - timedelta(days=13), END, {"campaign": [""]}, ["date", "content_type"]),
    ("posts", ["engagements", "impressions"], END - timedelta(days=6), END, None, ["post_id"]),
    ("posts", ["leads", "pipeline_value"], START, END, {"account": ["acme_linkedin"], "topic": ["product", "promo"]},
     ["topic", "campaign"]),
    ("posts", ["impressions"], date(2030, 1, 1), date(2030, 1, 31), None, ()),
    ("posts", ["impressions"], date(2030, 1, 1), date(2030, 1, 31), None, ["platform"]),
    ("accounts", ["brand_mentions", "competitor_mentions"], START, END, None, ["platform"]),
    ("interactions", ["interactions", "responded", "negative", "response_minutes"], START, END,
     {"channel": ["dm", "review"]}, ["platform", "sentiment"]),
]


@pytest.mark.parametrize("table, measures, start, end, filters, by", CASES)
def test_rollup_matches_pandas_and_memory(source, dataset, table, measures, start, end, filters, by):
    got = _normal(source.rollup(table, measures, start, end, filters, by), by)
    expected = _normal(_pandas_rollup(dataset.table(table), measures, start, end, filters, by), by)
    assert list(got.columns) == [*by, *measures, "rows"]
    pd.testing.assert_frame_equal(got, expected[list(got.columns)], check_dtype=False, rtol=1e-9)
    memory = _normal(_memory(dataset).rollup(table, measures, start, end, filters, by), by)
    pd.testing.assert_frame_equal(got, memory[list(got.columns)], check_dtype=False, rtol=1e-9)


def test_rollup_types(source):
    got = source.rollup("posts", ["impressions"], END - timedelta(days=2), END, by=["date", "platform"])
    assert got["date"].dtype == "datetime64[ns]"
    assert got["impressions"].dtype == "float64" and got["rows"].dtype == "int64"
    assert sorted(got["date"].unique()) == list(pd.date_range(END - timedelta(days=2), END))
    empty = source.rollup("posts", ["impressions"], date(2030, 1, 1), date(2030, 1, 2))
    assert empty.to_dict("records") == [{"impressions": 0.0, "rows": 0}]


def test_rollup_is_a_group_by_in_the_database(db, dataset):
    url, engine, schema = db
    statements: list[str] = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", capture)
    try:
        src = SqlSource(url, schema=schema, engine=engine)
        statements.clear()
        got = src.rollup("posts", ["impressions", "clicks"], START, END, {"platform": ["linkedin"]}, by=["account"])
    finally:
        sa.event.remove(engine, "before_cursor_execute", capture)
    query = [s for s in statements if "impressions" in s][-1].lower()
    assert "group by" in query and "sum(" in query and "count(*)" in query
    assert " in " in query  # the filter runs in the database too
    # Only the rollup left the database: one row per linkedin account, not the post-days.
    assert len(got) == dataset.posts.loc[dataset.posts["platform"] == "linkedin", "account"].nunique()
    assert got["rows"].sum() > 10 * len(got)


def test_snapshot_takes_each_accounts_latest_value(source, dataset):
    a = dataset.accounts
    at = END
    window = a[(a["date"] >= pd.Timestamp(at - timedelta(days=14))) & (a["date"] <= pd.Timestamp(at))]
    expected = window.sort_values("date").groupby("account", observed=True)["followers"].last().sum()
    assert source.snapshot("accounts", "followers", at) == pytest.approx(expected)
    # acme_x stopped 5 days early: with a 3-day lookback it is left out.
    short = a[(a["date"] >= pd.Timestamp(at - timedelta(days=3))) & (a["date"] <= pd.Timestamp(at))]
    assert "acme_x" not in set(short["account"])
    expected_short = short.sort_values("date").groupby("account", observed=True)["followers"].last().sum()
    assert source.snapshot("accounts", "followers", at, lookback_days=3) == pytest.approx(expected_short)
    ig = source.snapshot("accounts", "followers", at, {"platform": ["instagram"]})
    assert ig == pytest.approx(window[window["platform"] == "instagram"].sort_values("date")
                               .groupby("account", observed=True)["followers"].last().sum())
    assert source.snapshot("accounts", "followers", date(2000, 1, 1)) is None
    memory = _memory(dataset)
    for kwargs in ({}, {"lookback_days": 3}, {"filters": {"platform": ["instagram"]}}):
        assert source.snapshot("accounts", "followers", at, **kwargs) == pytest.approx(
            memory.snapshot("accounts", "followers", at, **kwargs))


def test_values_dimension_values_and_date_range(source, dataset):
    i = dataset.interactions
    got = source.values("interactions", "response_minutes", END - timedelta(days=9), END, {"platform": ["x"]})
    mask = (i["date"] >= pd.Timestamp(END - timedelta(days=9))) & (i["platform"] == "x")
    expected = i.loc[mask, "response_minutes"].dropna().to_numpy()
    np.testing.assert_allclose(np.sort(got), np.sort(expected))
    assert not np.isnan(got).any()
    assert source.dimension_values("posts", "platform") == sorted(dataset.posts["platform"].astype(str).unique())
    assert "" in source.dimension_values("posts", "campaign")
    memory = _memory(dataset)
    assert source.dimension_values("posts", "campaign") == memory.dimension_values("posts", "campaign")
    assert source.date_range("posts") == (START, END)
    assert source.date_range("interactions") == memory.date_range("interactions")
    assert source.has_table("posts") and source.name


def test_custom_table_names(tmp_path, dataset):
    url = f"sqlite:///{tmp_path / 'custom.db'}"
    written = write_dataset_to_sql(dataset, url, tables={"posts": "social_posts"})
    assert written["posts"] == len(dataset.posts)
    src = SqlSource(url, tables={"posts": "social_posts"})
    assert src.rollup("posts", ["impressions"], START, END)["impressions"][0] == dataset.posts["impressions"].sum()
    with pytest.raises(DataError, match="already exists"):
        write_dataset_to_sql(dataset, url, tables={"posts": "social_posts"}, if_exists="fail")


def test_errors_name_the_problem(tmp_path, source):
    with pytest.raises(DataError, match="is not a database URL"):
        SqlSource("not a url")
    with pytest.raises(DataError, match="Unknown database type"):
        SqlSource("nosuchdb://x/y")
    with pytest.raises(DataError, match=r"Cannot connect to postgresql\+psycopg://nobody:\*\*\*@127.0.0.1:1/x") as err:
        SqlSource("postgresql+psycopg://nobody:secret@127.0.0.1:1/x")
    assert "secret" not in str(err.value)
    empty = SqlSource(f"sqlite:///{tmp_path / 'empty.db'}")
    assert not empty.has_table("posts")
    with pytest.raises(DataError, match="has no table 'posts' for posts.*kpi-advisor data load"):
        empty.rollup("posts", ["impressions"], START, END)
    with pytest.raises(DataError, match="has no column 'followers'"):
        source.rollup("posts", ["followers"], START, END)
    with pytest.raises(FilterError, match="no dimension 'colour'"):
        source.rollup("posts", ["impressions"], START, END, {"colour": ["red"]})
    with pytest.raises(FilterError, match="no dimension 'topic'"):
        source.dimension_values("accounts", "topic")


def test_missing_column_in_a_hand_made_table(tmp_path):
    url = f"sqlite:///{tmp_path / 'hand.db'}"
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE posts (date DATE, platform TEXT, account TEXT, post_id TEXT)"))
        conn.execute(sa.text("INSERT INTO posts VALUES ('2025-06-01', 'x', 'a', 'p1')"))
    src = SqlSource(url)
    assert src.date_range("posts") == (date(2025, 6, 1), date(2025, 6, 1))
    with pytest.raises(DataError, match="Table 'posts' \\(posts\\) has no column 'impressions'.*Add the column"):
        src.rollup("posts", ["impressions"], date(2025, 6, 1), date(2025, 6, 1))


def test_every_kpi_computes_the_same_over_sql_as_in_memory(source, dataset):
    """The whole engine (values, comparisons, tests, breakdowns) on rollups pushed down to SQL."""
    from kpi_engine import Engine, MemorySource
    from kpi_engine.periods import Period

    today = END + timedelta(days=1)
    sql, mem = Engine(source=source, today=today), Engine(source=MemorySource(dataset), today=today)
    period = Period(start=END - timedelta(days=13), end=END, label="last 14 days")
    for kpi_id in mem.catalog.kpis:
        a, b = sql.compute_report(kpi_id, period), mem.compute_report(kpi_id, period)
        assert a.current.value == (None if b.current.value is None else
                                   pytest.approx(b.current.value, rel=1e-9, abs=1e-9)), kpi_id
        assert a.current.volume == pytest.approx(b.current.volume, rel=1e-9), kpi_id
        assert a.previous.verdict == b.previous.verdict, kpi_id
        assert a.previous.p_value == (None if b.previous.p_value is None else
                                      pytest.approx(b.previous.p_value, rel=1e-9, abs=1e-12)), kpi_id
        assert a.last_year.verdict == b.last_year.verdict, kpi_id
    seg_sql = sql.compute_breakdown("engagement_rate", "platform", period, {"platform": ["instagram", "tiktok"]})
    seg_mem = mem.compute_breakdown("engagement_rate", "platform", period, {"platform": ["instagram", "tiktok"]})
    assert [(s.key, pytest.approx(s.contribution)) for s in seg_sql.segments] == \
        [(s.key, s.contribution) for s in seg_mem.segments]


class _Queries:
    """Statements an engine runs (SQLAlchemy's cursor hook), and the rows each one returned."""

    def __init__(self, engine):
        self.engine = engine
        self.statements: list[tuple[str, object]] = []

    def _capture(self, conn, cursor, statement, parameters, context, executemany):
        self.statements.append((statement, parameters))

    def __enter__(self):
        sa.event.listen(self.engine, "before_cursor_execute", self._capture)
        return self

    def __exit__(self, *exc):
        sa.event.remove(self.engine, "before_cursor_execute", self._capture)

    def rows(self) -> list[int]:
        """Rows each captured statement returns (run again, outside the capture)."""
        with self.engine.connect() as conn:
            return [len(conn.exec_driver_sql(s, p).fetchall()) for s, p in self.statements]


@pytest.mark.parametrize("q", [0.5, 0.9, 0.25])
def test_percentiles_run_in_the_database(db, dataset, q):
    url, engine, schema = db
    src = SqlSource(url, schema=schema, engine=engine)
    src.has_table("interactions")  # column names read before counting
    memory = _memory(dataset)
    for start, filters in ((START, None), (END - timedelta(days=6), {"platform": ["x"]}),
                           (date(2030, 1, 1), None)):
        end = END if start <= END else date(2030, 1, 31)
        with _Queries(engine) as queries:
            value, count = src.quantile("interactions", "response_minutes", q, start, end, filters)
        raw = memory.values("interactions", "response_minutes", start, end, filters)
        assert count == len(raw)
        if len(raw):
            assert value == pytest.approx(float(np.quantile(raw, q)), rel=1e-9)
        else:
            assert value is None
        assert len(queries.statements) == 1
        assert max(queries.rows()) <= 3  # the percentile (or the order statistics around it), never the values


def test_median_response_time_does_not_pull_raw_rows(db, dataset):
    from kpi_engine import Engine, MemorySource

    url, engine, schema = db
    today = END + timedelta(days=1)
    src = SqlSource(url, schema=schema, engine=engine)
    sql = Engine(source=src, today=today)
    with _Queries(engine) as queries:
        got = sql.compute_value("median_response_time", "last_28_days")
    expected = Engine(source=MemorySource(dataset), today=today).compute_value("median_response_time", "last_28_days")
    assert got.value == pytest.approx(expected.value, rel=1e-9) and got.volume == expected.volume
    rows = queries.rows()
    assert expected.volume > 100 and sum(rows) <= 10, rows


def test_a_report_sends_no_query_twice_and_only_rollups_come_back(db, dataset):
    from kpi_engine import Engine

    url, engine, schema = db
    sql = Engine(source=SqlSource(url, schema=schema, engine=engine), today=END + timedelta(days=1))
    with _Queries(engine) as queries:
        sql.compute_report("engagement_rate", "last_28_days")
        sql.compute_report("engagement_rate", "last_28_days", {"platform": ["instagram"]})
    texts = [(s, repr(p)) for s, p in queries.statements]
    assert len(texts) == len(set(texts)), "a query ran twice"
    per_post = [s for s in queries.statements if "post_id" in s[0].lower() and "group by" in s[0].lower()]
    # current, previous and last year's per-post sums, for each filter: the current ones are shared
    assert len(per_post) <= 6
    posts_in_window = dataset.posts[dataset.posts["date"] >= pd.Timestamp(END - timedelta(days=27))]
    assert max(queries.rows()) <= posts_in_window["post_id"].nunique()


def test_duckdb_write_and_read_without_reflection(tmp_path, dataset):
    pytest.importorskip("duckdb_engine")
    url = f"duckdb:///{tmp_path / 'kpis.duckdb'}"
    reported: list[tuple[str, int]] = []
    write_dataset_to_sql(dataset, url, tables={"posts": "social_posts"}, progress=lambda t, n: reported.append((t, n)))
    assert {t: sum(n for tt, n in reported if tt == t) for t, _ in reported} == {
        t: len(dataset.table(t)) for t in ("posts", "accounts", "interactions")}
    write_dataset_to_sql(dataset, url, tables={"posts": "social_posts"}, if_exists="append")
    src = SqlSource(url, tables={"posts": "social_posts"})
    assert src.rollup("posts", ["impressions"], START, END)["rows"][0] == 2 * len(dataset.posts)
    with pytest.raises(DataError, match="already exists"):
        write_dataset_to_sql(dataset, url, tables={"posts": "social_posts"}, if_exists="fail")
    assert not SqlSource(f"duckdb:///{tmp_path / 'empty.duckdb'}").has_table("posts")


def test_a_scorecard_in_a_batch_matches_memory_with_fewer_queries(db, dataset):
    from kpi_engine import Engine, MemorySource

    url, engine, schema = db
    today = END + timedelta(days=1)
    mem = Engine(source=MemorySource(dataset), today=today)
    for goal in ("awareness", "community"):
        expected = mem.compute_scorecard(goal, "last_28_days")
        with _Queries(engine) as batched:
            card = Engine(source=SqlSource(url, schema=schema, engine=engine), today=today).compute_scorecard(
                goal, "last_28_days")
        for a, b in zip([card.primary, *card.diagnostics], [expected.primary, *expected.diagnostics], strict=True):
            assert a.current.kpi_id == b.current.kpi_id
            assert a.current.value == (None if b.current.value is None else
                                       pytest.approx(b.current.value, rel=1e-9, abs=1e-9)), a.current.kpi_id
            assert a.previous.verdict == b.previous.verdict and a.last_year.verdict == b.last_year.verdict
        sql = Engine(source=SqlSource(url, schema=schema, engine=engine), today=today)
        with _Queries(engine) as plain:
            g = sql.catalog.goal(goal)
            for kpi_id in (g.primary, *g.diagnostics):
                sql.compute_report(kpi_id, "last_28_days")
        assert len(batched.statements) < len(plain.statements), (goal, len(batched.statements),
                                                                  len(plain.statements))
