"""How well the advisor understands questions, on labelled development and held-out sets.

Development sets were tuned on; held-out sets never were (each change runs them once and the run is
logged in tests/data/advisor_heldout_log.md). Run with -s to see the figures.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
import yaml

from advisor.parse import parse_question
from advisor.understand import understand
from kpi_engine.catalog import default_catalog

from .scoring import DATA, DEV_SETS, HELDOUT_SETS, load, score

CATALOG = default_catalog()


def _understand(q: str) -> tuple[str, str | None, str | None]:
    u = understand(q, catalog=CATALOG)
    return ("clarify" if u.clarify else u.parsed.intent), u.parsed.goal, u.parsed.kpi_id


def _report(name: str):
    s = score(name, _understand)
    print("\n" + s.line())
    for m in s.misses:
        print("  miss", m)
    for e in s.errors:
        print("  ERROR", e)
    return s


@pytest.mark.parametrize("name", DEV_SETS)
def test_understanding_on_development_sets(name):
    s = _report(name)
    assert not s.errors
    for key in ("intent", "family", "kpi", "both"):
        assert s.rate(key) >= 0.95, f"{key} accuracy {s.rate(key):.3f} below 0.95 on {name}"


# Regression guards under the figures logged for the held-out sets, not targets to tune towards.
HELDOUT_FLOOR = {"advisor_hand_holdout.yaml": 0.90, "advisor_gen_holdout.yaml": 0.80, "advisor_holdout.yaml": 0.90}


@pytest.mark.parametrize("name", HELDOUT_SETS)
def test_understanding_on_held_out_sets(name):
    s = _report(name)
    assert not s.errors
    assert s.rate("both") >= HELDOUT_FLOOR[name], f"family+kpi {s.rate('both'):.3f} on {name} regressed"


def test_held_out_questions_are_not_in_development_sets():
    dev = {i["q"].strip().lower() for n in DEV_SETS for i in load(n)}
    # the legacy held-out set shares one help question with advisor_dev2.yaml (from before issue 9)
    new_sets = ("advisor_hand_holdout.yaml", "advisor_gen_holdout.yaml")
    held = [i["q"] for n in new_sets for i in load(n) if i["q"].strip().lower() in dev]
    assert not held


def test_generated_sets_are_what_the_generator_writes(tmp_path, monkeypatch):
    spec = importlib.util.spec_from_file_location("gen", DATA / "generate_advisor_questions.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    monkeypatch.setattr(gen, "HERE", tmp_path)
    gen.main()
    for name in ("advisor_gen_dev.yaml", "advisor_gen_holdout.yaml"):
        assert (tmp_path / name).read_text() == (DATA / name).read_text()
    dev, held = gen._items(0), gen._items(1)
    assert len(dev) + len(held) >= 600
    assert sum(len(load(n)) for n in ("advisor_hand_dev.yaml", "advisor_hand_holdout.yaml")) >= 150


def test_value_questions_parse_period_filters_and_breakdown():
    items = [i for i in yaml.safe_load((DATA / "advisor_questions.yaml").read_text())
             if i["intent"] in ("value", "compare")]
    wrong = []
    for item in items:
        p = parse_question(item["q"], catalog=CATALOG)
        if (p.period, p.by, p.filters) != (item.get("period"), item.get("by"), item.get("filters") or {}):
            wrong.append((item["q"], p.period, p.by, p.filters))
    assert len(wrong) <= 0.05 * len(items), wrong


def test_generated_value_questions_keep_their_platform():
    """Platforms beyond the sample data's six (Pinterest, Threads, Reddit, Discord, Bluesky) are read, not dropped."""
    wrong = []
    for name in ("advisor_gen_dev.yaml",):
        for item in load(name):
            if item.get("platform"):
                p = parse_question(item["q"], catalog=CATALOG)
                if item["platform"] not in p.filters.get("platform", []):
                    wrong.append((item["q"], p.filters))
    assert not wrong


def test_sets_live_where_the_scorer_reads_them():
    assert all((DATA / n).is_file() for n in (*DEV_SETS, *HELDOUT_SETS))
    assert Path(__file__).with_name("scoring.py").is_file()
