"""Guidance, catalog and column mappings say the same thing about every KPI.

The machine-readable parts are compared directly: a KPI document's front matter
(kpis, families, timing) against its catalog entry; the formula and denominator
each side states; the population (scope) the engine computes over; and what
the dated platform guidance says the shipped mappings do.
"""

from __future__ import annotations

import re

import pytest

from knowledge.corpus import Document, load_documents
from kpi_engine.catalog import default_catalog
from kpi_engine.catalog.models import Kpi
from kpi_engine.mapping import available_mappings, load_mapping

CATALOG = default_catalog()
DOCS = {d.slug: d for d in load_documents()}
KPI_IDS = sorted(CATALOG.kpis)

# How each denominator measure is named in words, in the catalog text and in the documents.
DENOMINATOR_WORDS = {
    "impressions": "impressions",
    "reach": "reach",
    "sessions": "sessions",
    "product_page_views": "product-page views",
    "video_views": "video views",
    "posts_published": "posts published",
    "leads": "leads",
    "inquiries": "inquiries",
    "qualified_inquiries": "qualified inquiries",
    "interactions": "interactions",
    "brand_mentions + competitor_mentions": "mentions",
    "positive + neutral + negative": "sentiment label",
}


def kpi_doc(kpi_id: str) -> Document:
    return DOCS[f"kpi-{kpi_id.replace('_', '-')}"]


def section(doc: Document, heading_start: str) -> str:
    m = re.search(rf"^## {re.escape(heading_start)}.*?(?=^## |\Z)", doc.body, re.DOTALL | re.MULTILINE)
    assert m, f"{doc.slug} has no '## {heading_start}...' section"
    return m.group(0)


def expression(terms: str) -> str:
    """A catalog expression as the documents write it: 'a + b' becomes '(a + b)'."""
    return f"({terms})" if re.search(r"\s[+-]\s", terms) else terms


def stated_formula(kpi: Kpi) -> str:
    f = kpi.formula
    if f.kind == "ratio":
        return f"{expression(f.numerator or '')} / {expression(f.denominator or '')}"
    if f.kind == "sum":
        return f"sum({f.numerator})"
    if f.kind == "stock_growth":
        return f"({f.measure} at end - {f.measure} at start) / {f.measure} at start"
    if f.kind == "stock_level":
        return f"{f.measure} at the end of the period"
    return "median(" if f.quantile == 0.5 else f"{round((f.quantile or 0) * 100)}th percentile"


# ------------------------------------------------------------------- front matter vs catalog


@pytest.mark.parametrize("kpi_id", KPI_IDS)
def test_kpi_document_front_matter_matches_the_catalog(kpi_id: str) -> None:
    kpi, doc = CATALOG.kpis[kpi_id], kpi_doc(kpi_id)
    assert doc.kpis and doc.kpis[0] == kpi_id, f"{doc.slug}: list {kpi_id} first in `kpis:`"
    unknown = [k for k in doc.kpis if k not in CATALOG.kpis]
    assert not unknown, f"{doc.slug} names KPIs the catalog does not have: {unknown}"
    assert set(doc.families) == set(kpi.families), (
        f"{doc.slug}: families {doc.families} but the catalog says {kpi.families}"
    )
    assert doc.timing == kpi.timing, f"{doc.slug}: timing {doc.timing!r} but the catalog says {kpi.timing!r}"


@pytest.mark.parametrize("kpi_id", KPI_IDS)
def test_kpi_document_text_states_the_catalog_timing(kpi_id: str) -> None:
    kpi, doc = CATALOG.kpis[kpi_id], kpi_doc(kpi_id)
    other = "lagging" if kpi.timing == "leading" else "leading"
    assert re.search(rf"\b{kpi.timing}\b", section(doc, "When to use"), re.IGNORECASE), (
        f"{doc.slug}: 'When to use' should say the KPI is {kpi.timing}"
    )
    contradiction = re.findall(
        rf"(?:\bIt|{re.escape(kpi.name)}) (?:is|are) (?:an? )?(?:\*\*)?{other}(?:\*\*)?\b[^.]*", doc.body, re.IGNORECASE
    )
    assert not contradiction, f"{doc.slug} calls the KPI {other}: {contradiction}"


def test_every_kpi_document_has_a_timing_and_no_other_document_claims_one() -> None:
    kpi_docs = {f"kpi-{k.replace('_', '-')}" for k in CATALOG.kpis}
    assert all(DOCS[s].timing for s in kpi_docs)
    # Timing belongs to one KPI; a goal or concept document has several and states none.
    assert not [s for s, d in DOCS.items() if d.timing and s not in kpi_docs]


# ------------------------------------------------------------------- formula and denominator


@pytest.mark.parametrize("kpi_id", KPI_IDS)
def test_kpi_document_states_the_catalog_formula(kpi_id: str) -> None:
    kpi, doc = CATALOG.kpis[kpi_id], kpi_doc(kpi_id)
    formula = stated_formula(kpi)
    assert formula.lower() in doc.body.lower(), f"{doc.slug} should state the catalog formula `{formula}`"


