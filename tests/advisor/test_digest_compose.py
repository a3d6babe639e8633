"""Digest composition in the advisor: the quiet rule, missed periods, and a run's shared work."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from advisor.answer import Answer, ChartSpec, Section
from advisor.digest_compose import MAX_SUMMARISED, DigestComposer, RunCache, digest_treatment
from kpi_engine.errors import DataError


def _answer(*, material: bool, chart: ChartSpec | None = None) -> Answer:
    kind = "drivers" if material else "values"
    return Answer(question="digest", intent="digest", title="Digest", summary="s",
                  sections=[Section(title="t", kind=kind, text="x")], chart=chart)


@pytest.mark.parametrize(("material", "quiet", "missed_material", "expected"), [
    (True, "skip", False, "full"),
    (False, "full", False, "full"),
    (False, "brief", False, "quiet"),
    (False, "skip", False, "skip"),
    (False, "skip", True, "quiet"),  # a material missed period still gets a (late) post
])
def test_the_quiet_rule(material, quiet, missed_material, expected):
    missed = [_answer(material=missed_material), None]
    assert digest_treatment(_answer(material=material), quiet, missed) == expected


class CountingAdvisor:
    def __init__(self, *, no_data_before: date | None = None) -> None:
        self.digests: list[date | None] = []
        self.charts: list[ChartSpec] = []
        self.no_data_before = no_data_before

    def compose_digest(self, *, workspace, goal=None, kpis=None, period="last_week", filters=None, as_of=None):
        if self.no_data_before and as_of is not None and as_of < self.no_data_before:
            raise DataError("no data that far back")
        self.digests.append(as_of)
        chart = ChartSpec(kind="trend", kpi_id="reach", period="last_week", filters=filters or {}, title="Reach")
        return _answer(material=True, chart=chart)

    def render_chart(self, spec, *, workspace="local"):
        self.charts.append(spec)
        return b"png"


def test_a_run_computes_each_identical_digest_and_chart_once():
    advisor = CountingAdvisor()
    composer, cache = DigestComposer(advisor=advisor), RunCache()
    day = date(2025, 6, 29)
    for _ in range(3):
        answer = composer.answer("T1", "awareness", None, "last_week", {"platform": ["tiktok"]}, day, cache)
        composer.chart("T1", answer, cache)
    assert advisor.digests == [day] and len(advisor.charts) == 1 and cache.hits == 4
    assert advisor.charts[0].title == "Reach | platform: tiktok"  # a filtered digest's chart names its segment


def test_only_the_newest_missed_periods_are_summarised_and_a_failing_one_is_still_named():
    days = [date(2025, 6, 1) + timedelta(days=7 * i) for i in range(MAX_SUMMARISED + 2)]
    advisor = CountingAdvisor(no_data_before=days[3])
    answers = DigestComposer(advisor=advisor).missed_answers("T1", "awareness", None, "last_week", None,
                                                               days, None)
    assert len(answers) == len(days)
    assert answers[:3] == [None, None, None]  # two too old to summarise, one without data
    assert all(a is not None for a in answers[3:])
    assert advisor.digests == days[3:]
