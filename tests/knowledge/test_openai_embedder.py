"""OpenAIEmbedder through the real `openai` client against a local compatible server."""

from __future__ import annotations

import base64
import json
import re
import socket
import threading
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from knowledge.base import KnowledgeBase
from knowledge.embeddings import LexicalEmbedder, OpenAIEmbedder
from knowledge.errors import EmbedderUnavailable

DIM = 64


def toy_vector(text: str) -> list[float]:
    """Bag-of-words hashed into DIM dimensions: enough semantics for a tiny corpus."""
    v = np.zeros(DIM, dtype=np.float32)
    for word in re.findall(r"[a-z]+", text.lower()):
        v[zlib.crc32(word.encode()) % DIM] += 1.0
    n = np.linalg.norm(v)
    return (v / n if n else v + 1 / np.sqrt(DIM)).tolist()


class FakeEmbeddings(BaseHTTPRequestHandler):
    requests: list[dict[str, Any]] = []
    fail_with: int | None = None

    def log_message(self, *args: object) -> None:  # keep test output quiet
        pass

    def do_POST(self) -> None:  # noqa: N802 (http.server API)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).requests.append({"path": self.path, "auth": self.headers.get("Authorization"), **body})
        if self.path != "/v1/embeddings":
            return self._send(404, {"error": {"message": "not found"}})
        if type(self).fail_with:
            return self._send(type(self).fail_with, {"error": {"message": "boom", "type": "server_error"}})
        inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
        data = []
        for i, text in enumerate(inputs):
            vec = toy_vector(text)
            if body.get("encoding_format") == "base64":
                emb: Any = base64.b64encode(np.asarray(vec, dtype="<f4").tobytes()).decode()
            else:
                emb = vec
            data.append({"object": "embedding", "index": i, "embedding": emb})
        # Answer out of order: the client must sort by index.
        self._send(200, {"object": "list", "data": data[::-1], "model": body["model"],
                         "usage": {"prompt_tokens": 1, "total_tokens": 1}})

    def _send(self, status: int, payload: dict[str, Any]) -> None:
        raw = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)


@pytest.fixture()
def server() -> Iterator[str]:
    FakeEmbeddings.requests = []
    FakeEmbeddings.fail_with = None
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), FakeEmbeddings)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    finally:
        httpd.shutdown()
        httpd.server_close()


def make_embedder(base_url: str, **kw: Any) -> OpenAIEmbedder:
    return OpenAIEmbedder(model="toy-embed", api_key="sk-test", base_url=base_url, max_retries=0, **kw)


def test_batches_requests_and_keeps_input_order(server: str) -> None:
    emb = make_embedder(server, batch_size=2)
    texts = ["reach counts people", "engagement rate", "", "leads from linkedin", "response time"]
    vectors = emb.embed_documents(texts)
    assert len(vectors) == 5
    assert np.allclose(vectors[0], toy_vector(texts[0]), atol=1e-6)
    assert np.allclose(vectors[3], toy_vector(texts[3]), atol=1e-6)
    assert [len(r["input"]) for r in FakeEmbeddings.requests] == [2, 2, 1]
    assert all(r["model"] == "toy-embed" and r["auth"] == "Bearer sk-test" for r in FakeEmbeddings.requests)
    assert emb.name == "openai:toy-embed"


def test_unknown_model_dimension_is_probed_once(server: str) -> None:
    emb = make_embedder(server)
    assert emb.dimension == DIM
    assert emb.dimension == DIM
    assert len(FakeEmbeddings.requests) == 1
    assert make_embedder(server, dimension=DIM).dimension == DIM and len(FakeEmbeddings.requests) == 1


def test_knowledge_base_builds_and_searches_with_the_endpoint(server: str, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "kpi-reach.md").write_text(
        "---\ntitle: Reach\n---\n# Reach\n## Reach definition\nreach counts distinct people who saw a post\n"
    )
    (docs / "kpi-leads.md").write_text(
        "---\ntitle: Leads\n---\n# Leads\n## Leads definition\nleads are qualified prospects from social forms\n"
    )
    lexical = KnowledgeBase(store_dir=tmp_path / "c", bundled_dir=docs)
    lexical.build()
    kb = KnowledgeBase(store_dir=tmp_path / "c", bundled_dir=docs, embedder=make_embedder(server))
    report = kb.build()
    assert report.rebuilt and report.embedder == "openai:toy-embed" and report.added == 2
    assert kb.retrieve("which prospects are qualified leads", k=1)[0].source == "kpi-leads"
    assert kb.status().store_embedder == "openai:toy-embed"
    assert LexicalEmbedder().name != report.embedder


