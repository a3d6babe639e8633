"""Strict models for the KPI catalog: KPI definitions and goal families."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..schema import TABLES

__all__ = ["Formula", "Kpi", "Goal", "Catalog", "Unit", "FormulaKind", "Direction", "parse_terms"]

# up / down: the way a KPI is good. input: effort the team controls (posts published); a change
# in it is neither good nor bad by itself and is read against the outcome named in `read_against`
Direction = Literal["up", "down", "input"]
FormulaKind = Literal["sum", "ratio", "stock_growth", "stock_level", "percentile"]
Unit = Literal["count", "percent", "per_1000", "per_post", "seconds", "minutes", "currency", "points"]

_TERM = re.compile(r"\s*([+-]?)\s*([a-z_][a-z0-9_]*)\s*")


def parse_terms(expr: str) -> list[tuple[int, str]]:
    """Parse 'a + b - c' into [(1, 'a'), (1, 'b'), (-1, 'c')]."""
    terms: list[tuple[int, str]] = []
    pos = 0
    expr = expr.strip()
    while pos < len(expr):
        m = _TERM.match(expr, pos)
        if not m or (terms and not m.group(1)):
            raise ValueError(f"cannot read '{expr}': write measures joined by + or -, e.g. 'likes + comments'")
        terms.append((-1 if m.group(1) == "-" else 1, m.group(2)))
        pos = m.end()
    if not terms:
        raise ValueError("empty expression")
    return terms


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Formula(_Strict):
    """A KPI formula over additive measures of one canonical table."""

    kind: FormulaKind
    table: Literal["posts", "accounts", "interactions"] = "posts"
    numerator: str | None = None  # sum / ratio: 'engagements' or 'positive - negative'
    denominator: str | None = None  # ratio only
    measure: str | None = None  # stock_* and percentile
    quantile: float | None = Field(default=None, gt=0, lt=1)
    scale: float = 1.0
    # ratio only: numerator and denominator count only rows from platforms that report the formula's
    # measures (saves, link clicks, video completions, watch time, reach), so a platform without one
    # neither dilutes nor inflates the rate; alone, such a platform's rate is missing, never 0
    matched_denominator: bool = False

    @model_validator(mode="after")
    def _check_shape(self) -> Formula:
        needs = {
            "sum": ("numerator",),
            "ratio": ("numerator", "denominator"),
            "stock_growth": ("measure",),
            "stock_level": ("measure",),
            "percentile": ("measure", "quantile"),
        }[self.kind]
        missing = [f for f in needs if getattr(self, f) is None]
        if missing:
            raise ValueError(f"a '{self.kind}' formula needs {', '.join(missing)}")
        spec = TABLES[self.table]
        for name in self.measures:
            if name not in spec.measures:
                raise ValueError(
                    f"'{name}' is not a measure of table '{self.table}' "
                    f"(measures: {', '.join(spec.measures)})"
                )
        if self.matched_denominator and (self.kind != "ratio" or self.table != "posts"):
            raise ValueError("matched_denominator applies to ratios over posts (platforms report per post)")
        if self.kind.startswith("stock") and self.measure not in spec.stocks:
            raise ValueError(f"'{self.measure}' is not a stock; use kind 'sum' for flows")
        return self

    @property
    def numerator_terms(self) -> list[tuple[int, str]]:
        return parse_terms(self.numerator) if self.numerator else []

    @property
    def denominator_terms(self) -> list[tuple[int, str]]:
        return parse_terms(self.denominator) if self.denominator else []

    @property
    def measures(self) -> list[str]:
        names = [m for _, m in self.numerator_terms + self.denominator_terms]
        if self.measure:
            names.append(self.measure)
        return list(dict.fromkeys(names))

    def describe(self) -> str:
        """The formula in words, e.g. 'engagements / impressions x 100'."""
        scale = "" if self.scale == 1 else f" x {self.scale:g}"
        if self.kind == "sum":
            return f"sum({self.numerator})"
        if self.kind == "ratio":
            matched = (f", both counted only on platforms that report {' and '.join(self.measures)}"
                       if self.matched_denominator else "")
            return f"sum({self.numerator}) / sum({self.denominator}){scale}{matched}"
        if self.kind == "stock_growth":
            return f"({self.measure} at end - {self.measure} at start) / {self.measure} at start{scale}"
        if self.kind == "stock_level":
            return f"{self.measure} at the end of the period (a stock, not summed over days)"
        return f"p{round((self.quantile or 0) * 100)} of {self.measure}"


class Kpi(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    definition: str
    families: tuple[str, ...]
    formula: Formula
    unit: Unit
    direction: Direction
    read_against: str | None = None  # an input's outcome KPI (per unit of the input): direction 'input' only
    denominator: str  # the denominator (or basis) stated in words
    scope: str = "All connected platforms and accounts; post-day facts dated in the platform's reporting day."
    timezone: str = "workspace"
    min_volume: float = 0
    # the relative move a team would act on: "no meaningful change" is said only when the test
    # could have seen a move this large (its MDE at 80% power is at most this); else "too early"
    material_change: float = Field(default=0.10, gt=0, le=1)
    guardrails: tuple[str, ...] = ()
    diagnostics: tuple[str, ...] = ()
    timing: Literal["leading", "lagging"]
    caveat: str | None = None  # always shown with the value, e.g. reach's non-additivity
    synonyms: tuple[str, ...] = ()
    # governance (a team's catalog override sets them): who owns the KPI, how often it is reviewed
    owner: str | None = None
    review_cadence: Literal["weekly", "monthly", "quarterly"] | None = None

    @field_validator("families")
    @classmethod
    def _families_nonempty(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        if not v:
            raise ValueError("list at least one goal family")
        return v

    @model_validator(mode="after")
    def _check_input(self) -> Kpi:
        if (self.direction == "input") != (self.read_against is not None):
            raise ValueError("an input KPI (direction: input) names the outcome it is read against in "
                             "read_against, and only an input does")
        return self

    @property
    def is_rate(self) -> bool:
        return self.formula.kind == "ratio"

    @property
    def good_direction(self) -> Literal["up", "down"] | None:
        """The way a change is good; None for an input, whose change is neither good nor bad."""
        return None if self.direction == "input" else self.direction

    @property
    def target_direction(self) -> Literal["up", "down"]:
        """The way a target is met: a plan for an input (posts a week) is a volume to reach."""
        return "up" if self.direction == "input" else self.direction


class Goal(_Strict):
    id: str
    name: str
    objective: str
    primary: str
    diagnostics: tuple[str, ...] = Field(min_length=1, max_length=6)
    synonyms: tuple[str, ...] = ()


class Catalog(_Strict):
    """Loaded catalog: KPIs and goal families, cross-checked."""

    kpis: dict[str, Kpi]
    goals: dict[str, Goal]

    @model_validator(mode="after")
    def _cross_check(self) -> Catalog:
        problems: list[str] = []
        for kpi in self.kpis.values():
            for d in kpi.diagnostics:
                if d not in self.kpis:
                    problems.append(f"KPI '{kpi.id}' lists unknown diagnostic '{d}'")
            for f in kpi.families:
                if f not in self.goals:
                    problems.append(f"KPI '{kpi.id}' names unknown goal family '{f}'")
            if kpi.read_against is not None:
                outcome = self.kpis.get(kpi.read_against)
                if outcome is None:
                    problems.append(f"KPI '{kpi.id}' is read against unknown KPI '{kpi.read_against}'")
                elif outcome.direction == "input":
                    problems.append(f"KPI '{kpi.id}' is read against '{outcome.id}', another input: "
                                    "name an outcome (up or down)")
        for goal in self.goals.values():
            for k in (goal.primary, *goal.diagnostics):
                if k not in self.kpis:
                    problems.append(f"goal '{goal.id}' names unknown KPI '{k}'")
            if goal.primary in self.kpis and self.kpis[goal.primary].direction == "input":
                problems.append(f"goal '{goal.id}' has the input '{goal.primary}' as its primary: a primary is "
                                "an outcome; list the input as a diagnostic")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def get(self, kpi_id: str) -> Kpi:
        from ..errors import UnknownKpi

        key = kpi_id.strip().lower().replace("-", "_").replace(" ", "_")
        if key in self.kpis:
            return self.kpis[key]
        raise UnknownKpi(kpi_id, self.suggest(kpi_id))

    def suggest(self, text: str, n: int = 3) -> list[str]:
        import difflib

        key = text.strip().lower().replace("-", "_").replace(" ", "_")
        names = {k.id: k.id for k in self.kpis.values()}
        names.update({k.name.lower(): k.id for k in self.kpis.values()})
        for k in self.kpis.values():
            names.update({s.lower(): k.id for s in k.synonyms})
        hits = difflib.get_close_matches(key, list(names), n=n * 2, cutoff=0.5)
        return list(dict.fromkeys(names[h] for h in hits))[:n]

    def goal(self, goal_id: str) -> Goal:
        from ..errors import CatalogError

        key = goal_id.strip().lower().replace("-", "_").replace(" ", "_")
        if key in self.goals:
            return self.goals[key]
        for g in self.goals.values():
            if key in g.synonyms:
                return g
        raise CatalogError(
            f"Unknown goal '{goal_id}'. Goals: {', '.join(self.goals)}."
        )
