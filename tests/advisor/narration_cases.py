"""Hand-built engine results (numbers chosen to match the issue's corruption report) and their facts.

Engagement rate (good when up): 3.63% last week, 4.95% the week before (-1.32 pp, -26.7%),
3.10% a year earlier (+0.53 pp, +17.1%); TikTok 4.96% carried most of the drop.
Median response time (good when down): 42 min, 50 min before (-8 min, -16.0%).
"""

from __future__ import annotations

from datetime import date

from advisor.answer import Answer, Context, Fact, Section
from advisor.facts import breakdown_facts, report_facts
from kpi_engine.periods import Period
from kpi_engine.results import Breakdown, Comparison, KpiReport, KpiValue, Segment

LAST_WEEK = Period(start=date(2025, 6, 23), end=date(2025, 6, 29), label="last week", kind="week")
PREVIOUS = Period(start=date(2025, 6, 16), end=date(2025, 6, 22), label="previous period", kind="week")
LAST_YEAR = Period(start=date(2024, 6, 24), end=date(2024, 6, 30), label="same period last year", kind="week")


def _value(kpi_id: str, name: str, unit: str, period: Period, value: float, num: float | None = None,
           den: float | None = None, volume: float = 37) -> KpiValue:
    return KpiValue(kpi_id=kpi_id, name=name, unit=unit, period=period, value=value, numerator=num,
                    denominator=den, volume=volume, status="ok")


def _report(kpi_id: str, name: str, unit: str, direction: str, cur: KpiValue, prev: KpiValue,
            ly: KpiValue) -> KpiReport:
    def compare(ref: KpiValue, against: str) -> Comparison:
        assert cur.value is not None and ref.value is not None
        up = cur.value > ref.value
        return Comparison(against=against, reference=ref, abs_change=cur.value - ref.value,
                          rel_change=cur.value / ref.value - 1, verdict="up" if up else "down",
                          good=up == (direction == "up"), p_value=0.01, method="test")

    return KpiReport(current=cur, previous=compare(prev, "previous period"),
                     last_year=compare(ly, "same period last year"), direction=direction,
                     formula=f"{name} formula", denominator="impressions")


ER = _report("engagement_rate", "Engagement rate", "percent", "up",
             _value("engagement_rate", "Engagement rate", "percent", LAST_WEEK, 3.63, 36_300, 1_000_000),
             _value("engagement_rate", "Engagement rate", "percent", PREVIOUS, 4.95, 49_500, 1_000_000),
             _value("engagement_rate", "Engagement rate", "percent", LAST_YEAR, 3.10, 31_000, 1_000_000))
RT = _report("median_response_time", "Median response time", "minutes", "down",
             _value("median_response_time", "Median response time", "minutes", LAST_WEEK, 42.0),
             _value("median_response_time", "Median response time", "minutes", PREVIOUS, 50.0),
             _value("median_response_time", "Median response time", "minutes", LAST_YEAR, 45.0))


def _segment(key: str, value: float, prev: float, contribution: float, share: float) -> Segment:
    return Segment(key=key, value=value, previous_value=prev, numerator=value * 1e4 * share,
                   denominator=1e6 * share, previous_numerator=prev * 1e4 * share,
                   previous_denominator=1e6 * share, share=share, change=value - prev,
                   contribution=contribution, mix_effect=0.0, rate_effect=contribution)


BY_PLATFORM = Breakdown(
    kpi_id="engagement_rate", name="Engagement rate", unit="percent", dimension="platform", period=LAST_WEEK,
    previous_period=PREVIOUS, total=ER.current, previous_total=ER.previous.reference,
    segments=[_segment("tiktok", 4.96, 6.80, -0.92, 0.45), _segment("instagram", 3.20, 3.90, -0.35, 0.40),
              _segment("linkedin", 2.10, 1.95, 0.05, 0.15)],
)

FACTS: list[Fact] = [*report_facts(ER), *breakdown_facts(BY_PLATFORM), *report_facts(RT)]


