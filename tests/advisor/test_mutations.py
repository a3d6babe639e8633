"""Property: faithful slot narratives, mutated the ways models go wrong, never show the mutation.

Every direction word and period phrase in the faithful narratives is a claim tied to a
figure, so every mutation below changes what the text asserts. What is shown after
vetting must consist only of sentences of the faithful rendering.
"""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor.llm import LlmNarrator
from advisor.slots import build_slots
from advisor.vet import vet_narrative
from tests.advisor.fake_openai import text
from tests.advisor.narration_cases import FACTS, FAITHFUL, answer

SLOTS = build_slots(FACTS, primary_kpi="engagement_rate")
_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")
RENDERED = [set(_SPLIT.split(vet_narrative(f, SLOTS).text)) for f in FAITHFUL]

ANTONYMS = {  # each word replaced by one claiming the opposite
    "down": ["up", "higher"], "up": ["down", "lower"], "fell": ["rose", "grew", "climbed", "increased"],
    "rose": ["fell", "dropped", "declined"], "drop": ["rise", "gain", "increase"],
    "dropped": ["rose", "grew", "jumped"], "slipped": ["climbed", "rose"], "improved": ["worsened", "deteriorated"],
    "improvement": ["deterioration", "worsening"], "better": ["worse"], "worse": ["better"],
    "below": ["above", "ahead of"], "above": ["below", "behind"], "lower": ["higher", "greater"],
    "higher": ["lower"], "ahead": ["behind"], "behind": ["ahead"], "rising": ["falling", "dropping"],
}
PERIOD_SWAPS = {  # a period phrase replaced by one naming another period
    "previous period": ["same period last year", "year before"],
    "same period last year": ["previous period", "week before"],
    "last year's": ["last week's", "the previous period's"],
    "a year ago": ["a week earlier", "in the previous period"],
    "Week over week": ["Year over year"],
    "the previous period's": ["last year's"],
}
SLOT_SWAPS = {  # a figure of one period (or segment) put where another belongs
    ".previous.": [".last_year."], ".last_year.": [".previous."],
    "engagement_rate.period": ["engagement_rate.last_year.period", "engagement_rate.previous.period"],
    "median_response_time.period": ["median_response_time.previous.period",
                                    "median_response_time.last_year.period"],
    ".tiktok.": [".linkedin.", ".instagram."], ".linkedin.": [".tiktok.", ".instagram."],
    ".instagram.": [".linkedin.", ".tiktok."],
}
# A period phrase put after a figure of another period: what it means, to pick only wrong ones.
ADDED_PERIODS = {"last year": "last_year", "a year ago": "last_year", "in the previous period": "previous",
                 "the week before": "previous", "last month": "last month", "yesterday": "yesterday",
                 "this year": "this year", "year over year": "last_year"}
QUANTITIES = ["a third", "tenfold", "twice", "half", "three", "a dozen", "x3", "doubled", "by a quarter",
              "twentyfold", "a couple of", "one hundred"]
UNITS = ["%", " percent", " pp", " percentage points", " per cent", " bps"]
_REF = re.compile(r"\{[^{}]+\}")
_WORD_GAP = re.compile(r"(?<=\w) (?=\w)")


def _word(pattern: str, flags: int = 0) -> re.Pattern[str]:
    return re.compile(r"(?<![\w{.])" + pattern + r"(?![\w}])", flags)


def _replace_one(narrative: str, matches: list[re.Match[str]], pick: int, new: str) -> str:
    m = matches[pick % len(matches)]
    return narrative[:m.start()] + new + narrative[m.end():]


OPERATIONS = ["digit edit", "unit swap", "sign or direction flip", "period swap", "quantity word"]


@st.composite
def mutations(draw):
    """(which faithful narrative, operation, the narrative after one to three of those mutations)."""
    which = draw(st.integers(0, len(FAITHFUL) - 1))
    op = draw(st.sampled_from(OPERATIONS))
    narrative = FAITHFUL[which]
    # One variant per case: a phrase swap and a slot swap together could make a true sentence again.
    variant = draw(st.integers(0, 2))
    # Phrase swaps chain ("previous period" -> "same period last year" -> "week before"): once only.
    # So do word flips ("dropped" -> "rose" -> "fell").
    once = (op, variant) == ("period swap", 0) or op == "sign or direction flip"
    times = 1 if once else draw(st.integers(1, 3))
    for _ in range(times):
        narrative = _mutate(draw, op, narrative, variant)
    return which, op, narrative


