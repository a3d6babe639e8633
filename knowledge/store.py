"""The Chroma collection behind the knowledge base: local folder or server."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from knowledge.embeddings import Embedder
from knowledge.errors import EmbedderMismatch, KnowledgeError, StoreUnavailable

_T = TypeVar("_T")

_CONNECT_LOCK = threading.Lock()

__all__ = ["ChromaStore", "COLLECTION", "server_url", "describe_server_error"]

COLLECTION = "kpi-guidance"
# Collection metadata keys for the team-playbook registry; carried over on rebuild.
_REGISTRY_KEYS = ("team_dirs", "excluded")


class ChromaStore:
    """One Chroma collection; vectors always come from our embedder, never Chroma's default."""

    def __init__(
        self,
        *,
        path: Path | None = None,
        host: str | None = None,
        port: int = 8000,
        collection: str = COLLECTION,
        client: Any = None,
        headers: Mapping[str, str] | None = None,
        tenant: str | None = None,
        database: str | None = None,
        ssl_verify: bool | str = True,
    ) -> None:
        if path is None and host is None and client is None:
            raise KnowledgeError("ChromaStore needs a folder (path) or a server (host)")
        self.path = Path(path).expanduser() if path is not None else None
        self.host = host
        self.port = port
        # A bare host name uses `port` over plain HTTP; a URL says its own scheme (https:// is TLS),
        # port (else the scheme's) and path prefix (a server behind a reverse proxy).
        self.url = server_url(host, port) if host else None
        self.headers = dict(headers or {})
        self.tenant = tenant
        self.database = database
        self.ssl_verify = ssl_verify
        self.collection_name = collection
        self._client = client
        self._collection: Any = None
        self._opened_for: str | None = None  # embedder name the open collection was checked against

    @property
    def location(self) -> str:
        """Where the vectors live, for status output and error messages."""
        if self.url:
            where = f"chroma server {self.url}"
            if self.tenant or self.database:
                where += f" (tenant {self.tenant or 'default_tenant'}, database {self.database or 'default_database'})"
            return f"{where} (collection {self.collection_name})"
        return str(self.path.resolve()) if self.path is not None else "chroma client"

    def _connect(self) -> Any:
        if self._client is not None:
            return self._client
        with _CONNECT_LOCK:  # threads opening the same store at once make chroma fail to find its tenant
            if self._client is None:
                self._client = self._open()
        return self._client

    def _open(self) -> Any:
        import chromadb
        from chromadb.config import Settings

        if self.url:
            settings = Settings(anonymized_telemetry=False, chroma_server_ssl_verify=self.ssl_verify)
            options: dict[str, Any] = {}
            if self.tenant:
                options["tenant"] = self.tenant
            if self.database:
                options["database"] = self.database
            try:
                client = chromadb.HttpClient(host=self.url, ssl=self.url.startswith("https://"),
                                             headers=self.headers or None, settings=settings, **options)
                client.heartbeat()
                return client
            except Exception as exc:  # chromadb/httpx raise assorted types; only known ones are ours
                message = self._unavailable(exc)
                if message is None:
                    raise
                raise StoreUnavailable(message) from None
        assert self.path is not None
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            return chromadb.PersistentClient(path=str(self.path), settings=Settings(anonymized_telemetry=False))
        except (ValueError, OSError) as exc:
            raise StoreUnavailable(
                f"Could not open the Chroma folder {self.path} ({exc}); check it exists and is writable "
                "(KPI_ADVISOR_CHROMA_PATH, or KPI_ADVISOR_HOME_DIR for the default folder)."
            ) from None

    def _unavailable(self, exc: BaseException) -> str | None:
        """What to tell a person about a failure to talk to the Chroma server; None if it is not one."""
        return describe_server_error(exc, url=self.url or "", tenant=self.tenant, database=self.database)

    def _get(self, refresh: bool = False) -> Any | None:
        """The existing collection, or None when nothing was built yet."""
        if self._collection is not None and not refresh:
            return self._collection
        self._collection = None
        client = self._connect()
        try:
            self._collection = client.get_collection(self.collection_name, embedding_function=None)
        except Exception as exc:
            if _is_not_found(exc):
                return None
            message = self._unavailable(exc) if self.url else None
            if message is None:
                raise
            raise StoreUnavailable(message) from None
        return self._collection

    # ---------------------------------------------------------------- metadata

    def exists(self) -> bool:
        return self._get() is not None

    def metadata(self) -> dict[str, Any]:
        """Collection metadata, re-read so changes by other processes show."""
        col = self._get(refresh=True)
        return dict(col.metadata or {}) if col is not None else {}

    def embedder_name(self) -> str | None:
        name = self.metadata().get("embedder")
        return str(name) if name is not None else None

    def registry(self) -> dict[str, list[str]]:
        """Team playbook folders and removed slugs, persisted in the collection."""
        meta = self.metadata()
        out: dict[str, list[str]] = {}
        for key in _REGISTRY_KEYS:
            try:
                value = json.loads(meta.get(key) or "[]")
            except (TypeError, ValueError):
                value = []
            out[key] = [str(v) for v in value] if isinstance(value, list) else []
        return out

    def save_registry(self, registry: dict[str, list[str]]) -> None:
        col = self._get(refresh=True)
        if col is None:
            raise KnowledgeError("The knowledge store is not built yet; run `kpi-advisor knowledge build`.")
        meta = {k: v for k, v in (col.metadata or {}).items() if not str(k).startswith("hnsw:")}
        for key in _REGISTRY_KEYS:
            meta[key] = json.dumps(sorted(set(registry.get(key, []))))
        col.modify(metadata=meta)

    # ---------------------------------------------------------------- lifecycle

    def open(self, embedder: Embedder, *, create: bool = False, rebuild: bool = False) -> Any:
        """The collection for `embedder`; a different embedder's store raises unless rebuilding."""
        col = self._get(refresh=True)
        if col is not None:
            stored = (col.metadata or {}).get("embedder")
            if rebuild or stored != embedder.name:
                if not rebuild:
                    raise EmbedderMismatch(str(stored), embedder.name, self.location)
                registry = self.registry()
                self.drop()
                return self._create(embedder, registry)
            self._opened_for = embedder.name
            return col
        if not (create or rebuild):
            return None
        return self._create(embedder, {})

    def _create(self, embedder: Embedder, registry: dict[str, list[str]]) -> Any:
        client = self._connect()
        meta: dict[str, Any] = {"embedder": embedder.name, "dimension": int(embedder.dimension)}
        for key in _REGISTRY_KEYS:
            meta[key] = json.dumps(sorted(set(registry.get(key, []))))
        self._collection = client.get_or_create_collection(
            self.collection_name,
            embedding_function=None,
            metadata=meta,
            configuration={"hnsw": {"space": "cosine", "ef_construction": 200, "ef_search": 200}},
        )
        self._opened_for = embedder.name
        return self._collection

    def drop(self) -> None:
        """Delete the collection (vectors and registry)."""
        client = self._connect()
        try:
            client.delete_collection(self.collection_name)
        except Exception as exc:
            if not _is_not_found(exc):
                raise
        self._collection = None

    # ---------------------------------------------------------------- data

    def _fresh(self, op: Callable[[Any], _T]) -> _T:
        """Run `op(collection)`; if another process rebuilt the collection, re-open it once."""
        col = self._get()
        if col is None:
            return op(None)
        try:
            return op(col)
        except Exception as exc:
            if not _is_not_found(exc):
                raise
        col = self._get(refresh=True)
        stored = (col.metadata or {}).get("embedder") if col is not None else None
        if col is not None and self._opened_for and stored != self._opened_for:
            raise EmbedderMismatch(str(stored), self._opened_for, self.location)
        return op(col)

    def count(self) -> int:
        return self._fresh(lambda col: int(col.count()) if col is not None else 0)

    def ids(self) -> set[str]:
        return self._fresh(self._ids)

    def _ids(self, col: Any) -> set[str]:
        if col is None:
            return set()
        out: set[str] = set()
        total = col.count()
        page = 5000
        for offset in range(0, total, page):
            out.update(col.get(include=[], limit=page, offset=offset)["ids"])
        return out

    def sources(self) -> dict[str, int]:
        """Chunk count per source slug."""
        return self._fresh(self._sources)

    def _sources(self, col: Any) -> dict[str, int]:
        counts: dict[str, int] = {}
        if col is None:
            return counts
        total = col.count()
        page = 5000
        for offset in range(0, total, page):
            for meta in col.get(include=["metadatas"], limit=page, offset=offset)["metadatas"] or []:
                src = str((meta or {}).get("source", ""))
                counts[src] = counts.get(src, 0) + 1
        return counts

    def upsert(
        self,
        ids: Sequence[str],
        embeddings: Sequence[Sequence[float]],
        documents: Sequence[str],
        metadatas: Sequence[dict[str, Any]],
    ) -> None:
        col = self._require()
        col.upsert(ids=list(ids), embeddings=[list(e) for e in embeddings], documents=list(documents),
                   metadatas=list(metadatas))

    def delete(self, ids: Sequence[str]) -> None:
        if ids:
            col = self._require()
            for start in range(0, len(ids), 5000):
                col.delete(ids=list(ids[start : start + 5000]))

    def delete_source(self, slug: str) -> None:
        col = self._get()
        if col is not None:
            col.delete(where={"source": slug})

    def query(self, embedding: Sequence[float], k: int, where: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Nearest chunks as dicts with id, text, metadata and cosine distance."""
        self._require()
        return self._fresh(lambda col: self._query(col, embedding, k, where))

    def _query(self, col: Any, embedding: Sequence[float], k: int, where: dict[str, Any] | None) -> list[dict[str, Any]]:
        if col is None:
            return []
        n = col.count()
        if n == 0:
            return []
        result = col.query(
            query_embeddings=[list(embedding)],
            n_results=min(k, n),
            where=where or None,
            include=["documents", "metadatas", "distances"],
        )
        rows = []
        for cid, doc, meta, dist in zip(
            result["ids"][0], result["documents"][0], result["metadatas"][0], result["distances"][0], strict=True
        ):
            rows.append({"id": cid, "text": doc or "", "metadata": meta or {}, "distance": float(dist)})
        return rows

    def _require(self) -> Any:
        col = self._get()
        if col is None:
            raise KnowledgeError("The knowledge store is not built yet; run `kpi-advisor knowledge build`.")
        return col


def _is_not_found(exc: BaseException) -> bool:
    name = type(exc).__name__
    return name in ("NotFoundError", "InvalidCollectionException") or "does not exist" in str(exc)


def server_url(host: str, port: int = 8000) -> str:
    """The Chroma server's base URL: ``chroma.internal`` + 8000 -> ``http://chroma.internal:8000``;
    a URL keeps its scheme, path and port (else 443 for https://, 80 for http://)."""
    if "://" not in host:
        return f"http://{host}:{port}"
    parts = urlsplit(host)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise KnowledgeError(f"'{host}' is not a Chroma server address; use a host name or an http(s):// URL "
                             "in KPI_ADVISOR_CHROMA_HOST.")
    try:
        explicit = parts.port
    except ValueError:
        raise KnowledgeError(f"The port in KPI_ADVISOR_CHROMA_HOST='{host}' is not a number.") from None
    hostname = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    path = parts.path.rstrip("/")
    return f"{scheme}://{hostname}:{explicit or (443 if scheme == 'https' else 80)}{path}"


def describe_server_error(exc: BaseException, *, url: str, tenant: str | None = None,
                          database: str | None = None) -> str | None:
    """A sentence naming the setting to fix for a failure to reach or use a Chroma server, or None
    when ``exc`` is not such a failure (a bug keeps its traceback)."""
    # chromadb re-raises transport errors as a generic ValueError; the real cause is in the chain.
    chain: list[BaseException] = []
    link: BaseException | None = exc
    while link is not None and len(chain) < 6:
        chain.append(link)
        link = link.__cause__ or link.__context__
    low = " ".join(f"{type(e).__name__} {e}" for e in chain).lower()
    root = chain[-1]
    reason = str(root).splitlines()[0][:200] if str(root) else type(root).__name__
    if "certificate" in low and ("verif" in low or "self-signed" in low or "self signed" in low):
        return (f"The Chroma server at {url} presented a TLS certificate that could not be verified ({reason}). "
                "Set KPI_ADVISOR_CHROMA_SSL_VERIFY to your CA bundle file (or false on a trusted network).")
    if any(s in low for s in ("wrong version number", "ssl", "tls", "record layer")):
        return (f"The TLS handshake with the Chroma server at {url} failed ({reason}). If the server does not "
                "use TLS, write http:// in KPI_ADVISOR_CHROMA_HOST; if it does, check the port.")
    if any(s in low for s in ("401", "403", "unauthorized", "forbidden", "autherror", "authorizationerror",
                              "authenticationerror", "permission")):
        return (f"The Chroma server at {url} refused the request ({reason}). Check the credentials in "
                'KPI_ADVISOR_CHROMA_HEADERS, e.g. {"Authorization": "Bearer <token>"}.')
    if "tenant" in low or ("database" in low and ("not found" in low or "does not exist" in low)):
        return (f"The Chroma server at {url} has no tenant '{tenant or 'default_tenant'}' with database "
                f"'{database or 'default_database'}' ({reason}). Check KPI_ADVISOR_CHROMA_TENANT and "
                "KPI_ADVISOR_CHROMA_DATABASE, or create them on the server.")
    if any(s in low for s in ("name or service not known", "nodename nor servname", "name resolution",
                              "getaddrinfo", "no address associated")):
        return (f"The Chroma server host in {url} could not be found ({reason}). "
                "Check KPI_ADVISOR_CHROMA_HOST.")
    if any(s in low for s in ("connect", "refused", "timed out", "timeout", "unreachable", "remoteprotocol",
                              "disconnected", "reset by peer", "are you sure it is running")):
        return (f"Could not reach the Chroma server at {url} ({reason}). Start it (`chroma run --path <folder> "
                "--port <port>`), fix KPI_ADVISOR_CHROMA_HOST / KPI_ADVISOR_CHROMA_PORT, or unset "
                "KPI_ADVISOR_CHROMA_HOST to use a local folder.")
    return None
