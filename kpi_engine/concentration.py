"""Concentration: when one post carries most of a period's numerator, change or uncertainty.

A week's watch time can be one live video; an "+85%" can be one viral post. The
answer should say so, because a driver by platform or topic then describes a
single post, and the change will not repeat on its own.
"""

from __future__ import annotations

import numpy as np

from .catalog import Kpi
from .compute import _combine, matched_filters
from .periods import Period, previous_period
from .results import Concentration
from .source import Filters, Source

__all__ = ["compute_concentration", "CONCENTRATED"]

CONCENTRATED = 0.30  # one post with 30% of the numerator (or half the variance, or of the change) is named


def compute_concentration(source: Source, kpi: Kpi, period: Period,
                          filters: Filters | None = None) -> Concentration | None:
    """The post with the largest numerator and its shares; None when not a post KPI or no posts."""
    f = kpi.formula
    if f.table != "posts" or f.kind not in ("sum", "ratio") or not source.has_table("posts"):
        return None
    scoped = matched_filters(source, kpi, filters)
    cur = source.rollup(f.table, f.measures, period.start, period.end, scoped, by=["post_id"])
    if len(cur) < 2:
        return None
    num = _combine(cur, f.numerator_terms)
    total = float(num.sum())
    if total <= 0:
        return None
    top = int(np.argmax(num))
    post = str(cur["post_id"].iloc[top])
    share_var = None
    if f.kind == "ratio":
        den = _combine(cur, f.denominator_terms)
        if den.sum() > 0:
            resid = num - total / float(den.sum()) * den
            ss = float(np.dot(resid, resid))
            share_var = float(resid[top] ** 2 / ss) if ss > 0 else None
    share_change = None
    if f.kind == "sum":
        ref = previous_period(period)
        prev = source.rollup(f.table, f.measures, ref.start, ref.end, scoped, by=["post_id"])
        prev_num = dict(zip(prev["post_id"].astype(str), _combine(prev, f.numerator_terms), strict=True))
        change = total - float(sum(prev_num.values()))
        post_change = float(num[top]) - prev_num.get(post, 0.0)
        # only a share of a change that is not tiny next to the post itself (else it explodes)
        if change and abs(change) >= abs(post_change) * 0.5 and post_change * change > 0:
            share_change = min(post_change / change, 1.0)
    about = source.rollup(f.table, f.measures[:1], period.start, period.end, {**(scoped or {}), "post_id": [post]},
                          by=["platform", "content_type"])
    platform = str(about["platform"].iloc[0]) if len(about) else ""
    content_type = str(about["content_type"].iloc[0]) if len(about) else ""
    return Concentration(kpi_id=kpi.id, post_id=post, posts=len(cur), numerator=float(num[top]),
                         platform=platform, content_type=content_type,
                         share_of_numerator=float(num[top]) / total, share_of_variance=share_var,
                         share_of_change=share_change, numerator_name=str(f.numerator))
