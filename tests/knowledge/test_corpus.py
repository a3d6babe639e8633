"""Loading guidance documents and chunking them by heading."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.chunking import chunk_document, split_joined
from knowledge.corpus import FAMILIES, load_directory, load_document, load_documents
from knowledge.errors import BadDocument

GOOD = """---
title: Engagement rate
families: [engagement]
kpis: [engagement_rate, save-rate]
platforms: [instagram, tiktok]
---
# Engagement rate

Intro line about engagement rate.

## Engagement rate definition
Engagements divided by impressions.

## Engagement rate pitfalls
Averaging per-post rates lets tiny posts dominate.

### Denominator switching
Changing the denominator mid-year fakes a trend.
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_front_matter_becomes_document_fields(tmp_path: Path) -> None:
    doc = load_document(write(tmp_path, "kpi-engagement-rate.md", GOOD))
    assert doc.slug == "kpi-engagement-rate"
    assert doc.title == "Engagement rate"
    assert doc.families == ("engagement",)
    assert doc.kpis == ("engagement_rate", "save_rate")  # hyphens normalised to ids
    assert doc.platforms == ("instagram", "tiktok")
    assert doc.origin == "bundled"
    assert doc.body.startswith("# Engagement rate")
    assert "---" not in doc.body.splitlines()[0]


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("---\ntitle: [unclosed\n---\n# x\n## y\nz\n", "not valid YAML"),
        ("---\ntitle: T\nfamilies: [reach]\n---\n# x\n## y\nz\n", "unknown goal family 'reach'"),
        ("---\nfamilies: [engagement]\n---\n# x\n## y\nz\n", "title"),
        ("---\ntitle: T\nkpis: {a: 1}\n---\n# x\n", "'kpis' must be a list"),
        ("---\ntitle: T\n# forgot to close\n", "not closed"),
        ("# No front matter\n## x\ny\n", "has no front matter"),
        ("---\ntitle: T\n---\n\n   \n", "no text after the front matter"),
        ("---\n- a\n- b\n---\n# x\n", "key: value"),
    ],
)
def test_bad_front_matter_names_file_and_fix(tmp_path: Path, text: str, fragment: str) -> None:
    path = write(tmp_path, "broken-doc.md", text)
    with pytest.raises(BadDocument) as info:
        load_document(path)
    message = str(info.value)
    assert "broken-doc.md" in message
    assert fragment in message


def test_unknown_family_message_lists_valid_ids(tmp_path: Path) -> None:
    path = write(tmp_path, "d.md", "---\ntitle: T\nfamilies: [sales]\n---\n# x\n")
    with pytest.raises(BadDocument) as info:
        load_document(path)
    assert all(f in str(info.value) for f in FAMILIES)


def test_single_family_string_is_accepted(tmp_path: Path) -> None:
    doc = load_document(write(tmp_path, "d.md", "---\ntitle: T\nfamilies: leads\n---\n# x\n"))
    assert doc.families == ("leads",)


def test_team_document_without_front_matter_uses_heading(tmp_path: Path) -> None:
    doc = load_document(write(tmp_path, "Our Launch Plan.md", "# Launch plan\n## Week one\nPost daily.\n"), "team")
    assert doc.slug == "our-launch-plan"
    assert doc.title == "Launch plan"
    assert doc.origin == "team" and doc.families == ()


def test_non_utf8_file_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "latin.md"
    path.write_bytes("---\ntitle: caf\xe9\n---\n# x\n".encode("latin-1"))
    with pytest.raises(BadDocument, match="UTF-8"):
        load_document(path)


def test_duplicate_slugs_across_folders_are_rejected(tmp_path: Path) -> None:
    write(tmp_path / "bundled", "vanity-metrics.md", "---\ntitle: A\n---\n# A\n")
    write(tmp_path / "team", "vanity-metrics.md", "---\ntitle: B\n---\n# B\n")
    with pytest.raises(BadDocument) as info:
        load_documents(bundled_dir=tmp_path / "bundled", team_dirs=[tmp_path / "team"])
    assert "rename" in str(info.value) and str(tmp_path / "bundled" / "vanity-metrics.md") in str(info.value)


def test_load_directory_recurses_and_rejects_missing_folder(tmp_path: Path) -> None:
    write(tmp_path / "pb", "a.md", "# A\ntext\n")
    write(tmp_path / "pb" / "sub", "b.md", "# B\ntext\n")
    write(tmp_path / "pb", "notes.txt", "ignored")
    assert [d.slug for d in load_directory(tmp_path / "pb")] == ["a", "b"]
    with pytest.raises(BadDocument, match="not a folder"):
        load_directory(tmp_path / "missing")


def test_chunks_follow_headings_and_carry_metadata(tmp_path: Path) -> None:
    doc = load_document(write(tmp_path, "kpi-engagement-rate.md", GOOD))
    chunks = chunk_document(doc)
    assert [c.heading for c in chunks] == [
        "Engagement rate",
        "Engagement rate definition",
        "Engagement rate pitfalls",
        "Engagement rate pitfalls > Denominator switching",
    ]
    assert chunks[1].text == "Engagements divided by impressions."
    meta = chunks[1].metadata()
    assert meta["source"] == "kpi-engagement-rate"
    assert split_joined(meta["families"]) == ("engagement",)
    assert meta["kpi_tags"] == ["engagement_rate", "save_rate"]
    assert meta["origin"] == "bundled"
    assert "Engagement rate" in chunks[1].embed_text  # title gives short sections context


def test_chunk_ids_are_stable_and_change_only_with_content(tmp_path: Path) -> None:
    path = write(tmp_path, "d.md", GOOD)
    before = chunk_document(load_document(path))
    assert [c.id for c in before] == [c.id for c in chunk_document(load_document(path))]
    path.write_text(GOOD.replace("fakes a trend", "invents a trend"), encoding="utf-8")
    after = chunk_document(load_document(path))
    changed = [a.id != b.id for a, b in zip(before, after, strict=True)]
    assert changed == [False, False, False, True]
    assert len({c.id for c in after}) == len(after)


def test_long_sections_are_split_with_limit(tmp_path: Path) -> None:
    long_text = " ".join(f"Sentence {i} about reach and impressions." for i in range(300))
    doc = load_document(write(tmp_path, "long.md", f"---\ntitle: Long\n---\n# Long\n## Big section\n{long_text}\n"))
    chunks = chunk_document(doc, max_chars=500)
    assert len(chunks) > 10
    assert all(len(c.text) <= 500 for c in chunks)
    assert {c.heading for c in chunks} == {"Big section"}
