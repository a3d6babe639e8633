"""Data-quality report: what in the data could make a KPI wrong, said plainly.

Checks per table: row count and date range, days with no rows, duplicate rows
by natural key, per-account snapshot gaps (an account that starts late, stops
early or skips days, which the table-wide gap check cannot see), negative values, impossible relations between measures
(clicks > impressions, ...), untagged campaign share, stale data, and what the
loader had to drop or fill (``frame.attrs["load_notes"]``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from kpi_engine.schema import TABLES
from kpi_engine.source import Dataset

__all__ = ["QualityIssue", "TableQuality", "QualityReport", "check_quality"]

Severity = Literal["error", "warning", "info"]

_KEYS = {"posts": ["date", "platform", "post_id"], "accounts": ["date", "platform", "account"],
         "interactions": ["interaction_id"]}
# (larger, smaller, severity): rows where `smaller` exceeds `larger` cannot be right.
_BOUNDS: tuple[tuple[str, str, Severity], ...] = (
    ("impressions", "clicks", "error"),
    ("impressions", "reach", "warning"),
    ("sessions", "engaged_sessions", "error"),
    ("video_views", "video_completions", "error"),
    ("inquiries", "qualified_inquiries", "error"),
    ("qualified_inquiries", "inquiries_won", "error"),
    ("leads", "opportunities", "error"),
)
_PARTS = ("likes", "comments", "shares", "saves")
_MAX_LISTED = 10


class QualityIssue(BaseModel):
    """One problem, with how many rows (or days) it touches."""

    model_config = ConfigDict(frozen=True)
    table: str
    check: str
    severity: Severity
    message: str
    count: int = 0
    examples: list[str] = Field(default_factory=list)


class TableQuality(BaseModel):
    """Shape of one table."""

    model_config = ConfigDict(frozen=True)
    table: str
    rows: int
    first_date: date | None = None
    last_date: date | None = None
    gap_days: list[date] = Field(default_factory=list)
    duplicate_rows: int = 0


class QualityReport(BaseModel):
    """Every table's shape and every issue found; ``ok`` is False when any is an error."""

    model_config = ConfigDict(frozen=True)
    ok: bool
    today: date
    tables: list[TableQuality]
    issues: list[QualityIssue]

    @property
    def errors(self) -> list[QualityIssue]:
        return [i for i in self.issues if i.severity == "error"]


def check_quality(dataset: Dataset, *, today: date | None = None, stale_after_days: int = 3) -> QualityReport:
    """Run every check on every table the dataset has."""
    today = today or datetime.now(UTC).date()
    tables: list[TableQuality] = []
    issues: list[QualityIssue] = []
    for name in TABLES:
        frame = dataset.table(name)
        if frame is None:
            issues.append(QualityIssue(table=name, check="missing_table", severity="info",
                                       message=_MISSING[name]))
            continue
        summary, found = _check_table(name, frame, today, stale_after_days)
        tables.append(summary)
        issues.extend(found)
    order = {"error": 0, "warning": 1, "info": 2}
    issues.sort(key=lambda i: order[i.severity])
    return QualityReport(ok=not any(i.severity == "error" for i in issues), today=today, tables=tables, issues=issues)


_MISSING = {
    "posts": "No posts table: post KPIs (impressions, engagement rate, clicks, ...) cannot be computed.",
    "accounts": "No accounts table: followers, follower growth and share of voice cannot be computed.",
    "interactions": "No interactions table: response time, response rate and sentiment cannot be computed.",
}


