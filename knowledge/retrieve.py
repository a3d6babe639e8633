"""Question -> ranked guidance passages, with input cleaning and metadata filters."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from knowledge.chunking import split_joined
from knowledge.corpus import FAMILIES
from knowledge.embeddings import Embedder, analyse
from knowledge.errors import BadQuestion, KnowledgeError
from knowledge.store import ChromaStore

__all__ = ["Passage", "Retriever", "clean_question", "MAX_QUESTION_CHARS"]

MAX_QUESTION_CHARS = 2000
MAX_K = 50

_CONTROL = re.compile(r"[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u200b-\u200f\ufeff]")
_SLACK_TOKEN = re.compile(r"<[@#!][^>]*>")
_SLACK_LINK = re.compile(r"<((?:https?://|mailto:)[^|>]*)(?:\|([^>]*))?>")
_HTML_TAG = re.compile(r"</?[a-zA-Z][^<>]{0,300}>")
_EMOJI_CODE = re.compile(r":[a-z0-9_+\-]{2,40}:")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Passage:
    """One retrieved passage and where it came from; `score` ranks (higher is better)."""

    source: str
    title: str
    heading: str
    text: str
    score: float
    families: tuple[str, ...]
    kpis: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["families"], d["kpis"] = list(self.families), list(self.kpis)
        return d


def clean_question(question: object) -> str:
    """Plain text to search with, or BadQuestion saying how to ask."""
    if question is None or not isinstance(question, str) or not question.strip():
        raise BadQuestion(
            'Ask a question to search the guidance, e.g. "how should we measure awareness on TikTok?"'
        )
    text = unicodedata.normalize("NFKC", question)
    text = _CONTROL.sub(" ", text)
    text = _SLACK_LINK.sub(lambda m: f" {m.group(2) or ''} ", text)
    text = _SLACK_TOKEN.sub(" ", text)
    text = _HTML_TAG.sub(" ", text)
    text = _EMOJI_CODE.sub(" ", text)
    text = _SPACE.sub(" ", text).strip()
    if not any(ch.isalnum() for ch in text):
        raise BadQuestion(
            "I couldn't find any words in that question (only symbols, emoji or markup). "
            'Ask in words, e.g. "what is a good engagement rate?"'
        )
    if len(text) > MAX_QUESTION_CHARS:
        # A long paste usually has the question at its start or its end; keep both.
        head = text[: MAX_QUESTION_CHARS * 3 // 4].rsplit(" ", 1)[0]
        tail = text[-(MAX_QUESTION_CHARS // 4) :].split(" ", 1)[-1]
        text = f"{head} ... {tail}"
    return text


def _where(families: Sequence[str] | None, kpis: Sequence[str] | None) -> dict[str, Any] | None:
    clauses: list[dict[str, Any]] = []
    for key, values in (("family_tags", families), ("kpi_tags", kpis)):
        if not values:
            continue
        parts = [{key: {"$contains": v}} for v in values]
        clauses.append(parts[0] if len(parts) == 1 else {"$or": parts})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def _normalise_filters(
    families: Sequence[str] | str | None, kpis: Sequence[str] | str | None
) -> tuple[list[str], list[str]]:
    fams = [families] if isinstance(families, str) else list(families or [])
    ks = [kpis] if isinstance(kpis, str) else list(kpis or [])
    fams = [f.strip().lower().replace("-", "_").replace(" ", "_") for f in fams if f and f.strip()]
    ks = [k.strip().lower().replace("-", "_").replace(" ", "_") for k in ks if k and k.strip()]
    unknown = [f for f in fams if f not in FAMILIES]
    if unknown:
        raise BadQuestion(
            f"Unknown goal family {', '.join(map(repr, unknown))}; use one of: {', '.join(FAMILIES)}."
        )
    return fams, ks


class Retriever:
    """Dense search in the store, ranked by document and kept document-diverse.

    A candidate pool of chunks is fetched; each document scores its best chunk
    plus geometrically smaller shares of its next ones (several matching
    sections are evidence the document is about the question). Each document's
    best passage is listed in document order, and a document gives at most
    `max_per_source` passages, so the top few name different documents.

    Hybrid (off by default) adds keyword overlap to each chunk's score first; on
    the development question sets neither it nor BM25 rank fusion beat the
    lexical embedder, which already scores keywords.
    """

    def __init__(
        self,
        *,
        store: ChromaStore,
        embedder: Embedder,
        hybrid: bool = False,
        keyword_weight: float = 0.15,
        heading_weight: float = 0.1,
        pool: int = 40,
        chunk_decay: float = 0.3,
        max_per_source: int | None = 2,
    ) -> None:
        if max_per_source is not None and max_per_source < 1:
            raise KnowledgeError("max_per_source must be at least 1 (or None for no limit).")
        self.store = store
        self.embedder = embedder
        self.hybrid = hybrid
        self.keyword_weight = keyword_weight
        self.heading_weight = heading_weight
        self.pool = pool
        self.chunk_decay = chunk_decay
        self.max_per_source = max_per_source
        # Stems of passages seen before, by chunk id (ids change when text changes).
        self._stems: dict[str, tuple[frozenset[str], frozenset[str]]] = {}

    def retrieve(
        self,
        question: str,
        k: int = 5,
        families: Sequence[str] | str | None = None,
        kpis: Sequence[str] | str | None = None,
    ) -> list[Passage]:
        """The `k` passages that best answer `question`, best first."""
        text = clean_question(question)
        if not isinstance(k, int) or isinstance(k, bool) or not 1 <= k <= MAX_K:
            raise BadQuestion(f"k must be a whole number from 1 to {MAX_K} (got {k!r}).")
        fams, ks = _normalise_filters(families, kpis)
        vector = self.embedder.embed_query(text)
        rows = self.store.query(vector, max(k, self.pool), _where(fams, ks))
        scored = [(1.0 - row["distance"], row) for row in rows]
        if self.hybrid and rows:
            scored = self._rerank(text, scored)
        return [_passage(row, score) for score, row in self.rank_by_document(scored)[:k]]

    def rank_by_document(self, scored: list[tuple[float, dict[str, Any]]]) -> list[tuple[float, dict[str, Any]]]:
        """Chunks re-scored by document: a document's best chunk carries the document's score.

        The r-th best chunk of a document adds `chunk_decay ** r` times its own
        score to the document; as a passage it keeps only that share, so an extra
        passage of a listed document outranks another document's best passage
        only when it is far stronger.
        """
        by_source: dict[str, list[tuple[float, dict[str, Any]]]] = {}
        for score, row in sorted(scored, key=lambda pair: pair[0], reverse=True):
            by_source.setdefault(str(row["metadata"].get("source", "")), []).append((score, row))
        out: list[tuple[float, dict[str, Any]]] = []
        for chunks in by_source.values():
            shares = [score * self.chunk_decay**r for r, (score, _) in enumerate(chunks)]
            out.append((sum(shares), chunks[0][1]))
            limit = len(chunks) if self.max_per_source is None else self.max_per_source
            out += [(share, row) for share, (_, row) in zip(shares[1:limit], chunks[1:limit], strict=True)]
        out.sort(key=lambda pair: pair[0], reverse=True)
        return out

    def _rerank(self, question: str, scored: list[tuple[float, dict[str, Any]]]) -> list[tuple[float, dict[str, Any]]]:
        """Add the weighted share of question words found in the passage and in its heading."""
        terms: dict[str, float] = {}
        for stem, weight in analyse(question):
            terms[stem] = max(terms.get(stem, 0.0), weight)
        total = sum(terms.values())
        if total <= 0:
            return scored
        out = []
        for score, row in scored:
            head, body = self._passage_stems(row)
            in_body = sum(w for s, w in terms.items() if s in body) / total
            in_head = sum(w for s, w in terms.items() if s in head) / total
            out.append((score + self.keyword_weight * in_body + self.heading_weight * in_head, row))
        return out

    def _passage_stems(self, row: dict[str, Any]) -> tuple[frozenset[str], frozenset[str]]:
        cached = self._stems.get(row["id"])
        if cached is None:
            meta = row["metadata"]
            head = frozenset(s for s, _ in analyse(f"{meta.get('title', '')} {meta.get('heading', '')}"))
            cached = (head, head | frozenset(s for s, _ in analyse(row["text"])))
            if len(self._stems) >= _STEM_CACHE_SIZE:
                self._stems.clear()
            self._stems[row["id"]] = cached
        return cached


_STEM_CACHE_SIZE = 50_000


def _passage(row: dict[str, Any], score: float) -> Passage:
    meta = row["metadata"]
    return Passage(
        source=str(meta.get("source", "")),
        title=str(meta.get("title", "")),
        heading=str(meta.get("heading", "")),
        text=row["text"],
        score=round(float(score), 4),
        families=split_joined(meta.get("families")),
        kpis=split_joined(meta.get("kpis")),
    )
