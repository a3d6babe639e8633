"""The sample generator's profiles: platforms, accounts, content mix and funnel rates.

Data for :mod:`kpi_engine.sample`, kept apart so the generator reads as an algorithm.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class _Platform:
    reach_ratio: float  # reach / impressions on a post-day
    er: float  # engagements / impressions
    ctr: float  # clicks / impressions
    parts: tuple[float, float, float, float]  # likes, comments, shares, saves
    weekly: tuple[float, ...]  # Monday..Sunday audience
    post_weekly: tuple[float, ...]  # Monday..Sunday posting cadence
    decay: float  # days: time constant of a post's impressions
    life: tuple[int, int]  # days a post gets rows (min, max inclusive)
    types: dict[str, float]
    virality: float  # sigma of log impressions per post
    view_rate: float  # video views / impressions for video types
    interaction_weekly: float  # weekend factor on community volume
    channels: tuple[float, float, float, float]  # comment, dm, mention, review
    follower_growth: float  # per day, in log terms
    lead_mult: float


_P = {
    "instagram": _Platform(
        0.78, 0.034, 0.0035, (0.80, 0.06, 0.05, 0.09),
        (0.95, 0.95, 0.97, 0.98, 1.0, 1.12, 1.15), (1, 1, 1, 1, 1, 0.8, 0.7),
        1.5, (10, 14), {"reel": 0.45, "carousel": 0.25, "image": 0.15, "story": 0.12, "live": 0.03},
        0.6, 0.55, 1.15, (0.60, 0.25, 0.13, 0.02), 0.0006, 0.8,
    ),
    "tiktok": _Platform(
        0.85, 0.052, 0.0018, (0.84, 0.05, 0.06, 0.05),
        (0.93, 0.93, 0.95, 0.97, 1.02, 1.13, 1.15), (1, 1, 1, 1, 1, 0.9, 0.9),
        2.5, (12, 14), {"short": 0.85, "carousel": 0.10, "live": 0.05},
        0.9, 0.75, 1.2, (0.75, 0.10, 0.15, 0.0), 0.0009, 0.5,
    ),
    "linkedin": _Platform(
        0.65, 0.026, 0.0085, (0.82, 0.10, 0.08, 0.0),
        (1.12, 1.15, 1.15, 1.12, 1.0, 0.55, 0.5), (1.2, 1.3, 1.3, 1.2, 0.9, 0.1, 0.05),
        1.8, (10, 14), {"text": 0.30, "image": 0.25, "carousel": 0.15, "video": 0.15, "link": 0.15},
        0.5, 0.45, 0.5, (0.55, 0.35, 0.10, 0.0), 0.0007, 3.0,
    ),
    "facebook": _Platform(
        0.72, 0.016, 0.0060, (0.78, 0.12, 0.10, 0.0),
        (0.98, 0.98, 1.0, 1.0, 1.0, 1.03, 1.05), (1, 1, 1, 1, 1, 0.9, 0.8),
        1.2, (7, 10), {"image": 0.30, "video": 0.20, "link": 0.25, "reel": 0.15, "text": 0.05, "live": 0.05},
        0.5, 0.4, 1.05, (0.55, 0.20, 0.10, 0.15), 0.0002, 0.8,
    ),
    "youtube": _Platform(
        0.70, 0.040, 0.0040, (0.90, 0.07, 0.03, 0.0),
        (0.95, 0.95, 0.95, 0.97, 1.02, 1.1, 1.12), (1, 1, 1, 1, 1.1, 1, 0.9),
        4.0, (14, 14), {"video": 0.55, "short": 0.40, "live": 0.05},
        0.7, 0.8, 1.1, (0.85, 0.0, 0.15, 0.0), 0.0006, 1.0,
    ),
    "x": _Platform(
        0.60, 0.011, 0.0050, (0.70, 0.15, 0.12, 0.03),
        (1.05, 1.06, 1.06, 1.05, 1.0, 0.86, 0.85), (1.1, 1.1, 1.1, 1.1, 1, 0.6, 0.6),
        0.7, (7, 9), {"text": 0.50, "image": 0.25, "link": 0.20, "video": 0.05},
        0.6, 0.35, 0.8, (0.45, 0.25, 0.30, 0.0), 0.0001, 0.8,
    ),
}


@dataclass(frozen=True)
class _Account:
    name: str
    platform: str
    kind: Literal["main", "careers", "local", "support"]
    posts_per_day: float
    impressions_per_post: float
    followers: int
    interactions_per_day: float
    mentions_per_day: float


# The first six cover every platform, so even scale=0.1 has all of them.
_ACCOUNTS = (
    _Account("acme_instagram", "instagram", "main", 2.0, 9000, 84000, 9, 14),
    _Account("acme_tiktok", "tiktok", "main", 2.2, 18000, 120000, 10, 16),
    _Account("acme_linkedin", "linkedin", "main", 1.2, 4200, 36000, 3, 6),
    _Account("acme_facebook", "facebook", "main", 1.5, 3200, 52000, 6, 9),
    _Account("acme_youtube", "youtube", "main", 0.5, 7000, 28000, 4, 4),
    _Account("acme_x", "x", "main", 4.0, 2200, 41000, 6, 20),
    _Account("acme_careers_linkedin", "linkedin", "careers", 0.5, 1600, 9000, 1, 1),
    _Account("acme_local_instagram", "instagram", "local", 1.0, 1500, 6500, 2, 2),
    _Account("acme_local_facebook", "facebook", "local", 0.9, 900, 8000, 3, 2),
    _Account("acme_support_x", "x", "support", 1.0, 350, 7000, 8, 5),
)

_TOPIC_WEIGHTS = {
    "main": (0.24, 0.18, 0.12, 0.12, 0.12, 0.12, 0.10),
    "careers": (0.0, 0.05, 0.45, 0.10, 0.20, 0.0, 0.20),
    "local": (0.20, 0.05, 0.10, 0.20, 0.0, 0.25, 0.20),
    "support": (0.20, 0.50, 0.05, 0.05, 0.0, 0.0, 0.20),
}
# Per-session funnel rates by account kind:
# conversions, leads, product page views, assisted conversions; inquiries per click/comment.
_FUNNEL = {
    "main": (0.045, 0.010, 0.32, 0.018, 0.004),
    "careers": (0.020, 0.002, 0.02, 0.002, 0.0),
    "local": (0.060, 0.006, 0.12, 0.010, 0.045),
    "support": (0.015, 0.001, 0.05, 0.004, 0.002),
}
_ER_TYPE = dict(reel=1.3, carousel=1.4, image=1.0, video=1.1, short=1.2, text=0.8, story=0.6, live=1.5, link=0.6)
_CTR_TYPE = dict(reel=0.6, carousel=0.9, image=1.0, video=0.8, short=0.4, text=1.3, story=1.2, live=0.5, link=3.0)
_IMP_TYPE = dict(reel=1.5, carousel=1.1, image=0.8, video=1.0, short=1.3, text=0.7, story=0.5, live=0.7, link=0.6)
_COMPLETION = dict(reel=0.35, video=0.22, short=0.45, live=0.10)
_WATCH_SECONDS = dict(reel=11.0, video=95.0, short=9.0, live=240.0)
_ER_TOPIC = (0.9, 1.2, 1.1, 1.0, 1.05, 0.75, 1.25)
_CTR_TOPIC = (1.3, 1.1, 0.8, 0.9, 0.9, 1.5, 0.7)
_SAVE_TOPIC = (1.0, 2.2, 0.8, 1.0, 1.5, 0.7, 0.8)
