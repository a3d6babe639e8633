"""Embedding functions: the offline lexical default and an OpenAI-compatible client."""

from __future__ import annotations

import hashlib
import re
import time
import unicodedata
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from typing import Any, Protocol, runtime_checkable

import numpy as np

from knowledge.errors import EmbedderUnavailable, KnowledgeError
from knowledge.lexicon import ABBREVIATIONS, CONCEPTS, LOW_WEIGHT, PHRASES, STOPWORDS, VARIANTS

__all__ = ["Embedder", "LexicalEmbedder", "OpenAIEmbedder", "create_embedder", "query_deadline"]


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into vectors; `name` is recorded in the store that it builds."""

    @property
    def name(self) -> str: ...

    @property
    def dimension(self) -> int: ...

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]: ...

    def embed_query(self, text: str) -> list[float]: ...


# --------------------------------------------------------------------------- lexical

_TOKEN = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
_URL = re.compile(r"(?:https?://|www\.)\S+")
_SLACK_LINK = re.compile(r"<(?:https?://|mailto:)[^|>]*\|([^>]*)>|<[@#!][^>]*>|<(?:https?://)[^>]*>")
_HTML_TAG = re.compile(r"</?[a-zA-Z][^>]{0,200}>")
_THOUSANDS = re.compile(r"(\d),(\d{3})\b")
_K_SUFFIX = re.compile(r"\b(\d+)k\b")
_BRITISH_ISE = re.compile(r"(?<=[a-z]{3})is(e|ed|es|ing|ation|ations|er|ers)$")

_stem_words: Any = None


def _stemmer() -> Any:
    global _stem_words
    if _stem_words is None:
        import snowballstemmer

        _stem_words = snowballstemmer.stemmer("english").stemWord
    return _stem_words


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = _SLACK_LINK.sub(lambda m: f" {m.group(1) or ''} ", text)
    text = _URL.sub(" ", text)
    text = _HTML_TAG.sub(" ", text)
    text = text.lower().replace("\u2019", "'").replace("`", " ")
    text = _THOUSANDS.sub(r"\1\2", text)
    text = _K_SUFFIX.sub(r"\g<1>000", text)
    for pattern, replacement in PHRASES:
        text = pattern.sub(replacement, text)
    return text


@lru_cache(maxsize=65536)
def _analyse_token(token: str) -> tuple[tuple[str, float], ...]:
    """One raw token -> (stem, weight) pairs; abbreviations expand to several."""
    token = token.strip("'")
    if token.endswith("'s"):
        token = token[:-2]
    expanded = ABBREVIATIONS.get(token)
    words = expanded.split() if expanded is not None else [token]
    out: list[tuple[str, float]] = []
    for word in words:
        if word in STOPWORDS or not word:
            continue
        word = VARIANTS.get(word, word)
        if "'" in word:
            word = word.replace("'", "")
        word = _BRITISH_ISE.sub(r"iz\1", word)
        stem = _stemmer()(word)
        out.append((stem, LOW_WEIGHT.get(stem, 1.0)))
    return tuple(out)


def analyse(text: str) -> list[tuple[str, float]]:
    """Text -> content stems with their weights (stop words dropped, abbreviations expanded)."""
    stems: list[tuple[str, float]] = []
    for token in _TOKEN.findall(_normalise(text)):
        stems += _analyse_token(token)
    return stems


def _concept_table() -> dict[tuple[str, ...], tuple[int, ...]]:
    table: dict[tuple[str, ...], list[int]] = {}
    for index, (_, phrases) in enumerate(CONCEPTS):
        for phrase in phrases:
            key = tuple(s for s, _ in analyse(phrase))
            # A phrase that only means something with its stop words ("how often",
            # "went up", "by reach") would fire on every use of its one content word.
            if len(key) < 2 and len(_TOKEN.findall(_normalise(phrase))) > 1:
                continue
            if key and index not in table.setdefault(key, []):
                table[key].append(index)
    return {k: tuple(v) for k, v in table.items()}


def _lexicon_fingerprint() -> str:
    blob = repr((CONCEPTS, sorted(ABBREVIATIONS.items()), sorted(STOPWORDS), sorted(LOW_WEIGHT.items()),
                 sorted(VARIANTS.items()), [(p.pattern, r) for p, r in PHRASES]))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:8]


def _hash(feature: str) -> int:
    return zlib.crc32(feature.encode("utf-8"))


class LexicalEmbedder:
    """Deterministic hashed lexical features: stems, bigrams, char n-grams and concepts.

    Nothing is downloaded. Four feature blocks are L2-normalised separately and
    mixed with fixed weights, so a long passage's many character n-grams cannot
    drown its words, and the marketing lexicon adds one shared "concept" feature
    for phrasings that mean the same thing ("eyeballs", "visibility", "reach").
    """

    VERSION = 1

    def __init__(
        self,
        *,
        dimension: int = 2048,
        word_weight: float = 1.0,
        bigram_weight: float = 0.45,
        char_weight: float = 0.45,
        concept_weight: float = 0.6,
    ) -> None:
        if dimension < 256:
            raise KnowledgeError("LexicalEmbedder needs dimension >= 256")
        self.dimension = dimension
        # Disjoint index ranges per block, so the many character n-grams of a long
        # passage cannot collide with (and add noise to) word features.
        concept_slots = 128
        hashed = dimension - concept_slots
        n_words, n_bigrams = hashed * 5 // 16, hashed * 3 // 16
        n_chars = hashed - n_words - n_bigrams
        self._layout = (
            (0, n_words),
            (n_words, n_bigrams),
            (n_words + n_bigrams, n_chars),
            (hashed, concept_slots),
        )
        self._weights = (word_weight, bigram_weight, char_weight, concept_weight)
        self._concepts = _concept_table()
        self._max_phrase = max((len(k) for k in self._concepts), default=1)
        params = f"{word_weight:g},{bigram_weight:g},{char_weight:g},{concept_weight:g}"
        self.name = f"lexical-v{self.VERSION}-{dimension}-{_lexicon_fingerprint()}-{_short(params)}"
        if len(CONCEPTS) >= concept_slots:
            raise KnowledgeError("too many lexicon concepts for the reserved slots")

    def _vector(self, text: str) -> np.ndarray:
        stems = analyse(text)
        vec = np.zeros(self.dimension, dtype=np.float64)
        if not stems:
            vec[-1] = 1.0  # a fixed direction for texts without words
            return vec.astype(np.float32)
        (w_off, w_n), (b_off, b_n), (c_off, c_n), (k_off, _) = self._layout
        words: dict[int, float] = {}
        bigrams: dict[int, float] = {}
        chars: dict[int, float] = {}
        concepts: dict[int, float] = {}
        for i, (stem, w) in enumerate(stems):
            h = _hash("w:" + stem)
            idx = w_off + h % w_n
            words[idx] = words.get(idx, 0.0) + (w if h & 0x80000000 else -w)
            if i:
                prev, pw = stems[i - 1]
                h = _hash(f"b:{prev} {stem}")
                idx = b_off + h % b_n
                bw = min(w, pw)
                bigrams[idx] = bigrams.get(idx, 0.0) + (bw if h & 0x80000000 else -bw)
            for gidx in _char_grams(stem, c_n):
                sign = 1.0 if gidx >= 0 else -1.0
                gidx = c_off + abs(gidx) - 1
                chars[gidx] = chars.get(gidx, 0.0) + sign * w
            for length in range(1, self._max_phrase + 1):
                if i + 1 < length:
                    break
                key = tuple(s for s, _ in stems[i + 1 - length : i + 1])
                for c in self._concepts.get(key, ()):
                    concepts[k_off + c] = concepts.get(k_off + c, 0.0) + 1.0
        for block, weight in zip((words, bigrams, chars, concepts), self._weights, strict=True):
            if not block or weight <= 0:
                continue
            idxs = np.fromiter(block.keys(), dtype=np.int64, count=len(block))
            vals = np.fromiter(block.values(), dtype=np.float64, count=len(block))
            # Sublinear term frequency: repeating a word helps, but less and less.
            vals = np.sign(vals) * np.log1p(np.abs(vals))
            norm = float(np.sqrt(np.dot(vals, vals)))
            if norm > 0:
                vec[idxs] += vals * (weight / norm)
        norm = float(np.linalg.norm(vec))
        if norm == 0:
            vec[-1] = 1.0
            norm = 1.0
        return (vec / norm).astype(np.float32)

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        return [self._vector(t).tolist() for t in texts]

    def embed_query(self, text: str) -> list[float]:
        vector: list[float] = self._vector(text).tolist()  # numpy's stubs type tolist() as Any
        return vector

    def embed_array(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors as one float32 matrix (used by the benchmark's numpy baseline)."""
        return np.vstack([self._vector(t) for t in texts]) if texts else np.zeros((0, self.dimension))


