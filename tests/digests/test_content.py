"""Content with the real advisor: numbers equal the engine's, the chart, quiet rules, alerts."""

from __future__ import annotations

import re
import struct
from datetime import timedelta

from advisor.format import fmt_value
from bot.digests.service import thread_key
from tests.digests.conftest import FLAT_TEAM, SAMPLE_END, Clock, make_service, utc

MONDAY = utc(2025, 6, 30, 9, 0)  # the Monday after SAMPLE_END
HYPE = ("surge", "soar", "skyrocket", "record", "huge", "amazing", "!", "Movers that matter")


def _service(state_db, advisor, slack, sleeps, team, spec, channel="C1"):
    clock = Clock(MONDAY - timedelta(days=2))
    svc = make_service(state_db=state_db, advisor=advisor, slack=slack, clock=clock, sleeps=sleeps)
    sub = svc.subscribe(team, channel, "UOWNER", spec)
    clock.now = MONDAY
    return svc, clock, sub


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_digest_numbers_equal_the_engine_and_the_chart_is_in_the_thread(state_db, advisor, slack, sleeps):
    svc, _, _ = _service(state_db, advisor, slack, sleeps, "T1", "weekly mon 09:00 UTC goal=awareness quiet=full")
    report = svc.run_due()
    assert len(report.posted) == 1 and report.posted[0]["period"] == "2025-06-23..2025-06-29"
    post = slack.posts("C1")[0]
    card = advisor.engine("T1", as_of=SAMPLE_END).compute_scorecard("awareness", "last_week")
    assert (card.period.start.isoformat(), card.period.end.isoformat()) == ("2025-06-23", "2025-06-29")
    for r in [card.primary, *card.diagnostics]:
        shown = fmt_value(r.current.value, r.current.unit)
        assert shown in post["text"], (r.current.kpi_id, shown)
        assert shown in str(post["blocks"])  # and in the blocks, not only the fallback
    (chart,) = slack.files
    assert chart["thread_ts"] == post["ts"]
    # alt text states the numbers the chart shows, not only its title
    assert chart["alt_txt"] != chart["title"] and "line chart" in chart["alt_txt"]
    assert len(re.findall(r"\d[\d.,]*k?", chart["alt_txt"])) >= 6 and "low" in chart["alt_txt"]
    w, h = _png_size(chart["data"])
    assert (w, h) == (800, 450) and len(chart["data"]) > 20_000


def test_follow_up_in_the_digest_thread_uses_the_same_snapshot(state_db, advisor, slack, sleeps):
    # a digest two weeks before the data's end: "last week" in its thread means that digest's week
    clock = Clock(utc(2025, 6, 10))
    svc = make_service(state_db=state_db, advisor=advisor, slack=slack, clock=clock, sleeps=sleeps)
    svc.subscribe("T1", "CFOLLOW", "UOWNER", "weekly mon 09:00 UTC goal=engagement quiet=full")
    clock.now = utc(2025, 6, 16, 9, 0)
    posted = svc.run_due().posted[0]
    assert posted["period"] == "2025-06-09..2025-06-15"
    thread = thread_key("T1", posted["message_channel"], posted["ts"])
    answer = advisor.answer("engagement rate last week", workspace="T1", thread=thread)
    facts = {f.key: f.display for f in answer.facts}
    assert (facts["engagement_rate.start"], facts["engagement_rate.end"]) == ("2025-06-09", "2025-06-15")


def test_quiet_brief_on_flat_data_says_nothing_material_without_hype(state_db, advisor, slack, sleeps):
    svc, _, _ = _service(state_db, advisor, slack, sleeps, FLAT_TEAM, "weekly mon 09:00 UTC goal=awareness quiet=brief")
    report = svc.run_due()
    assert report.posted[0]["kind"] == "quiet"
    text = slack.posts("C1")[0]["text"]
    assert "Nothing material changed" in text
    assert not any(word.lower() in text.lower() for word in HYPE)
    assert slack.files == []  # no chart for a quiet week
    card = advisor.engine(FLAT_TEAM, as_of=SAMPLE_END).compute_scorecard("awareness", "last_week")
    assert fmt_value(card.primary.current.value, card.primary.current.unit) in text