@pytest.mark.parametrize("kpi_id", [k for k in KPI_IDS if CATALOG.kpis[k].formula.kind == "ratio"])
def test_denominator_is_named_the_same_in_catalog_and_document(kpi_id: str) -> None:
    kpi, doc = CATALOG.kpis[kpi_id], kpi_doc(kpi_id)
    words = DENOMINATOR_WORDS[kpi.formula.denominator or ""]
    assert words in kpi.denominator.lower(), f"catalog {kpi_id}: denominator text should name {words!r}"
    lines = [ln for ln in doc.body.splitlines() if re.match(r"\s*- (\*\*)?Denominator", ln)]
    assert lines, f"{doc.slug}: add a '- Denominator: ...' line to the formula section"
    assert any(words in ln.lower() for ln in lines), f"{doc.slug}: the Denominator line should name {words!r}"


# ------------------------------------------------------------------- scope: what the engine computes over


@pytest.mark.parametrize("kpi_id", [k for k in KPI_IDS if CATALOG.kpis[k].formula.table == "accounts"])
def test_account_table_kpis_do_not_claim_post_day_facts(kpi_id: str) -> None:
    scope = CATALOG.kpis[kpi_id].scope.lower()
    assert "post-day" not in scope and "account-day" in scope, f"{kpi_id}: scope says {scope!r}"


@pytest.mark.parametrize("kpi_id", [k for k in KPI_IDS if CATALOG.kpis[k].formula.table == "interactions"])
def test_interaction_kpis_are_described_as_inbox_interactions(kpi_id: str) -> None:
    kpi, doc = CATALOG.kpis[kpi_id], kpi_doc(kpi_id)
    assert "received" in kpi.scope.lower() and "post-day" not in kpi.scope.lower()
    assert "interaction" in doc.body.lower()


@pytest.mark.parametrize("kpi_id", ["response_rate", "resolution_rate"])
def test_care_rates_say_what_the_engine_divides_by(kpi_id: str) -> None:
    # The interactions table has no "needs a reply" field; both sides must say so and
    # tell the team how to approximate the population (filter before export or by channel).
    kpi, doc = CATALOG.kpis[kpi_id], kpi_doc(kpi_id)
    assert "needs a reply" in kpi.denominator and "channel" in kpi.denominator
    formula_section = section(doc, f"{kpi.name} formula")
    assert "kpi-advisor divides by every interaction" in formula_section
    assert "channel" in formula_section


def test_net_sentiment_document_names_the_population_the_engine_uses() -> None:
    kpi, doc = CATALOG.kpis["net_sentiment"], kpi_doc("net_sentiment")
    assert "listening" in kpi.definition and "not the wider listening conversation" in kpi.definition
    assert "This is what kpi-advisor computes" in section(doc, "Two sources of sentiment")


def test_comments_per_post_window_is_stated_on_both_sides() -> None:
    kpi, doc = CATALOG.kpis["comments_per_post"], kpi_doc("comments_per_post")
    for text in (kpi.denominator, section(doc, "Comments per post formula")):
        assert "older posts" in text and "lifetime" in text


# ------------------------------------------------------------------- goals


@pytest.mark.parametrize("goal_id", sorted(CATALOG.goals))
def test_goal_kpis_belong_to_the_goal_and_its_document_lists_them(goal_id: str) -> None:
    goal = CATALOG.goals[goal_id]
    listed = (goal.primary, *goal.diagnostics)
    strays = [k for k in listed if goal_id not in CATALOG.kpis[k].families]
    assert not strays, f"goal {goal_id} lists KPIs whose families do not include it: {strays}"
    doc = DOCS[f"goal-{goal_id.replace('_', '-')}"]
    assert set(doc.kpis) == set(listed), f"{doc.slug} front matter kpis {doc.kpis} vs catalog {listed}"


# ------------------------------------------------------------------- mappings vs the dated platform guidance


def test_platform_changes_document_is_dated_and_names_every_shipped_mapping() -> None:
    doc = DOCS["platform-metric-changes"]
    assert doc.as_of is not None
    missing = [m for m in available_mappings() if m not in doc.body]
    assert not missing, f"platform-metric-changes does not say how these mappings behave: {missing}"


def test_meta_views_feed_impressions_only_when_impressions_are_absent() -> None:
    targets = load_mapping("meta_business_suite_posts").targets()
    assert targets["impressions"] == ["Impressions", "Views"]  # the first present wins
    assert "Views" not in targets.get("video_views", [])  # views also count photos on screen
    assert "Views" in DOCS["platform-metric-changes"].body and "not as a renamed impressions" in (
        DOCS["platform-metric-changes"].body
    )