def _short(s: str) -> str:
    return hashlib.sha256(s.encode()).hexdigest()[:4]


@lru_cache(maxsize=65536)
def _char_grams(stem: str, n: int) -> list[int]:
    """Hashed 3-5 character n-grams of a stem, as signed 1-based indexes (typo tolerance)."""
    if len(stem) < 4:
        return []
    padded = f"<{stem}>"
    out: list[int] = []
    for size in (3, 4, 5):
        for j in range(len(padded) - size + 1):
            h = _hash("c:" + padded[j : j + size])
            idx = h % n + 1
            out.append(idx if h & 0x80000000 else -idx)
    return out


# --------------------------------------------------------------------------- OpenAI

_KNOWN_DIMENSIONS = {
    "text-embedding-3-small": 1536,
    "text-embedding-3-large": 3072,
    "text-embedding-ada-002": 1536,
}


_query_deadline: ContextVar[float | None] = ContextVar("kpi_advisor_query_deadline", default=None)


@contextmanager
def query_deadline(at: float | None) -> Iterator[None]:
    """Questions embedded inside the block (``embed_query``) give up at ``at`` (``time.monotonic()``).

    The advisor passes its answer's deadline so a slow endpoint costs guidance, not the
    whole answer; building the store (``embed_documents``) is not bound by it.
    """
    token = _query_deadline.set(at)
    try:
        yield
    finally:
        _query_deadline.reset(token)


