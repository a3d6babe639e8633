"""The number guard: every number in LLM prose must match an engine fact within display rounding."""

from __future__ import annotations

import pytest

from advisor.answer import Fact
from advisor.numbers import check_numbers, extract_numbers

FACTS = [
    Fact(key="engagement_rate.value", label="Engagement rate, last 28 days (2025-06-03 to 2025-06-30)",
         value=4.2137, display="4.21%", unit="percent", kpi_id="engagement_rate"),
    Fact(key="engagement_rate.vs_previous", label="Engagement rate vs previous period", value=-0.53,
         display="-0.53 pp (-11.0%)", unit="percent", kpi_id="engagement_rate"),
    Fact(key="reach.value", label="Reach, last 28 days", value=12345, display="12.3k", unit="count"),
    Fact(key="reach.rel_change", label="Reach vs previous period", value=0.1234, display="+12.3%"),
    Fact(key="impressions.value", label="Impressions", value=3_912_089, display="3.91M", unit="count"),
    Fact(key="median_response_time.value", label="Median response time", value=95.0, display="95 min",
         unit="minutes"),
    Fact(key="revenue.value", label="Revenue from social", value=3412.5, display="3,412", unit="currency"),
    Fact(key="save_rate.value", label="Saves per 1,000 impressions", value=2.137,
         display="2.1 per 1k impressions", unit="per_1000"),
    Fact(key="net_sentiment.value", label="Net sentiment", value=12.04, display="12.0 pts", unit="points"),
    Fact(key="leads.value", label="Leads", value=None, display="no data", unit="count"),
]


def bad(text: str, *, allowed: tuple[str, ...] = ()) -> list[str]:
    return [m.text for m in check_numbers(text, FACTS, allowed=allowed)]


@pytest.mark.parametrize("text", [
    # a percentage KPI (4.2137, shown 4.21%) at any honest rounding, with or without the sign
    "Engagement rate was 4.21%.", "Engagement rate was 4.2%.", "about 4%", "4.21", "4.2137%",
    "4,2 %", "4.21 percent", "4.21 per cent",
    # a relative change stored as a fraction (0.1234, shown +12.3%)
    "Reach grew 12%.", "Reach +12.3%", "reach up 12.34%", "a 12% increase", "1.1x last period",
    # the change in percentage points and its relative form
    "down 0.53 pp", "-0.5 pp", "-0.53 percentage points", "fell 11%", "an 11% drop", "-11.0%",
    "53 bps lower",
    # counts with thousands separators and suffixes
    "12,345 people", "12.3k people", "12k", "12.35k", "roughly 12,000", "3.91M impressions", "3.9M",
    "3,912,089", "4M", "3.9 million", "3.912 million",
    # currency, durations, points and rates per 1,000
    "$3,412", "\u20ac3.4k", "3.4k EUR", "3,413 dollars", "95 minutes", "95 min", "1.6 hours", "1.58h",
    "12 points", "12.0 pts", "net sentiment of 12", "2.1 saves per 1,000 impressions", "2.14 per 1k",
    # dates from the facts' periods
    "from 2025-06-03 to 2025-06-30", "since June 3", "June 30, 2025", "3 Jun 2025", "in Q2", "Q2 2025",
    "in H1", "in week 23", "in 2025", "06/30/2025", "30.06.2025", "the 28 days ending June 30",
    # structure, not claims
    "1. Check engagement rate.\n2. Check reach.", "p90 response time", "B2B", "no numbers at all",
])
def test_grounded_text_passes(text):
    assert bad(text, allowed=("28 days",)) == []


@pytest.mark.parametrize("text, flagged", [
    ("Engagement rate was 4.3%.", ["4.3%"]),
    ("Engagement rate was 4.0%.", ["4.0%"]),
    ("Engagement rate was 42.1%.", ["42.1%"]),
    ("Engagement rate was 0.0421.", ["0.0421"]),
    ("reach grew 0.12%", ["0.12%"]),  # a fraction is not a percentage
    ("reach grew 0.1234", ["0.1234"]),
    ("reach grew 13%", ["13%"]),
    ("reach fell 12%", ["12%"]),  # wrong direction
    ("-12.3% reach", ["-12.3%"]),
    ("engagement up 0.53 pp", ["0.53 pp"]),
    ("engagement down 0.53%", ["0.53%"]),  # points are not percent
    ("engagement rate 4.21 pp", ["4.21 pp"]),
    ("12.4k people", ["12.4k"]), ("13k people", ["13k"]), ("12,000 people", ["12,000"]),
    ("1.2k people", ["1.2k"]), ("3.8M impressions", ["3.8M"]), ("4.2 million", ["4.2 million"]),
    ("$3,500", ["$3,500"]), ("$12.3k revenue", ["$12.3k"]),  # reach is not money
    ("2 hours", []), ("3 hours", ["3 hours"]), ("95 seconds", ["95 seconds"]),
    ("2x the benchmark", ["2x"]), ("3x more reach", ["3x"]), ("doubled", ["doubled"]),
    ("twenty posts", ["twenty"]), ("nineteen posts", ["nineteen"]), ("three million people", ["three million"]),
    ("the 7th best platform", ["7th"]), ("top 5 posts", ["5"]),
    ("on June 4", ["June 4"]), ("since 2025-05-01", ["2025-05-01"]), ("in Q3", ["Q3"]), ("in 2024", ["2024"]),
    ("week 40", ["week 40"]), ("at 09:00", ["09:00"]), ("Mar 3, 2025", ["Mar 3, 2025"]),
    ("over the last 90 days", ["90"]),
    ("leads were 0", ["0"]),  # "no data" is not zero
    ("Engagement 4.21% and reach 99k", ["99k"]),
    ("3-5% of posts", ["3", "5%"]),
    ("half of the engagement", ["half"]),
])
def test_invented_numbers_are_flagged(text, flagged):
    assert bad(text, allowed=("28 days",)) == flagged


