"""Parse subscription text into a DigestSpec.

Examples::

    weekly mon 09:00 Europe/Berlin goal=awareness platform=instagram quiet=brief
    daily 08:30 UTC kpis=engagement_rate,click_through_rate
    cron "0 9 * * 1" Europe/Berlin goal=traffic
    alert daily 09:00 UTC kpi=engagement_rate below=2.5
    alert weekly mon 09:00 UTC kpi=click_through_rate change=20%
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import DigestError

__all__ = ["DigestSpec", "parse_spec", "DAYS", "FILTER_KEYS", "DEFAULT_PERIODS"]

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
FILTER_KEYS = ("platform", "account", "campaign", "content_type", "topic", "channel")
DEFAULT_PERIODS = {"daily": "yesterday", "weekly": "last_week", "monthly": "last_month",
                   "cron": "last_7_days"}
# alerts compare a rolling window: a single day is usually too little volume to judge
ALERT_PERIODS = {"daily": "last_7_days", "weekly": "last_week", "monthly": "last_month",
                 "cron": "last_7_days"}
QUIET = {"brief": "brief", "say": "brief", "short": "brief", "skip": "skip", "nothing": "skip",
         "none": "skip", "silent": "skip", "full": "full", "always": "full"}
_DAY_ALIASES = {d: d for d in DAYS} | {
    "monday": "mon", "tuesday": "tue", "wednesday": "wed", "thursday": "thu", "friday": "fri",
    "saturday": "sat", "sunday": "sun", "tues": "tue", "thur": "thu", "thurs": "thu",
}
_EXAMPLE = ("e.g. `weekly mon 09:00 Europe/Berlin goal=awareness`, `daily 08:30 UTC "
            "kpis=engagement_rate`, `cron \"0 9 * * 1\" Europe/Berlin goal=traffic` or "
            "`alert daily 09:00 UTC kpi=engagement_rate below=2.5`")


@dataclass(frozen=True)
class DigestSpec:
    """A parsed subscription; ``text`` is its canonical form (shown in lists)."""

    kind: str  # digest | alert
    cadence: str  # daily | weekly | monthly | cron
    time: str = "09:00"
    timezone: str = "UTC"
    day: str | None = None
    cron: str | None = None  # APScheduler-ready crontab (weekday names, not numbers)
    goal: str | None = None
    kpis: tuple[str, ...] = ()
    filters: dict[str, list[str]] = field(default_factory=dict)
    quiet: str = "brief"
    period: str = "last_week"
    threshold_kind: str | None = None  # below | above | change | unusual
    threshold_value: float | None = None
    direction: str = "bad"  # unusual-change alerts: bad | good | both

    @property
    def text(self) -> str:
        parts = ["alert"] if self.kind == "alert" else []
        if self.cadence == "cron":
            parts += ["cron", f'"{self.cron}"', self.timezone]
        else:
            parts += [self.cadence] + ([self.day] if self.day else []) + [self.time, self.timezone]
        if self.goal:
            parts.append(f"goal={self.goal}")
        if self.kpis:
            parts.append(("kpi=" if self.kind == "alert" else "kpis=") + ",".join(self.kpis))
        parts += [f"{k}={','.join(v)}" for k, v in self.filters.items()]
        if self.kind == "alert":
            if self.threshold_kind in ("below", "above"):
                parts.append(f"{self.threshold_kind}={self.threshold_value:g}")
            elif self.threshold_kind == "change":
                parts.append(f"change={(self.threshold_value or 0) * 100:g}%")
            else:
                parts.append(f"direction={self.direction}")
        else:
            parts.append(f"quiet={self.quiet}")
        parts.append(f"period={self.period}")
        return " ".join(parts)


def parse_spec(text: str, *, default_timezone: str = "UTC") -> DigestSpec:
    """Read subscription text; raises DigestError saying what to write instead."""
    words, options = _tokens(text)
    kind = words.pop(0).lower() if words and words[0].lower() in ("alert", "digest") else "digest"
    schedule = _schedule(words, default_timezone)
    what = _what(_options(options), kind, schedule["cadence"])
    return DigestSpec(kind=kind, **schedule, **what)


def _tokens(text: str) -> tuple[list[str], list[str]]:
    """Schedule words and key=value options, with typographic quotes made plain."""
    raw = (text or "").strip()
    if not raw:
        raise DigestError(f"Say when and what to post, {_EXAMPLE}.")
    if len(raw) > 500:
        raise DigestError("That subscription text is too long (over 500 characters); "
                          f"write just the schedule and options, {_EXAMPLE}.")
    raw = raw.replace("\u201c", '"').replace("\u201d", '"').replace("\u2018", "'").replace("\u2019", "'")
    try:
        tokens = shlex.split(raw)
    except ValueError:
        raise DigestError(f"Unbalanced quotes in '{raw}': quote the cron expression once, {_EXAMPLE}.") from None
    return [t for t in tokens if "=" not in t], [t for t in tokens if "=" in t]


def _schedule(words: list[str], default_timezone: str) -> dict[str, Any]:
    """Cadence, day, time of day, timezone and cron expression from the schedule words."""
    if not words:
        raise DigestError(f"Start with daily, weekly, monthly or cron, {_EXAMPLE}.")
    cadence = words.pop(0).lower()
    if cadence not in DEFAULT_PERIODS:
        raise DigestError(f"'{cadence}' is not a schedule: start with daily, weekly, monthly or cron, {_EXAMPLE}.")
    day = cron = None
    time_ = "09:00"
    tz = default_timezone
    if cadence == "cron":
        if not words:
            raise DigestError('Give the cron expression in quotes, e.g. cron "0 9 * * 1" Europe/Berlin.')
        cron = _crontab(words.pop(0))
        if any(re.fullmatch(r"\d{1,2}:\d{2}", w) for w in words):
            raise DigestError("A cron schedule carries its own time; drop the HH:MM.")
    rest = []
    for w in words:
        lw = w.lower()
        if re.fullmatch(r"\d{1,2}:\d{2}", w):
            time_ = _clock(w)
        elif lw in _DAY_ALIASES and cadence == "weekly":
            day = _DAY_ALIASES[lw]
        elif cadence == "monthly" and (lw == "last" or re.fullmatch(r"\d{1,2}(st|nd|rd|th)?", lw)):
            day = _month_day(lw)
        elif "/" in w or lw in ("utc", "gmt") or w in _common_zones():
            tz = _zone(w)
        else:
            rest.append(w)
    if rest:
        raise DigestError(f"Cannot read '{' '.join(rest)}'. Write the day, HH:MM and an IANA timezone "
                          f"(Europe/Berlin, UTC), then key=value options, {_EXAMPLE}.")
    if cadence == "weekly":
        day = day or "mon"
    elif cadence == "monthly":
        day = day or "1"
    return {"cadence": cadence, "time": time_, "timezone": tz, "day": day, "cron": cron}


def _what(opts: dict[str, str], kind: str, cadence: str) -> dict[str, Any]:
    """What to report or watch, from the key=value options; every option must be used."""
    goal = opts.pop("goal", None)
    kpis = _list(opts.pop("kpis", "") or opts.pop("kpi", ""))
    quiet_word = opts.pop("quiet", "brief").lower()
    if quiet_word not in QUIET:
        raise DigestError(f"quiet={quiet_word}: write quiet=brief (say briefly that nothing changed), "
                          "quiet=skip (post nothing) or quiet=full (post the whole digest anyway).")
    period = opts.pop("period", None) or (ALERT_PERIODS if kind == "alert" else DEFAULT_PERIODS)[cadence]
    filters = {k: _list(opts.pop(k)) for k in FILTER_KEYS if k in opts}
    t_kind, t_value = _threshold(opts, kind)
    direction = opts.pop("direction", "bad").lower()
    if direction not in ("bad", "good", "both") or (kind != "alert" and direction != "bad"):
        raise DigestError("direction= is for alerts on unusual changes: write direction=bad (moves against "
                          "the KPI's good direction, the default), direction=good or direction=both.")
    if opts:
        known = "goal, kpis, quiet, period, " + ", ".join(FILTER_KEYS)
        if kind == "alert":
            known += ", below, above, change, direction"
        raise DigestError(f"Unknown option {', '.join(f'{k}=' for k in opts)}. Options: {known}.")
    _check_subject(kind, goal, kpis)
    return {"goal": goal.lower() if goal else None, "kpis": tuple(kpis), "filters": filters,
            "quiet": QUIET[quiet_word], "period": period.lower(), "threshold_kind": t_kind,
            "threshold_value": t_value, "direction": direction}


def _check_subject(kind: str, goal: str | None, kpis: list[str]) -> None:
    if kind == "alert":
        if len(kpis) != 1 or goal:
            raise DigestError("An alert watches one KPI: write kpi=engagement_rate (and below=, above= "
                              "or change=20%; without them it fires on an unusual change).")
    elif not goal and not kpis:
        raise DigestError("Say what to report: goal=awareness (or engagement, traffic, leads, ...) "
                          "or kpis=engagement_rate,click_through_rate.")
    elif goal and kpis:
        raise DigestError("Give either goal=... or kpis=..., not both.")


def _options(tokens: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for t in tokens:
        key, _, value = t.partition("=")
        key = key.strip().lower().replace("-", "_")
        if not value.strip():
            raise DigestError(f"'{t}' has no value: write {key}=something.")
        if key in out:
            raise DigestError(f"{key}= is given twice; list several values with commas: {key}=a,b.")
        out[key] = value.strip()
    return out


def _list(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def _clock(text: str) -> str:
    h, m = (int(x) for x in text.split(":"))
    if not (0 <= h <= 23 and 0 <= m <= 59):
        raise DigestError(f"'{text}' is not a time of day: write 24-hour HH:MM such as 09:00 or 17:30.")
    return f"{h:02d}:{m:02d}"


def _month_day(text: str) -> str:
    if text == "last":
        return "last"
    n = int(re.sub(r"\D", "", text))
    if not 1 <= n <= 31:
        raise DigestError(f"'{text}' is not a day of the month: write 1 to 31, or last.")
    if n > 28:
        raise DigestError(f"Day {n} does not exist in every month; write 28 or `last` instead.")
    return str(n)


def _common_zones() -> set[str]:
    return {"UTC", "GMT", "Etc/UTC"}


def _zone(text: str) -> str:
    name = "UTC" if text.lower() in ("utc", "gmt") else text
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise DigestError(f"Unknown timezone '{text}': use an IANA name such as Europe/Berlin, "
                          "America/New_York or UTC.") from None
    return name


def _threshold(opts: dict[str, str], kind: str) -> tuple[str | None, float | None]:
    given = [k for k in ("below", "above", "change") if k in opts]
    if not given:
        return ("unusual", None) if kind == "alert" else (None, None)
    if kind != "alert":
        raise DigestError(f"{given[0]}= is for alerts: start the text with `alert`, e.g. "
                          "`alert daily 09:00 UTC kpi=engagement_rate below=2.5`.")
    if len(given) > 1:
        raise DigestError("Give one threshold: below=, above= or change=.")
    key = given[0]
    value = opts.pop(key).strip()
    pct = value.endswith("%")
    try:
        number = float(value.rstrip("%").replace(",", ""))
    except ValueError:
        raise DigestError(f"{key}={value} is not a number: write e.g. below=2.5 (in the KPI's unit) "
                          "or change=20%.") from None
    if key == "change":
        if number <= 0:
            raise DigestError("change= is a size of move in either direction: write a positive percent, e.g. change=20%.")
        return "change", number / 100 if pct or number > 1 else number
    if pct:
        raise DigestError(f"{key}= takes the KPI's own unit without %: e.g. below=2.5 for 2.5% "
                          "engagement rate; use change=20% for a relative move.")
    return key, number


def _crontab(expr: str) -> str:
    """Check a 5-field crontab and rewrite numeric weekdays (cron: 0/7=Sunday) as names.

    APScheduler 3 numbers weekdays from Monday=0, so '0 9 * * 1' passed through
    unchanged would fire on Tuesdays.
    """
    fields = expr.split()
    if len(fields) != 5:
        raise DigestError(f'Cron "{expr}" needs 5 fields: minute hour day-of-month month day-of-week, '
                          'e.g. "0 9 * * 1" for Mondays at 09:00.')
    fields[4] = _weekdays(fields[4], expr)
    cron = " ".join(fields)
    from apscheduler.triggers.cron import CronTrigger

    try:
        CronTrigger.from_crontab(cron, timezone="UTC")
    except ValueError as exc:
        raise DigestError(f'Cannot read cron "{expr}": {exc}. Example: "30 8 * * mon-fri".') from None
    return cron


def _weekdays(field_: str, expr: str) -> str:
    if field_ == "*":
        return "*"
    names = {"sun": 0, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6}
    cron_order = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]
    days: set[int] = set()

    def num(tok: str) -> int:
        t = tok.lower()[:3]
        if t in names:
            return names[t]
        if t.isdigit() and 0 <= int(t) <= 7:
            return int(t) % 7
        raise DigestError(f'Cron "{expr}": day-of-week "{tok}" should be 0-7 or mon..sun.')

    for part in field_.split(","):
        rng, _, step = part.partition("/")
        if rng == "*":
            lo, hi = 0, 6
        elif "-" in rng:
            a, b = rng.split("-", 1)
            lo, hi = num(a), num(b)
            if b.strip() == "7":
                hi = 7
        else:
            lo = hi = num(rng)
        s = int(step) if step.isdigit() and int(step) > 0 else 1
        if step and not step.isdigit():
            raise DigestError(f'Cron "{expr}": the step in "{part}" should be a number.')
        if hi < lo:
            raise DigestError(f'Cron "{expr}": the range "{rng}" runs backwards.')
        days.update(d % 7 for d in range(lo, hi + 1, s))
    return ",".join(cron_order[d] for d in sorted(days, key=lambda d: (d - 1) % 7))
