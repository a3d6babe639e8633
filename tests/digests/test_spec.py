"""Subscription text: what parses, and the message for what does not."""

from __future__ import annotations

import pytest

from bot.digests.errors import DigestError
from bot.digests.spec import parse_spec


@pytest.mark.parametrize("text, expect", [
    ("weekly mon 09:00 Europe/Berlin goal=awareness platform=instagram quiet=brief",
     dict(kind="digest", cadence="weekly", day="mon", time="09:00", timezone="Europe/Berlin",
          goal="awareness", filters={"platform": ["instagram"]}, quiet="brief", period="last_week")),
    ("daily 08:30 UTC kpis=engagement_rate,click_through_rate",
     dict(cadence="daily", time="08:30", kpis=("engagement_rate", "click_through_rate"), period="yesterday")),
    ('cron "0 9 * * 1" Europe/Berlin goal=traffic', dict(cadence="cron", cron="0 9 * * mon")),
    ("cron \u201c30 8 * * 1-5\u201d UTC goal=traffic", dict(cron="30 8 * * mon,tue,wed,thu,fri")),
    ("alert daily 09:00 UTC kpi=engagement_rate below=2.5",
     dict(kind="alert", kpis=("engagement_rate",), threshold_kind="below", threshold_value=2.5,
          period="last_7_days")),
    ("alert weekly mon 09:00 UTC kpi=click_through_rate change=20%",
     dict(threshold_kind="change", threshold_value=0.2)),
    ("alert daily UTC kpi=engagement_rate", dict(threshold_kind="unusual", direction="bad")),
    ("monthly last 07:00 America/New_York goal=leads quiet=nothing", dict(day="last", quiet="skip")),
    ("Weekly Friday 17:00 goal=engagement", dict(day="fri", timezone="UTC")),
])
def test_parses(text, expect):
    spec = parse_spec(text)
    for key, value in expect.items():
        assert getattr(spec, key) == value, key
    assert parse_spec(spec.text) == spec  # the canonical text reads back the same


@pytest.mark.parametrize("text, hint", [
    ("", "weekly mon 09:00"),
    ("hourly goal=awareness", "daily, weekly, monthly or cron"),
    ("weekly mon 25:00 UTC goal=awareness", "HH:MM"),
    ("weekly mon 09:00 Mars/Olympus goal=awareness", "IANA"),
    ("weekly mon 09:00 UTC", "goal=awareness"),
    ("weekly mon 09:00 UTC goal=awareness kpis=reach", "not both"),
    ("weekly mon 09:00 UTC goal=awareness colour=red", "Unknown option colour="),
    ("weekly mon 09:00 UTC goal=awareness quiet=loud", "quiet=brief"),
    ('cron "0 9 * *" UTC goal=traffic', "5 fields"),
    ('cron "0 9 * * 9" UTC goal=traffic', "0-7 or mon..sun"),
    ("weekly mon 09:00 UTC goal=awareness below=3", "start the text with `alert`"),
    ("alert daily 09:00 UTC kpi=engagement_rate below=2.5%", "change=20%"),
    ("alert daily 09:00 UTC kpis=a,b", "one KPI"),
    ("monthly 31 09:00 UTC goal=leads", "28 or `last`"),
    ('weekly "mon 09:00 UTC goal=x', "quotes"),
    ("x" * 600, "too long"),
])
def test_bad_input_says_what_to_write(text, hint):
    with pytest.raises(DigestError) as exc:
        parse_spec(text)
    assert hint in str(exc.value)
