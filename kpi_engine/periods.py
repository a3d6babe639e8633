"""Periods in words and dates: 'last 28 days', 'last_month', 'qtd', '2025-01-01..2025-01-31'.

The current day is incomplete, so it is excluded unless asked for
(``include_today=True``). "Today" is the calendar day in the given timezone.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict

from .errors import PeriodError

__all__ = [
    "Period",
    "resolve_period",
    "previous_period",
    "same_period_last_year",
    "today_in",
    "overlaps",
    "PERIOD_NAMES",
]

PERIOD_NAMES = (
    "yesterday",
    "today",
    "last_7_days",
    "last_28_days",
    "last_90_days",
    "this_week",
    "last_week",
    "this_month",
    "last_month",
    "this_quarter",
    "last_quarter",
    "month_to_date",
    "quarter_to_date",
    "this_year",
    "last_year",
    "year_to_date",
)

_ALIASES = {
    "mtd": "month_to_date",
    "qtd": "quarter_to_date",
    "ytd": "year_to_date",
    "past_week": "last_7_days",
    "past_month": "last_28_days",
    "last_30_days": "last_30_days",
}


class Period(BaseModel):
    """An inclusive range of calendar days with the words that produced it."""

    model_config = ConfigDict(frozen=True)

    start: date
    end: date
    label: str
    kind: str = "rolling"  # rolling | week | month | quarter | year | custom | day

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def shift(self, days: int, label: str) -> Period:
        delta = timedelta(days=days)
        return Period(start=self.start + delta, end=self.end + delta, label=label, kind=self.kind)

    def __str__(self) -> str:
        return f"{self.label} ({self.start.isoformat()} to {self.end.isoformat()})"


def overlaps(start: date, end: date, span: tuple[date, date] | None) -> bool:
    """Whether the days [start, end] share at least one day with the data's ``span``.

    Inside the span a day without rows is a known zero for counts; outside it nothing is known.
    """
    return span is not None and start <= span[1] and end >= span[0]


def today_in(timezone: str, now: datetime | None = None) -> date:
    try:
        tz = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise PeriodError(
            f"Unknown timezone '{timezone}'. Use an IANA name such as Europe/Berlin or UTC."
        ) from None
    now = now or datetime.now(tz)
    if now.tzinfo is None:
        now = now.replace(tzinfo=tz)
    return now.astimezone(tz).date()


def _quarter_start(d: date) -> date:
    return date(d.year, 3 * ((d.month - 1) // 3) + 1, 1)


def _add_months(d: date, months: int) -> date:
    y, m = divmod(d.month - 1 + months, 12)
    return date(d.year + y, m + 1, 1)


def _normalise(text: str) -> str:
    key = re.sub(r"[\s\-]+", "_", text.strip().lower())
    return _ALIASES.get(key, key)


def resolve_period(
    text: str,
    *,
    today: date | None = None,
    timezone: str = "UTC",
    include_today: bool = False,
) -> Period:
    """Turn words or dates into a Period relative to ``today`` (in ``timezone``)."""
    today = today or today_in(timezone)
    # The last complete day; 'to date' periods end here unless today is included.
    last = today if include_today else today - timedelta(days=1)
    key = _normalise(text)
    raw = text.strip().lower()

    m = re.fullmatch(r"(\d{4}-\d{2}-\d{2})\s*(?:\.\.|to|/|,)\s*(\d{4}-\d{2}-\d{2})", raw)
    if m:
        try:
            start, end = date.fromisoformat(m.group(1)), date.fromisoformat(m.group(2))
        except ValueError as exc:
            raise PeriodError(f"'{text}' has an invalid date: {exc}.") from None
        if end < start:
            raise PeriodError(f"'{text}' ends before it starts; write START..END.")
        return Period(start=start, end=end, label=f"{start}..{end}", kind="custom")
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
        try:
            d = date.fromisoformat(raw)
        except ValueError as exc:
            raise PeriodError(f"'{text}' is not a valid date: {exc}.") from None
        return Period(start=d, end=d, label=raw, kind="day")
    m = re.fullmatch(r"(?:last|past|previous)_(\d{1,4})_?(days?|d|weeks?|w)", key)
    if m:
        n = int(m.group(1)) * (7 if m.group(2).startswith("w") else 1)
        if not 1 <= n <= 3660:
            raise PeriodError(f"'{text}': choose between 1 and 3660 days.")
        return Period(start=last - timedelta(days=n - 1), end=last, label=f"last {n} days")

    if key == "today":
        return Period(start=today, end=today, label="today (incomplete)", kind="day")
    if key == "yesterday":
        d = today - timedelta(days=1)
        return Period(start=d, end=d, label="yesterday", kind="day")
    week_start = today - timedelta(days=today.weekday())
    if key == "this_week":
        return _to_date(week_start, last, "this week", "week", today)
    if key == "last_week":
        s = week_start - timedelta(days=7)
        return Period(start=s, end=s + timedelta(days=6), label="last week", kind="week")
    month_start = today.replace(day=1)
    if key in ("this_month", "month_to_date"):
        return _to_date(month_start, last, "month to date", "month", today)
    if key == "last_month":
        s = _add_months(month_start, -1)
        return Period(start=s, end=month_start - timedelta(days=1), label="last month", kind="month")
    q_start = _quarter_start(today)
    if key in ("this_quarter", "quarter_to_date"):
        return _to_date(q_start, last, "quarter to date", "quarter", today)
    if key == "last_quarter":
        s = _add_months(q_start, -3)
        return Period(start=s, end=q_start - timedelta(days=1), label="last quarter", kind="quarter")
    y_start = date(today.year, 1, 1)
    if key in ("this_year", "year_to_date"):
        return _to_date(y_start, last, "year to date", "year", today)
    if key == "last_year":
        return Period(start=date(today.year - 1, 1, 1), end=date(today.year - 1, 12, 31),
                      label="last year", kind="year")
    raise PeriodError(
        f"Cannot read the period '{text}'. Try last_7_days, last_28_days, last_90_days, "
        "this_week, last_week, this_month, last_month, this_quarter, last_quarter, mtd, qtd, "
        "or dates as 2025-01-01..2025-01-31."
    )


def _to_date(start: date, last: date, label: str, kind: str, today: date) -> Period:
    if last < start:  # first day of the unit and today excluded: nothing complete yet
        raise PeriodError(
            f"{label.capitalize()} has no complete day yet (today, {today}, is still running); "
            "ask for the previous one or include today."
        )
    return Period(start=start, end=last, label=label, kind=f"{kind}_to_date")


def previous_period(period: Period) -> Period:
    """The period just before: the previous calendar unit, or the same number of days."""
    if period.kind in ("month", "quarter", "year"):
        months = {"month": 1, "quarter": 3, "year": 12}[period.kind]
        s = _add_months(period.start, -months)
        return Period(start=s, end=period.start - timedelta(days=1),
                      label=f"previous {period.kind}", kind=period.kind)
    if period.kind.endswith("_to_date") and not period.kind.startswith("week"):
        unit = period.kind.removesuffix("_to_date")
        months = {"month": 1, "quarter": 3, "year": 12}[unit]
        s = _add_months(period.start, -months)
        # same number of days into the previous unit, capped at its end
        end = min(s + timedelta(days=period.days - 1), period.start - timedelta(days=1))
        return Period(start=s, end=end, label=f"same days of previous {unit}", kind=period.kind)
    return period.shift(-period.days, "previous period")


def same_period_last_year(period: Period) -> Period:
    """Last year's counterpart: 52 weeks back for day/week windows (weekday-aligned),
    the calendar counterpart for months, quarters and years."""
    if period.kind in ("rolling", "week", "week_to_date", "day", "custom"):
        return period.shift(-364, "same period last year")
    try:
        start = period.start.replace(year=period.start.year - 1)
        end = period.end.replace(year=period.end.year - 1)
    except ValueError:  # 29 February
        start = period.start.replace(year=period.start.year - 1, day=28)
        end = period.end.replace(year=period.end.year - 1, day=28)
    if period.kind in ("month", "quarter", "year"):
        months = {"month": 1, "quarter": 3, "year": 12}[period.kind]
        end = _add_months(start, months) - timedelta(days=1)
    return Period(start=start, end=end, label="same period last year", kind=period.kind)
