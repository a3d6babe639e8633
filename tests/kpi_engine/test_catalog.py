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


def test_posts_published_is_an_input_read_against_impressions_per_post():
    cat = default_catalog()
    posts = cat.get("posts_published")
    assert posts.direction == "input" and posts.read_against == "impressions_per_post"
    assert posts.good_direction is None  # a change in effort is neither good nor bad
    assert posts.target_direction == "up"  # a posting plan is met by reaching at least N posts
    assert cat.goals["efficiency"].primary == "impressions_per_post"
    assert "posts_published" in cat.goals["efficiency"].diagnostics


@pytest.mark.parametrize("patch, message", [
    ("    direction: input\n", "names the outcome it is read against"),
    ("    read_against: impressions\n", "names the outcome it is read against"),
    ("    direction: input\n    read_against: eyeballs\n", "read against unknown KPI 'eyeballs'"),
    ("    direction: input\n    read_against: posts_published\n", "another input"),
    ("    direction: sideways\n", "direction"),
])
def test_input_direction_is_validated(tmp_path, patch, message):
    team = tmp_path / "team.yaml"
    team.write_text("kpis:\n  - id: engagements\n    override: true\n" + patch)
    with pytest.raises(CatalogError, match=message):
        load_catalog([team])


def test_an_input_cannot_be_a_goal_primary(tmp_path):
    team = tmp_path / "team.yaml"
    team.write_text("goals:\n  - id: efficiency\n    override: true\n    primary: posts_published\n"
                    "    diagnostics: [impressions_per_post]\n")
    with pytest.raises(CatalogError, match="input 'posts_published' as its primary"):
        load_catalog([team])
