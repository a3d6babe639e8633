"""Vet a slot narrative sentence by sentence, then render it with the engine's figures.

The model writes prose that refers to slots (``{engagement_rate.value}``); it never types a
figure. A sentence goes when it types a number, a quantity word, a unit or a date, names an
unknown slot, glues a slot to other characters, or says a direction or a period its slot
contradicts. When what is left cannot stand on its own (the opening sentence went, or most
of them did) nothing is shown and the narrator serves the template answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .claims import MARK, Rejected, check_sentence
from .slots import SLOT_REF, SlotTable
from .wording import ABBREVIATIONS, ANAPHORA

__all__ = ["Removal", "Vetted", "vet_narrative"]


@dataclass(frozen=True)
class Removal:
    sentence: str
    category: str  # invented number, quantity word, typed unit, typed date, direction, period, ...
    detail: str

    def __str__(self) -> str:
        return f"{self.category} ({self.detail})"


@dataclass
class Vetted:
    text: str  # the narrative that stands, with figures rendered; "" when nothing does
    removed: list[Removal] = field(default_factory=list)
    fallback: str | None = None  # why nothing is shown ("rejected: invented number ('99')")
    sentences: int = 0


def vet_narrative(raw: str, slots: SlotTable) -> Vetted:
    """Check every sentence of ``raw`` against ``slots``; render what stands."""
    raw = re.sub("[\ue000-\uf8ff]", " ", raw)
    refs: list[str] = []

    def mark(m: re.Match[str]) -> str:
        refs.append(m.group(1))
        return MARK

    text = SLOT_REF.sub(mark, raw)
    spans = _sentences(text)
    parts: list[tuple[str, list[str], set[int]]] = []  # (sentence, its slot names, references shown bare)
    removed: list[Removal] = []
    ok: list[bool] = []
    for a, b in spans:
        sentence = text[a:b]
        first = text[:a].count(MARK)
        names = refs[first:first + sentence.count(MARK)]
        try:
            bare = check_sentence(sentence, names, slots)
        except Rejected as r:
            removed.append(Removal(_render(sentence, names, slots, set()), r.category, r.detail))
            ok.append(False)
            parts.append((sentence, names, set()))
            continue
        ok.append(True)
        parts.append((sentence, names, bare))
    for i in range(1, len(ok)):  # "This means..." after a removed sentence has lost its subject
        if ok[i] and not ok[i - 1]:
            words = re.findall(r"[A-Za-z']+", parts[i][0])
            split_by_number = re.search(r"\d[.)]$", parts[i - 1][0].rstrip())  # "...on 37. Posts went viral."
            if (words and words[0].lower() in ANAPHORA) or split_by_number:
                ok[i] = False
                removed.append(Removal(_render(parts[i][0], parts[i][1], slots, set()), "orphan",
                                       "leans on a removed sentence"))
    out = Vetted(text="", removed=removed, sentences=len(spans))
    if not spans:
        out.fallback = "empty reply"
    elif not ok[0] or sum(ok) * 2 < len(ok):
        out.fallback = f"rejected: {removed[0]}"
    else:
        out.text = " ".join(_render(s, names, slots, bare)
                            for (s, names, bare), keep in zip(parts, ok, strict=True) if keep)
    return out


def _sentences(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = 0
    for m in re.finditer(r"[.!?]+[\"'\u201d\u2019)\]]*(?=\s)|\n", text):
        end = m.end()
        word = re.search(r"([A-Za-z.]+)\.$", text[start:m.start() + 1])
        nxt = re.match(r"\s*(\S)", text[end:])
        if m.group(0) != "\n" and (
                (word and word.group(1).lower().rstrip(".") in ABBREVIATIONS)
                or (nxt and nxt.group(1).islower())):
            continue
        if text[start:end].strip():
            spans.append(_trim(text, start, end))
        start = end
    if text[start:].strip():
        spans.append(_trim(text, start, len(text)))
    return spans


def _trim(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b


def _render(sentence: str, names: list[str], slots: SlotTable, bare: set[int]) -> str:
    it = iter(range(len(names)))

    def fill(_: re.Match[str]) -> str:
        i = next(it)
        slot = slots.get(names[i])
        if slot is None:
            return "{" + names[i] + "}"
        return slot.bare if i in bare else slot.text

    return re.sub(MARK, fill, sentence)
