"""Deterministic synthetic data: two years of a brand's organic social accounts.

``generate_sample`` makes the canonical tables (see :mod:`kpi_engine.schema`)
with weekly and yearly seasonality, growth, per-post noise and a few planted
events whose dates the tests know (:data:`PLANTED_EVENTS`, relative to ``end``).
``generate_flat`` makes the same data with no events, no trend and no yearly
seasonality, so anything flagged on it is a false positive.

Everything is vectorised numpy (no Python loop per row): ``scale`` multiplies the
number of accounts and posts, ~110k post-day rows per unit of scale (two years).
Posts published shortly before the first day contribute their remaining
post-days (so the series does not ramp up) but no ``posts_published`` row.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

from kpi_engine.loaders import derive_interaction_measures
from kpi_engine.sample_profiles import (
    _ACCOUNTS,
    _COMPLETION,
    _CTR_TOPIC,
    _CTR_TYPE,
    _ER_TOPIC,
    _ER_TYPE,
    _FUNNEL,
    _IMP_TYPE,
    _P,
    _SAVE_TOPIC,
    _TOPIC_WEIGHTS,
    _WATCH_SECONDS,
    _Account,
)
from kpi_engine.schema import ACCOUNTS, INTERACTIONS, POSTS
from kpi_engine.source import Dataset

__all__ = [
    "PlantedEvent",
    "PLANTED_EVENTS",
    "PLATFORMS",
    "CONTENT_TYPES",
    "TOPICS",
    "VIDEO_TYPES",
    "default_end",
    "generate_sample",
    "generate_flat",
    "write_sample",
]

PLATFORMS = ("instagram", "tiktok", "linkedin", "facebook", "youtube", "x")
CONTENT_TYPES = ("reel", "carousel", "image", "video", "short", "text", "story", "live", "link")
TOPICS = (
    "product",
    "how_to",
    "behind_the_scenes",
    "customer_story",
    "thought_leadership",
    "promo",
    "community",
)
VIDEO_TYPES = frozenset({"reel", "video", "short", "live"})
_ENGAGEMENT_PARTS = ("likes", "comments", "shares", "saves")
CHANNELS = ("comment", "dm", "mention", "review")
SENTIMENTS = ("positive", "neutral", "negative")


@dataclass(frozen=True)
class PlantedEvent:
    """A known shift in the sample data; offsets are days before the data's last day.

    ``magnitude`` is the multiplicative factor applied to the KPI while the event
    is active (0.6 = a 40% drop, 4.0 = four times as much).
    """

    name: str
    kpi: str
    platform: str | None
    start_offset: int
    end_offset: int
    kind: Literal["step", "spike", "drop"]
    magnitude: float

    def window(self, end: date) -> tuple[date, date]:
        """First and last day (inclusive) of the event for data ending on ``end``."""
        return end - timedelta(days=self.start_offset), end - timedelta(days=self.end_offset)


# All clear of the last 7 days, so "last 7 days vs the 7 before" is calm; the
# instagram CTR step lasts to the end but started 60 days before it.
PLANTED_EVENTS: list[PlantedEvent] = [
    PlantedEvent("tiktok_engagement_drop", "engagement_rate", "tiktok", 27, 21, "drop", 0.6),
    PlantedEvent("linkedin_impressions_spike", "impressions", "linkedin", 10, 10, "spike", 6.0),
    PlantedEvent("instagram_ctr_step", "click_through_rate", "instagram", 60, 0, "step", 1.5),
    PlantedEvent("response_time_slowdown", "median_response_time", None, 37, 33, "step", 3.0),
]

# Which generator parameter an event's KPI moves.
_EVENT_TARGET = {
    "engagement_rate": "er",
    "impressions": "impressions",
    "click_through_rate": "ctr",
    "median_response_time": "response",
}


def default_end() -> date:
    """Yesterday in UTC: the last complete day."""
    return datetime.now(UTC).date() - timedelta(days=1)


def generate_sample(
    *, end: date | None = None, days: int = 730, seed: int = 7, scale: float = 1.0
) -> Dataset:
    """The sample dataset: seasonality, growth and the :data:`PLANTED_EVENTS`."""
    return _generate(end, days, seed, scale, events=PLANTED_EVENTS, trend=True, name="sample")


def generate_flat(
    *, end: date | None = None, days: int = 730, seed: int = 7, scale: float = 1.0
) -> Dataset:
    """The same generator with no events, no trend and no yearly seasonality."""
    return _generate(end, days, seed, scale, events=[], trend=False, name="flat sample")


def _generate(
    end: date | None, days: int, seed: int, scale: float, *, events: list[PlantedEvent],
    trend: bool, name: str,
) -> Dataset:
    if days < 1 or scale <= 0:
        raise ValueError("days must be >= 1 and scale > 0")
    end = end or default_end()
    start = end - timedelta(days=days - 1)
    rng = np.random.default_rng(seed)
    accounts = _expand_accounts(scale)
    ctx = _Context(start, days, trend, accounts, events, end)
    posts = _posts(ctx, rng)
    snapshots = _account_days(ctx, rng)
    interactions = _interactions(ctx, rng)
    return Dataset(posts=posts, accounts=snapshots, interactions=interactions, name=name)


def _expand_accounts(scale: float) -> list[tuple[_Account, float]]:
    """Accounts with a cadence factor, so total volume grows linearly with scale."""
    n = max(len(PLATFORMS), round(len(_ACCOUNTS) * scale))
    factor = scale * len(_ACCOUNTS) / n
    out = []
    for i in range(n):
        t = _ACCOUNTS[i % len(_ACCOUNTS)]
        suffix = "" if i < len(_ACCOUNTS) else f"_{i // len(_ACCOUNTS) + 1}"
        out.append((replace(t, name=t.name + suffix), factor))
    return out


class _Context:
    """Calendar arrays shared by the three tables."""

    def __init__(self, start: date, days: int, trend: bool, accounts: list[tuple[_Account, float]],
                 events: list[PlantedEvent], end: date):
        self.start, self.days, self.trend, self.end = start, days, trend, end
        self.accounts = [a for a, _ in accounts]
        self.factors = np.array([f for _, f in accounts])
        self.platform_idx = np.array([PLATFORMS.index(a.platform) for a in self.accounts])
        self.events = events
        t = np.arange(days)
        self.dow = (t + start.weekday()) % 7
        doy = pd.date_range(start, periods=days, freq="D").day_of_year.to_numpy()
        if trend:
            # Q4 peak around Black Friday / holidays, a mild summer dip, ~18% yearly growth.
            d_peak = np.minimum(np.abs(doy - 335), 365 - np.abs(doy - 335))
            yearly = 1 + 0.35 * np.exp(-0.5 * (d_peak / 22) ** 2) + 0.15 * (doy >= 274)
            yearly -= 0.08 * np.exp(-0.5 * ((doy - 210) / 20) ** 2)
            self.season = yearly * 1.18 ** (t / 365)
            self.er_trend = 0.95 ** (t / 365)
        else:
            self.season = np.ones(days)
            self.er_trend = np.ones(days)

    def day_offset(self, d: date) -> int:
        return (d - self.start).days

    def event_factor(self, target: str, platform_of_row: np.ndarray, day_of_row: np.ndarray) -> np.ndarray:
        """Multiplicative factor of every planted event moving ``target``."""
        out = np.ones(len(day_of_row))
        for ev in self.events:
            if _EVENT_TARGET.get(ev.kpi) != target:
                continue
            first, last = (self.day_offset(d) for d in ev.window(self.end))
            hit = (day_of_row >= first) & (day_of_row <= last)
            if ev.platform is not None:
                hit &= platform_of_row == PLATFORMS.index(ev.platform)
            out[hit] *= ev.magnitude
        return out


def _choice_by_group(rng: np.random.Generator, group: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """One draw per row from ``probs[group[row]]`` (rows of probs sum to 1)."""
    cum = np.cumsum(probs, axis=1)
    cum[:, -1] = 1.0
    u = rng.random(len(group))
    draws: np.ndarray = (u[:, None] > cum[group]).sum(axis=1)
    return draws


def _posts(ctx: _Context, rng: np.random.Generator) -> pd.DataFrame:
    accts, n_acc = ctx.accounts, len(ctx.accounts)
    max_life = max(p.life[1] for p in _P.values())
    # Publish from max_life days before start so the first days are not a ramp-up.
    n_pub_days = ctx.days + max_life
    pub_dow = (np.arange(n_pub_days) - max_life + ctx.start.weekday()) % 7
    post_weekly = np.array([_P[a.platform].post_weekly for a in accts])
    rate = np.array([a.posts_per_day for a in accts])[:, None] * ctx.factors[:, None]
    rate = rate * post_weekly[:, pub_dow] / post_weekly.mean(axis=1, keepdims=True)
    counts = rng.poisson(rate)  # (accounts, publish days)
    # Posts ordered by publish day, then account.
    day_grid, acc_grid = np.meshgrid(np.arange(n_pub_days), np.arange(n_acc))
    order = np.lexsort((acc_grid.ravel(), day_grid.ravel()))
    reps = counts.ravel()[order]
    p_acc = np.repeat(acc_grid.ravel()[order], reps)
    p_day = np.repeat(day_grid.ravel()[order], reps) - max_life  # relative to start
    n_posts = len(p_acc)
    p_plat = ctx.platform_idx[p_acc]

    type_probs = np.array([[_P[p].types.get(t, 0.0) for t in CONTENT_TYPES] for p in PLATFORMS])
    p_type = _choice_by_group(rng, p_plat, type_probs)
    kinds = ("main", "careers", "local", "support")
    acc_kind = np.array([kinds.index(a.kind) for a in accts])
    topic_probs = np.array([_TOPIC_WEIGHTS[k] for k in kinds], dtype=float)
    topic_probs /= topic_probs.sum(axis=1, keepdims=True)
    p_topic = _choice_by_group(rng, acc_kind[p_acc], topic_probs)
    lo = np.array([_P[p].life[0] for p in PLATFORMS])[p_plat]
    hi = np.array([_P[p].life[1] for p in PLATFORMS])[p_plat]
    p_life = rng.integers(lo, hi + 1)
    virality = np.array([_P[p].virality for p in PLATFORMS])[p_plat]
    p_imp_q = np.exp(rng.normal(-virality**2 / 2, virality))  # mean 1
    p_er_q = np.exp(rng.normal(-0.045, 0.3, n_posts))
    p_ctr_q = np.exp(rng.normal(-0.06, 0.35, n_posts))
    p_campaign, campaign_names = _campaigns(ctx, rng, p_acc, p_day, p_topic, acc_kind)

    # Expand posts into post-day rows; keep the rows inside [start, end].
    offsets = np.cumsum(p_life) - p_life
    post = np.repeat(np.arange(n_posts), p_life)
    age = np.arange(len(post)) - np.repeat(offsets, p_life)
    day = p_day[post] + age
    keep = (day >= 0) & (day < ctx.days)
    post, age, day = post[keep], age[keep], day[keep]
    order = np.argsort(day, kind="stable")
    post, age, day = post[order], age[order], day[order]
    n = len(post)
    acc = p_acc[post]
    plat = p_plat[post]
    ctype = p_type[post]
    topic = p_topic[post]

    def per_platform(attr: str) -> np.ndarray:
        values: np.ndarray = np.array([getattr(_P[p], attr) for p in PLATFORMS])[plat]
        return values

    tau = per_platform("decay")
    life = p_life[post]
    share = np.exp(-age / tau) * (1 - np.exp(-1 / tau)) / (1 - np.exp(-life / tau))
    weekly = np.array([np.array(_P[p].weekly) / np.mean(_P[p].weekly) for p in PLATFORMS])
    base = np.array([a.impressions_per_post for a in accts])[acc]
    imp_type = np.array([_IMP_TYPE[t] for t in CONTENT_TYPES])[ctype]
    day_noise = np.exp(rng.normal(-0.01, 0.15, n))
    lam = base * imp_type * p_imp_q[post] * share * weekly[plat, ctx.dow[day]] * ctx.season[day] * day_noise
    lam *= ctx.event_factor("impressions", plat, day)
    # One column-major float block: pandas keeps it without copying, which halves
    # peak memory at benchmark scale. Counts stay integers while they feed draws.
    block = np.empty((n, len(POSTS.measures)), dtype="float64", order="F")
    col = {m: j for j, m in enumerate(POSTS.measures)}

    def put(name: str, values: np.ndarray) -> np.ndarray:
        block[:, col[name]] = values
        return values

    impressions = put("impressions", rng.poisson(lam))
    del lam, share, day_noise, base, imp_type
    put("posts_published", age == 0)
    put("reach", rng.binomial(impressions, per_platform("reach_ratio")))
    er = per_platform("er") * np.array([_ER_TYPE[t] for t in CONTENT_TYPES])[ctype]
    er *= np.array(_ER_TOPIC)[topic] * p_er_q[post] * ctx.er_trend[day] * ctx.event_factor("er", plat, day)
    np.minimum(er, 0.5, out=er)
    parts = np.array([_P[p].parts for p in PLATFORMS])[plat]
    parts[:, 3] *= np.array(_SAVE_TOPIC)[topic] * np.where(ctype == CONTENT_TYPES.index("carousel"), 1.6, 1.0)
    parts /= parts.sum(axis=1, keepdims=True)
    engagements = np.zeros(n, dtype=np.int64)
    comments = np.zeros(n, dtype=np.int64)
    for i, name in enumerate(_ENGAGEMENT_PARTS):
        values = put(name, rng.binomial(impressions, er * parts[:, i]))
        engagements += values
        if name == "comments":
            comments = values
    put("engagements", engagements)
    del er, parts, engagements

    ctr = per_platform("ctr") * np.array([_CTR_TYPE[t] for t in CONTENT_TYPES])[ctype]
    ctr *= np.array(_CTR_TOPIC)[topic] * p_ctr_q[post] * ctx.event_factor("ctr", plat, day)
    clicks = put("clicks", rng.binomial(impressions, np.minimum(ctr, 0.3)))
    del ctr
    put("profile_visits", rng.binomial(impressions, 0.004))

    is_video = np.isin(ctype, [CONTENT_TYPES.index(t) for t in VIDEO_TYPES])
    video_views = put("video_views", rng.binomial(np.where(is_video, impressions, 0), per_platform("view_rate")))
    completion = np.array([_COMPLETION.get(t, 0.0) for t in CONTENT_TYPES])[ctype]
    put("video_completions", rng.binomial(video_views, completion))
    watch = np.array([_WATCH_SECONDS.get(t, 0.0) for t in CONTENT_TYPES])[ctype]
    put("watch_time_seconds", np.round(video_views * watch * np.exp(rng.normal(-0.02, 0.2, n))))
    del impressions, video_views, completion, watch, is_video

    funnel = np.array([_FUNNEL[k] for k in kinds])[acc_kind[acc]]
    sessions = put("sessions", rng.binomial(clicks, 0.82))
    put("engaged_sessions", rng.binomial(sessions, 0.56))
    put("conversions", rng.binomial(sessions, funnel[:, 0]))
    leads = put("leads", rng.binomial(sessions, np.minimum(funnel[:, 1] * per_platform("lead_mult"), 0.5)))
    opportunities = put("opportunities", rng.binomial(leads, 0.25))
    put("pipeline_value", np.round(opportunities * np.exp(rng.normal(np.log(8000), 0.5, n)), 2))
    product_page_views = put("product_page_views", rng.binomial(sessions, funnel[:, 2]))
    add_to_carts = put("add_to_carts", rng.binomial(product_page_views, 0.085))
    purchases = put("purchases", rng.binomial(add_to_carts, 0.36))
    put("revenue", np.round(purchases * rng.gamma(4.0, 16.0, n), 2))
    put("assisted_conversions", rng.binomial(sessions, funnel[:, 3]))
    inquiries = put("inquiries", rng.binomial(clicks + comments, funnel[:, 4]))
    qualified = put("qualified_inquiries", rng.binomial(inquiries, 0.55))
    put("inquiries_won", rng.binomial(qualified, 0.35))

    frame = pd.DataFrame(block, columns=list(POSTS.measures), copy=False)
    # Posts whose rows all fell before the start leave no trace in the categories.
    used = np.zeros(n_posts, dtype=bool)
    used[post] = True
    post_code = (np.cumsum(used) - 1)[post]
    ids = _post_ids(p_plat)
    dims: dict[str, Any] = {
        "date": _dates(ctx.start, day),
        "platform": _categorical(plat, list(PLATFORMS)),
        "account": _categorical(acc, [a.name for a in accts]),
        "post_id": _categorical(post_code, [ids[i] for i in np.flatnonzero(used)]),
        "content_type": _categorical(ctype, list(CONTENT_TYPES)),
        "topic": _categorical(topic, list(TOPICS)),
        "campaign": _categorical(p_campaign[post], campaign_names).remove_unused_categories(),
    }
    for i, (name, column) in enumerate(dims.items()):
        frame.insert(i, name, column)
    return frame


def _categorical(codes: np.ndarray, names: list[str]) -> pd.Categorical:
    """Categories sorted by value, as a loaded file gets them."""
    order = np.argsort(np.asarray(names, dtype=object))
    rank = np.empty(len(names), dtype=np.int32)
    rank[order] = np.arange(len(names), dtype=np.int32)
    return pd.Categorical.from_codes(rank[codes], categories=pd.Index([names[i] for i in order]))


def _post_ids(p_plat: np.ndarray) -> list[str]:
    prefix = {"instagram": "ig", "tiktok": "tt", "linkedin": "li", "facebook": "fb", "youtube": "yt", "x": "x"}
    prefixes = [prefix[p] for p in PLATFORMS]
    return [f"{prefixes[p]}_{i:07d}" for i, p in enumerate(p_plat.tolist())]


def _dates(start: date, day: np.ndarray) -> np.ndarray:
    return (np.datetime64(start, "D") + day.astype("timedelta64[D]")).astype("datetime64[ns]")


def _campaigns(
    ctx: _Context, rng: np.random.Generator, p_acc: np.ndarray, p_day: np.ndarray,
    p_topic: np.ndarray, acc_kind: np.ndarray,
) -> tuple[np.ndarray, list[str]]:
    """Campaign codes per post (0 = untagged) and the campaign names."""
    pub = pd.DatetimeIndex(_dates(ctx.start, p_day))
    month, dom, year = pub.month.to_numpy(), pub.day.to_numpy(), pub.year.to_numpy()
    kind = acc_kind[p_acc]
    plat = ctx.platform_idx[p_acc]
    u = rng.random(len(p_acc))
    t = {name: TOPICS.index(name) for name in TOPICS}
    names = [""]
    codes = np.zeros(len(p_acc), dtype=np.int32)

    def tag(name: str, mask: np.ndarray) -> None:
        names.append(name)
        codes[mask & (codes == 0)] = len(names) - 1

    years = range(int(year.min()), int(year.max()) + 1)
    selling = np.isin(p_topic, [t["promo"], t["product"]]) & np.isin(kind, [0, 2])
    for y in years:
        holiday = ((month == 12) | ((month == 11) & (dom >= 15))) & (year == y)
        tag(f"holiday_sale_{y}", holiday & selling & (u < 0.8))
        summer = (((month == 6) & (dom >= 10)) | ((month == 7) & (dom <= 15))) & (year == y)
        tag(f"summer_sale_{y}", summer & selling & (u < 0.7))
        launch = ((month == 3) | ((month == 4) & (dom <= 15))) & (year == y)
        tag(f"spring_launch_{y}", launch & (p_topic == t["product"]) & (u < 0.8))
    tag("thought_leadership_series", (kind == 0) & (plat == PLATFORMS.index("linkedin"))
        & (p_topic == t["thought_leadership"]) & (u < 0.7))
    tag("careers", (kind == 1) & (u < 0.6))
    tag("local_events", (kind == 2) & np.isin(p_topic, [t["community"], t["promo"]]) & (u < 0.6))
    tag("ugc_challenge", np.isin(plat, [0, 1]) & np.isin(p_topic, [t["community"], t["customer_story"]])
        & (u < 0.5))
    tag("how_to_series", (p_topic == t["how_to"]) & (u < 0.4))
    used = np.unique(codes)
    remap = np.zeros(len(names), dtype=np.int32)
    remap[used] = np.arange(len(used))
    return remap[codes], [names[i] for i in used]


def _account_days(ctx: _Context, rng: np.random.Generator) -> pd.DataFrame:
    n_acc, days = len(ctx.accounts), ctx.days
    growth = np.array([_P[a.platform].follower_growth for a in ctx.accounts]) if ctx.trend else np.zeros(n_acc)
    steps = growth[:, None] + rng.normal(0, 0.0004, (n_acc, days))
    steps[:, 0] = 0
    f0 = np.array([a.followers for a in ctx.accounts], dtype=float)
    followers = np.round(f0[:, None] * np.exp(np.cumsum(steps, axis=1)))
    weekly = np.array([np.array(_P[a.platform].weekly) / np.mean(_P[a.platform].weekly) for a in ctx.accounts])
    mention_rate = np.array([a.mentions_per_day for a in ctx.accounts])[:, None] * ctx.factors[:, None]
    mention_rate = mention_rate * weekly[:, ctx.dow] * ctx.season[None, :]
    brand = rng.poisson(mention_rate)
    competitor = rng.poisson(mention_rate * 1.6)
    acc = np.repeat(np.arange(n_acc), days)
    day = np.tile(np.arange(days), n_acc)
    order = np.lexsort((acc, day))
    acc, day = acc[order], day[order]
    return pd.DataFrame(
        {
            "date": _dates(ctx.start, day),
            "platform": _categorical(ctx.platform_idx[acc], list(PLATFORMS)),
            "account": _categorical(acc, [a.name for a in ctx.accounts]),
            "followers": followers.ravel()[order].astype("float64"),
            "brand_mentions": brand.ravel()[order].astype("float64"),
            "competitor_mentions": competitor.ravel()[order].astype("float64"),
        }
    )[["date", *ACCOUNTS.dimensions, *ACCOUNTS.measures]]


# When people write to a brand, by hour of the day (UTC).
_HOUR_WEIGHTS = np.array(
    [1, 0.6, 0.4, 0.3, 0.3, 0.5, 1, 2, 3, 4, 4.5, 4.5, 5, 5, 4.5, 4.5, 4.5, 5, 5.5, 6, 6, 5, 3.5, 2]
)


def _interactions(ctx: _Context, rng: np.random.Generator) -> pd.DataFrame:
    accts = ctx.accounts
    weekend = np.array([_P[a.platform].interaction_weekly for a in accts])
    week = np.where(ctx.dow[None, :] >= 5, weekend[:, None], 1.0)
    rate = np.array([a.interactions_per_day for a in accts])[:, None] * ctx.factors[:, None]
    counts = rng.poisson(rate * week * ctx.season[None, :])
    day_grid, acc_grid = np.meshgrid(np.arange(ctx.days), np.arange(len(accts)))
    order = np.lexsort((acc_grid.ravel(), day_grid.ravel()))
    reps = counts.ravel()[order]
    acc = np.repeat(acc_grid.ravel()[order], reps)
    day = np.repeat(day_grid.ravel()[order], reps)
    n = len(acc)
    plat = ctx.platform_idx[acc]
    support = np.array([a.kind == "support" for a in accts])[acc]

    channel_probs = np.array([_P[p].channels for p in PLATFORMS])
    channel = _choice_by_group(rng, plat, channel_probs / channel_probs.sum(axis=1, keepdims=True))
    senti_probs = np.array([[0.45, 0.40, 0.15], [0.25, 0.45, 0.30]])
    sentiment = _choice_by_group(rng, support.astype(int), senti_probs)
    cum_hours = np.cumsum(_HOUR_WEIGHTS) / _HOUR_WEIGHTS.sum()
    hour = np.searchsorted(cum_hours, rng.random(n), side="right")
    seconds = hour * 3600 + rng.integers(0, 3600, n)
    received = _dates(ctx.start, day).astype("datetime64[s]") + seconds.astype("timedelta64[s]")

    # Staffed hours (UTC): weekdays 08-20, weekends 10-16; otherwise a reply waits
    # for the next opening, which makes the response-time distribution bimodal.
    dow = ctx.dow[day]
    opens, closes = np.array([8, 8, 8, 8, 8, 10, 10]), np.array([20, 20, 20, 20, 20, 16, 16])
    in_hours = (hour >= opens[dow]) & (hour < closes[dow])
    before = hour < opens[dow]
    next_open = np.where(before, opens[dow] * 3600, 86400 + opens[(dow + 1) % 7] * 3600)
    wait = np.where(in_hours | support, 0.0, (next_open - seconds) / 60.0)
    handling = np.exp(rng.normal(np.log(np.where(support, 15.0, 35.0)), 1.0))
    response = (wait + handling) * ctx.event_factor("response", plat, day)
    p_respond = np.array([0.70, 0.93, 0.50, 0.85])[channel] + np.where(sentiment == 2, 0.08, 0.0)
    responded = rng.random(n) < np.minimum(p_respond, 0.98)
    p_resolve = np.array([0.5, 0.8, 0.3, 0.7])[channel]
    resolved = responded & (rng.random(n) < p_resolve)
    resolution = response + np.exp(rng.normal(np.log(120.0), 1.2, n))

    def stamp(minutes: np.ndarray, mask: np.ndarray) -> pd.DatetimeIndex:
        values = received + np.round(minutes * 60).astype("timedelta64[s]")
        values = np.where(mask, values, np.datetime64("NaT"))
        return pd.DatetimeIndex(values.astype("datetime64[ns]")).tz_localize("UTC")

    frame = pd.DataFrame(
        {
            "interaction_id": [f"int_{i:08d}" for i in range(n)],
            "platform": _categorical(plat, list(PLATFORMS)),
            "account": _categorical(acc, [a.name for a in accts]),
            "channel": _categorical(channel, list(CHANNELS)),
            "sentiment": _categorical(sentiment, list(SENTIMENTS)),
            "received_at": pd.DatetimeIndex(received.astype("datetime64[ns]")).tz_localize("UTC"),
            "first_response_at": stamp(response, responded),
            "resolved_at": stamp(resolution, resolved),
        }
    )
    return derive_interaction_measures(frame, "UTC")


def _csv_ready(frame: pd.DataFrame) -> pd.DataFrame:
    """Whole counts as integers, dates as YYYY-MM-DD, instants as ISO 8601 UTC (numpy formats fast)."""
    out = frame.copy()
    for column in out.columns:
        series = out[column]
        if series.dtype == "float64" and series.notna().all() and (series % 1 == 0).all():
            out[column] = series.astype("int64")  # counts print as 12, not 12.0, and 3x faster
            continue
        if not pd.api.types.is_datetime64_any_dtype(series):
            continue
        if column == "date":
            out[column] = np.datetime_as_string(series.to_numpy().astype("datetime64[D]"), unit="D")
            continue
        naive = series.dt.tz_convert("UTC").dt.tz_localize(None) if series.dt.tz is not None else series
        values = naive.to_numpy().astype("datetime64[s]")
        text = np.char.add(np.datetime_as_string(values, unit="s"), "Z")
        out[column] = np.where(np.isnat(values), "", text)
    return out


def write_sample(dataset: Dataset, directory: Path | str, fmt: str = "csv") -> list[Path]:
    """Write posts/accounts/interactions files; all files appear or none do."""
    if fmt not in ("csv", "parquet"):
        raise ValueError(f"Unknown format '{fmt}': use csv or parquet.")
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    staged: list[tuple[Path, Path]] = []
    try:
        for table in (POSTS, ACCOUNTS, INTERACTIONS):
            frame = dataset.table(table.name)
            if frame is None:
                continue
            target = directory / f"{table.name}.{fmt}"
            fd, tmp_name = tempfile.mkstemp(prefix=f".{table.name}-", suffix=f".{fmt}", dir=directory)
            os.close(fd)
            tmp = Path(tmp_name)
            staged.append((tmp, target))
            if fmt == "csv":
                # pyarrow's writer is ~5x faster than DataFrame.to_csv at benchmark sizes.
                table_ = pa.Table.from_pandas(_csv_ready(frame), preserve_index=False)
                pa_csv.write_csv(table_, tmp, pa_csv.WriteOptions(quoting_style="needed"))
            else:
                frame.to_parquet(tmp, index=False)
        for tmp, target in staged:
            os.replace(tmp, target)
    finally:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
    return [target for _, target in staged]