def test_quiet_skip_on_flat_data_posts_nothing_once(state_db, advisor, slack, sleeps):
    svc, clock, _ = _service(state_db, advisor, slack, sleeps, FLAT_TEAM, "weekly mon 09:00 UTC goal=awareness quiet=skip")
    report = svc.run_due()
    assert report.posted == [] and report.skipped[0]["reason"] == "quiet"
    clock.now += timedelta(minutes=10)
    assert svc.run_due().skipped == []  # decided once for the period
    assert slack.calls == []


def _alert_ticks(svc, clock, days: range) -> list[dict]:
    posted = []
    for off in days:
        clock.now = utc(2025, 6, 30, 9, 0) - timedelta(days=off)
        posted += svc.run_due().posted
    return posted


def test_alert_fires_once_on_the_planted_shift(state_db, advisor, slack, sleeps):
    from kpi_engine.sample import PLANTED_EVENTS

    event = next(e for e in PLANTED_EVENTS if e.name == "tiktok_engagement_drop")
    first, last = event.window(SAMPLE_END)
    clock = Clock(utc(2025, 5, 1))
    svc = make_service(state_db=state_db, advisor=advisor, slack=slack, clock=clock, sleeps=sleeps)
    svc.subscribe("T1", "CALERT", "UOWNER", "alert daily 09:00 UTC kpi=engagement_rate platform=tiktok")
    posted = _alert_ticks(svc, clock, range(45, 0, -1))  # daily checks from mid-May to the end
    assert len(posted) == 1
    (msg,) = slack.posts("CALERT")
    end = posted[0]["period"].split("..")[1]
    assert first.isoformat() <= end <= (last + timedelta(days=6)).isoformat()
    text = msg["text"]
    assert "Engagement rate" in text and " down " in text and "previous period" in text
    assert "Drivers" in text  # which segments drove it
    assert len(slack.files) == 1 and slack.files[0]["thread_ts"] == msg["ts"]
    assert "%" in slack.files[0]["alt_txt"] and "high" in slack.files[0]["alt_txt"]  # the chart's numbers


def test_alert_stays_silent_on_flat_data(state_db, advisor, slack, sleeps):
    clock = Clock(utc(2025, 5, 1))
    svc = make_service(state_db=state_db, advisor=advisor, slack=slack, clock=clock, sleeps=sleeps)
    svc.subscribe(FLAT_TEAM, "CALERT", "UOWNER", "alert daily 09:00 UTC kpi=engagement_rate platform=tiktok")
    assert _alert_ticks(svc, clock, range(45, 0, -1)) == []
    assert slack.posts() == []


def test_threshold_alert_says_what_crossed(state_db, advisor, slack, sleeps):
    svc, _, _ = _service(state_db, advisor, slack, sleeps, "T1",
                         "alert weekly mon 09:00 UTC kpi=engagement_rate above=0.5", channel="CTHR")
    assert len(svc.run_due().posted) == 1
    text = slack.posts("CTHR")[0]["text"]
    assert "above your threshold of 0.50%" in text
    eng = advisor.engine("T1", as_of=SAMPLE_END)
    v = eng.compute_value("engagement_rate", "last_week")
    assert fmt_value(v.value, "percent") in text


def test_preview_renders_text_and_png(state_db, advisor, slack, sleeps):
    svc, _, _ = _service(state_db, advisor, slack, sleeps, "T1", "weekly mon 09:00 UTC goal=awareness")
    text, png = svc.preview("T1", goal="traffic", period="last_week", as_of=SAMPLE_END)
    assert "Click-through rate" in text and _png_size(png) == (800, 450)
    assert slack.calls == []
