"""Result models: what the engine hands to the advisor and the front ends.

Values that cannot be computed are ``None`` with a ``status`` saying why; the
engine never emits 0, inf or NaN in place of "no data".
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict

from .periods import Period

__all__ = [
    "Status",
    "Verdict",
    "KpiValue",
    "Comparison",
    "KpiReport",
    "Segment",
    "Breakdown",
    "TrendPoint",
    "Trend",
    "Scorecard",
]

Status = Literal["ok", "no_data", "not_enough_data"]
Verdict = Literal["up", "down", "flat", "noise", "not_enough_data"]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class KpiValue(_Model):
    """A KPI over one period."""

    kpi_id: str
    name: str
    unit: str
    period: Period
    value: float | None
    numerator: float | None = None
    denominator: float | None = None
    volume: float = 0
    min_volume: float = 0
    status: Status
    message: str | None = None
    filters: dict[str, list[str]] = {}
    caveat: str | None = None


class Comparison(_Model):
    """The current value against a reference period, with a tested verdict."""

    against: str  # "previous period" | "same period last year"
    reference: KpiValue
    abs_change: float | None
    rel_change: float | None  # fraction: 0.12 == +12%
    verdict: Verdict
    good: bool | None  # the change is in the KPI's good direction (None if no verdict)
    p_value: float | None = None
    method: str  # how the verdict was decided, in words


class KpiReport(_Model):
    current: KpiValue
    previous: Comparison
    last_year: Comparison
    direction: Literal["up", "down"]
    formula: str
    denominator: str
    guardrails: list[str] = []


class Segment(_Model):
    key: str
    value: float | None
    previous_value: float | None
    numerator: float
    denominator: float | None
    previous_numerator: float
    previous_denominator: float | None
    share: float | None  # of the denominator (rates) or of the total (counts), current period
    change: float | None  # value change
    contribution: float  # to the total change, in KPI units
    mix_effect: float = 0.0  # rates: from the segment's share of the denominator moving
    rate_effect: float = 0.0  # rates: from the segment's own rate moving
    status: Status = "ok"


class Breakdown(_Model):
    kpi_id: str
    name: str
    unit: str
    dimension: str
    period: Period
    previous_period: Period
    total: KpiValue
    previous_total: KpiValue
    segments: list[Segment]
    note: str | None = None


class TrendPoint(_Model):
    start: date
    end: date
    value: float | None
    numerator: float | None = None
    denominator: float | None = None
    volume: float = 0
    expected: float | None = None
    anomaly: bool = False
    score: float | None = None  # robust z against the baseline


class Trend(_Model):
    kpi_id: str
    name: str
    unit: str
    grain: Literal["day", "week", "month"]
    period: Period
    points: list[TrendPoint]
    caveat: str | None = None


class Scorecard(_Model):
    goal: str
    goal_name: str
    objective: str
    period: Period
    primary: KpiReport
    diagnostics: list[KpiReport]