def test_only_link_click_columns_feed_clicks() -> None:
    # click_through_rate is link clicks per impression; a broader "Clicks" column must not feed it.
    assert "link clicks" in CATALOG.kpis["click_through_rate"].definition.lower()
    for name in available_mappings():
        sources = load_mapping(name).targets().get("clicks", [])
        broad = [s for s in sources if "link" not in s.lower()]
        assert not broad, f"mapping {name} sends {broad} to clicks"


def test_linkedin_mapping_maps_saves_and_not_clicks() -> None:
    targets = load_mapping("linkedin_page_updates").targets()
    assert "Saves" in targets.get("saves", [])
    assert "Clicks" not in [s for sources in targets.values() for s in sources]


@pytest.mark.parametrize("goal_id", sorted(CATALOG.goals))
def test_goal_document_lists_its_primary_first(goal_id: str) -> None:
    doc = DOCS[f"goal-{goal_id.replace('_', '-')}"]
    assert doc.kpis[0] == CATALOG.goals[goal_id].primary, (
        f"{doc.slug}: list the primary {CATALOG.goals[goal_id].primary} first in `kpis:`"
    )


INPUT_KPIS = [k for k in KPI_IDS if CATALOG.kpis[k].direction == "input"]


def test_the_catalog_has_inputs() -> None:
    assert "posts_published" in INPUT_KPIS


@pytest.mark.parametrize("kpi_id", INPUT_KPIS)
def test_input_kpis_are_described_as_inputs_and_never_as_a_primary(kpi_id: str) -> None:
    # An input's change is neither good nor bad (the engine gives it no good direction), so its
    # document says it is an input read against its outcome, and no document calls it a primary.
    kpi, doc = CATALOG.kpis[kpi_id], kpi_doc(kpi_id)
    assert "input" in kpi.definition.lower() and "**input**" in doc.body
    assert f"`{kpi.read_against}`" in doc.body, f"{doc.slug} should name the outcome `{kpi.read_against}`"
    name = re.escape(kpi.name.lower())
    claims = [(d.slug, m.group(0)) for d in DOCS.values() for m in re.finditer(
        rf"(?:{name}|`{kpi_id}`)[^.\n]*?\bis (?:the|its) (?:\w+ )?primary\b|primary is (?:\*\*)?(?:{name}|`{kpi_id}`)",
        d.body.lower())]
    assert not claims, f"documents call the input {kpi_id} a primary: {claims}"
    assert re.search(r"direction[^.\n]*`input`", doc.body, re.IGNORECASE), f"{doc.slug} should state the catalog direction"


# ------------------------------------------------------------------- missing is not zero: matched denominators

# Measures a platform reports (or not) per post; web analytics and CRM measures come from elsewhere.
PLATFORM_MEASURES = {"reach", "likes", "comments", "shares", "saves", "clicks", "profile_visits", "video_views",
                     "video_completions", "watch_time_seconds"}
# Gaps inside a multi-platform mapping, as its header states (the rows are there, the measure is not).
KNOWN_PLATFORM_GAPS = {("fivetran_social_media_rollup", "facebook"): {"comments", "shares"}}


def _measures_missing_somewhere() -> dict[str, list[str]]:
    missing: dict[str, list[str]] = {}
    for name in available_mappings():
        provided = set(load_mapping(name).targets())
        for m in PLATFORM_MEASURES - provided:
            missing.setdefault(m, []).append(name)
    for (name, platform), measures in KNOWN_PLATFORM_GAPS.items():
        for m in measures:
            missing.setdefault(m, []).append(f"{name} ({platform})")
    return missing


@pytest.mark.parametrize("kpi_id", [k for k in KPI_IDS if CATALOG.kpis[k].formula.kind == "ratio"
                                    and CATALOG.kpis[k].formula.table == "posts"])
def test_a_rate_with_a_measure_some_platform_lacks_uses_the_matched_denominator(kpi_id: str) -> None:
    # engagements (derived from parts every platform has), impressions (TikTok's stand in from views)
    # and web/CRM measures are not per-platform gaps
    kpi = CATALOG.kpis[kpi_id]
    measures = set(kpi.formula.measures) & PLATFORM_MEASURES
    gaps = {m: where for m, where in _measures_missing_somewhere().items() if m in measures}
    assert not gaps or kpi.formula.matched_denominator, f"{kpi_id}: {gaps} lack a measure; set matched_denominator"


@pytest.mark.parametrize("kpi_id", [k for k in KPI_IDS if CATALOG.kpis[k].formula.matched_denominator])
def test_matched_denominators_are_stated_in_catalog_and_document(kpi_id: str) -> None:
    kpi, doc = CATALOG.kpis[kpi_id], kpi_doc(kpi_id)
    assert "platforms that report" in kpi.definition, f"{kpi_id}: the definition should say which platforms count"
    assert "platforms that report" in kpi.denominator
    lines = [ln for ln in doc.body.splitlines() if re.match(r"\s*- (\*\*)?Denominator", ln)]
    assert any("platforms that report" in ln for ln in lines), f"{doc.slug}: the Denominator line should say so"
