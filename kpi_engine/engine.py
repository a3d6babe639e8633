"""The Engine: one object the advisor and front ends call for every number."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Literal

from .breakdown import compute_breakdown
from .catalog import Catalog, Kpi, default_catalog
from .compute import (
    compute_comparison,
    compute_report,
    compute_value,
    normalise_filters,
)
from .memo import memoized
from .periods import Period, resolve_period, today_in
from .results import (
    Breakdown,
    Comparison,
    Concentration,
    KpiReport,
    KpiValue,
    Scorecard,
    Trend,
)
from .source import Filters, Source
from .trend import compute_trend

__all__ = ["Engine"]


class Engine:
    """Computes KPIs from a Source using a Catalog.

    ``today`` pins the reference day (tests, digests computed for a given
    date, snapshots); by default it is the current day in ``timezone``.
    """

    def __init__(
        self,
        *,
        source: Source,
        catalog: Catalog | None = None,
        timezone: str | None = None,
        today: date | None = None,
    ):
        self.source = memoized(source)  # identical SQL round trips once per Engine (one request)
        self.catalog = catalog or default_catalog()
        self.timezone = timezone or source.timezone or "UTC"
        self._today = today

    def today(self, now: datetime | None = None) -> date:
        return self._today or today_in(self.timezone, now)

    def kpi(self, kpi_id: str) -> Kpi:
        return self.catalog.get(kpi_id)

    def period(self, text: str | Period, *, include_today: bool = False) -> Period:
        if isinstance(text, Period):
            return text
        return resolve_period(text, today=self.today(), timezone=self.timezone,
                              include_today=include_today)

    def _prepare(self, kpi_id: str, period: str | Period,
                 filters: Filters | None) -> tuple[Kpi, Period, dict[str, list[str]]]:
        kpi = self.kpi(kpi_id)
        return kpi, self.period(period), normalise_filters(self.source, kpi, filters)

    def compute_value(self, kpi_id: str, period: str | Period = "last_28_days",
                      filters: Filters | None = None) -> KpiValue:
        kpi, p, f = self._prepare(kpi_id, period, filters)
        return compute_value(self.source, kpi, p, f)

    def compute_report(self, kpi_id: str, period: str | Period = "last_28_days",
                       filters: Filters | None = None) -> KpiReport:
        kpi, p, f = self._prepare(kpi_id, period, filters)
        return compute_report(self.source, kpi, p, f)

    def compute_comparison(self, kpi_id: str, period: str | Period = "last_28_days",
                           filters: Filters | None = None) -> Comparison:
        """The change vs the previous period with its test, and nothing else (cheaper than a report)."""
        kpi, p, f = self._prepare(kpi_id, period, filters)
        return compute_comparison(self.source, kpi, p, f)

    def compute_concentration(self, kpi_id: str, period: str | Period = "last_28_days",
                              filters: Filters | None = None) -> Concentration | None:
        """The post carrying the most of a post KPI in the period (None for other KPIs)."""
        from .concentration import compute_concentration

        kpi, p, f = self._prepare(kpi_id, period, filters)
        return compute_concentration(self.source, kpi, p, f)

    def compute_breakdown(self, kpi_id: str, by: str, period: str | Period = "last_28_days",
                          filters: Filters | None = None, *, reference: str | Period | None = None,
                          limit: int | None = None) -> Breakdown:
        kpi, p, f = self._prepare(kpi_id, period, filters)
        ref = self.period(reference) if reference is not None else None
        return compute_breakdown(self.source, kpi, p, by, f, reference=ref, limit=limit)

    def compute_trend(self, kpi_id: str, period: str | Period = "last_90_days",
                      grain: Literal["day", "week", "month"] = "day",
                      filters: Filters | None = None) -> Trend:
        kpi, p, f = self._prepare(kpi_id, period, filters)
        return compute_trend(self.source, kpi, p, grain, f)

    @contextmanager
    def batch(self, kpi_ids: Iterable[str] = ()) -> Iterator[Engine]:
        """Within the block, every computation shares day-level rollup cubes (see kpi_engine.rollups).

        For many KPIs and windows at once (scorecards, digests): the data is read once per
        (table, filters, dimension) instead of once per question. ``kpi_ids`` lets the first
        read fetch every measure they need.
        """
        from .rollups import RollupCache

        if isinstance(self.source, RollupCache):
            yield self
            return
        original = self.source
        cache = RollupCache(original)
        for kpi_id in kpi_ids:
            formula = self.kpi(kpi_id).formula
            if formula.kind in ("sum", "ratio"):
                cache.prefetch(formula.table, formula.measures)
            if formula.matched_denominator:
                cache.prefetch(formula.table, [m for _, m in formula.numerator_terms], whole_span=True)
        self.source = cache
        try:
            yield self
        finally:
            self.source = original

    def compute_scorecard(self, goal: str, period: str | Period = "last_7_days",
                          filters: Filters | None = None) -> Scorecard:
        g = self.catalog.goal(goal)
        p = self.period(period)
        reports = []
        with self.batch((g.primary, *g.diagnostics)):
            for kpi_id in (g.primary, *g.diagnostics):
                kpi = self.kpi(kpi_id)
                # a goal's KPIs can live in different tables; apply the filters each table knows
                f = {d: v for d, v in (filters or {}).items() if _has_dim(kpi, d)}
                reports.append(compute_report(self.source, kpi, p, normalise_filters(self.source, kpi, f)))
        from .multiplicity import adjust_reports

        # one family for every test the scorecard makes: a mover is meaningful only if it survives BH
        reports = adjust_reports(reports)
        return Scorecard(goal=g.id, goal_name=g.name, objective=g.objective, period=p,
                         primary=reports[0], diagnostics=reports[1:])

    # -- targets (pace toward a target, suggested targets) ----------------------------------

    def target_period(self, text: str | Period) -> Period:
        """A whole month, quarter, year or dates for a target ("2027-Q1", "by 2027-03-31")."""
        from .target_period import resolve_target_period

        return text if isinstance(text, Period) else resolve_target_period(text, today=self.today())

    def compute_pace(self, kpi_id: str, target: float, period: str | Period,
                     filters: Filters | None = None) -> Pace:
        from datetime import timedelta

        from .pace import compute_pace

        kpi = self.kpi(kpi_id)
        f = normalise_filters(self.source, kpi, filters)
        return compute_pace(self.source, kpi, self.target_period(period), target, f,
                            as_of=self.today() - timedelta(days=1))

    def suggest_targets(self, kpi_id: str, period: str | Period,
                        filters: Filters | None = None) -> TargetSuggestion:
        from datetime import timedelta

        from .suggest import suggest_targets

        kpi = self.kpi(kpi_id)
        f = normalise_filters(self.source, kpi, filters)
        return suggest_targets(self.source, kpi, self.target_period(period), f,
                               as_of=self.today() - timedelta(days=1))


def _has_dim(kpi: Kpi, dim: str) -> bool:
    from .schema import TABLES

    return dim in TABLES[kpi.formula.table].dimensions


from typing import TYPE_CHECKING  # noqa: E402 - with the target methods, apart from the imports above

if TYPE_CHECKING:
    from .pace import Pace
    from .suggest import TargetSuggestion
