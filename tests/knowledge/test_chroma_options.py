"""Chroma server options against a real `chroma run`: an https:// URL through a TLS proxy that
wants an auth header, tenants and databases, and what a user sees when the server is down."""

from __future__ import annotations

import json
import os
import ssl
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from knowledge.base import KnowledgeBase
from knowledge.errors import StoreUnavailable
from knowledge.store import ChromaStore, server_url
from tests.knowledge.test_chroma_server import chroma_server, free_port, make_docs  # noqa: F401 (fixture)

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "chroma-token-5521"


@pytest.mark.parametrize("host,port,url", [
    ("chroma.internal", 8000, "http://chroma.internal:8000"),
    ("https://chroma.example.com", 8000, "https://chroma.example.com:443"),
    ("https://chroma.example.com:8443/", 8000, "https://chroma.example.com:8443"),
    ("http://10.0.0.5", 9000, "http://10.0.0.5:80"),
    ("https://proxy.example.com/chroma/", 8000, "https://proxy.example.com:443/chroma"),
])
def test_server_addresses(host, port, url):
    assert server_url(host, port) == url
    assert ChromaStore(host=host, port=port).location.startswith(f"chroma server {url} ")


def _certificate(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
                    "-out", str(cert), "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
    return cert, key


@pytest.fixture(scope="module")
def tls_proxy(chroma_server: int, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:  # noqa: F811
    """https://127.0.0.1:<port> in front of the Chroma server; refuses requests without the token."""
    cert, key = _certificate(tmp_path_factory.mktemp("tls"))
    upstream = httpx.Client(base_url=f"http://127.0.0.1:{chroma_server}", timeout=30)

    class Proxy(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def _forward(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                status, content, ctype = 401, b'{"error": "Unauthorized"}', "application/json"
            else:
                r = upstream.request(self.command, self.path, content=body,
                                     headers={"Content-Type": self.headers.get("Content-Type", "application/json")})
                status, content, ctype = r.status_code, r.content, r.headers.get("content-type", "application/json")
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _forward  # noqa: N815

    server = ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"https://127.0.0.1:{server.server_address[1]}", cert
    server.shutdown()
    upstream.close()


def test_an_https_server_with_an_auth_header(tls_proxy, tmp_path):
    url, cert = tls_proxy
    options = {"headers": {"Authorization": f"Bearer {TOKEN}"}, "ssl_verify": str(cert)}
    kb = KnowledgeBase(chroma_host=url, chroma_options=options, bundled_dir=make_docs(tmp_path / "docs"))
    report = kb.build()
    assert report.documents == 2 and report.store.startswith(f"chroma server {url} ")
    assert kb.retrieve("do we answer customers who message us", k=1)[0].source == "kpi-response-rate"


def test_https_failures_name_the_setting_to_fix(tls_proxy, tmp_path):
    url, cert = tls_proxy
    docs = make_docs(tmp_path / "docs")
    cases = [
        ({"ssl_verify": str(cert)}, "KPI_ADVISOR_CHROMA_HEADERS"),  # no token
        ({"headers": {"Authorization": "Bearer wrong"}, "ssl_verify": str(cert)}, "KPI_ADVISOR_CHROMA_HEADERS"),
        ({"headers": {"Authorization": f"Bearer {TOKEN}"}}, "KPI_ADVISOR_CHROMA_SSL_VERIFY"),  # untrusted cert
    ]
    for options, setting in cases:
        with pytest.raises(StoreUnavailable) as info:
            KnowledgeBase(chroma_host=url, chroma_options=options, bundled_dir=docs).build()
        assert setting in str(info.value) and TOKEN not in str(info.value)


def test_the_cli_reaches_an_https_server_through_its_settings(tls_proxy, tmp_path):
    url, cert = tls_proxy
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KPI_ADVISOR_", "SLACK_", "OPENAI_"))}
    env.update(PYTHONPATH=str(ROOT), KPI_ADVISOR_HOME_DIR=str(tmp_path / "home"), KPI_ADVISOR_CHROMA_HOST=url,
               KPI_ADVISOR_CHROMA_SSL_VERIFY=str(cert),
               KPI_ADVISOR_CHROMA_HEADERS=json.dumps({"Authorization": f"Bearer {TOKEN}"}))
    r = subprocess.run([sys.executable, "-m", "bot.cli.main", "knowledge", "status", "--json"],
                       capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    assert json.loads(r.stdout)["store"].startswith(f"chroma server {url} ")


def test_tenants_and_databases_keep_stores_apart(chroma_server, tmp_path):  # noqa: F811
    import chromadb
    from chromadb.config import Settings

    admin = chromadb.AdminClient(Settings(chroma_api_impl="chromadb.api.fastapi.FastAPI",
                                          chroma_server_host="127.0.0.1", chroma_server_http_port=chroma_server,
                                          anonymized_telemetry=False))
    admin.create_tenant("marketing")
    admin.create_database("kpi_advisor", tenant="marketing")
    docs = make_docs(tmp_path / "docs")
    mine = KnowledgeBase(chroma_host="127.0.0.1", chroma_port=chroma_server, bundled_dir=docs,
                         chroma_options={"tenant": "marketing", "database": "kpi_advisor"})
    assert mine.build().documents == 2
    assert "tenant marketing, database kpi_advisor" in mine.status().store
    assert mine.status().chunks == 3
    with pytest.raises(StoreUnavailable) as info:
        KnowledgeBase(chroma_host="127.0.0.1", chroma_port=chroma_server, bundled_dir=docs,
                      chroma_options={"tenant": "no_such_team"}).build()
    assert "KPI_ADVISOR_CHROMA_TENANT" in str(info.value)


def _start_chroma(folder: Path, port: int) -> subprocess.Popen:
    from tests.knowledge.test_chroma_server import chroma_executable

    proc = subprocess.Popen([chroma_executable(), "run", "--path", str(folder), "--host", "127.0.0.1",
                             "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
                            env={**os.environ, "ANONYMIZED_TELEMETRY": "False"})
    import time

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    pytest.fail("chroma server did not start")


def test_ask_json_with_the_chroma_server_down_warns_that_guidance_is_missing(tmp_path):
    """Built while the server was up, asked after it stopped: the answer still comes (the numbers do
    not need guidance), without citations, and says why; at the wire, as a script sees it."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KPI_ADVISOR_", "SLACK_", "OPENAI_"))}
    env.update(PYTHONPATH=str(ROOT), KPI_ADVISOR_HOME_DIR=str(tmp_path / "home"),
               KPI_ADVISOR_CHROMA_HOST="127.0.0.1", KPI_ADVISOR_CHROMA_PORT=str(port))

    def ask() -> dict:
        r = subprocess.run([sys.executable, "-m", "bot.cli.main", "ask", "which KPI for awareness?", "--json"],
                           capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
        assert r.returncode == 0, r.stdout + r.stderr
        return json.loads(r.stdout)

    server = _start_chroma(tmp_path / "chroma", port)
    try:
        up = ask()
    finally:
        server.terminate()
        server.wait(10)
    assert up["citations"] and not [w for w in up["warnings"] if "guidance" in w.lower()]
    down = ask()
    assert down["kpi_id"] == up["kpi_id"] == "reach" and down["citations"] == []
    assert [w for w in down["warnings"] if "guidance" in w.lower()], down["warnings"]
