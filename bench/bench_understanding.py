"""Understanding accuracy on labelled question sets: intent / family / KPI / family+KPI per set.

Development sets only by default (tests/advisor/scoring.py DEV_SETS plus advisor_hand_dev4.yaml and
advisor_hand_dev5.yaml, the latter not in DEV_SETS: its overlap with the held-out sets is unchecked).
Held-out sets are refused unless --heldout is given (the lead runs them once per change).

``--loso`` measures what the goal vote learned from the example questions (advisor/goal_examples.yaml)
is worth on an author it never saw: for each training set in turn, the vote is retrained without that
set's questions and the set is scored; each line compares the vote with no examples and with them.

    PYTHONPATH=$PWD .venv/bin/python bench/bench_understanding.py [set.yaml ...] [--misses] [--heldout]
    PYTHONPATH=$PWD .venv/bin/python bench/bench_understanding.py --loso
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from advisor.understand import understand
from kpi_engine.catalog import default_catalog
from tests.advisor.scoring import DEV_SETS, HELDOUT_SETS, score

FRESH_DEV = ("advisor_hand_dev4.yaml", "advisor_hand_dev5.yaml", "advisor_hand_dev6.yaml", "advisor_hand_dev7.yaml")
_HELDOUT = (*HELDOUT_SETS, "advisor_hand_holdout2.yaml", "advisor_hand_holdout3.yaml")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("sets", nargs="*", help="question set file names under tests/data (default: every dev set)")
    ap.add_argument("--misses", action="store_true", help="print each miss and error")
    ap.add_argument("--heldout", action="store_true", help="allow held-out sets (figures only, never misses)")
    ap.add_argument("--loso", action="store_true", help="leave-one-set-out figures for the example-trained vote")
    args = ap.parse_args(argv)
    if args.loso:
        return _loso()
    names = args.sets or [*FRESH_DEV, *DEV_SETS]
    held = [n for n in names if n in _HELDOUT]
    if held and not args.heldout:
        ap.error(f"held-out sets {held} need --heldout (the lead runs them)")
    catalog = default_catalog()

    def run(q: str) -> tuple[str, str | None, str | None]:
        u = understand(q, catalog=catalog)
        return ("clarify" if u.clarify else u.parsed.intent), u.parsed.goal, u.parsed.kpi_id

    total = {"n": 0, "both": 0}
    for name in names:
        t0 = time.perf_counter()
        s = score(name, run)
        print(f"{s.line()}  ({time.perf_counter() - t0:.1f} s)")
        total["n"] += s.n
        total["both"] += s.hits["both"]
        if args.misses and name not in _HELDOUT:
            for m in s.misses:
                print("  miss", m)
            for e in s.errors:
                print("  ERROR", e)
    if len(names) > 1:
        print(f"all: {total['n']} questions, family+kpi {total['both'] / max(1, total['n']):.3f}")
    return 0


def _loso() -> int:
    import advisor.goals as goals
    from advisor.intent_vote import IntentModel, fit_intent_model, use_intent_model
    from tests.data.build_question_examples import TRAINING_SETS, question_examples

    catalog = default_catalog()
    arms = {"rules + knowledge vote": (False, False), "+ goal examples": (True, False),
            "+ intent vote": (True, True)}
    sums = dict.fromkeys(arms, 0.0)
    hand = [n for n in TRAINING_SETS if "hand" in n]
    for name in hand:
        rest = question_examples(tuple(n for n in TRAINING_SETS if n != name))
        goal_pairs = tuple((e["q"], e["family"]) for e in rest
                           if e["intent"] in ("recommend", "verdict") and e.get("family"))
        intent_model = fit_intent_model([(e["q"], e["intent"]) for e in rest])
        silent = IntentModel([], ["recommend"], np.zeros((0, 1)), np.zeros(1), [0])  # reads nothing
        line = []
        for arm, (use_goals, use_intents) in arms.items():
            model = goals.GoalModel(catalog=catalog, documents=goals._knowledge_sections(),
                                    examples=(lambda p=goal_pairs: p) if use_goals else tuple)
            goals._MODELS[id(catalog)] = (catalog, model)
            use_intent_model(intent_model if use_intents else silent)

            def run(q: str) -> tuple[str, str | None, str | None]:
                u = understand(q, catalog=catalog)
                return ("clarify" if u.clarify else u.parsed.intent), u.parsed.goal, u.parsed.kpi_id

            s = score(name, run)
            sums[arm] += s.rate("both")
            line.append(f"{arm} {s.rate('both'):.3f} (intent {s.rate('intent'):.3f})")
        print(f"{name}: " + " | ".join(line))
    print("mean over hand-written sets, family+kpi: " + " | ".join(f"{a} {v / len(hand):.3f}" for a, v in sums.items()))
    use_intent_model(None)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
