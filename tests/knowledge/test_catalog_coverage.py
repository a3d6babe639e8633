"""The corpus and the KPI catalog agree: every KPI has guidance, every named KPI exists."""

from __future__ import annotations

from knowledge.corpus import load_documents
from kpi_engine.catalog import default_catalog


def test_every_catalog_kpi_has_its_guidance_document():
    catalog = default_catalog()
    docs = {d.slug: d for d in load_documents()}
    missing = [k for k in catalog.kpis if f"kpi-{k.replace('_', '-')}" not in docs]
    assert not missing, f"KPIs without a guidance document: {missing}"
    for kpi_id in catalog.kpis:
        assert kpi_id in docs[f"kpi-{kpi_id.replace('_', '-')}"].kpis


def test_every_kpi_and_family_named_in_front_matter_exists():
    catalog = default_catalog()
    problems = []
    for doc in load_documents():
        problems += [f"{doc.slug}: unknown KPI {k}" for k in doc.kpis if k not in catalog.kpis]
        problems += [f"{doc.slug}: unknown family {f}" for f in doc.families if f not in catalog.goals]
    assert not problems, "\n".join(problems)


def test_every_goal_family_has_a_document_naming_its_primary_kpi():
    catalog = default_catalog()
    docs = {d.slug: d for d in load_documents()}
    for goal in catalog.goals.values():
        doc = docs[f"goal-{goal.id.replace('_', '-')}"]
        assert goal.primary in doc.kpis and goal.primary.replace("_", " ") in doc.body.lower().replace("-", " ") \
            or catalog.kpis[goal.primary].name.lower() in doc.body.lower(), goal.id


def test_corpus_is_large_enough():
    assert len(load_documents()) >= 30
