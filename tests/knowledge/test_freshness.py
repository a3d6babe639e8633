"""Dated guidance: `as_of` and `timing` in front matter, and `knowledge status` listing stale documents."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from knowledge.corpus import load_document, load_documents, stale_documents
from knowledge.errors import BadDocument

ROOT = Path(__file__).resolve().parents[2]


def write(path: Path, front: str) -> Path:
    path.write_text(f"---\ntitle: T\n{front}---\n# T\n\n## Section\nText.\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("front, expected", [
    ("as_of: 2025-04-21\n", date(2025, 4, 21)),  # YAML reads this as a date
    ("as_of: '2025-04-21'\n", date(2025, 4, 21)),  # quoted: still a date
    ("", None),
])
def test_as_of_is_read_as_a_date(tmp_path: Path, front: str, expected: date | None) -> None:
    assert load_document(write(tmp_path / "d.md", front)).as_of == expected


@pytest.mark.parametrize("front, fragment", [
    ("as_of: last spring\n", "YYYY-MM-DD"),
    ("as_of: 2025-13-01\n", "YYYY-MM-DD"),
    ("timing: sometimes\n", "leading or lagging"),
])
def test_bad_dates_and_timings_name_the_fix(tmp_path: Path, front: str, fragment: str) -> None:
    path = write(tmp_path / "d.md", front)
    with pytest.raises(BadDocument) as err:
        load_document(path)
    assert fragment in str(err.value) and "d.md" in str(err.value)


def test_timing_is_normalised(tmp_path: Path) -> None:
    assert load_document(write(tmp_path / "d.md", "timing: Lagging\n")).timing == "lagging"


def test_stale_documents_are_dated_ones_older_than_the_cutoff(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    write(folder / "old.md", "as_of: 2026-05-28\n")
    write(folder / "edge.md", "as_of: 2026-05-29\n")  # exactly six months: not yet stale
    write(folder / "older.md", "as_of: 2025-01-15\n")
    write(folder / "undated.md", "")  # explanations without platform facts never go stale
    docs = load_documents(bundled_dir=folder)
    assert [d.slug for d in stale_documents(docs, date(2026, 11, 29), 6)] == ["older", "old"]
    assert [d.slug for d in stale_documents(docs, date(2026, 11, 29), 24)] == []
    # Month arithmetic clamps to the month's length: 31 March minus one month is 28 February.
    assert [d.slug for d in stale_documents(docs, date(2025, 3, 31), 1)] == ["older"]
    with pytest.raises(ValueError):
        stale_documents(docs, date(2026, 11, 29), -1)


def test_knowledge_status_lists_stale_team_documents(tmp_path: Path) -> None:
    playbook = tmp_path / "playbook"
    playbook.mkdir()
    write(playbook / "tiktok-rules.md", "as_of: 2020-01-01\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "OPENAI_", "KPI_ADVISOR_"))}
    env.update(KPI_ADVISOR_HOME_DIR=str(tmp_path / "home"), KPI_ADVISOR_KNOWLEDGE_DIRS=json.dumps([str(playbook)]),
               PYTHONPATH=str(ROOT), COLUMNS="160")

    def status(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "bot.cli.main", "knowledge", "status", *args],
                              capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120, check=False)

    r = status("--stale-after", "12", "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["stale_after_months"] == 12
    assert [(d["slug"], d["as_of"]) for d in out["stale"]] == [("tiktok-rules", "2020-01-01")]
    text = status()
    assert text.returncode == 0, text.stderr
    assert "older than 6 months" in text.stdout and "tiktok-rules (as of 2020-01-01)" in text.stdout
    bad = status("--stale-after", "-3")
    assert bad.returncode != 0 and "Traceback" not in bad.stderr
