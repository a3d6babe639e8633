"""Split documents into heading-sized chunks whose ids derive from their content."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from knowledge.corpus import Document

__all__ = ["Chunk", "chunk_document", "chunk_documents", "MAX_CHUNK_CHARS"]

MAX_CHUNK_CHARS = 1500
CHUNK_OVERLAP = 150
_HEADERS = [("#", "h1"), ("##", "h2"), ("###", "h3")]


@dataclass(frozen=True)
class Chunk:
    """A passage of one document under one heading path."""

    id: str
    source: str
    title: str
    heading: str
    text: str
    families: tuple[str, ...]
    kpis: tuple[str, ...]
    platforms: tuple[str, ...]
    origin: str
    position: int

    @property
    def embed_text(self) -> str:
        """What gets embedded: the title and heading give short sections their context."""
        head = self.title if not self.heading or self.heading == self.title else f"{self.title}. {self.heading}"
        return f"{head}\n{self.text}"

    def metadata(self) -> dict[str, Any]:
        """Chroma metadata; list fields as `|a|b|` strings plus arrays for `$contains` filters."""
        meta: dict[str, Any] = {
            "source": self.source,
            "title": self.title,
            "heading": self.heading,
            "origin": self.origin,
            "families": _joined(self.families),
            "kpis": _joined(self.kpis),
            "platforms": _joined(self.platforms),
        }
        # Chroma rejects empty arrays, so the filter keys are only present when non-empty.
        if self.families:
            meta["family_tags"] = list(self.families)
        if self.kpis:
            meta["kpi_tags"] = list(self.kpis)
        return meta


def _joined(values: Iterable[str]) -> str:
    values = list(values)
    return "|" + "|".join(values) + "|" if values else ""


def split_joined(value: Any) -> tuple[str, ...]:
    """Inverse of the `|a|b|` encoding used in chunk metadata."""
    if not value or not isinstance(value, str):
        return ()
    return tuple(v for v in value.split("|") if v)


def _chunk_id(doc: Document, heading: str, text: str) -> str:
    # Metadata is part of the id too, so editing front matter re-ingests the chunk
    # instead of leaving stale filters in the store.
    key = "\x1f".join(
        [doc.slug, heading, text, doc.title, ",".join(doc.families), ",".join(doc.kpis), doc.origin]
    )
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _heading_path(meta: dict[str, str], title: str) -> str:
    parts = [meta[k] for k in ("h2", "h3") if meta.get(k)]
    # The H1 is the document's own heading (the title says the same), so it only
    # names the introduction, before the first section.
    if not parts:
        return meta.get("h1") or title
    return " > ".join(parts)


def chunk_document(doc: Document, max_chars: int = MAX_CHUNK_CHARS) -> list[Chunk]:
    """Sections by `#`/`##`/`###` headings; long sections split with overlap."""
    from langchain_text_splitters import MarkdownHeaderTextSplitter, RecursiveCharacterTextSplitter

    sections = MarkdownHeaderTextSplitter(_HEADERS, strip_headers=True).split_text(doc.body)
    splitter = RecursiveCharacterTextSplitter(
        chunk_size=max_chars, chunk_overlap=min(CHUNK_OVERLAP, max_chars // 5)
    )
    chunks: list[Chunk] = []
    seen: set[str] = set()
    for section in sections:
        text = section.page_content.strip()
        if not text:
            continue
        heading = _heading_path(section.metadata, doc.title)
        pieces = [text] if len(text) <= max_chars else splitter.split_text(text)
        for piece in pieces:
            piece = piece.strip()
            if not piece:
                continue
            cid = _chunk_id(doc, heading, piece)
            if cid in seen:  # identical repeated passage: keep one copy
                continue
            seen.add(cid)
            chunks.append(
                Chunk(
                    id=cid,
                    source=doc.slug,
                    title=doc.title,
                    heading=heading,
                    text=piece,
                    families=doc.families,
                    kpis=doc.kpis,
                    platforms=doc.platforms,
                    origin=doc.origin,
                    position=len(chunks),
                )
            )
    return chunks


def chunk_documents(docs: Iterable[Document], max_chars: int = MAX_CHUNK_CHARS) -> list[Chunk]:
    """Chunks of every document, in document order."""
    out: list[Chunk] = []
    for doc in docs:
        out += chunk_document(doc, max_chars)
    return out
