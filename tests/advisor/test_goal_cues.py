"""Design rules of the goal scorer (advisor/goals.py over advisor/goal_lexicon.py), one test per rule."""

from __future__ import annotations

from collections import defaultdict

from advisor.goal_lexicon import GOAL_CUES
from advisor.goals import load_goal_model, stems
from kpi_engine.catalog import default_catalog

CATALOG = default_catalog()


def _best(text: str) -> str | None:
    return load_goal_model(CATALOG).estimate(text).best


def test_no_stem_is_a_cue_for_two_families():
    """Cues match on stems: "conversation" and "conversion" (or "books" and "bookings") must not share one."""
    families: dict[tuple[str, ...], dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for family, cues in GOAL_CUES.items():
        for phrase, weight in cues.items():
            if weight > 0:
                families[tuple(stems(phrase))][family].append(phrase)
    shared = {k: dict(v) for k, v in families.items() if len(v) > 1}
    assert not shared


def test_conversation_is_engagement_and_conversion_is_leads():
    assert _best("we want posts that start a conversation") == "engagement"
    assert _best("we want conversions from social") == "leads"
