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
    "Concentration",
]

Status = Literal["ok", "no_data", "not_enough_data"]
# up / down: a meaningful change (the 95% interval excludes 0); flat: no meaningful change (a
# material move would likely have shown); unclear: too early to tell (the interval is wide)
Verdict = Literal["up", "down", "flat", "unclear", "not_enough_data"]


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
    # stocks' growth is like-for-like: accounts without a level at both ends are left out and named
    accounts_started: list[str] = []
    accounts_stopped: list[str] = []


class Comparison(_Model):
    """The current value against a reference period, with a tested verdict."""

    against: str  # "previous period" | "same period last year"
    reference: KpiValue
    abs_change: float | None
    rel_change: float | None  # fraction: 0.12 == +12%
    verdict: Verdict
    good: bool | None  # the change is in the KPI's good direction (None if no verdict, or for an input)
    # an input KPI (direction 'input', e.g. posts published): the outcome KPI it is read against;
    # its change is more or less effort, never good or bad by itself
    read_against: str | None = None
    p_value: float | None = None
    method: str  # how the verdict was decided, in words
    # the uncertainty behind the verdict, in KPI units (absolute change) ...
    se: float | None = None  # standard error of abs_change
    ci_low: float | None = None  # 95% interval of abs_change
    ci_high: float | None = None
    mde: float | None = None  # minimum detectable change at 80% power (two-sided 5% test)
    # ... and relative to the reference value (None when it is 0): fractions, 0.12 == 12%
    rel_ci_low: float | None = None
    rel_ci_high: float | None = None
    rel_mde: float | None = None
    material_change: float | None = None  # relative move the KPI calls material ("no change" needs rel_mde <= it)
    # multiplicity: when the comparison is one of several tests in a digest or scorecard
    q_value: float | None = None  # Benjamini-Hochberg adjusted p-value over the family
    family_size: int | None = None  # tests in that family


class KpiReport(_Model):
    current: KpiValue
    previous: Comparison
    last_year: Comparison
    direction: Literal["up", "down", "input"]
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


class Concentration(_Model):
    """The post with the largest numerator in a period, and how much of the KPI it carries."""

    kpi_id: str
    post_id: str
    posts: int  # posts with data in the period
    numerator: float
    numerator_name: str  # "watch_time_seconds"
    platform: str = ""
    content_type: str = ""
    share_of_numerator: float  # of the period's numerator, 0.44 == 44%
    share_of_variance: float | None = None  # rates: of the clustered variance (its squared residual's share)
    share_of_change: float | None = None  # counts: of the change vs the previous period (when it is not tiny)

    def notable(self, threshold: float = 0.30) -> bool:
        return (self.share_of_numerator >= threshold or (self.share_of_change or 0.0) >= threshold
                or (self.share_of_variance or 0.0) >= 0.5)


class Scorecard(_Model):
    goal: str
    goal_name: str
    objective: str
    period: Period
    primary: KpiReport
    diagnostics: list[KpiReport]
