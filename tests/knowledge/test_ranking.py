"""Document-level ranking and diversity, and the lexicon fixes behind the lexical embedder."""

from __future__ import annotations

from typing import Any

import pytest

from knowledge.base import KnowledgeBase
from knowledge.embeddings import LexicalEmbedder, _concept_table, analyse
from knowledge.errors import KnowledgeError
from knowledge.retrieve import Retriever

# One document with many sections on the same topic, and several single-section ones.
DOCS = {
    "kpi-share-rate": ("Share rate", "[engagement]", "[share_rate]", [
        ("Share rate definition", "Share rate counts shares per 1,000 impressions: people sending posts on."),
        ("Share rate formula", "Share rate is shares divided by impressions times 1,000 shares."),
        ("Share rate pitfalls", "Share rate misses shares sent privately; shares are a floor."),
        ("Share rate example", "A share rate of 3 shares per 1,000 impressions for reels."),
    ]),
    "attribution-and-dark-social": ("Dark social", "[leads]", "[leads]", [
        ("Dark social shares", "Shares in private chats and DMs are dark social: nobody can see those shares."),
    ]),
    "kpi-save-rate": ("Save rate", "[engagement]", "[save_rate]", [
        ("Save rate definition", "Saves per 1,000 impressions; a save is a private bookmark, unlike shares."),
    ]),
    "goal-awareness": ("Awareness goal", "[awareness]", "[reach]", [
        ("Awareness and shares", "Shares carry posts to people who do not follow you, which grows reach."),
    ]),
}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Any:
    root = tmp_path_factory.mktemp("rank")
    docs = root / "docs"
    docs.mkdir()
    for slug, (title, families, kpis, sections) in DOCS.items():
        body = "".join(f"## {h}\n{t}\n\n" for h, t in sections)
        (docs / f"{slug}.md").write_text(
            f"---\ntitle: {title}\nfamilies: {families}\nkpis: {kpis}\n---\n# {title}\n{body}", encoding="utf-8"
        )
    return root


def make_kb(corpus: Any, name: str, **kw: Any) -> KnowledgeBase:
    kb = KnowledgeBase(store_dir=corpus / name, bundled_dir=corpus / "docs", **kw)
    kb.build()
    return kb


def test_top_passages_name_different_documents(corpus: Any) -> None:
    kb = make_kb(corpus, "default")
    passages = kb.retrieve("how many shares per 1,000 impressions do we get", k=4)
    sources = [p.source for p in passages]
    assert sources[0] == "kpi-share-rate"
    assert len(set(sources)) == 4, sources  # 4 documents exist, so all 4 appear before any repeat
    scores = [p.score for p in passages]
    assert scores == sorted(scores, reverse=True)


def test_a_document_gives_at_most_max_per_source_passages(corpus: Any) -> None:
    kb = make_kb(corpus, "default")
    sources = [p.source for p in kb.retrieve("share rate shares", k=10)]
    assert sources.count("kpi-share-rate") == 2
    one = make_kb(corpus, "one", max_per_source=1)
    assert [p.source for p in one.retrieve("share rate shares", k=10)].count("kpi-share-rate") == 1
    unlimited = make_kb(corpus, "all", max_per_source=None)
    assert [p.source for p in unlimited.retrieve("share rate shares", k=10)].count("kpi-share-rate") == 4


def test_filtered_search_returns_fewer_than_k_rather_than_repeating_a_document(corpus: Any) -> None:
    kb = make_kb(corpus, "default")
    passages = kb.retrieve("shares", k=5, kpis="share_rate")
    assert [p.source for p in passages] == ["kpi-share-rate", "kpi-share-rate"]


def test_max_per_source_must_be_positive() -> None:
    with pytest.raises(KnowledgeError, match="max_per_source"):
        Retriever(store=None, embedder=LexicalEmbedder(), max_per_source=0)  # type: ignore[arg-type]


def _row(cid: str, source: str) -> dict[str, Any]:
    return {"id": cid, "text": cid, "metadata": {"source": source}, "distance": 0.0}


def test_several_matching_sections_outrank_one_slightly_better_section() -> None:
    r = Retriever(store=None, embedder=LexicalEmbedder(), chunk_decay=0.3)  # type: ignore[arg-type]
    scored = [(0.60, _row("a1", "a")), (0.58, _row("b1", "b")), (0.55, _row("b2", "b")), (0.20, _row("c1", "c"))]
    ranked = r.rank_by_document(scored)
    assert [row["id"] for _, row in ranked] == ["b1", "a1", "c1", "b2"]
    assert ranked[0][0] == pytest.approx(0.58 + 0.3 * 0.55)
    assert ranked[-1][0] == pytest.approx(0.3 * 0.55)  # an extra passage keeps only its share


def test_phrases_that_need_their_stop_words_do_not_become_single_word_concepts() -> None:
    table = _concept_table()
    # "how often", "post more", "by reach", "not set", "went up" used to fire on these words alone.
    for stem in ("often", "post", "set", "went", "back"):
        assert (stem,) not in table, stem
    reach_concepts = table[("reach",)]
    assert len(reach_concepts) == 2  # exposure and unique people, no longer "denominator"
    assert ("divid",) in table  # single words that carry the meaning are listed explicitly


def test_productivity_is_not_stemmed_into_product() -> None:
    assert [s for s, _ in analyse("team productivity")] != [s for s, _ in analyse("team product")]
    assert [s for s, _ in analyse("productivity")] == [s for s, _ in analyse("efficiency")]


@pytest.mark.parametrize(
    ("short", "long"),
    [("tz", "timezone"), ("qtr", "quarter"), ("vids", "videos"), ("stat sig", "significance"),
     ("frt", "first response time"), ("CTR", "click-through rate"), ("SOV", "share of voice")],
)
def test_slack_abbreviations_expand(short: str, long: str) -> None:
    assert analyse(short) == analyse(long)
