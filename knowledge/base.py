"""`KnowledgeBase`: the one object the advisor and the CLI talk to."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from knowledge.chunking import chunk_documents
from knowledge.corpus import BUNDLED_DIR, Document, load_directory, load_documents
from knowledge.embeddings import Embedder, LexicalEmbedder
from knowledge.errors import KnowledgeError, UnknownDocument
from knowledge.ingest import IngestStats, Progress, ingest_chunks
from knowledge.retrieve import Passage, Retriever
from knowledge.store import ChromaStore

__all__ = ["KnowledgeBase", "KnowledgeStatus", "BuildReport"]

DEFAULT_STORE_DIR = Path(".kpi-advisor") / "chroma"


@dataclass(frozen=True)
class BuildReport:
    """Outcome of `build`: documents ingested and what changed in the store."""

    documents: int
    added: int
    removed: int
    unchanged: int
    chunks: int
    seconds: float
    embedder: str
    store: str
    rebuilt: bool


@dataclass(frozen=True)
class KnowledgeStatus:
    """What `knowledge status` shows."""

    built: bool
    documents: int
    chunks: int
    embedder: str
    store_embedder: str | None
    store: str
    team_dirs: list[str] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)


class KnowledgeBase:
    """Guidance documents embedded in Chroma: build, inspect, search, manage team playbooks."""

    def __init__(
        self,
        *,
        store_dir: Path | None = None,
        chroma_host: str | None = None,
        chroma_port: int = 8000,
        chroma_options: Mapping[str, Any] | None = None,
        embedder: Embedder | None = None,
        team_dirs: Sequence[Path] = (),
        bundled_dir: Path | None = BUNDLED_DIR,
        store: ChromaStore | None = None,
        hybrid: bool = False,
        max_per_source: int | None = 2,
    ) -> None:
        self.embedder: Embedder = embedder or LexicalEmbedder()
        self.store = store or ChromaStore(
            path=None if chroma_host else (store_dir or DEFAULT_STORE_DIR), host=chroma_host, port=chroma_port,
            **(dict(chroma_options or {}) if chroma_host else {}),  # headers, tenant, database, ssl_verify
        )
        self.bundled_dir = bundled_dir
        self._configured_dirs = [Path(d).expanduser().resolve() for d in team_dirs]
        self._ready = False  # verified once per instance; the store re-checks if rebuilt elsewhere
        self._retriever = Retriever(
            store=self.store, embedder=self.embedder, hybrid=hybrid, max_per_source=max_per_source
        )

    # ---------------------------------------------------------------- documents

    def _team_dirs(self) -> list[Path]:
        registered = [Path(p) for p in self.store.registry()["team_dirs"]] if self.store.exists() else []
        # A registered folder that was deleted simply stops contributing documents.
        registered = [p for p in registered if p.is_dir()]
        out: list[Path] = []
        for d in [*self._configured_dirs, *registered]:
            if d not in out:
                out.append(d)
        return out

    def list_documents(self) -> list[Document]:
        """Bundled guidance and team playbook documents, minus removed ones."""
        excluded = set(self.store.registry()["excluded"]) if self.store.exists() else set()
        docs = load_documents(bundled_dir=self.bundled_dir, team_dirs=self._team_dirs())
        return [d for d in docs if d.slug not in excluded]

    # ---------------------------------------------------------------- building

    def build(self, progress: Progress | None = None, rebuild: bool = False) -> BuildReport:
        """Ingest every document; only changed chunks are embedded.

        A store made by a different embedder is rebuilt rather than mixed.
        """
        if not rebuild and self.store.exists():
            stored = self.store.embedder_name()
            rebuild = stored != self.embedder.name
        docs = self.list_documents()
        chunks = chunk_documents(docs)
        stats: IngestStats = ingest_chunks(
            chunks, store=self.store, embedder=self.embedder, progress=progress, rebuild=rebuild
        )
        return BuildReport(
            documents=len(docs),
            added=stats.added,
            removed=stats.removed,
            unchanged=stats.unchanged,
            chunks=stats.chunks,
            seconds=round(stats.seconds, 3),
            embedder=self.embedder.name,
            store=self.store.location,
            rebuilt=rebuild,
        )

    def ensure_built(self) -> None:
        """Build on first use; a store from another embedder raises EmbedderMismatch."""
        if self._ready:
            return
        if not self.store.exists() or self.store.count() == 0:
            self.build()
        else:
            self.store.open(self.embedder)
        self._ready = True

    def status(self) -> KnowledgeStatus:
        built = self.store.exists()
        registry = self.store.registry() if built else {"team_dirs": [], "excluded": []}
        sources = self.store.sources() if built else {}
        return KnowledgeStatus(
            built=built and bool(sources),
            documents=len([s for s in sources if s]),
            chunks=sum(sources.values()),
            embedder=self.embedder.name,
            store_embedder=self.store.embedder_name() if built else None,
            store=self.store.location,
            team_dirs=[str(d) for d in self._team_dirs()] if built else [str(d) for d in self._configured_dirs],
            excluded=registry["excluded"],
        )

    # ---------------------------------------------------------------- search

    def retrieve(
        self,
        question: str,
        k: int = 5,
        families: Sequence[str] | str | None = None,
        kpis: Sequence[str] | str | None = None,
    ) -> list[Passage]:
        """Passages that answer `question`, best first (builds the store on first use)."""
        from knowledge.retrieve import clean_question

        clean_question(question)  # reject bad input before any (slow) first build
        self.ensure_built()
        return self._retriever.retrieve(question, k=k, families=families, kpis=kpis)

    # ---------------------------------------------------------------- team playbooks

    def add_team_dir(self, path: Path, progress: Progress | None = None) -> list[Document]:
        """Register a team's folder of markdown documents and ingest it."""
        directory = Path(path).expanduser().resolve()
        new_docs = load_directory(directory, "team")  # validates before anything is stored
        if not new_docs:
            raise KnowledgeError(f"{directory} has no markdown (*.md) files; add your playbook documents first.")
        current = {d.slug: d for d in load_documents(bundled_dir=self.bundled_dir, team_dirs=self._team_dirs())}
        for doc in new_docs:
            other = current.get(doc.slug)
            if other is not None and other.path.resolve() != doc.path.resolve():
                raise KnowledgeError(
                    f"{doc.path}: a document named '{doc.slug}' already exists ({other.path}); rename the file."
                )
        self.store.open(self.embedder, create=True, rebuild=self._needs_rebuild())
        registry = self.store.registry()
        registry["team_dirs"] = [*registry["team_dirs"], str(directory)]
        slugs = {d.slug for d in new_docs}
        registry["excluded"] = [s for s in registry["excluded"] if s not in slugs]
        self.store.save_registry(registry)
        self.build(progress=progress)
        return new_docs

    def remove_document(self, slug: str) -> Document:
        """Remove a team document from the knowledge base (the file itself is left alone)."""
        docs = {d.slug: d for d in self.list_documents()}
        doc = docs.get(slug)
        if doc is None:
            raise UnknownDocument(
                f"No document '{slug}' in the knowledge base; run `kpi-advisor knowledge list` to see the slugs."
            )
        if doc.origin == "bundled":
            raise KnowledgeError(
                f"'{slug}' is bundled guidance and can't be removed; only team playbook documents can. "
                "Add a team document with the same topic to extend it instead."
            )
        self.store.open(self.embedder, create=True, rebuild=self._needs_rebuild())
        registry = self.store.registry()
        registry["excluded"] = [*registry["excluded"], slug]
        self.store.save_registry(registry)
        self.store.delete_source(slug)
        return doc

    def _needs_rebuild(self) -> bool:
        return self.store.exists() and self.store.embedder_name() != self.embedder.name
