from __future__ import annotations

import pytest

from kpi_engine.catalog import default_catalog, load_catalog
from kpi_engine.errors import CatalogError

FAMILIES = {"awareness", "engagement", "traffic", "leads", "ecommerce", "local", "community",
            "brand_health", "efficiency"}


def test_bundled_catalog_covers_every_goal_family():
    cat = default_catalog()
    assert len(cat.kpis) >= 25
    assert set(cat.goals) == FAMILIES
    for goal in cat.goals.values():
        assert goal.primary in cat.kpis and 2 <= len(goal.diagnostics) <= 5
    for kpi in cat.kpis.values():
        assert kpi.definition and kpi.denominator and kpi.guardrails
        assert kpi.formula.describe()


def test_team_can_pin_engagement_rate_to_reach(tmp_path):
    team = tmp_path / "team.yaml"
    team.write_text("kpis:\n  - id: engagement_rate\n    override: true\n"
                    "    formula: {denominator: reach}\n    denominator: Summed post reach.\n")
    cat = load_catalog([team])
    er = cat.get("engagement_rate")
    assert er.formula.denominator == "reach" and er.formula.numerator == "engagements"
    assert er.formula.scale == 100 and er.denominator == "Summed post reach."


def test_team_can_add_a_kpi(tmp_path):
    team = tmp_path / "team.yaml"
    team.write_text(
        "kpis:\n  - id: comment_rate\n    name: Comments per 1,000 impressions\n"
        "    definition: Comments per thousand impressions.\n    families: [engagement]\n"
        "    formula: {kind: ratio, numerator: comments, denominator: impressions, scale: 1000}\n"
        "    unit: per_1000\n    direction: up\n    denominator: Impressions.\n    timing: leading\n"
    )
    assert "comment_rate" in load_catalog([team]).kpis


def test_conflict_names_file_and_line(tmp_path):
    team = tmp_path / "team.yaml"
    team.write_text("kpis:\n  - id: reach\n    name: My reach\n")
    with pytest.raises(CatalogError) as exc:
        load_catalog([team])
    assert f"{team}:2" in str(exc.value) and "override: true" in str(exc.value)


def test_bad_yaml_names_file_and_line(tmp_path):
    team = tmp_path / "team.yaml"
    team.write_text("kpis:\n  - id: x\n    name: [unclosed\n")
    with pytest.raises(CatalogError, match=r"team.yaml:\d+: invalid YAML"):
        load_catalog([team])


def test_bad_measure_is_explained(tmp_path):
    team = tmp_path / "team.yaml"
    team.write_text("kpis:\n  - id: engagement_rate\n    override: true\n    formula: {denominator: eyeballs}\n")
    with pytest.raises(CatalogError, match="'eyeballs' is not a measure of table 'posts'"):
        load_catalog([team])


def test_unknown_field_is_rejected(tmp_path):
    team = tmp_path / "team.yaml"
    team.write_text("kpis:\n  - id: reach\n    override: true\n    colour: blue\n")
    with pytest.raises(CatalogError, match="colour"):
        load_catalog([team])