def _mutate(draw, op: str, narrative: str, variant: int) -> str:
    pick = draw(st.integers(0, 10_000))
    refs = list(_REF.finditer(narrative))
    if op == "digit edit":
        number = draw(st.sampled_from(["{}", "{}.{}", "{}.{}%", "-{}.{} pp", "{}k", "{}x", "+{}%", "{}."]))
        number = number.format(*(draw(st.integers(0, 99)) for _ in range(number.count("{}"))))
        if draw(st.booleans()):
            mutated = _replace_one(narrative, refs, pick, number)  # the model types the figure itself
        else:
            gaps = list(_WORD_GAP.finditer(narrative))
            mutated = _replace_one(narrative, gaps, pick, f" {number} ")
    elif op == "unit swap":
        m = refs[pick % len(refs)]
        if draw(st.booleans()):
            shown = SLOTS.get(m.group(0)[1:-1]).text
            swapped = shown.replace(" pp", "%") if " pp" in shown else re.sub("%$", " pp", shown)
            mutated = narrative[:m.start()] + (swapped if swapped != shown else shown + " percent") \
                + narrative[m.end():]
        else:
            mutated = narrative[:m.end()] + draw(st.sampled_from(UNITS)) + narrative[m.end():]
    elif op == "sign or direction flip":
        matches = list(_word("(?:" + "|".join(ANTONYMS) + ")").finditer(narrative))
        signed = [m for m in refs if SLOTS.get(m.group(0)[1:-1]).numeric]
        if matches and (variant or not signed):
            m = matches[pick % len(matches)]
            flipped = draw(st.sampled_from(ANTONYMS[m.group(0)]))
            if draw(st.integers(0, 3)) == 0:
                flipped = "not " + m.group(0)  # the true word, negated
            mutated = narrative[:m.start()] + flipped + narrative[m.end():]
        else:
            m = signed[pick % len(signed)]
            sign = draw(st.sampled_from(["+", "-", "\u2212", "minus ", "plus ", "+-"]))
            mutated = narrative[:m.start()] + sign + narrative[m.start():]
    elif op == "period swap":
        phrases = list(re.finditer("|".join(map(re.escape, sorted(PERIOD_SWAPS, key=len, reverse=True))),
                                   narrative))
        swappable = [m for m in refs if any(k in m.group(0) for k in SLOT_SWAPS)]
        if variant == 0:
            if not phrases:
                return narrative  # nothing left to swap this way
            m = phrases[pick % len(phrases)]
            mutated = narrative[:m.start()] + draw(st.sampled_from(PERIOD_SWAPS[m.group(0)])) + narrative[m.end():]
        elif variant == 1:
            m = swappable[pick % len(swappable)]
            old = next(k for k in SLOT_SWAPS if k in m.group(0))
            new = m.group(0).replace(old, draw(st.sampled_from(SLOT_SWAPS[old])), 1)
            mutated = narrative[:m.start()] + (new if new[1:-1] in SLOTS else m.group(0)) + narrative[m.end():]
        else:
            figures = [m for m in refs if SLOTS.get(m.group(0)[1:-1]).numeric]
            m = figures[pick % len(figures)]
            fact = SLOTS.get(m.group(0)[1:-1]).fact
            wrong = [p for p, means in ADDED_PERIODS.items() if means != fact.period]
            mutated = narrative[:m.end()] + " " + draw(st.sampled_from(wrong)) + narrative[m.end():]
    else:
        gaps = list(_WORD_GAP.finditer(narrative))
        mutated = _replace_one(narrative, gaps, pick, f" {draw(st.sampled_from(QUANTITIES))} ")
    return mutated


def _shown(mutated: str) -> list[str]:
    out = vet_narrative(mutated, SLOTS)
    return [] if out.fallback else _SPLIT.split(out.text)


def test_no_mutation_of_a_faithful_narrative_reaches_the_text():
    seen: dict[str, set[str]] = {}

    @settings(max_examples=1600, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(mutations())
    def check(case):
        which, op, mutated = case
        if mutated == FAITHFUL[which]:
            return
        seen.setdefault(op, set()).add(mutated)
        leaked = [s for s in _shown(mutated) if s not in RENDERED[which]]
        assert not leaked, f"{op}: {mutated!r} showed {leaked!r}"

    check()
    total = sum(len(v) for v in seen.values())
    print(f"distinct mutations checked: {total}", {op: len(v) for op, v in seen.items()})
    assert total >= 1000, {op: len(v) for op, v in seen.items()}
    assert all(len(seen.get(op, ())) >= 100 for op in OPERATIONS), {op: len(v) for op, v in seen.items()}


def test_mutations_through_the_model_server_show_nothing_planted(server):
    """The same guarantee end to end: the narrator, the real openai client, the scripted server."""
    cases = []

    @settings(max_examples=40, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(mutations())
    def collect(case):
        if case[2] != FAITHFUL[case[0]]:
            cases.append(case)

    collect()
    narrator = LlmNarrator(model="fake-model", base_url=server.url, api_key="sk-test", timeout=5)
    a = answer()
    for which, op, mutated in cases:
        server.script = [text(mutated)]
        out = narrator.narrate(a)
        shown = next((s.text for s in out.sections if s.kind == "narrative"), "")
        assert all(s in RENDERED[which] for s in _SPLIT.split(shown) if shown), (op, mutated, shown)
    assert len(cases) >= 30
