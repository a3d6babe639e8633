"""The words that ask for a briefing: "how are we doing?", "anything I should know?", "what changed?".

Kept apart from the parser's other cues so the briefing intent is one small, separate rule:
the parser asks :func:`asks_for_briefing` on its normalised text (lowercase, "how's" -> "how s").
"""

from __future__ import annotations

import re

__all__ = ["BRIEF_CUES", "asks_for_briefing"]

# A subject that is the team or a platform, never a KPI: "how's reach doing" stays a value question
# (the parser only asks when no KPI is named).
_US = r"(?:we|things|we all|the team|social|our social|our channels|our accounts|our platforms|it all)"
BRIEF_CUES: list[str] = [
    rf"\bhow (?:are|r|re|is|s) {_US} (?:doing|going|looking|tracking|performing)\b",
    rf"\bhow (?:did|have) {_US} (?:do|done|perform|performed|go|gone|been doing)\b",
    r"\bhow (?:is|s|are|re|r) (?:our |the |my )?\w+(?: \w+)? (?:going|looking|tracking|performing)\b",
    r"\bhow (?:is|s) (?:our |the |my )?\w+(?: \w+)? doing\b",
    r"\banything (?:i|we) (?:should|need to|ought to|must) (?:know|see|look at|worry about)\b",
    r"\banything (?:new|notable|important|interesting|worth knowing|to (?:know|flag|worry about))\b",
    r"\bwhat (?:s |has |have )?(?:changed|new|moved)\b",
    r"\bwhat (?:should|do) (?:i|we) (?:know|worry about)\b",
    r"\b(?:weekly|monthly|daily|quick|status|performance) (?:update|briefing|brief|rundown|overview|check ?in)\b",
    r"\b(?:give|send|get) (?:me|us) (?:the |a |an )?(?:update|briefing|brief|rundown|overview|status)\b",
    r"\bbrief (?:me|us)\b", r"^(?:kpi )?brief(?:ing)?\b", r"\bbriefing\b", r"\bhow (?:are|r) things\b",
    r"\b(?:status|state) of (?:our |the |my )?\w+", r"\bwhere (?:are|do) we stand\b",
    r"\bhow (?:are|r) we (?:doing|looking) (?:on|with|across|for|this|last|overall)\b",
]

_PATTERN = re.compile("|".join(f"(?:{p})" for p in BRIEF_CUES))


def asks_for_briefing(text: str) -> bool:
    """Whether normalised ``text`` asks how things are going (the caller checks no KPI is named)."""
    return _PATTERN.search(text) is not None
