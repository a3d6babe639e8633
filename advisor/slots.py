"""Engine facts as named slots: the narrator's model writes ``{engagement_rate.previous.rel_change}``
and the project puts the engine's own display text there.

A slot knows what its number is (kind, KPI, segment), which periods it speaks about and
in which direction it points, so ``advisor.vet`` can check the words around it.
Label slots (a KPI's name, a period's name, a segment's name) carry words that hold
digits ("Saves per 1,000 impressions", "last 28 days") the model may not type itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .answer import Fact
from .wording import normalise_label

__all__ = ["CHANGE_KINDS", "SLOT_REF", "Slot", "SlotTable", "build_slots"]

CHANGE_KINDS = frozenset({"abs_change", "rel_change", "contribution", "mix", "rate"})
LABEL_KINDS = frozenset({"name", "period", "segment_name"})
SUPPORT_KINDS = frozenset({"interval", "mde"})  # the uncertainty behind a change
SLOT_REF = re.compile(r"\{\s*([^{}\s]{1,160})\s*\}")


@dataclass(frozen=True)
class Slot:
    name: str
    text: str  # what is shown: the fact's display, or the label's words
    kind: str  # a Fact kind, "name", "period" or "segment_name"; "" when the fact does not say
    fact: Fact | None = None
    kpi_id: str | None = None
    segment: str | None = None
    roles: frozenset[str] = frozenset()  # the periods it speaks about: current, previous, last_year
    labels: frozenset[str] = frozenset()  # those periods' names, normalised
    good_direction: str | None = None

    @property
    def numeric(self) -> bool:
        """A figure (or a date) from the engine, as opposed to a name."""
        return self.fact is not None

    @property
    def signed(self) -> bool:
        return self.kind in CHANGE_KINDS and self.sign is not None

    @property
    def sign(self) -> int | None:
        return self.fact.sign if self.fact is not None else None

    @property
    def value(self) -> float | None:
        return self.fact.value if self.fact is not None else None

    @property
    def shows_zero(self) -> bool:
        """The display rounds to nothing ('+0.0%', '-0.00 pp'): 'flat' is then a fair word."""
        return self.signed and not re.search(r"[1-9]", self.text)

    @property
    def bare(self) -> str:
        """The display without its sign, for after a direction word ('down 0.53 pp')."""
        return self.text.lstrip("+-\u2212") if self.signed else self.text

    def describe(self) -> dict[str, Any]:
        out: dict[str, Any] = {"slot": self.name, "shows": self.text}
        if self.kind == "name":
            out["is"] = "a KPI's name"
        elif self.kind == "segment_name":
            out["is"] = "a segment's name"
        elif self.kind == "period":
            out["is"] = f"the name of a period ({'/'.join(sorted(self.roles)) or 'unknown'})"
        elif self.fact is not None:
            out["is"] = self.fact.label + (f" ({self.fact.name})" if self.fact.name and self.fact.name not in
                                           self.fact.label else "")
        if self.signed:
            out["direction"] = {1: "up", -1: "down", 0: "flat"}[self.sign or 0]
            if self.good_direction in ("up", "down") and self.sign:
                up_is_good = self.good_direction == "up"
                out["good"] = "good" if (self.sign > 0) == up_is_good else "bad"
        return out


def slot_name(key: str) -> str:
    name = re.sub(r"[^a-z0-9_.]+", "_", key.lower())
    return re.sub(r"\.{2,}", ".", name).strip("._") or "fact"


@dataclass
class SlotTable:
    """Slots by name, plus what the checks need to look facts up."""

    slots: dict[str, Slot] = field(default_factory=dict)
    primary_kpi: str | None = None

    def __contains__(self, name: str) -> bool:
        return name in self.slots

    def get(self, name: str) -> Slot | None:
        return self.slots.get(name)

    def numeric(self) -> list[Slot]:
        return [s for s in self.slots.values() if s.numeric]

    def kpi_names(self) -> dict[str, str]:
        """KPI id -> its name, for every KPI with a slot."""
        return {s.kpi_id: s.text for s in self.slots.values() if s.kind == "name" and s.kpi_id}

    def segments(self) -> set[str]:
        return {s.segment for s in self.slots.values() if s.segment}

    def twin(self, slot: Slot, role: str) -> Slot | None:
        """The same figure (KPI, segment, kind) for another period: what a value moved from."""
        for other in self.slots.values():
            if (other.numeric and other.kind == slot.kind and other.kpi_id == slot.kpi_id
                    and other.segment == slot.segment and other.roles == frozenset({role})):
                return other
        return None

    def find(self, *, kpi_id: str | None = None, segment: str | None = None,
             kinds: Sequence[str] = ("value",)) -> Slot | None:
        """The current-period figure of a KPI (or a segment's), trying ``kinds`` in order."""
        for kind in kinds:
            for s in self.slots.values():
                if (s.kind == kind and "current" in s.roles and (segment is None or s.segment == segment)
                        and (kpi_id is None or s.kpi_id == kpi_id)
                        and (segment is not None or s.segment is None) and s.value is not None):
                    return s
        return None

    def headline(self) -> Slot | None:
        """The primary KPI's current value, which a sentence with no figure talks about."""
        for s in self.slots.values():
            if (s.kind == "value" and s.kpi_id == self.primary_kpi and s.segment is None
                    and s.roles == frozenset({"current"})):
                return s
        return None

    def label_texts(self) -> list[str]:
        """Words shown by label slots (their digits are names, not claims)."""
        return [s.text for s in self.slots.values() if s.kind in LABEL_KINDS]

    def describe(self, limit: int = 90) -> list[dict[str, Any]]:
        """The slots the model is shown; intervals and MDEs last, so they never crowd out values."""
        ordered = sorted(self.slots.values(), key=lambda s: s.kind in SUPPORT_KINDS)
        return [s.describe() for s in ordered[:limit]]

    def extend(self, facts: Iterable[Fact]) -> list[Slot]:
        """Add slots for more facts (tool results); returns the new ones."""
        before = set(self.slots)
        _add_facts(self, list(facts))
        return [s for n, s in self.slots.items() if n not in before]


def build_slots(facts: Sequence[Fact], *, primary_kpi: str | None = None) -> SlotTable:
    """One slot per fact (named after its key) and label slots for KPI, period and segment names."""
    table = SlotTable(primary_kpi=primary_kpi)
    _add_facts(table, list(facts))
    return table


def _label(text: str) -> str:
    return text.replace("..", " to ")


def _add_facts(table: SlotTable, facts: list[Fact]) -> None:
    good: dict[str | None, str] = {f.kpi_id: f.good_direction for f in facts if f.kpi_id and f.good_direction}
    for s in table.slots.values():
        if s.kpi_id and s.good_direction:
            good.setdefault(s.kpi_id, s.good_direction)
    current = {(f.kpi_id, f.segment): f.period_label for f in facts
               if f.kind == "value" and f.period == "current" and f.period_label}
    current.update({(f.kpi_id, None): f.period_label for f in facts
                    if f.kind == "value" and f.period == "current" and f.period_label and f.segment is None})
    for f in facts:
        name = slot_name(f.key)
        while name in table.slots:
            name += "_"
        roles = {f.period} if f.period else set()
        labels = {normalise_label(f.period_label)} if f.period_label else set()
        if f.kind in CHANGE_KINDS or f.kind in SUPPORT_KINDS:
            roles.add("current")  # a change is the current period's, against the reference
            now = current.get((f.kpi_id, f.segment)) or current.get((f.kpi_id, None))
            if now:
                labels.add(normalise_label(now))
        table.slots[name] = Slot(
            name=name, text=f.display, kind=f.kind or "", fact=f, kpi_id=f.kpi_id, segment=f.segment,
            roles=frozenset(roles), labels=frozenset(labels),
            good_direction=f.good_direction or good.get(f.kpi_id),
        )
        prefix = name.rsplit(".", 1)[0] if "." in name else name
        if f.kind != "value" or prefix == name:
            continue
        if f.period_label and f"{prefix}.period" not in table.slots:
            table.slots[f"{prefix}.period"] = Slot(
                name=f"{prefix}.period", text=_label(f.period_label), kind="period", kpi_id=f.kpi_id,
                roles=frozenset(roles), labels=frozenset(labels))
        if f.period == "current" and f"{prefix}.name" not in table.slots:
            if f.segment:
                table.slots[f"{prefix}.name"] = Slot(name=f"{prefix}.name", text=_label(f.segment),
                                                     kind="segment_name", kpi_id=f.kpi_id, segment=f.segment)
            elif f.name:
                table.slots[f"{prefix}.name"] = Slot(name=f"{prefix}.name", text=f.name, kind="name",
                                                     kpi_id=f.kpi_id)