def test_unreachable_endpoint_says_what_to_check() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed once the block ends: nothing listens there
    emb = OpenAIEmbedder(model="toy", base_url=f"http://127.0.0.1:{port}/v1", max_retries=0, timeout=2)
    with pytest.raises(EmbedderUnavailable) as info:
        emb.embed_query("hello")
    message = str(info.value)
    assert f"127.0.0.1:{port}" in message and "OPENAI_BASE_URL" in message and "EMBEDDER=lexical" in message


@pytest.mark.parametrize(("status", "fragment"), [(500, "HTTP 500"), (401, "OPENAI_API_KEY")])
def test_server_errors_become_readable(server: str, status: int, fragment: str) -> None:
    FakeEmbeddings.fail_with = status
    with pytest.raises(EmbedderUnavailable, match=fragment):
        make_embedder(server).embed_documents(["x"])


def test_retries_are_a_setting_and_stop_at_the_limit(server: str) -> None:
    FakeEmbeddings.fail_with = 503
    with pytest.raises(EmbedderUnavailable, match="HTTP 503"):
        OpenAIEmbedder(model="toy", api_key="k", base_url=server, max_retries=2).embed_query("x")
    assert len(FakeEmbeddings.requests) == 3  # one try and two retries
    FakeEmbeddings.requests.clear()
    with pytest.raises(EmbedderUnavailable):
        OpenAIEmbedder(model="toy", api_key="k", base_url=server, max_retries=2).embed_documents(["x"])
    assert len(FakeEmbeddings.requests) == 3
    FakeEmbeddings.requests.clear()
    FakeEmbeddings.fail_with = 400  # not worth retrying
    with pytest.raises(EmbedderUnavailable):
        OpenAIEmbedder(model="toy", api_key="k", base_url=server, max_retries=2).embed_query("x")
    assert len(FakeEmbeddings.requests) == 1


class SlowEmbeddings(FakeEmbeddings):
    delay = 5.0
    arrivals: list[float] = []

    def do_POST(self) -> None:  # noqa: N802 (http.server API)
        import time

        type(self).arrivals.append(time.monotonic())
        time.sleep(type(self).delay)
        try:
            super().do_POST()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up, as it should


@pytest.fixture()
def slow_server() -> Iterator[str]:
    SlowEmbeddings.arrivals = []
    SlowEmbeddings.fail_with = None
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), SlowEmbeddings)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_a_hung_endpoint_costs_timeout_times_attempts_at_most(slow_server: str) -> None:
    import time

    from knowledge.embeddings import create_embedder

    emb = create_embedder("openai", model="toy", api_key="k", base_url=slow_server, timeout=0.3, max_retries=1)
    start = time.monotonic()
    with pytest.raises(EmbedderUnavailable, match="did not answer in time"):
        emb.embed_query("x")
    elapsed = time.monotonic() - start
    assert len(SlowEmbeddings.arrivals) == 2 and 0.6 <= elapsed < 0.6 + 0.25 + 0.5, elapsed


def test_a_question_stops_at_the_answers_deadline(slow_server: str) -> None:
    import time

    from knowledge.embeddings import query_deadline

    emb = OpenAIEmbedder(model="toy", api_key="k", base_url=slow_server, timeout=30, max_retries=2)
    start = time.monotonic()
    with query_deadline(time.monotonic() + 0.5), pytest.raises(EmbedderUnavailable):
        emb.embed_query("x")
    assert time.monotonic() - start < 0.5 + 0.3
    assert len(SlowEmbeddings.arrivals) == 1  # no retry was started without the time to finish it
    with query_deadline(time.monotonic() - 1), pytest.raises(EmbedderUnavailable, match="No time left"):
        emb.embed_query("x")
    assert len(SlowEmbeddings.arrivals) == 1
