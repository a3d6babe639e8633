"""The two readings learned from labelled questions: the goal vote's examples and the intent vote."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import advisor.goals as goals
from advisor.intent_vote import (
    MIN_EXAMPLES,
    WEIGHTS_FILE,
    IntentModel,
    fit_intent_model,
    intent_vote,
    use_intent_model,
)
from advisor.understand import INTENT_RULES_PLAUSIBLE, INTENT_SURE, understand
from kpi_engine.catalog import default_catalog
from tests.data.build_question_examples import HELDOUT_SETS

from .scoring import DATA, load

ROOT = Path(__file__).resolve().parents[2]
CURRENT_HELDOUT = HELDOUT_SETS


def test_the_shipped_examples_are_what_the_build_script_writes() -> None:
    done = subprocess.run([sys.executable, str(DATA / "build_question_examples.py"), "--check"],
                          capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr


def test_no_held_out_question_is_learned_from() -> None:
    learned = {e["q"].lower() for e in goals.question_examples()}
    held = {" ".join(str(item["q"]).split()).lower() for name in CURRENT_HELDOUT for item in load(name)}
    assert len(learned) > 1500
    assert not learned & held
    assert "advisor_hand_holdout3.yaml" in HELDOUT_SETS


def test_example_labels_are_catalog_ids() -> None:
    catalog = default_catalog()
    intents = {e["intent"] for e in goals.question_examples()}
    assert intents <= {"recommend", "verdict", "explain", "value", "compare", "why", "digest", "help",
                       "out_of_scope", "clarify", "brief"}
    assert {f for _, f in goals.goal_examples()} == set(catalog.goals)


def test_the_goal_vote_learns_words_only_the_examples_use() -> None:
    catalog = default_catalog()
    examples = (("zorblax zorblax for our quarterly push", "local"),) * 5
    plain = goals.GoalModel(catalog=catalog)
    taught = goals.GoalModel(catalog=catalog, examples=lambda: examples)
    assert plain._vote(["zorblax"]) == {}  # an unknown word votes for nothing
    vote = taught._vote(["zorblax"])
    assert max(vote, key=lambda f: vote[f]) == "local"


def _teach(*examples: tuple[str, str, int]) -> None:
    use_intent_model(fit_intent_model([(q, intent) for q, intent, n in examples for _ in range(n)]))


@pytest.fixture
def tiny_intent_vote():
    _teach(("flurb glorp the numbers", "value", 60), ("which kpi for awareness", "recommend", 3))
    yield
    use_intent_model(None)  # the shipped weights again


def test_intent_vote_reads_what_its_examples_taught(tiny_intent_vote) -> None:
    vote = intent_vote("flurb glorp")
    assert vote is not None and vote.intent == "value" and vote.probability >= INTENT_SURE
    assert intent_vote("qqqq zzzz") is None  # no known word: no reading
    assert intent_vote("which kpi for awareness") is None  # 3 examples: too few to be anyone's answer
    assert MIN_EXAMPLES > 3


def test_the_shipped_weights_are_a_fit_of_the_shipped_examples() -> None:
    shipped, _ = IntentModel.load(WEIGHTS_FILE)
    refit = fit_intent_model([(e["q"], e["intent"]) for e in goals.question_examples()])
    assert shipped.classes == refit.classes and list(shipped.index) == list(refit.index)
    assert np.allclose(shipped.weights, refit.weights, atol=1e-5) and np.allclose(shipped.bias, refit.bias)


def test_fitting_separates_what_the_examples_separate() -> None:
    model = fit_intent_model([("what was reach last week", "value")] * 60 + [("why did reach drop", "why")] * 60)
    assert model.vote("what was it")
    assert model.vote("what was it").intent == "value"  # type: ignore[union-attr]
    assert model.vote("why did it").intent == "why"  # type: ignore[union-attr]
    assert model.vote("what was it").probability > 0.8  # type: ignore[union-attr]


def test_the_vote_never_speaks_against_an_intent_it_has_no_examples_of(tiny_intent_vote) -> None:
    _teach(("weekly update please", "digest", 60), ("which kpi for reach", "recommend", 60))
    u = understand("give me the weekly update", catalog=default_catalog())
    assert u.parsed.intent == "brief"  # the rules' reading; the vote has never seen a briefing question


def test_a_sure_intent_vote_overrides_the_rules_and_says_so(tiny_intent_vote) -> None:
    catalog = default_catalog()
    # the rules read "which kpi for awareness ..." as a recommendation; taught otherwise, the vote wins
    _teach(("which kpi for awareness flurb", "explain", 60), ("which kpi for reach", "recommend", 60))
    u = understand("which kpi for awareness flurb", catalog=catalog)
    assert u.parsed.intent == "explain"
    assert any("example questions' vote" in e for e in u.evidence)


def test_a_vote_that_finds_the_rules_plausible_leaves_them_alone(tiny_intent_vote) -> None:
    # taught both readings of the same words: the favourite is sure enough, the rules' reading plausible
    _teach(("which kpi for awareness flurb", "explain", 70), ("which kpi for awareness flurb", "recommend", 30))
    from advisor.intent_vote import intent_vote as vote

    v = vote("which kpi for awareness flurb")
    assert v is not None and v.intent == "explain" and v.probability >= INTENT_SURE
    assert v.of("recommend") > INTENT_RULES_PLAUSIBLE
    assert understand("which kpi for awareness flurb", catalog=default_catalog()).parsed.intent == "recommend"


def test_an_unsure_or_agreeing_vote_leaves_the_rules_alone() -> None:
    catalog = default_catalog()
    u = understand("which KPI for awareness?", catalog=catalog)
    assert u.parsed.intent == "recommend" and u.parsed.goal == "awareness"
    assert not any("example questions' vote" in e for e in u.evidence)


def test_a_verdict_needs_the_kpi_it_judges(tiny_intent_vote) -> None:
    catalog = default_catalog()
    _teach(("is it any good for us", "verdict", 60), ("which kpi for reach", "recommend", 60))
    u = understand("is it any good for us", catalog=catalog)
    assert u.parsed.intent != "verdict"  # no KPI named: nothing to judge, the vote is not followed
