"""Split the third hand-written advisor question set into a dev half and a held-out half.

Usage:
  python tests/data/split_hand_set3.py POOL.txt     # write advisor_hand_dev6.yaml + advisor_hand_holdout3.yaml
  python tests/data/split_hand_set3.py --verify     # rebuild the pool from both files and re-split; must match

POOL.txt holds one item a line, `intent|family|kpi|question` ('-' for null); a line starting with '# '
is a labelling comment attached to the next item; lines starting with '##' or '# ---' are section markers.
The pool was kept outside the repository so the held-out questions live in exactly one file; --verify
shows the split is a pure function of the 300 items (groups are sorted by question text before the
seeded shuffle, so the pool's own line order plays no part).

Before writing, every question is checked (lowercased, whitespace-normalised) against the 'q' values of
every other tests/data/advisor_*.yaml; only OUR clashing questions are printed, never the other files' text.
"""

from __future__ import annotations

import random
import re
import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
CATALOG = HERE.parent.parent / "kpi_engine" / "catalog" / "kpis.yaml"
DEV = HERE / "advisor_hand_dev6.yaml"
HOLDOUT = HERE / "advisor_hand_holdout3.yaml"
SEED = 20261130
INTENTS = ["recommend", "verdict", "explain", "value", "compare", "why", "clarify", "help", "out_of_scope"]
EXPECTED = {"recommend": 120, "verdict": 30, "explain": 35, "value": 45, "compare": 15, "why": 25,
            "clarify": 15, "help": 5, "out_of_scope": 10}

HEADER = """\
# Hand-written advisor questions, set 3: {role}
# Written 2026-11-29 by a helper session (worktree qset3) that had NOT read the advisor's or the bot's code
# (advisor/, bot/, knowledge/*.py), any test file, any earlier question set under tests/data/ nor any earlier
# result. It read only COMMON.md, DOMAIN.md, PRODUCT.md, the catalog (kpi_engine/catalog/kpis.yaml), the header
# of an earlier set (format and labelling conventions, no questions) and the text of issue 9.
# None of these questions was run through the advisor before the split.
# An exact-match check (lowercased, whitespace-normalised) against the 'q' values of every other
# tests/data/advisor_*.yaml was run by script, printing only this set's clashing texts;
# {clashes}.
# Voices: marketing managers, founders, interns, agency staff, non-native speakers; terse, rambling with
# business preambles (background words like board pack/report/deck are not the request), typos, lowercase,
# ALL CAPS, Slack markup (<@U..>, *bold*, `code`, :emoji:, <https://x|links>); platforms YouTube, Pinterest,
# Threads, Reddit, Discord, Bluesky, LinkedIn, TikTok, Instagram, Facebook, X, Nextdoor; indirect objectives
# (webinars, app installs, newsletters, waitlists, hiring brand, retention, podcast clips, events, nonprofits,
# B2B SaaS, local businesses, creators). Most recommend/verdict items describe the objective without naming
# the goal family.
# Split: one pool of 300 (recommend 120, verdict 30, explain 35, value 45, compare 15, why 25, clarify 15,
# help 5, out_of_scope 10). Groups: intent, and inside recommend and verdict the goal family, inside explain
# named KPI vs concept. Each group is sorted by question text, then shuffled with one
# random.Random({seed}) (groups in intent order, then family/kind name); half of each group -> dev6, the rest
# -> holdout3, the extra item of an odd-sized group going alternately to dev and holdout (dev first).
# Script: tests/data/split_hand_set3.py (--verify re-derives the split from the two files).
# {heldout}
# Labels: recommend/verdict -> the family the stated objective serves + that family's primary KPI:
# awareness reach, engagement engagement_rate, traffic click_through_rate, leads leads, ecommerce
# product_page_views, local qualified_inquiries, community median_response_time, brand_health net_sentiment,
# efficiency impressions_per_post (efficiency's primary is being changed to impressions_per_post: output vs
# outcome). B2B authority / thought leadership -> engagement + save_rate. value/compare/why/explain -> the KPI
# named (family null); explain of a concept -> kpi null; clarify (no goal can be told, or an unknown KPI name),
# help, out_of_scope -> nulls.
# Decisions: sign-ups of any kind (webinar, newsletter, app installs, trials, waitlist, free RSVPs) -> leads;
# hiring / employer brand -> brand_health; customer retention -> community; ticket sales and online donations
# -> ecommerce; local foot traffic -> local; crisis monitoring and how people talk about the brand ->
# brand_health; creator programs / employee advocacy aimed at being seen -> awareness. Other debatable labels
# carry a '#' comment line with the reasoning just above the item.
"""


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().lower())


def parse_pool(path: Path) -> list[dict]:
    items, pending = [], []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.rstrip("\n")
        if not line.strip() or line.startswith("##") or line.startswith("# ---"):
            pending = [] if line.startswith("# ---") else pending
            continue
        if line.startswith("# "):
            pending.append(line[2:].strip())
            continue
        intent, family, kpi, q = line.split("|", 3)
        items.append({"q": q.strip(), "intent": intent, "family": None if family == "-" else family,
                      "kpi": None if kpi == "-" else kpi, "comments": pending})
        pending = []
    return items


