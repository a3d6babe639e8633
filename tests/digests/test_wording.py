"""What a digest says: the segment it covers, the daily band, one formatter for text and charts, the
narrative once, no '-1,136.00' or '-0.00 pp', no 'in yesterday'."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest

from advisor.answer import Answer, ChartSpec, Context, Fact, Section
from advisor.format import fmt_change, fmt_value
from bot.digests.render import render_digest, render_quiet
from tests.digests.conftest import FLAT_TEAM, SAMPLE_END, Clock, make_service, utc

MONDAY = utc(2025, 6, 30, 9, 0)


class Recording:
    """The real advisor, recording the chart specs it is asked to render."""

    def __init__(self, advisor):
        self._advisor = advisor
        self.charts: list[ChartSpec] = []

    def __getattr__(self, name):
        return getattr(self._advisor, name)

    def render_chart(self, spec, **kw):
        self.charts.append(spec)
        return self._advisor.render_chart(spec, **kw)


def _run(state_db, advisor, slack, sleeps, team, spec, channel="C1"):
    clock = Clock(MONDAY - timedelta(days=2))
    svc = make_service(state_db=state_db, advisor=advisor, slack=slack, clock=clock, sleeps=sleeps)
    svc.subscribe(team, channel, "UOWNER", spec)
    clock.now = MONDAY
    return svc.run_due()


def test_a_filtered_digest_names_its_segment_in_title_text_and_chart(state_db, advisor, slack, sleeps):
    rec = Recording(advisor)
    report = _run(state_db, rec, slack, sleeps, "T1",
                  "weekly mon 09:00 UTC goal=awareness platform=instagram,tiktok quiet=full")
    assert len(report.posted) == 1
    post = slack.posts("C1")[0]
    header = post["blocks"][0]["text"]["text"]
    assert "platform: instagram, tiktok" in header  # the title
    assert "Segment: platform: instagram, tiktok" in post["text"]  # the text
    (chart,) = rec.charts
    assert "platform: instagram, tiktok" in chart.title and chart.filters == {"platform": ["instagram", "tiktok"]}
    assert "platform: instagram, tiktok" in slack.files[0]["title"]  # the uploaded file's title too
    card = advisor.engine("T1", as_of=SAMPLE_END).compute_scorecard(
        "awareness", "last_week", {"platform": ["instagram", "tiktok"]})
    assert fmt_value(card.primary.current.value, card.primary.current.unit) in post["text"]


def test_the_whole_account_digest_names_no_segment(state_db, advisor, slack, sleeps):
    _run(state_db, advisor, slack, sleeps, "T1", "weekly mon 09:00 UTC goal=awareness quiet=full")
    assert "Segment" not in slack.posts("C1")[0]["text"]


def _highlight_pixels(png: bytes) -> int:
    import matplotlib.image as mpimg
    import numpy as np

    img = mpimg.imread(io.BytesIO(png))[..., :3] * 255
    band = np.array([250.4, 236.1, 192.4])  # #f2c94c at alpha 0.35 over white
    return int((np.abs(img - band).max(axis=-1) < 4).sum())


def test_the_daily_highlight_band_has_a_width(advisor):
    from kpi_engine.charts import highlight_span, render_trend_png

    left, right = highlight_span(date(2025, 6, 29), date(2025, 6, 29), "day")
    assert right - left == timedelta(days=1)
    eng = advisor.engine("T1", as_of=SAMPLE_END)
    trend = eng.compute_trend("reach", "2025-05-01..2025-06-29", "day", None)
    png = render_trend_png(trend, highlight=eng.period("2025-06-29..2025-06-29"), title="Reach")
    assert _highlight_pixels(png) > 1500  # about 11 px wide, the plot's height tall


def test_charts_and_text_format_numbers_the_same_way():
    from kpi_engine.charts import format_number

    for value, unit in [(4.2134, "percent"), (12345.0, "count"), (3.44, "per_1000"), (17.5, "minutes"),
                        (1234.5, "currency"), (None, "count")]:
        assert format_number(value, unit) == fmt_value(value, unit)


@pytest.mark.parametrize("args, shown", [
    ((-1136.0, None, "count"), "-1,136"),
    ((25_000.0, None, "count"), "+25.0k"),
    ((-0.00001, -0.00002, "percent"), "0.00 pp (0.0%)"),
    ((-0.004, -0.0012, "percent"), "0.00 pp (-0.1%)"),
    ((0.53, 0.11, "percent"), "+0.53 pp (+11.0%)"),
    ((-5.0, -0.2, "count"), "-20.0%"),
    ((0.55, None, "per_1000"), "+0.6 per 1k impressions"),
])
def test_changes_read_like_numbers(args, shown):
    assert fmt_change(*args) == shown


def test_digest_counts_have_no_decimals_and_no_negative_zero(state_db, advisor, slack, sleeps):
    _run(state_db, advisor, slack, sleeps, "T1",
         "weekly mon 09:00 UTC kpis=posts_published,impressions,engagement_rate quiet=full")
    text = slack.posts("C1")[0]["text"]
    assert "-0.00" not in text and "+0.00" not in text
    counts = [f for f in advisor.compose_digest(workspace="T1", kpis=["posts_published", "impressions"],
                                                period="last_week", as_of=SAMPLE_END).facts
              if f.unit == "count" and f.key.endswith("abs_change")]
    assert counts and all(not re.search(r"\.\d\d$", f.display) for f in counts), [f.display for f in counts]


def _answer(**kw) -> Answer:
    base = dict(question="digest", intent="digest", title="Awareness digest: last week (2025-06-23 to 2025-06-29)",
                summary="Reach was 12.3k for last week, +4.0% vs the previous period.", kpi_id="reach",
                facts=[Fact(key="reach.value", label="Reach, last week", value=12300.0, display="12.3k",
                            unit="count", kpi_id="reach")],
                context=Context(intent="digest", period="2025-06-29..2025-06-29"))
    return Answer(**(base | kw))


def test_the_narrative_appears_once():
    template = _answer(sections=[Section(title="Scorecard", kind="values", text="- Reach: 12.3k"),
                                 Section(title="Narrative", kind="narrative", text=_answer().summary)])
    assert render_digest(template).text.count("Reach was 12.3k") == 1
    # an LLM narrator rewrites the narrative section: its prose replaces the template summary, not joins it
    llm = _answer(sections=[Section(title="Scorecard", kind="values", text="- Reach: 12.3k"),
                            Section(title="", kind="narrative", text="Reach held steady at 12.3k.")])
    text = render_digest(llm).text
    assert "Reach held steady at 12.3k." in text and "Reach was 12.3k" not in text


def test_a_quiet_day_says_on_which_day_not_in_yesterday(state_db, advisor, slack, sleeps):
    report = _run(state_db, advisor, slack, sleeps, FLAT_TEAM,
                  "daily 09:00 UTC goal=awareness quiet=brief period=yesterday")
    assert report.posted[0]["kind"] == "quiet"
    text = slack.posts("C1")[0]["text"]
    assert "Nothing material changed on 29 Jun 2025 (yesterday)" in text
    assert "in yesterday" not in text
    assert "Nothing material changed on 29 Jun 2025" in render_quiet(_answer()).text