def answer(facts: list[Fact] | None = None, *, kpi_id: str = "engagement_rate", intent: str = "why",
           question: str = "why did engagement rate drop last week?", sections: list[Section] | None = None
           ) -> Answer:
    return Answer(
        question=question, intent=intent, title="Why Engagement rate moved",
        summary="Engagement rate was 3.63% for last week, -1.32 pp (-26.7%) vs the previous period "
                "(a meaningful drop (bad)).",
        kpi_id=kpi_id, facts=list(FACTS if facts is None else facts),
        sections=sections if sections is not None else [
            Section(title="What changed", kind="values", text="*3.63%* = 36.3k / 1.00M x 100\n"
                    "- vs previous period: 4.95%, -1.32 pp (-26.7%)\n- vs same period last year: 3.10%")],
        context=Context(intent=intent, kpi_id=kpi_id, period="last_week"),
    )


# Faithful narratives: every figure is a slot, every direction and period agrees with its slot.
FAITHFUL = [
    ("{engagement_rate.name} was {engagement_rate.value} over {engagement_rate.period}, down "
    "{engagement_rate.previous.abs_change} ({engagement_rate.previous.rel_change}) on the previous period. "
    "TikTok drove most of the drop ({engagement_rate.by_platform.tiktok.contribution}). "
    "Look at saves and shares on TikTok next."),

    ("Engagement rate fell to {engagement_rate.value} {engagement_rate.period}, from "
    "{engagement_rate.previous.value} in the previous period. Against the same period last year it is up "
    "{engagement_rate.last_year.rel_change}."),

    ("Over {engagement_rate.period} ({engagement_rate.start} to {engagement_rate.end}) engagement rate was "
    "{engagement_rate.value}, below the previous period's {engagement_rate.previous.value}. "
    "Instagram slipped to {engagement_rate.by_platform.instagram.value} from "
    "{engagement_rate.by_platform.instagram.previous}."),

    ("Engagement rate is {engagement_rate.value}, better than last year's {engagement_rate.last_year.value} "
    "but worse than the previous period. LinkedIn edged up ({engagement_rate.by_platform.linkedin.contribution}) "
    "while TikTok fell."),

    ("Median response time improved by {median_response_time.previous.rel_change} to "
    "{median_response_time.value} over {median_response_time.period}. That is lower than "
    "{median_response_time.last_year.value} a year ago, so keep the current rota."),

    ("Compared with the same period last year, engagement rate is up {engagement_rate.last_year.abs_change}. "
    "Week over week it dropped {engagement_rate.previous.rel_change}, mostly on TikTok "
    "({engagement_rate.by_platform.tiktok.value}, from {engagement_rate.by_platform.tiktok.previous})."),

    ("Engagement rate on Instagram dropped {engagement_rate.by_platform.instagram.contribution} and on TikTok it "
    "dropped {engagement_rate.by_platform.tiktok.contribution}, while LinkedIn rose "
    "{engagement_rate.by_platform.linkedin.contribution}. Compared with the previous period, engagement rate is "
    "lower at {engagement_rate.value}."),

    ("Median response time fell to {median_response_time.value} from {median_response_time.previous.value} in "
    "the previous period, an improvement of {median_response_time.previous.rel_change}. It is also below the "
    "same period last year ({median_response_time.last_year.value})."),

    ("TikTok fell to {engagement_rate.by_platform.tiktok.value} from {engagement_rate.by_platform.tiktok.previous}, "
    "the biggest drop ({engagement_rate.by_platform.tiktok.contribution}). LinkedIn rose to "
    "{engagement_rate.by_platform.linkedin.value} from {engagement_rate.by_platform.linkedin.previous}."),
]

# What each FAITHFUL narrative renders to: the engine's displays, signs dropped after direction words.
RENDERED_0 = ("Engagement rate was 3.63% over last week, down 1.32 pp (-26.7%) on the previous period. "
              "TikTok drove most of the drop (0.92 pp). Look at saves and shares on TikTok next.")