def group_key(item: dict) -> str:
    if item["intent"] in ("recommend", "verdict"):
        return item["family"]
    if item["intent"] == "explain":
        return "concept" if item["kpi"] is None else "named"
    return ""


def split(items: list[dict]) -> tuple[list[dict], list[dict]]:
    rng = random.Random(SEED)
    dev, hold, odd_to_dev = [], [], True
    for intent in INTENTS:
        groups: dict[str, list[dict]] = {}
        for it in items:
            if it["intent"] == intent:
                groups.setdefault(group_key(it), []).append(it)
        for key in sorted(groups):
            grp = sorted(groups[key], key=lambda it: it["q"])
            rng.shuffle(grp)
            half = len(grp) // 2
            if len(grp) % 2:
                cut = half + 1 if odd_to_dev else half
                odd_to_dev = not odd_to_dev
            else:
                cut = half
            dev += grp[:cut]
            hold += grp[cut:]
    return dev, hold


def quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def render(items: list[dict], header: str) -> str:
    out = [header]
    for it in items:
        out += [f"# {c}" for c in it["comments"]]
        fam = it["family"] or "null"
        kpi = it["kpi"] or "null"
        out.append(f"- {{q: {quote(it['q'])}, intent: {it['intent']}, family: {fam}, kpi: {kpi}}}")
    return "\n".join(out) + "\n"


def collect_q(node, acc: set[str]) -> None:
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "q" and isinstance(v, str):
                acc.add(norm(v))
            else:
                collect_q(v, acc)
    elif isinstance(node, list):
        for v in node:
            collect_q(v, acc)


def clashes(items: list[dict]) -> list[str]:
    theirs: set[str] = set()
    for f in sorted(HERE.glob("advisor_*.yaml")):
        if f in (DEV, HOLDOUT):
            continue
        collect_q(yaml.safe_load(f.read_text(encoding="utf-8")), theirs)
    return [it["q"] for it in items if norm(it["q"]) in theirs]


def validate(items: list[dict]) -> None:
    cat = yaml.safe_load(CATALOG.read_text(encoding="utf-8"))
    goals = {g["id"]: g["primary"] for g in cat["goals"]}
    kpis = {k["id"] for k in cat["kpis"]}
    counts: dict[str, int] = {}
    seen: set[str] = set()
    for it in items:
        counts[it["intent"]] = counts.get(it["intent"], 0) + 1
        assert norm(it["q"]) not in seen, f"duplicate: {it['q']}"
        seen.add(norm(it["q"]))
        assert it["intent"] in INTENTS, it
        assert it["family"] is None or it["family"] in goals, it
        assert it["kpi"] is None or it["kpi"] in kpis, it
        if it["intent"] in ("recommend", "verdict"):
            want = {"efficiency": "impressions_per_post"}.get(it["family"], goals[it["family"]])
            assert it["kpi"] == want or (it["family"] == "engagement" and it["kpi"] == "save_rate"), it
        else:
            assert it["family"] is None, it
        if it["intent"] in ("value", "compare", "why"):
            assert it["kpi"] is not None, it
        if it["intent"] in ("clarify", "help", "out_of_scope"):
            assert it["kpi"] is None, it
    assert counts == EXPECTED, counts


def load_output(path: Path) -> list[dict]:
    """Read one written file back: items from yaml, comment lines re-attached from the text."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    comments, pending, in_header = [], [], True
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("- {"):
            comments.append(pending)
            pending, in_header = [], False
        elif line.startswith("# ") and not in_header:
            pending.append(line[2:].strip())
    assert len(comments) == len(data)
    for it, com in zip(data, comments, strict=True):
        assert set(it) == {"q", "intent", "family", "kpi"}, it
        it["comments"] = com
    return data


def main(argv: list[str]) -> int:
    if argv and argv[0] == "--verify":
        dev_in, hold_in = load_output(DEV), load_output(HOLDOUT)
        pool = dev_in + hold_in
        validate(pool)
        dev, hold = split(pool)
        same = [d["q"] for d in dev] == [d["q"] for d in dev_in] and [h["q"] for h in hold] == [h["q"] for h in hold_in]
        print(f"verify: dev {len(dev_in)}, holdout {len(hold_in)}, split reproduces: {same}")
        return 0 if same else 1
    items = parse_pool(Path(argv[0]))
    validate(items)
    clash = clashes(items)
    for q in clash:
        print("CLASH (ours):", q)
    if clash:
        return 1
    dev, hold = split(items)
    n_clash = "6 clashing phrasings of this set were reworded before the split"
    DEV.write_text(render(dev, HEADER.format(
        role="DEV split (may be read and tuned on).", clashes=n_clash, seed=SEED,
        heldout="The sister file advisor_hand_holdout3.yaml is HELD-OUT: never tune on it, never read it to fix\n"
                "# failures; run it once per change.")), encoding="utf-8")
    HOLDOUT.write_text(render(hold, HEADER.format(
        role="HELD-OUT split: never tune on it.", clashes=n_clash, seed=SEED,
        heldout="advisor_hand_holdout3.yaml is HELD-OUT: never tune on it, never read it to fix failures; run it "
                "once per change.")), encoding="utf-8")
    print(f"wrote {len(dev)} dev, {len(hold)} holdout")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
