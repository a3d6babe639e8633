"""Scoring of the advisor's understanding on the labelled question sets (shared by tests and bench)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

DATA = Path(__file__).resolve().parents[1] / "data"

DEV_SETS = ("advisor_questions.yaml", "advisor_dev2.yaml", "advisor_dev3.yaml", "advisor_gen_dev.yaml",
            "advisor_hand_dev.yaml", "advisor_hand_dev2.yaml", "advisor_hand_dev3.yaml")
HELDOUT_SETS = ("advisor_hand_holdout.yaml", "advisor_gen_holdout.yaml", "advisor_holdout.yaml")


@dataclass
class Score:
    name: str
    n: int = 0
    hits: Counter[str] = field(default_factory=Counter)
    misses: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def rate(self, key: str) -> float:
        return self.hits[key] / self.n if self.n else 0.0

    def line(self) -> str:
        return (f"{self.name}: {self.n} questions, intent {self.rate('intent'):.3f}, family {self.rate('family'):.3f}, "
                f"kpi {self.rate('kpi'):.3f}, family+kpi {self.rate('both'):.3f}, errors {len(self.errors)}")


def load(name: str) -> list[dict[str, Any]]:
    return yaml.safe_load((DATA / name).read_text(encoding="utf-8"))


def score(name: str, understand: Callable[[str], tuple[str, str | None, str | None]]) -> Score:
    """``understand(question) -> (intent, family, kpi)``; an exception counts as an error and a miss."""
    s = Score(name)
    for item in load(name):
        s.n += 1
        try:
            intent, family, kpi = understand(item["q"])
        except Exception as exc:  # noqa: BLE001 - counted: a traceback is a failure we report
            s.errors.append(f"{type(exc).__name__}: {exc} <- {item['q']!r}")
            intent, family, kpi = "error", None, None
        got = {"intent": intent, "family": family, "kpi": kpi}
        for key, value in got.items():
            if item.get(key) == value:
                s.hits[key] += 1
            else:
                s.misses.append(f"{key}: expected {item.get(key)!r}, got {value!r} <- {item['q']!r}")
        if item.get("family") == family and item.get("kpi") == kpi:
            s.hits["both"] += 1
    return s
