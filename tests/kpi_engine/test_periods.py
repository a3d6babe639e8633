from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from kpi_engine.errors import PeriodError
from kpi_engine.periods import previous_period, resolve_period, same_period_last_year, today_in

TODAY = date(2025, 5, 14)  # a Wednesday


@pytest.mark.parametrize(
    "text,start,end",
    [
        ("last_7_days", date(2025, 5, 7), date(2025, 5, 13)),
        ("last 28 days", date(2025, 4, 16), date(2025, 5, 13)),
        ("last-90-days", date(2025, 2, 13), date(2025, 5, 13)),
        ("last 2 weeks", date(2025, 4, 30), date(2025, 5, 13)),
        ("yesterday", date(2025, 5, 13), date(2025, 5, 13)),
        ("this_week", date(2025, 5, 12), date(2025, 5, 13)),
        ("last week", date(2025, 5, 5), date(2025, 5, 11)),
        ("this month", date(2025, 5, 1), date(2025, 5, 13)),
        ("mtd", date(2025, 5, 1), date(2025, 5, 13)),
        ("last_month", date(2025, 4, 1), date(2025, 4, 30)),
        ("qtd", date(2025, 4, 1), date(2025, 5, 13)),
        ("last quarter", date(2025, 1, 1), date(2025, 3, 31)),
        ("2025-01-01..2025-01-31", date(2025, 1, 1), date(2025, 1, 31)),
        ("2025-01-01 to 2025-01-31", date(2025, 1, 1), date(2025, 1, 31)),
    ],
)
def test_periods_in_words_exclude_the_incomplete_day(text, start, end):
    p = resolve_period(text, today=TODAY)
    assert (p.start, p.end) == (start, end)


def test_include_today_extends_to_date_periods():
    assert resolve_period("last 7 days", today=TODAY, include_today=True).end == TODAY
    assert resolve_period("mtd", today=TODAY, include_today=True).end == TODAY


def test_today_is_taken_in_the_timezone():
    now = datetime(2025, 5, 14, 23, 30, tzinfo=UTC)
    assert today_in("UTC", now) == date(2025, 5, 14)
    assert today_in("Europe/Berlin", now) == date(2025, 5, 15)
    assert today_in("America/Los_Angeles", now) == date(2025, 5, 14)
    with pytest.raises(PeriodError, match="IANA"):
        today_in("Mars/Olympus")


def test_previous_and_last_year_periods():
    p = resolve_period("last 28 days", today=TODAY)
    prev = previous_period(p)
    assert (prev.start, prev.end) == (date(2025, 3, 19), date(2025, 4, 15))
    ly = same_period_last_year(p)
    assert ly.start.weekday() == p.start.weekday() and (p.start - ly.start).days == 364
    m = resolve_period("last month", today=TODAY)
    assert (previous_period(m).start, previous_period(m).end) == (date(2025, 3, 1), date(2025, 3, 31))
    assert (same_period_last_year(m).start, same_period_last_year(m).end) == (date(2024, 4, 1), date(2024, 4, 30))
    mtd = resolve_period("mtd", today=TODAY)
    assert (previous_period(mtd).start, previous_period(mtd).end) == (date(2025, 4, 1), date(2025, 4, 13))


@pytest.mark.parametrize("bad", ["last fortnight-ish", "2025-02-30..2025-03-01", "2025-03-02..2025-03-01", "last 0 days"])
def test_bad_periods_say_what_to_write(bad):
    with pytest.raises(PeriodError) as exc:
        resolve_period(bad, today=TODAY)
    assert "2025" in str(exc.value) or "last_7_days" in str(exc.value) or "between" in str(exc.value)


def test_first_day_of_month_has_no_complete_mtd():
    with pytest.raises(PeriodError, match="no complete day"):
        resolve_period("mtd", today=date(2025, 6, 1))
