"""A template fallback is visible in Slack as one quiet context line; real warnings keep their icon."""

from __future__ import annotations

from advisor.answer import Answer
from advisor.narrator import fallback_note, with_fallback
from bot.render.blocks import render_answer


def _contexts(answer: Answer) -> list[str]:
    blocks = [b for m in render_answer(answer) for b in m["blocks"]]
    return [b["elements"][0]["text"] for b in blocks if b["type"] == "context"]


def test_fallback_is_one_context_line_and_not_a_warning():
    base = Answer(question="q", intent="value", title="Engagement rate", summary="Engagement rate was 3.63%.",
                  warnings=["Reach is not additive: summed post reach counts people twice."])
    out = with_fallback(base, "timeout")
    assert out.narrator == "template" and out.fallback_reason == "timeout"
    assert out.warnings == [*base.warnings, fallback_note("timeout")]  # --json shows it as a warning too
    contexts = _contexts(out)
    assert contexts == [":warning: Reach is not additive: summed post reach counts people twice.",
                        "Standard wording: the language model's reply was not used (timeout)."]
    assert _contexts(base) == contexts[:1]  # nothing is said when no model was asked


def test_fallback_note_stays_one_line_and_escaped():
    reason = "rejected: invented number ('<!channel> 99%')\n" + "x" * 400
    line = _contexts(with_fallback(Answer(question="q", intent="value", title="t", summary="s"), reason))[-1]
    assert "\n" not in line and len(line) <= 150 and "<!channel>" not in line and "&lt;!channel&gt;" in line
