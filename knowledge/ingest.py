"""Incremental ingestion: embed only new chunks, drop chunks whose text is gone."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from knowledge.chunking import Chunk
from knowledge.embeddings import Embedder
from knowledge.store import ChromaStore

__all__ = ["IngestStats", "ingest_chunks", "Progress"]

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class IngestStats:
    """What one ingestion changed."""

    added: int
    removed: int
    unchanged: int
    chunks: int
    seconds: float

    @property
    def chunks_per_second(self) -> float:
        return self.added / self.seconds if self.seconds > 0 else 0.0


def ingest_chunks(
    chunks: Sequence[Chunk],
    *,
    store: ChromaStore,
    embedder: Embedder,
    progress: Progress | None = None,
    rebuild: bool = False,
    batch_size: int = 256,
) -> IngestStats:
    """Make the store hold exactly `chunks`, embedding only the ones it lacks."""
    started = time.perf_counter()
    store.open(embedder, create=True, rebuild=rebuild)
    existing = store.ids()
    wanted = {c.id: c for c in chunks}  # content ids: identical chunks collapse to one
    new = [c for cid, c in wanted.items() if cid not in existing]
    stale = sorted(existing - wanted.keys())
    store.delete(stale)

    total = len(new)
    if progress is not None:
        progress(0, total)
    for start in range(0, total, batch_size):
        batch = new[start : start + batch_size]
        vectors = embedder.embed_documents([c.embed_text for c in batch])
        store.upsert([c.id for c in batch], vectors, [c.text for c in batch], [c.metadata() for c in batch])
        if progress is not None:
            progress(start + len(batch), total)
    return IngestStats(
        added=total,
        removed=len(stale),
        unchanged=len(wanted) - total,
        chunks=len(wanted),
        seconds=time.perf_counter() - started,
    )
