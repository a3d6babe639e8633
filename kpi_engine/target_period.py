"""Target periods: whole months, quarters, years or dates, also in the future.

``resolve_period`` answers "what happened in ..." and stops at the last complete
day; a target covers a whole unit ("Q1 2027", "this quarter", "by 2027-03-31").
``by DATE`` takes the calendar quarter ending on DATE when DATE ends a quarter,
the month ending on DATE when it ends a month, else the days from ``today`` to DATE.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from .errors import PeriodError
from .periods import Period

__all__ = ["TARGET_PERIOD_HELP", "resolve_target_period"]

TARGET_PERIOD_HELP = ("a month (2027-03, this_month, next_month), a quarter (2027-Q1, this_quarter, "
                      "next_quarter), a year (2027), dates (2027-01-01..2027-03-31) or by 2027-03-31")

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def _add_months(d: date, months: int) -> date:
    y, m = divmod(d.month - 1 + months, 12)
    return date(d.year + y, m + 1, 1)


def _month(y: int, m: int) -> Period:
    start = date(y, m, 1)
    end = _add_months(start, 1) - timedelta(days=1)
    return Period(start=start, end=end, label=f"{_MONTHS[m - 1].capitalize()} {y}", kind="month")


def _quarter(y: int, q: int) -> Period:
    start = date(y, 3 * (q - 1) + 1, 1)
    end = _add_months(start, 3) - timedelta(days=1)
    return Period(start=start, end=end, label=f"Q{q} {y}", kind="quarter")


def _year(y: int) -> Period:
    return Period(start=date(y, 1, 1), end=date(y, 12, 31), label=str(y), kind="year")


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise PeriodError(f"'{text}' is not a valid date; write it as YYYY-MM-DD.") from None


def _by(end: date, today: date) -> Period:
    nxt = end + timedelta(days=1)
    if nxt.day == 1 and nxt.month in (1, 4, 7, 10):
        return _quarter(end.year, (end.month - 1) // 3 + 1)
    if nxt.day == 1:
        return _month(end.year, end.month)
    if end < today:
        raise PeriodError(f"{end} is already past; give a date from {today} on.")
    return Period(start=today, end=end, label=f"{today} to {end}", kind="custom")


def resolve_target_period(text: str, *, today: date) -> Period:
    """A whole period for a target, from words or dates (see the module docstring)."""
    raw = " ".join(text.strip().lower().replace("_", " ").split())
    if m := re.fullmatch(r"(?:by|until|till|before)\s+(\d{4}-\d{2}-\d{2})", raw):
        return _by(_date(m.group(1)), today)
    if m := re.fullmatch(r"(\d{4}-\d{2}-\d{2})\s*(?:\.\.|to)\s*(\d{4}-\d{2}-\d{2})", raw):
        start, end = _date(m.group(1)), _date(m.group(2))
        if end < start:
            raise PeriodError(f"'{text}' ends before it starts; write START..END.")
        return Period(start=start, end=end, label=f"{start} to {end}", kind="custom")
    if m := re.fullmatch(r"(\d{4})\s*-?\s*q([1-4])|q([1-4])\s*-?\s*(\d{4})", raw):
        y, q = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
        return _quarter(int(y), int(q))
    if m := re.fullmatch(r"(\d{4})-(\d{2})", raw):
        if not 1 <= int(m.group(2)) <= 12:
            raise PeriodError(f"'{text}': months run from 01 to 12.")
        return _month(int(m.group(1)), int(m.group(2)))
    if m := re.fullmatch(r"(20\d{2})", raw):
        return _year(int(m.group(1)))
    if m := re.fullmatch(r"(this|next|last) (month|quarter|year)", raw):
        step = {"this": 0, "next": 1, "last": -1}[m.group(1)]
        if m.group(2) == "month":
            d = _add_months(today.replace(day=1), step)
            return _month(d.year, d.month)
        if m.group(2) == "quarter":
            d = _add_months(date(today.year, 3 * ((today.month - 1) // 3) + 1, 1), 3 * step)
            return _quarter(d.year, (d.month - 1) // 3 + 1)
        return _year(today.year + step)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
        return _by(_date(raw), today)
    raise PeriodError(f"Cannot read the target period '{text}'. Use {TARGET_PERIOD_HELP}.")
