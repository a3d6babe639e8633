"""Canonical tables the engine computes over.

Three tables, each with dimensions and additive measures:

* ``posts``: post-day facts, one row per (date, post). Every measure is a flow
  that can be summed over rows, except ``reach`` which counts unique people and
  is summed only with a stated caveat.
* ``accounts``: account-day snapshots. ``followers`` is a stock (a level at a
  point in time, never summed over days); mentions are flows.
* ``interactions``: one row per community interaction with timestamps; the
  loader derives additive 0/1 measures (``interactions``, ``responded``, ...)
  and the response/resolution durations in minutes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "TableSpec",
    "TABLES",
    "POSTS",
    "ACCOUNTS",
    "INTERACTIONS",
    "DIMENSIONS",
    "table_of_measure",
]


@dataclass(frozen=True)
class TableSpec:
    name: str
    date_column: str
    dimensions: tuple[str, ...]
    measures: tuple[str, ...]
    required: tuple[str, ...]
    stocks: tuple[str, ...] = ()
    non_additive: tuple[str, ...] = ()
    durations: tuple[str, ...] = ()
    timestamps: tuple[str, ...] = field(default_factory=tuple)


POSTS = TableSpec(
    name="posts",
    date_column="date",
    dimensions=("platform", "account", "post_id", "content_type", "topic", "campaign"),
    measures=(
        "posts_published",
        "impressions",
        "reach",
        "engagements",
        "likes",
        "comments",
        "shares",
        "saves",
        "clicks",
        "profile_visits",
        "video_views",
        "video_completions",
        "watch_time_seconds",
        "sessions",
        "engaged_sessions",
        "conversions",
        "leads",
        "opportunities",
        "pipeline_value",
        "product_page_views",
        "add_to_carts",
        "purchases",
        "revenue",
        "assisted_conversions",
        "inquiries",
        "qualified_inquiries",
        "inquiries_won",
    ),
    required=("date", "platform", "account", "post_id", "impressions"),
    non_additive=("reach",),
)

ACCOUNTS = TableSpec(
    name="accounts",
    date_column="date",
    dimensions=("platform", "account"),
    measures=("followers", "brand_mentions", "competitor_mentions"),
    required=("date", "platform", "account", "followers"),
    stocks=("followers",),
)

INTERACTIONS = TableSpec(
    name="interactions",
    date_column="date",
    dimensions=("platform", "account", "channel", "sentiment"),
    measures=(
        "interactions",
        "responded",
        "resolved",
        "positive",
        "neutral",
        "negative",
        "response_minutes",
        "resolution_minutes",
    ),
    required=("interaction_id", "platform", "account", "received_at"),
    durations=("response_minutes", "resolution_minutes"),
    timestamps=("received_at", "first_response_at", "resolved_at"),
)

TABLES: dict[str, TableSpec] = {t.name: t for t in (POSTS, ACCOUNTS, INTERACTIONS)}

# Every dimension a user may filter or break down by, across tables.
DIMENSIONS: tuple[str, ...] = tuple(
    dict.fromkeys(d for t in TABLES.values() for d in t.dimensions)
)


def table_of_measure(measure: str) -> TableSpec:
    """The table holding a measure; raises KeyError for an unknown one."""
    for table in TABLES.values():
        if measure in table.measures:
            return table
    raise KeyError(measure)