def _check_table(
    name: str, frame: pd.DataFrame, today: date, stale_after: int
) -> tuple[TableQuality, list[QualityIssue]]:
    issues: list[QualityIssue] = []

    def add(check: str, severity: Severity, message: str, count: int = 0, examples: list[str] | None = None) -> None:
        issues.append(QualityIssue(table=name, check=check, severity=severity, message=message,
                                   count=count, examples=examples or []))

    for note in frame.attrs.get("load_notes", []):
        add("load", "warning" if note.startswith("dropped") else "info", f"While loading {name}: {note}.")
    if frame.empty or "date" not in frame.columns:
        add("empty", "error", f"The {name} table has no rows: load a file with data.")
        return TableQuality(table=name, rows=len(frame)), issues

    days = pd.DatetimeIndex(frame["date"].dropna().unique()).normalize()
    first, last = days.min().date(), days.max().date()
    gaps = sorted(set(pd.date_range(first, last, freq="D").date) - set(days.date))
    if gaps:
        add("gaps", "warning",
            f"The {name} table has no rows on {len(gaps)} day(s) between {first} and {last} "
            f"(e.g. {', '.join(str(d) for d in gaps[:5])}): KPIs over those days will read low. Re-export them.",
            len(gaps), [str(d) for d in gaps[:_MAX_LISTED]])

    keys = [k for k in _KEYS[name] if k in frame.columns]
    duplicates = int(frame.duplicated(keys).sum()) if keys else 0
    if duplicates:
        dup = frame[frame.duplicated(keys, keep=False)].head(_MAX_LISTED)
        examples = [" / ".join(str(v) for v in row) for row in dup[keys].itertuples(index=False)]
        add("duplicates", "error",
            f"{duplicates} {name} row(s) repeat an earlier row's {' + '.join(keys)}: sums count them twice. "
            "Remove the duplicates or check for overlapping exports.", duplicates, examples)

    measures = [m for m in TABLES[name].measures if m in frame.columns]
    negatives = {m: int((frame[m] < 0).sum()) for m in measures}
    negatives = {m: n for m, n in negatives.items() if n}
    if negatives:
        listed = ", ".join(f"{m} ({n})" for m, n in negatives.items())
        what = "response before receipt" if {"response_minutes", "resolution_minutes"} & set(negatives) else "counts"
        add("negative", "error",
            f"Negative values in {name}: {listed}. Measures are {what} that cannot be below zero; fix the source.",
            sum(negatives.values()), list(negatives))

    if name == "posts":
        issues.extend(_check_posts(frame))
    if name == "accounts":
        issues.extend(_check_account_snapshots(frame, first, last))
    blanks = {m: int(frame[m].isna().sum()) for m in measures if m not in TABLES[name].durations}
    blanks = {m: n for m, n in blanks.items() if n}
    if blanks:
        add("missing_values", "warning",
            f"Missing values in {name}: {', '.join(f'{m} ({n})' for m, n in blanks.items())}; they are summed as 0.",
            sum(blanks.values()), list(blanks))
    absent = frame.attrs.get("absent_measures", [])
    if absent:
        add("absent_measures", "info",
            f"The {name} file has no column for {', '.join(absent)}; they read as 0, so KPIs built on them "
            "show no data (rates) or 0 (counts).", len(absent), list(absent))

    if (today - last).days > stale_after:
        add("stale", "warning",
            f"The {name} data ends on {last}, {(today - last).days} days before {today}: "
            "recent periods will look empty. Refresh the export.", (today - last).days)
    if last > today:
        add("future", "warning", f"The {name} data has dates after today ({last}): check the timezone or the export.",
            int((days.date > today).sum()))
    summary = TableQuality(table=name, rows=len(frame), first_date=first, last_date=last,
                           gap_days=gaps, duplicate_rows=duplicates)
    return summary, issues


