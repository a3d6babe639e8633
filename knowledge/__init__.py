"""Guidance documents embedded in Chroma, and retrieval over them.

Importing this package is cheap: chromadb and LangChain load only when a
knowledge base is built or searched.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__all__ = [
    "KnowledgeBase",
    "Passage",
    "Document",
    "Embedder",
    "LexicalEmbedder",
    "OpenAIEmbedder",
    "create_embedder",
    "KnowledgeError",
]

_EXPORTS = {
    "KnowledgeBase": "knowledge.base",
    "Passage": "knowledge.retrieve",
    "Document": "knowledge.corpus",
    "Embedder": "knowledge.embeddings",
    "LexicalEmbedder": "knowledge.embeddings",
    "OpenAIEmbedder": "knowledge.embeddings",
    "create_embedder": "knowledge.embeddings",
    "KnowledgeError": "knowledge.errors",
}

if TYPE_CHECKING:
    from knowledge.base import KnowledgeBase
    from knowledge.corpus import Document
    from knowledge.embeddings import Embedder, LexicalEmbedder, OpenAIEmbedder, create_embedder
    from knowledge.errors import KnowledgeError
    from knowledge.retrieve import Passage


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'knowledge' has no attribute {name!r}")
    return getattr(import_module(module), name)
