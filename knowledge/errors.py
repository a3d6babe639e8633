"""The knowledge layer's exception tree; every message says what to do next."""

from __future__ import annotations

from kpi_engine.errors import KpiAdvisorError

__all__ = [
    "KnowledgeError",
    "BadDocument",
    "UnknownDocument",
    "EmbedderMismatch",
    "EmbedderUnavailable",
    "StoreUnavailable",
    "BadQuestion",
]


class KnowledgeError(KpiAdvisorError):
    """Base of every error the knowledge layer raises on purpose."""


class BadDocument(KnowledgeError):
    """A guidance document cannot be read (front matter, encoding, duplicate slug)."""

    def __init__(self, path: object, problem: str):
        self.path = path
        self.problem = problem
        super().__init__(f"{path}: {problem}")


class UnknownDocument(KnowledgeError):
    """No document with that slug is in the knowledge base."""


class EmbedderMismatch(KnowledgeError):
    """The store was built by a different embedder than the one configured."""

    def __init__(self, stored: str, configured: str, location: str):
        self.stored = stored
        self.configured = configured
        super().__init__(
            f"The knowledge store at {location} was built with embedder '{stored}', "
            f"but '{configured}' is configured. Run `kpi-advisor knowledge build --rebuild` "
            "to re-embed the guidance, or set KPI_ADVISOR_EMBEDDER back to the one that built it."
        )


class EmbedderUnavailable(KnowledgeError):
    """The embedding function (e.g. an OpenAI-compatible endpoint) cannot be used."""


class StoreUnavailable(KnowledgeError):
    """The Chroma store (local folder or server) cannot be opened or reached."""


class BadQuestion(KnowledgeError):
    """The question (or its filters) cannot be searched as given."""