def test_allowed_phrases_mask_only_their_own_digits():
    assert bad("over the last 14 days") == ["14"]
    assert bad("over the last 14 days", allowed=("last 14 days",)) == []
    assert bad("over the last 14 days, 14 new posts", allowed=("last 14 days",)) == ["14"]
    assert bad("period 2025-01-01..2025-01-28") == ["2025-01-01", "2025-01-28"]
    assert bad("from January 1 to Jan 28", allowed=("2025-01-01..2025-01-28",)) == []


def test_period_phrases_in_fact_labels_are_structure():
    facts = [Fact(key="k", label="Reach, last 7 days", value=120.0, display="120")]
    assert check_numbers("Reach was 120 over the last 7 days.", facts) == []
    assert [m.text for m in check_numbers("Reach was 120 over the last 14 days.", facts)] == ["14"]


def test_fact_without_percent_display_uses_its_unit():
    facts = [Fact(key="er", label="Engagement rate", value=4.2137, display="4.2137", unit="percent")]
    assert check_numbers("4.21%", facts) == []
    assert [m.text for m in check_numbers("0.04%", facts)] == ["0.04%"]


@pytest.mark.parametrize("text, kind, value", [
    ("4.2%", "percent", 4.2), ("4,2 %", "percent", 4.2), ("+12%", "percent", 12.0),
    ("-0.3 pp", "points", -0.3), ("down 12 percent", "percent", -12.0), ("12,345", "number", 12345.0),
    ("1.2k", "number", 1200.0), ("3.4M", "number", 3.4e6), ("12K", "number", 12000.0),
    ("3x", "multiplier", 3.0), ("2.5\u00d7", "multiplier", 2.5), ("$1,200", "currency", 1200.0),
    ("\u20ac3.4k", "currency", 3400.0), ("1.2bn", "number", 1.2e9), ("12\u202f345", "number", 12345.0),
    ("\u22124.5%", "percent", -4.5), ("30 bps", "points", 0.3), ("fourteen", "number", 14.0),
    ("twenty-five percent", "percent", 25.0), ("twice", "multiplier", 2.0),
])
def test_extract_numbers_reads_values(text, kind, value):
    (m,) = extract_numbers(text)
    assert (m.kind, m.value) == (kind, pytest.approx(value))


@pytest.mark.parametrize("text, kind", [
    ("2025-03-01", "date"), ("March 3", "date"), ("3 Mar 2025", "date"), ("Mar 2025", "date"),
    ("Q3", "date"), ("Q3 2025", "date"), ("week 12", "date"), ("H2", "date"), ("5pm", "time"),
    ("14:30", "time"),
])
def test_extract_numbers_reads_dates_and_times(text, kind):
    (m,) = extract_numbers(text)
    assert m.kind == kind


def test_extract_numbers_skips_structure_and_words():
    text = "1. Saves per 1,000 impressions.\n2) p90_response_time for B2B teams; one of the best; a post."
    assert extract_numbers(text) == []


def test_extract_numbers_offsets_point_at_the_text():
    text = "Reach hit 12.3k (up 12%) on 2025-06-30."
    assert [text[m.start:m.end] for m in extract_numbers(text)] == ["12.3k", "12%", "2025-06-30"]


def test_dozen_and_multipliers_need_a_matching_fact():
    facts = [Fact(key="posts", label="Posts", value=12.0, display="12"),
             Fact(key="rel", label="Reach vs previous period", value=1.02, display="+102.0%")]
    assert check_numbers("a dozen posts; reach doubled, about 2x", facts) == []
    assert [m.text for m in check_numbers("reach tripled", facts)] == ["tripled"]


def test_ambiguous_m_suffix_is_read_both_ways():
    facts = [Fact(key="rt", label="Median response time", value=12.0, display="12 min", unit="minutes"),
             Fact(key="v", label="Views", value=12_100_000, display="12.1M", unit="count")]
    assert check_numbers("12m views and a 12m reply time", facts) == []
    assert [m.text for m in check_numbers("15m", facts)] == ["15m"]
