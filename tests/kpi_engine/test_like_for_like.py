"""Follower growth compares the same accounts at both ends; the others are named, and `data check` sees them."""

from __future__ import annotations

from datetime import date

import pytest

from kpi_engine import Engine, MemorySource
from kpi_engine.quality import check_quality
from tests.kpi_engine.frames import accounts, dataset, days

START = date(2025, 5, 1)  # the table starts here; the period is June


def _rows():
    rows = []
    for d in days(START, 61):  # 1 May .. 30 Jun
        k = (d - START).days
        rows.append({"date": d, "platform": "instagram", "account": "brand", "followers": 10000 + 10 * k})
        rows.append({"date": d, "platform": "x", "account": "brand", "followers": 5000 + 5 * k})
        if d >= date(2025, 6, 10):  # a big account that first appears mid-June
            rows.append({"date": d, "platform": "tiktok", "account": "brand_tt", "followers": 40000})
        if d <= date(2025, 6, 14):  # snapshots stop 16 days before the end
            rows.append({"date": d, "platform": "linkedin", "account": "corp", "followers": 2000 + 2 * k})
    return rows


def _engine():
    return Engine(source=MemorySource(dataset(accounts=accounts(_rows()))), today=date(2025, 7, 1))


def test_growth_is_like_for_like_and_names_who_started_and_stopped():
    v = _engine().compute_value("follower_growth_rate", "2025-06-01..2025-06-30")
    # instagram 31 May (k=30) 10,300 -> 30 Jun (k=60) 10,600; x 5,150 -> 5,300: +450 / 15,450
    assert v.value == pytest.approx(450 / 15450 * 100)
    assert v.denominator == pytest.approx(15450)
    assert v.accounts_started == ["brand_tt (tiktok)"]
    assert v.accounts_stopped == ["corp (linkedin)"]
    assert "Like-for-like: growth over the 2 accounts present at both ends" in v.caveat
    assert "brand_tt (tiktok) started reporting" in v.caveat and "corp (linkedin) stopped reporting" in v.caveat


def test_all_accounts_present_means_no_note():
    v = _engine().compute_value("follower_growth_rate", "2025-05-10..2025-05-20")
    assert v.accounts_started == [] and v.accounts_stopped == []
    assert v.caveat is None or "Like-for-like" not in v.caveat


def test_data_check_flags_accounts_that_start_late_stop_early_or_skip_days():
    rows = [r for r in _rows() if not (r["account"] == "brand" and r["platform"] == "x"
                                       and date(2025, 5, 20) <= r["date"] <= date(2025, 5, 22))]
    report = check_quality(dataset(accounts=accounts(rows)), today=date(2025, 7, 1))
    by_check = {i.check: i for i in report.issues if i.table == "accounts"}
    assert by_check["account_started"].examples == ["tiktok / brand_tt from 2025-06-10"]
    assert by_check["account_stopped"].examples == [
        "linkedin / corp after 2025-06-14 (16 days before the table ends)"]
    assert by_check["account_gaps"].examples == ["x / brand (3 day(s) missing between 2025-05-01 and 2025-06-30)"]
    assert "gaps" not in by_check  # every day has some row: the table-wide check cannot see these