_RETRYABLE = (408, 409, 429, 500, 502, 503, 504)
_MIN_ATTEMPT = 0.05  # seconds: an attempt with less time left than this is not started


class OpenAIEmbedder:
    """Embeddings from OpenAI or any OpenAI-compatible `/v1/embeddings` endpoint.

    ``timeout`` bounds each request and ``max_retries`` retries timeouts, connection
    errors, 429 and 5xx with a short backoff, all within a question's ``query_deadline``.
    """

    def __init__(
        self,
        *,
        model: str = "text-embedding-3-small",
        api_key: str | None = None,
        base_url: str | None = None,
        dimension: int | None = None,
        batch_size: int = 64,
        timeout: float = 10.0,
        max_retries: int = 1,
        client: Any = None,
    ) -> None:
        self.model = model
        self.base_url = base_url
        self.batch_size = max(1, batch_size)
        self._api_key = api_key
        self._timeout = timeout
        self._max_retries = max_retries
        self._client = client
        self._dimension = dimension or _KNOWN_DIMENSIONS.get(model)
        self.name = f"openai:{model}"

    @property
    def dimension(self) -> int:
        if self._dimension is None:
            # Unknown model: ask the endpoint once.
            self._dimension = len(self.embed_query("dimension probe"))
        return self._dimension

    def _get_client(self) -> Any:
        if self._client is None:
            import openai

            self._client = openai.OpenAI(
                api_key=self._api_key or "not-needed",  # local compatible servers ignore it
                base_url=self.base_url,
                timeout=self._timeout,
                max_retries=0,  # retried here, where the deadline is known
            )
        return self._client

    def _where(self) -> str:
        return self.base_url or "the OpenAI API"

    def _create(self, batch: list[str], deadline: float | None) -> Any:
        """One embeddings request, retried within ``max_retries`` and the deadline."""
        import openai

        client = self._get_client()
        for attempt in range(self._max_retries + 1):
            timeout = self._timeout
            if deadline is not None:
                timeout = min(timeout, deadline - time.monotonic())
                if timeout < _MIN_ATTEMPT:
                    raise EmbedderUnavailable(
                        f"No time left to ask the embeddings endpoint at {self._where()} within the answer's "
                        "budget (LLM_TIMEOUT); guidance was skipped."
                    )
            try:
                return client.embeddings.create(model=self.model, input=batch, timeout=timeout)
            except (openai.APIConnectionError, openai.APIStatusError) as exc:
                status = getattr(exc, "status_code", None)
                retryable = status is None or status in _RETRYABLE
                if not retryable or attempt == self._max_retries:
                    raise
                pause = min(0.25 * 2**attempt, 2.0)
                if deadline is not None and deadline - time.monotonic() < pause + _MIN_ATTEMPT:
                    raise
                time.sleep(pause)
        raise AssertionError("unreachable")

    def _embed(self, texts: list[str], deadline: float | None = None) -> list[list[float]]:
        import openai

        out: list[list[float]] = []
        for start in range(0, len(texts), self.batch_size):
            batch = [t if t.strip() else " " for t in texts[start : start + self.batch_size]]
            try:
                response = self._create(batch, deadline)
            except openai.APITimeoutError:
                raise EmbedderUnavailable(
                    f"The embeddings endpoint at {self._where()} did not answer in time "
                    f"({self._timeout:g} s per request, {self._max_retries} retries); check the server, "
                    "or raise EMBEDDING_TIMEOUT."
                ) from None
            except openai.APIConnectionError as exc:
                raise EmbedderUnavailable(
                    f"Could not reach the embeddings endpoint at {self._where()} ({exc.__class__.__name__}). "
                    "Check OPENAI_BASE_URL and that the server is running, or set KPI_ADVISOR_EMBEDDER=lexical "
                    "to use the offline embedder."
                ) from None
            except openai.AuthenticationError:
                raise EmbedderUnavailable(
                    f"The embeddings endpoint at {self._where()} rejected the API key; check OPENAI_API_KEY."
                ) from None
            except openai.APIStatusError as exc:
                raise EmbedderUnavailable(
                    f"The embeddings endpoint at {self._where()} answered HTTP {exc.status_code} for model "
                    f"'{self.model}'; check EMBEDDING_MODEL and the server logs."
                ) from None
            data = sorted(response.data, key=lambda d: d.index)
            if len(data) != len(batch):
                raise EmbedderUnavailable(
                    f"The embeddings endpoint at {self._where()} returned {len(data)} vectors for "
                    f"{len(batch)} texts; it may not be OpenAI-compatible."
                )
            out += [list(map(float, d.embedding)) for d in data]
        if out and self._dimension is None:
            self._dimension = len(out[0])
        return out

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        return self._embed(list(texts)) if texts else []

    def embed_query(self, text: str) -> list[float]:
        return self._embed([text], _query_deadline.get())[0]


def create_embedder(
    kind: str = "lexical",
    *,
    model: str = "text-embedding-3-small",
    api_key: str | None = None,
    base_url: str | None = None,
    timeout: float = 10.0,
    max_retries: int = 1,
) -> Embedder:
    """The embedder named by the EMBEDDER setting ("lexical" or "openai")."""
    kind = (kind or "lexical").strip().lower()
    if kind in ("lexical", "local", "default"):
        return LexicalEmbedder()
    if kind in ("openai", "openai-compatible"):
        return OpenAIEmbedder(model=model, api_key=api_key, base_url=base_url, timeout=timeout,
                              max_retries=max_retries)
    raise KnowledgeError(f"Unknown embedder '{kind}'; set KPI_ADVISOR_EMBEDDER to 'lexical' (offline) or 'openai'.")

