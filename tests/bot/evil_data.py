"""A team export whose names are Slack control sequences, and checks that none reaches Slack raw.

Platform, account, campaign, topic and KPI names carry ``<!channel>``, ``<@U123>``,
``<https://x|y>`` and ``&``: written as CSV files and a team catalog, loaded by the real
loaders, so the names travel the same road as a team's own data.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

SAMPLE_END = date(2025, 6, 29)

PLATFORM = "tik<!channel>&tok"  # the loaders lower-case platforms: this one stays as it is
ACCOUNT = "acme<@U123>"
CAMPAIGN = "<https://x|y>launch"
TOPIC = "how&to<!here>"
KPI_NAME = "Eng <!channel> & <@U123> rate"

# What may never appear raw in mrkdwn or in a fallback text.
RAW = ("<!channel>", "<!here>", "<@U123>", "<@u123>", "<https://x|y>", "&tok", "&to")


def write_evil_export(directory: Path) -> tuple[Path, Path]:
    """(data directory, team catalog file) of the sample with hostile names."""
    from kpi_engine.sample import generate_sample, write_sample

    data = generate_sample(end=SAMPLE_END, days=120, scale=0.3)
    posts = data.posts
    posts["platform"] = posts["platform"].cat.rename_categories(
        lambda c: PLATFORM if c == "tiktok" else c)
    posts["account"] = posts["account"].cat.rename_categories(
        lambda c: ACCOUNT if c == "acme_instagram" else c)
    posts["campaign"] = posts["campaign"].cat.rename_categories(
        lambda c: CAMPAIGN if c == "summer_sale_2025" else c)
    posts["topic"] = posts["topic"].cat.rename_categories(lambda c: TOPIC if c == "how_to" else c)
    for frame in (data.accounts, data.interactions):
        frame["platform"] = frame["platform"].cat.rename_categories(lambda c: PLATFORM if c == "tiktok" else c)
        frame["account"] = frame["account"].cat.rename_categories(
            lambda c: ACCOUNT if c == "acme_instagram" else c)
    out = directory / "data"
    write_sample(data, out)
    catalog = directory / "team_catalog.yaml"
    catalog.write_text(json.dumps({"kpis": [{"id": "engagement_rate", "override": True, "name": KPI_NAME}]}))
    return out, catalog


def mrkdwn_strings(payload: Any, *, top: bool = True) -> list[str]:
    """Every string Slack parses for mentions and links: mrkdwn text objects and a message's
    ``text`` fallback (``plain_text`` objects, button values and modal inputs are never parsed)."""
    if isinstance(payload, str) and payload[:1] in "[{":
        try:
            payload = json.loads(payload)  # form-encoded calls carry blocks and views as JSON
        except ValueError:
            return []
    out: list[str] = []
    if isinstance(payload, dict):
        if payload.get("type") == "mrkdwn" or (top and "type" not in payload):
            if isinstance(payload.get("text"), str):
                out.append(payload["text"])
        for key, value in payload.items():
            if key in ("value", "initial_value", "private_metadata") or isinstance(value, str) and key == "text":
                continue
            out += mrkdwn_strings(value, top=False)
    elif isinstance(payload, list):
        for item in payload:
            out += mrkdwn_strings(item, top=False)
    return out


def unescaped(payload: Any) -> list[str]:
    """The raw control sequences found in ``payload``'s parsed strings (empty when all is escaped)."""
    return [f"{raw!r} in {text[:200]!r}" for text in mrkdwn_strings(payload) for raw in RAW if raw in text]
