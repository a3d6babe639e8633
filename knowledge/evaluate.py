"""Retrieval quality on a labelled question set: recall@k and MRR."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import yaml

from knowledge.errors import KnowledgeError
from knowledge.retrieve import Passage

__all__ = ["EvalItem", "EvalMiss", "EvalReport", "load_eval_items", "evaluate"]

MRR_DEPTH = 10


class _Retrieves(Protocol):
    def retrieve(self, question: str, k: int = 5) -> list[Passage]: ...


@dataclass(frozen=True)
class EvalItem:
    """A question and the document slugs that answer it."""

    question: str
    docs: tuple[str, ...]


@dataclass(frozen=True)
class EvalMiss:
    question: str
    expected: tuple[str, ...]
    got: tuple[str, ...]


@dataclass(frozen=True)
class EvalReport:
    """recall@k: share of questions with an answering document among the top k passages.

    MRR: mean of 1/rank of the first passage from an answering document (0 past rank 10).
    """

    k: int
    n: int
    recall_at_k: float
    mrr: float
    misses: list[EvalMiss] = field(default_factory=list)

    def summary(self) -> str:
        return f"recall@{self.k}={self.recall_at_k:.3f} MRR={self.mrr:.3f} (n={self.n})"


def load_eval_items(path: Path) -> list[EvalItem]:
    """Items from YAML: a list of `{q: ..., docs: [...]}` (also `question`/`expected`)."""
    data: Any = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    if isinstance(data, dict):
        data = data.get("items") or data.get("questions") or []
    items: list[EvalItem] = []
    for i, raw in enumerate(data or []):
        if not isinstance(raw, dict):
            raise KnowledgeError(f"{path}: item {i + 1} must be a mapping with q and docs")
        q = raw.get("q", raw.get("question"))
        docs = raw.get("docs", raw.get("expected", raw.get("relevant")))
        if isinstance(docs, str):
            docs = [docs]
        if not isinstance(q, str) or not q.strip() or not docs:
            raise KnowledgeError(f"{path}: item {i + 1} needs a question (q) and a list of docs")
        items.append(EvalItem(q, tuple(str(d) for d in docs)))
    return items


def evaluate(kb: _Retrieves, items: Sequence[EvalItem], k: int = 3) -> EvalReport:
    """Run every question through `kb.retrieve` and score the ranking."""
    hits = 0
    rr_total = 0.0
    misses: list[EvalMiss] = []
    depth = max(k, MRR_DEPTH)
    for item in items:
        sources = [p.source for p in kb.retrieve(item.question, k=depth)]
        expected = set(item.docs)
        rank = next((i + 1 for i, s in enumerate(sources) if s in expected), None)
        if rank is not None:
            rr_total += 1.0 / rank
        if rank is not None and rank <= k:
            hits += 1
        else:
            misses.append(EvalMiss(item.question, item.docs, tuple(sources[:k])))
    n = len(items)
    return EvalReport(
        k=k,
        n=n,
        recall_at_k=hits / n if n else 0.0,
        mrr=rr_total / n if n else 0.0,
        misses=misses,
    )
