"""Knowledge-store benchmark: ingestion throughput and query latency on ~10,000 chunks.

Synthetic playbooks are generated into a temporary folder (nothing is committed
or downloaded). In the same run, a brute-force numpy cosine search over the very
same vectors is the reference; ratios against it are what to compare across
machines, not absolute times.

    .venv/bin/python bench/bench_knowledge.py [--chunks 10000] [--queries 300]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from knowledge.base import KnowledgeBase  # noqa: E402
from knowledge.embeddings import LexicalEmbedder  # noqa: E402

TOPICS = [
    "reach", "impressions", "engagement rate", "saves", "shares", "comments", "watch time", "video completion",
    "click-through rate", "engaged sessions", "landing page conversion", "leads", "pipeline", "demo requests",
    "product page views", "add to cart", "revenue", "qualified inquiries", "phone calls", "quote requests",
    "response time", "response rate", "resolution", "sentiment", "mentions", "share of voice", "followers",
    "posting cadence", "utm tagging", "attribution", "benchmarks", "targets", "seasonality", "algorithm changes",
]
PLATFORMS = ["instagram", "tiktok", "linkedin", "facebook", "youtube", "x"]
VERBS = ["track", "report", "review", "compare", "tag", "segment", "annotate", "audit", "forecast", "pin"]
NOUNS = ["campaign", "creator", "carousel", "reel", "thread", "story", "webinar", "launch", "promo", "series",
         "community", "region", "audience", "format", "topic cluster", "owner", "dashboard", "baseline"]
FILLER = ("the team agreed that we always write down the denominator and the time window before sharing "
          "numbers with leadership, and we flag anything that moved less than normal weekly noise").split()


def sentence(rng: random.Random) -> str:
    words = [rng.choice(VERBS), rng.choice(TOPICS), "for", "each", rng.choice(NOUNS), "on", rng.choice(PLATFORMS)]
    words += rng.sample(FILLER, rng.randint(6, 14))
    return " ".join(words).capitalize() + "."


def write_playbooks(root: Path, n_chunks: int, seed: int = 7) -> int:
    """Markdown playbooks with ~10 sections each; every section becomes one chunk."""
    rng = random.Random(seed)
    sections_per_doc = 10
    n_docs = (n_chunks + sections_per_doc - 1) // sections_per_doc
    made = 0
    for d in range(n_docs):
        lines = [f"---\ntitle: Playbook {d}\nfamilies: [{rng.choice(['awareness', 'engagement', 'leads'])}]\n---",
                 f"# Playbook {d}"]
        for s in range(min(sections_per_doc, n_chunks - made)):
            topic = rng.choice(TOPICS)
            lines.append(f"## {topic.capitalize()} rule {d}-{s}")
            lines.append(" ".join(sentence(rng) for _ in range(rng.randint(4, 8))))
            made += 1
        (root / f"playbook-{d:05d}.md").write_text("\n\n".join(lines) + "\n", encoding="utf-8")
    return made


def questions(n: int, seed: int = 11) -> list[str]:
    rng = random.Random(seed)
    forms = ["how do we {v} {t} on {p}?", "whats a good {t} for our {n}", "{t} dropped on {p} this week, why",
             "should the {n} {v} {t} or something else", "who owns {t} for {p} {n}s"]
    return [rng.choice(forms).format(v=rng.choice(VERBS), t=rng.choice(TOPICS), p=rng.choice(PLATFORMS),
                                     n=rng.choice(NOUNS)) for _ in range(n)]


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("-k", type=int, default=5)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="kpi-bench-") as tmp:
        root = Path(tmp)
        docs = root / "playbooks"
        docs.mkdir()
        written = write_playbooks(docs, args.chunks)
        embedder = LexicalEmbedder()
        kb = KnowledgeBase(store_dir=root / "chroma", bundled_dir=docs, embedder=embedder, hybrid=True)

        started = time.perf_counter()
        report = kb.build()
        build_s = time.perf_counter() - started
        print(f"corpus: {report.documents} playbooks, {report.chunks} chunks (asked {written})")
        print(f"ingest: {build_s:.1f} s total, {report.chunks / build_s:,.0f} chunks/s "
              "(chunking + embedding + Chroma upsert)")
        again = time.perf_counter()
        kb.build()
        print(f"re-ingest with nothing changed: {time.perf_counter() - again:.2f} s")

        # The exact reference: the same vectors Chroma holds, searched by brute force.
        col = kb.store._get()
        got = col.get(include=["embeddings"], limit=report.chunks)
        ids = np.asarray(got["ids"])
        matrix = np.asarray(got["embeddings"], dtype=np.float32)
        print(f"vectors: {matrix.shape[0]} x {matrix.shape[1]} float32 ({matrix.nbytes / 1e6:.0f} MB)")

        qs = questions(args.queries)
        for q in qs[:10]:  # warm caches and the index
            kb.retrieve(q, k=args.k)

        def brute(q: str) -> np.ndarray:
            v = np.asarray(embedder.embed_query(q), dtype=np.float32)
            sims = matrix @ v
            top = np.argpartition(-sims, args.k)[: args.k]
            return ids[top[np.argsort(-sims[top])]]

        results: dict[str, list[float]] = {"retrieve (hybrid)": [], "retrieve (dense)": [], "numpy brute force": []}
        dense = KnowledgeBase(store_dir=root / "chroma", bundled_dir=docs, embedder=embedder, hybrid=False)
        dense.retrieve(qs[0], k=args.k)
        overlap: list[float] = []
        for q in qs:
            t = time.perf_counter()
            kb.retrieve(q, k=args.k)
            results["retrieve (hybrid)"].append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            dense_rows = kb.store.query(embedder.embed_query(q), args.k)
            t_mid = time.perf_counter()
            dense.retrieve(q, k=args.k)
            results["retrieve (dense)"].append((time.perf_counter() - t_mid) * 1000)
            t = time.perf_counter()
            exact = brute(q)
            results["numpy brute force"].append((time.perf_counter() - t) * 1000)
            overlap.append(len({r["id"] for r in dense_rows} & set(exact)) / args.k)

        base50 = statistics.median(results["numpy brute force"])
        base95 = pct(results["numpy brute force"], 95)
        print(f"\nquery latency over {len(qs)} questions, k={args.k} (includes embedding the question):")
        print(f"{'':22s} {'p50 ms':>8s} {'p95 ms':>8s} {'p50 ratio':>10s} {'p95 ratio':>10s}")
        for name, values in results.items():
            p50, p95 = statistics.median(values), pct(values, 95)
            print(f"{name:22s} {p50:8.2f} {p95:8.2f} {p50 / base50:10.2f} {p95 / base95:10.2f}")
        p95_retrieve = pct(results["retrieve (dense)"], 95)  # the default configuration
        verdict = "meets" if p95_retrieve < 30 else "MISSES"
        print(f"\nChroma HNSW top-{args.k} agreement with exact search: {statistics.mean(overlap):.1%}")
        print(f"target p95 < 30 ms through retrieve (default, dense): {verdict} ({p95_retrieve:.1f} ms)")


if __name__ == "__main__":
    main()