def _check_posts(frame: pd.DataFrame) -> list[QualityIssue]:
    issues: list[QualityIssue] = []
    for larger, smaller, severity in _BOUNDS:
        if larger not in frame.columns or smaller not in frame.columns:
            continue
        bad = frame[smaller] > frame[larger]
        n = int(bad.sum())
        if n:
            examples = _examples(frame, bad)
            issues.append(QualityIssue(
                table="posts", check=f"{smaller}_gt_{larger}", severity=severity, count=n, examples=examples,
                message=f"{n} post row(s) have more {smaller} than {larger}, which cannot happen "
                        f"(e.g. {examples[0]}). Check the column mapping or the export.",
            ))
    parts = [p for p in _PARTS if p in frame.columns]
    if "engagements" in frame.columns and parts:
        total = frame[parts].sum(axis=1)
        diff = (frame["engagements"] - total).abs()
        bad = diff > np.maximum(1.0, 0.01 * frame["engagements"].abs())
        n = int(bad.sum())
        if n:
            issues.append(QualityIssue(
                table="posts", check="engagements_mismatch", severity="warning", count=n,
                examples=_examples(frame, bad),
                message=f"{n} post row(s) have engagements that differ from {' + '.join(parts)}: the platform may "
                        "count other actions (clicks, reactions) as engagements. Engagement rate uses the engagements "
                        "column as given; say which definition you report.",
            ))
    if "campaign" in frame.columns and len(frame):
        untagged = frame["campaign"].isna() | (frame["campaign"].astype("str").str.strip() == "")
        share = float(untagged.mean())
        if share > 0:
            imp = float(frame.loc[untagged, "impressions"].sum() / max(frame["impressions"].sum(), 1.0)) \
                if "impressions" in frame.columns else share
            severity = "warning" if share >= 0.8 else "info"
            issues.append(QualityIssue(
                table="posts", check="untagged_campaign", severity=severity, count=int(untagged.sum()),
                message=f"{share:.0%} of post rows ({imp:.0%} of impressions) have no campaign tag; campaign "
                        "breakdowns show them as untagged. Tag posts consistently (UTM campaign) to attribute them.",
            ))
    return issues


def _check_account_snapshots(frame: pd.DataFrame, first: date, last: date) -> list[QualityIssue]:
    """Accounts whose own snapshots start late, stop early or skip days (stocks read stale or jump)."""
    if "account" not in frame.columns:
        return []
    keys = [k for k in ("platform", "account") if k in frame.columns]
    started, stopped, gappy = [], [], []
    for key, group in frame.dropna(subset=["date"]).groupby(keys, sort=True):
        label = " / ".join(str(k) for k in (key if isinstance(key, tuple) else (key,)))
        days = pd.DatetimeIndex(group["date"].unique()).normalize()
        a, b = days.min().date(), days.max().date()
        if a > first:
            started.append(f"{label} from {a}")
        if b < last:
            stopped.append(f"{label} after {b} ({(last - b).days} days before the table ends)")
        missing = (b - a).days + 1 - len(days)
        if missing > 0:
            gappy.append(f"{label} ({missing} day(s) missing between {a} and {b})")
    issues = []

    def add(check: str, what: str, items: list[str], advice: str) -> None:
        if items:
            shown = "; ".join(items[:_MAX_LISTED]) + (f"; and {len(items) - _MAX_LISTED} more"
                                                     if len(items) > _MAX_LISTED else "")
            issues.append(QualityIssue(table="accounts", check=check, severity="warning", count=len(items),
                                       examples=items[:_MAX_LISTED], message=f"{what}: {shown}. {advice}"))

    add("account_started", f"{len(started)} account(s) start reporting after the table starts on {first}", started,
        "Follower growth compares the accounts present at both ends and names these; check that the "
        "export is complete.")
    add("account_stopped", f"{len(stopped)} account(s) stop reporting before the table ends on {last}", stopped,
        "Their followers drop out of recent totals; re-export them or disconnect them on purpose.")
    add("account_gaps", f"{len(gappy)} account(s) skip days in their own snapshots", gappy,
        "A stock read on a skipped day uses the last earlier snapshot; re-export the missing days.")
    return issues


def _examples(frame: pd.DataFrame, mask: pd.Series) -> list[str]:
    cols = [c for c in ("date", "post_id") if c in frame.columns]
    rows = frame.loc[mask, cols].head(_MAX_LISTED)
    return [" / ".join(str(v.date()) if isinstance(v, pd.Timestamp) else str(v) for v in r)
            for r in rows.itertuples(index=False)]
