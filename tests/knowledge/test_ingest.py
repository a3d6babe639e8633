"""Incremental ingestion, embedder bookkeeping and team playbooks through KnowledgeBase."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from knowledge.base import KnowledgeBase
from knowledge.embeddings import LexicalEmbedder
from knowledge.errors import EmbedderMismatch, KnowledgeError, UnknownDocument

DOCS = {
    "goal-awareness.md": """---
title: Awareness goal
families: [awareness]
kpis: [reach, impressions]
---
# Awareness goal
## Awareness primary KPI
Reach counts the distinct people who saw the brand.
## Awareness pitfalls
Summing reach over days overcounts people.
""",
    "kpi-response-rate.md": """---
title: Response rate
families: [community]
kpis: [response_rate]
---
# Response rate
## Response rate definition
Responded interactions divided by all interactions.
""",
}


def make_corpus(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for name, text in DOCS.items():
        (root / name).write_text(text, encoding="utf-8")
    return root


class OtherEmbedder(LexicalEmbedder):
    """A distinct embedder (different name and dimension) for mismatch tests."""

    def __init__(self) -> None:
        super().__init__(dimension=512)
        self.name = "other-embedder"


@pytest.fixture()
def kb(tmp_path: Path) -> KnowledgeBase:
    return KnowledgeBase(store_dir=tmp_path / "chroma", bundled_dir=make_corpus(tmp_path / "docs"))


def test_build_is_incremental(kb: KnowledgeBase, tmp_path: Path) -> None:
    calls: list[tuple[int, int]] = []
    first = kb.build(progress=lambda done, total: calls.append((done, total)))
    assert (first.documents, first.added, first.removed, first.unchanged) == (2, 3, 0, 0)
    assert calls[0] == (0, 3) and calls[-1] == (3, 3)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)

    second = kb.build()
    assert (second.added, second.removed, second.unchanged) == (0, 0, 3)

    doc = tmp_path / "docs" / "goal-awareness.md"
    doc.write_text(doc.read_text().replace("overcounts people", "overcounts people reached twice"))
    third = kb.build()
    assert (third.added, third.removed, third.unchanged) == (1, 1, 2)

    (tmp_path / "docs" / "kpi-response-rate.md").unlink()
    fourth = kb.build()
    assert (fourth.added, fourth.removed, fourth.unchanged) == (0, 1, 2)
    assert kb.status().documents == 1
    assert all(p.source == "goal-awareness" for p in kb.retrieve("response rate definition", k=5))


def test_status_reports_documents_chunks_embedder_and_location(kb: KnowledgeBase, tmp_path: Path) -> None:
    before = kb.status()
    assert not before.built and before.chunks == 0
    kb.build()
    st = kb.status()
    assert st.built and (st.documents, st.chunks) == (2, 3)
    assert st.embedder == st.store_embedder == kb.embedder.name
    assert st.store == str((tmp_path / "chroma").resolve())


def test_store_never_uses_chromas_default_embedding_function(kb: KnowledgeBase) -> None:
    kb.build()
    collection = kb.store._get()
    assert collection.configuration.get("embedding_function") is None
    assert collection.metadata["embedder"] == kb.embedder.name
    assert collection.metadata["dimension"] == kb.embedder.dimension


def test_ensure_built_builds_on_first_use(kb: KnowledgeBase) -> None:
    passages = kb.retrieve("distinct people who saw the brand", k=1)
    assert passages[0].source == "goal-awareness"
    assert kb.status().chunks == 3


def test_other_embedders_store_is_detected_then_rebuilt(kb: KnowledgeBase, tmp_path: Path) -> None:
    kb.build()
    other = KnowledgeBase(store_dir=tmp_path / "chroma", bundled_dir=tmp_path / "docs", embedder=OtherEmbedder())
    with pytest.raises(EmbedderMismatch) as info:
        other.retrieve("reach", k=1)
    assert "knowledge build --rebuild" in str(info.value) and kb.embedder.name in str(info.value)

    report = other.build()  # build switches embedder by rebuilding, never mixing vectors
    assert report.rebuilt and report.added == 3 and report.unchanged == 0
    assert other.store.metadata()["dimension"] == 512
    assert other.retrieve("reach over days", k=1)[0].source == "goal-awareness"
    with pytest.raises(EmbedderMismatch):
        kb.retrieve("reach", k=1)


def test_rebuild_flag_re_embeds_everything(kb: KnowledgeBase) -> None:
    kb.build()
    report = kb.build(rebuild=True)
    assert report.rebuilt and report.added == 3 and report.unchanged == 0


def write_playbook(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def sources(kb: KnowledgeBase, question: str, k: int = 10) -> Sequence[str]:
    return [p.source for p in kb.retrieve(question, k=k)]


def test_team_playbook_add_list_remove(kb: KnowledgeBase, tmp_path: Path) -> None:
    kb.build()
    folder = write_playbook(
        tmp_path / "team",
        {
            "launch-checklist.md": "---\ntitle: Launch checklist\nfamilies: [awareness]\n---\n"
            "# Launch checklist\n## Launch week cadence\nPost twice a day during launch week.\n",
            "crisis.md": "# Crisis playbook\n## Crisis escalation\nEscalate angry threads to the duty manager.\n",
        },
    )
    added = kb.add_team_dir(folder)
    assert sorted(d.slug for d in added) == ["crisis", "launch-checklist"]
    listed = {d.slug: d.origin for d in kb.list_documents()}
    assert listed == {"goal-awareness": "bundled", "kpi-response-rate": "bundled",
                      "launch-checklist": "team", "crisis": "team"}
    assert sources(kb, "launch week posting cadence")[0] == "launch-checklist"

    # The registration persists: a fresh KnowledgeBase on the same store sees the folder.
    fresh = KnowledgeBase(store_dir=tmp_path / "chroma", bundled_dir=tmp_path / "docs")
    assert str(folder.resolve()) in fresh.status().team_dirs
    assert fresh.build().added == 0

    removed = fresh.remove_document("crisis")
    assert removed.slug == "crisis"
    assert "crisis" not in {d.slug for d in fresh.list_documents()}
    assert "crisis" not in sources(fresh, "crisis escalation duty manager")
    assert fresh.build().added == 0  # stays removed after a rebuild pass
    assert (folder / "crisis.md").exists()  # the team's file is left alone

    with pytest.raises(KnowledgeError, match="bundled guidance"):
        fresh.remove_document("goal-awareness")
    with pytest.raises(UnknownDocument, match="knowledge list"):
        fresh.remove_document("nope")

    fresh.add_team_dir(folder)  # re-adding the folder brings removed documents back
    assert "crisis" in {d.slug for d in fresh.list_documents()}


def test_add_team_dir_validates_before_storing(kb: KnowledgeBase, tmp_path: Path) -> None:
    kb.build()
    bad = write_playbook(tmp_path / "bad", {"x.md": "---\ntitle: X\nfamilies: [growth]\n---\n# X\n"})
    with pytest.raises(KnowledgeError, match="unknown goal family 'growth'"):
        kb.add_team_dir(bad)
    clash = write_playbook(tmp_path / "clash", {"goal-awareness.md": "# Mine\ntext\n"})
    with pytest.raises(KnowledgeError, match="rename"):
        kb.add_team_dir(clash)
    empty = write_playbook(tmp_path / "empty", {})
    with pytest.raises(KnowledgeError, match="no markdown"):
        kb.add_team_dir(empty)
    assert kb.status().team_dirs == []


def test_configured_team_dirs_are_ingested(tmp_path: Path) -> None:
    folder = write_playbook(tmp_path / "team", {"pricing.md": "# Pricing posts\n## Pricing post rules\nNever post prices.\n"})
    kb = KnowledgeBase(store_dir=tmp_path / "c", bundled_dir=make_corpus(tmp_path / "docs"), team_dirs=[folder])
    assert kb.build().documents == 3
    assert sources(kb, "pricing post rules")[0] == "pricing"
