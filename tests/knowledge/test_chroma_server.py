"""The HttpClient path against a real local Chroma server started by the test."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from knowledge.base import KnowledgeBase
from knowledge.errors import StoreUnavailable


def chroma_executable() -> str:
    """`chroma` from the running interpreter's environment (the venv), else PATH."""
    candidate = Path(sys.executable).parent / "chroma"
    found = str(candidate) if candidate.exists() else shutil.which("chroma")
    if found is None:
        pytest.fail("the `chroma` command (installed with chromadb) is missing from the environment")
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    data = tmp_path_factory.mktemp("chroma-server")
    port = free_port()
    log = (data / "server.log").open("wb")
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
    proc = subprocess.Popen(
        [chroma_executable(), "run", "--path", str(data / "db"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT, env=env,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                pytest.fail(f"chroma server exited: {(data / 'server.log').read_text(errors='replace')[-2000:]}")
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("chroma server did not answer its heartbeat within 30 s")
            time.sleep(0.2)
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def make_docs(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "kpi-reach.md").write_text(
        "---\ntitle: Reach\nfamilies: [awareness]\nkpis: [reach]\n---\n# Reach\n"
        "## Reach definition\nReach counts distinct people who saw content.\n"
        "## Reach pitfalls\nSumming reach over days overcounts people.\n",
        encoding="utf-8",
    )
    (root / "kpi-response-rate.md").write_text(
        "---\ntitle: Response rate\nfamilies: [community]\nkpis: [response_rate]\n---\n# Response rate\n"
        "## Response rate definition\nShare of customer messages that got a reply.\n",
        encoding="utf-8",
    )
    return root


def test_build_and_query_through_a_chroma_server(chroma_server: int, tmp_path: Path) -> None:
    docs = make_docs(tmp_path / "docs")
    kb = KnowledgeBase(chroma_host="127.0.0.1", chroma_port=chroma_server, bundled_dir=docs)
    report = kb.build()
    assert (report.documents, report.added) == (2, 3)
    assert report.store.startswith(f"chroma server http://127.0.0.1:{chroma_server}")

    passages = kb.retrieve("do we answer customers who message us", k=2)
    assert passages[0].source == "kpi-response-rate"
    filtered = kb.retrieve("distinct people who saw content", k=5, families=["awareness"])
    assert filtered[0].heading == "Reach definition"
    assert {p.source for p in filtered} == {"kpi-reach"}

    # A second client (another process in real life) sees the same store, incrementally.
    other = KnowledgeBase(chroma_host="127.0.0.1", chroma_port=chroma_server, bundled_dir=docs)
    st = other.status()
    assert st.built and (st.documents, st.chunks) == (2, 3)
    assert other.build().unchanged == 3

    # Team playbooks registered through the server persist in the server's collection.
    team = tmp_path / "team"
    team.mkdir()
    (team / "launch.md").write_text("# Launch\n## Launch week\nPost twice daily in launch week.\n", encoding="utf-8")
    other.add_team_dir(team)
    assert kb.retrieve("launch week posting", k=1)[0].source == "launch"
    assert str(team.resolve()) in kb.status().team_dirs


def test_unreachable_server_gives_a_clear_error(tmp_path: Path) -> None:
    kb = KnowledgeBase(chroma_host="127.0.0.1", chroma_port=free_port(), bundled_dir=make_docs(tmp_path / "d"))
    with pytest.raises(StoreUnavailable) as info:
        kb.build()
    message = str(info.value)
    assert "Could not reach the Chroma server" in message and "chroma run" in message
