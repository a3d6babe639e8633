"""Target periods, suggested targets, and owner / review cadence in the catalog."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from kpi_engine import Engine, MemorySource
from kpi_engine.catalog import load_catalog
from kpi_engine.errors import CatalogError, PeriodError
from kpi_engine.target_period import resolve_target_period

from .frames import dataset, posts

TODAY = date(2026, 11, 29)


@pytest.mark.parametrize("text,start,end,label", [
    ("2027-Q1", date(2027, 1, 1), date(2027, 3, 31), "Q1 2027"),
    ("q2 2027", date(2027, 4, 1), date(2027, 6, 30), "Q2 2027"),
    ("2026-12", date(2026, 12, 1), date(2026, 12, 31), "Dec 2026"),
    ("2027", date(2027, 1, 1), date(2027, 12, 31), "2027"),
    ("this_month", date(2026, 11, 1), date(2026, 11, 30), "Nov 2026"),
    ("next quarter", date(2027, 1, 1), date(2027, 3, 31), "Q1 2027"),
    ("this_quarter", date(2026, 10, 1), date(2026, 12, 31), "Q4 2026"),
    ("by 2027-03-31", date(2027, 1, 1), date(2027, 3, 31), "Q1 2027"),  # a quarter's end: that quarter
    ("by 2027-02-28", date(2027, 2, 1), date(2027, 2, 28), "Feb 2027"),  # a month's end: that month
    ("by 2027-01-15", TODAY, date(2027, 1, 15), "2026-11-29 to 2027-01-15"),  # else from today
    ("2027-01-01..2027-02-15", date(2027, 1, 1), date(2027, 2, 15), "2027-01-01 to 2027-02-15"),
])
def test_target_periods_are_whole_units(text, start, end, label):
    p = resolve_target_period(text, today=TODAY)
    assert (p.start, p.end, p.label) == (start, end, label)


@pytest.mark.parametrize("text,message", [
    ("whenever", "Cannot read the target period"), ("by 2026-01-15", "already past"),
    ("2027-13", "months run"), ("2027-02-30..2027-03-01", "not a valid date"),
    ("2027-03-01..2027-02-01", "ends before"),
])
def test_bad_target_periods_say_what_to_write(text, message):
    with pytest.raises(PeriodError, match=message):
        resolve_target_period(text, today=TODAY)


def _two_years() -> Engine:
    """100 impressions a day for a year, then 110 a day: +10% year over year, no season."""
    first = date(2024, 7, 1)
    rows = []
    for i in range(730):
        d = first + timedelta(days=i)
        rows.append({"date": d, "platform": "x", "account": "a", "post_id": f"p{i}",
                     "impressions": 100.0 if i < 366 else 110.0})
    return Engine(source=MemorySource(dataset(posts=posts(rows))), today=date(2026, 7, 1))


def test_a_suggestion_is_last_years_period_moved_by_the_trailing_trend():
    s = _two_years().suggest_targets("impressions", "2026-08")
    assert s.basis == "last_year"
    assert s.last_year == 110 * 31  # Aug 2025
    assert (s.trailing_period.start, s.trailing_period.end) == (date(2026, 5, 31), date(2026, 6, 30))
    assert s.trailing == 110 * 31 and s.trailing_last_year == 100 * 31  # 364 days earlier: all at 100
    assert s.trend == pytest.approx(0.10)
    assert s.realistic == pytest.approx(110 * 31 * 1.10)  # 3,751
    # the stretch is the realistic value moved by the projection's good-side range (earlier copies of
    # August projected from the 100-a-day year came in higher, so the range reaches above the projection)
    assert s.pace.backtests == 52 and s.pace.high > s.pace.projected
    assert s.stretch == pytest.approx(s.realistic * s.pace.high / s.pace.projected)


def test_without_a_year_of_history_the_suggestion_is_the_projection():
    rows = [{"date": date(2026, 1, 5) + timedelta(days=i), "platform": "x", "account": "a",
             "post_id": f"p{i}", "impressions": 100.0} for i in range(170)]
    eng = Engine(source=MemorySource(dataset(posts=posts(rows))), today=date(2026, 6, 24))
    s = eng.suggest_targets("impressions", "2026-07")
    assert s.basis == "projection" and s.last_year is None
    assert s.realistic == pytest.approx(3100)


def test_stretch_is_on_the_good_side_on_the_sample():
    from kpi_engine.sample import generate_sample

    eng = Engine(source=MemorySource(generate_sample(end=date(2026, 6, 30))), today=date(2026, 7, 1))
    up = eng.suggest_targets("impressions", "2026-Q3")
    assert up.basis == "last_year" and up.stretch > up.realistic > 0
    down = eng.suggest_targets("median_response_time", "2026-08")
    assert down.stretch < down.realistic
    stock = eng.suggest_targets("followers", "2026-Q3")
    assert stock.basis == "projection" and stock.stretch > stock.realistic


def test_owner_and_review_cadence_come_from_a_team_override(tmp_path):
    path = tmp_path / "team.yaml"
    path.write_text("kpis:\n  - id: save_rate\n    override: true\n    owner: maria\n"
                    "    review_cadence: monthly\n", encoding="utf-8")
    cat = load_catalog([path])
    assert (cat.get("save_rate").owner, cat.get("save_rate").review_cadence) == ("maria", "monthly")
    assert cat.get("reach").owner is None and cat.get("reach").review_cadence is None
    path.write_text("kpis:\n  - id: save_rate\n    override: true\n    review_cadence: fortnightly\n",
                    encoding="utf-8")
    with pytest.raises(CatalogError, match=r"team.yaml:2: kpi 'save_rate' is invalid: review_cadence"):
        load_catalog([path])


def test_notes_are_marked_on_a_trend_chart_only_inside_its_window():
    from kpi_engine.charts import _figure, mark_notes

    fig, ax = _figure()
    ax.set_title("Impressions", loc="left")
    days = [date(2026, 11, 1) + timedelta(days=i) for i in range(28)]
    ax.plot(days, range(28))
    mark_notes(ax, [(date(2026, 11, 18), date(2026, 11, 18), "LinkedIn feed change"),
                    (date(2026, 11, 2), date(2026, 11, 4), "Launch week"),
                    (date(2026, 10, 1), date(2026, 10, 2), "Long before")], days[0], days[-1])
    labels = [t.get_text() for t in ax.texts]
    assert labels == ["Launch week", "LinkedIn feed change"]
    lines = [ln for ln in ax.lines if ln.get_linestyle() == ":"]
    assert len(lines) == 1 and lines[0].get_xdata()[0] == date(2026, 11, 18)
    assert len(ax.patches) == 1  # the launch week is a band
