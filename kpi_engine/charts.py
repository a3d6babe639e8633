"""PNG charts of engine results (matplotlib Agg, imported on first use).

Sized for Slack's preview (800x450 px), labelled axes with units, the current
period highlighted, anomalies marked. Output is deterministic: same input,
same bytes (no timestamps or software tags in the PNG).
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from .format import fmt_tick, fmt_value

if TYPE_CHECKING:
    from .periods import Period
    from .results import Breakdown, Trend

__all__ = ["render_trend_png", "render_breakdown_png", "unit_label", "format_number", "highlight_span", "mark_notes"]

WIDTH_IN, HEIGHT_IN, DPI = 8.0, 4.5, 100  # 800 x 450 px
_LINE, _HIGHLIGHT, _ANOMALY, _MUTED = "#1f5fa8", "#f2c94c", "#c0392b", "#8a8f98"
_UNITS = {
    "percent": "%", "per_1000": "per 1,000", "per_post": "per post", "seconds": "seconds",
    "minutes": "minutes", "currency": "currency", "points": "points", "count": "",
}
_GRAIN_AXIS = {"day": "Day", "week": "Week starting (Monday)", "month": "Month"}


def unit_label(unit: str) -> str:
    """Axis suffix for a catalog unit: 'percent' -> '%', 'per_1000' -> 'per 1,000'."""
    return _UNITS.get(unit, unit.replace("_", " "))


def format_number(value: float | None, unit: str) -> str:
    """Labels on charts read exactly as the text does (the shared formatter)."""
    return fmt_value(value, unit)


def _figure() -> tuple[Any, Any]:
    # Figure + Agg canvas directly: no pyplot global state, safe from worker threads.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI)
    FigureCanvasAgg(fig)
    return fig, fig.add_subplot()


def _style(ax: Any) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.grid(axis="y", color="#e3e5e8", linewidth=0.8)
    ax.set_axisbelow(True)
    ax.tick_params(labelsize=10)


def _layout(fig: Any, *, left: float = 0.1, bottom: float = 0.24) -> None:
    # fixed margins instead of tight_layout, which costs a second full draw per chart
    fig.subplots_adjust(left=left, right=0.98, top=0.9, bottom=bottom)


def _png(fig: Any) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None})
    return buf.getvalue()


def _value_axis(ax: Any, unit: str, axis: str = "y") -> None:
    from matplotlib.ticker import FuncFormatter

    fmt = FuncFormatter(lambda v, _pos: _tick(v, unit))
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(fmt)


def _tick(v: float, unit: str) -> str:
    return fmt_tick(v, unit)


def _midnight(d: date | datetime) -> datetime:
    return d if isinstance(d, datetime) else datetime.combine(d, time())


def highlight_span(first_start: date, last_start: date, grain: str) -> tuple[datetime, datetime]:
    """The x-range shaded for the highlighted buckets: half a bucket either side of their points.

    Points sit at their bucket's start (midnight); the span is computed in datetimes, since
    half a day subtracted from a ``date`` is no change at all (a daily band of zero width).
    """
    half = timedelta(days={"day": 1, "week": 7}.get(grain, 30) / 2)
    return _midnight(first_start) - half, _midnight(last_start) + half


def render_trend_png(trend: Trend, *, highlight: Period | None = None, title: str = "",
                     notes: Sequence[tuple[date, date, str]] = ()) -> bytes:
    """Line chart of a Trend; ``highlight`` (default: the last bucket) is shaded and labelled."""
    fig, ax = _figure()
    _style(ax)
    pts = trend.points
    unit = trend.unit
    xs = [p.start for p in pts]
    ys = [p.value if p.value is not None else math.nan for p in pts]
    ax.set_title(title or f"{trend.name} by {trend.grain}", fontsize=13, loc="left", pad=10)
    suffix = unit_label(unit)
    ax.set_ylabel(f"{trend.name}" + (f" ({suffix})" if suffix else ""), fontsize=11)
    ax.set_xlabel(_GRAIN_AXIS.get(trend.grain, trend.grain), fontsize=11)
    if not pts or all(math.isnan(y) for y in ys):
        ax.text(0.5, 0.5, "No data in this period", ha="center", va="center",
                transform=ax.transAxes, fontsize=13, color=_MUTED)
        ax.set_yticks([])
        _layout(fig)
        return _png(fig)
    exp = [p.expected if p.expected is not None else math.nan for p in pts]
    if any(not math.isnan(e) for e in exp):
        ax.plot(xs, exp, color=_MUTED, linestyle="--", linewidth=1.2, label="expected (baseline)")
    ax.plot(xs, ys, color=_LINE, linewidth=2.2, marker="o" if len(pts) <= 40 else None,
            markersize=4, label=trend.name)
    # the highlighted span: buckets overlapping the requested period, or the last bucket
    if highlight is not None:
        cur = [p for p in pts if p.end >= highlight.start and p.start <= highlight.end]
    else:
        cur = pts[-1:]
    if cur:
        left, right = highlight_span(cur[0].start, cur[-1].start, trend.grain)
        ax.axvspan(left, right, color=_HIGHLIGHT, alpha=0.35, linewidth=0, label="this period")
        shown = [p for p in cur if p.value is not None]
        if len(cur) == 1 and shown:  # one bucket: its value; several: the text has the total
            last = shown[-1]
            ax.annotate(format_number(last.value, unit), (last.start, last.value),
                        textcoords="offset points", xytext=(-8, 12), ha="right", fontsize=11,
                        color=_LINE, bbox=dict(boxstyle="round,pad=0.2", fc="white", ec="none",
                                               alpha=0.85))
    anomalies = [p for p in pts if p.anomaly and p.value is not None]
    if anomalies:
        ax.scatter([p.start for p in anomalies], [p.value for p in anomalies], s=90,
                   facecolors="none", edgecolors=_ANOMALY, linewidths=2, zorder=5,
                   label="unusual (vs baseline)")
    _value_axis(ax, unit)
    lo = min(v for v in ys if not math.isnan(v))
    if unit in ("count", "currency") and lo >= 0:
        ax.set_ylim(bottom=0)
    _date_axis(ax, trend.grain)
    mark_notes(ax, notes, pts[0].start, pts[-1].end)
    ax.legend(loc="upper left", fontsize=9, frameon=False, ncol=4, bbox_to_anchor=(0, -0.16))
    if trend.caveat:
        fig.text(0.01, 0.01, _short(trend.caveat, 120), fontsize=8, color=_MUTED)
    _layout(fig)
    return _png(fig)


def _date_axis(ax: Any, grain: str) -> None:
    import matplotlib.dates as mdates

    if grain == "month":
        ax.xaxis.set_major_locator(mdates.MonthLocator())
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))
    else:
        loc = mdates.AutoDateLocator(minticks=4, maxticks=8)
        ax.xaxis.set_major_locator(loc)
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b"))


def _short(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "\u2026"


def render_breakdown_png(breakdown: Breakdown, *, limit: int = 8, title: str = "") -> bytes:
    """Horizontal bars: each segment's value this period against the previous period."""
    fig, ax = _figure()
    _style(ax)
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", color="#e3e5e8", linewidth=0.8)
    segs = [s for s in breakdown.segments if s.value is not None or s.previous_value is not None]
    segs = segs[:limit][::-1]  # largest contribution on top
    unit = breakdown.unit
    ax.set_title(title or f"{breakdown.name} by {breakdown.dimension.replace('_', ' ')}",
                 fontsize=13, loc="left", pad=10)
    suffix = unit_label(unit)
    ax.set_xlabel(breakdown.name + (f" ({suffix})" if suffix else ""), fontsize=11)
    if not segs:
        ax.text(0.5, 0.5, "No data in this period", ha="center", va="center",
                transform=ax.transAxes, fontsize=13, color=_MUTED)
        _layout(fig, left=0.16, bottom=0.14)
        return _png(fig)
    ys = list(range(len(segs)))
    cur = [s.value or 0.0 for s in segs]
    prev = [s.previous_value or 0.0 for s in segs]
    ax.barh([y + 0.2 for y in ys], prev, height=0.38, color="#d5d9df",
            label=f"previous ({breakdown.previous_period.start:%d %b}\u2013{breakdown.previous_period.end:%d %b})")
    ax.barh([y - 0.2 for y in ys], cur, height=0.38, color=_LINE,
            label=f"this period ({breakdown.period.start:%d %b}\u2013{breakdown.period.end:%d %b})")
    top = max(max(cur), max(prev), 0) or 1.0
    for y, s in zip(ys, segs, strict=True):
        ax.text((s.value or 0.0) + top * 0.01, y - 0.2, format_number(s.value, unit),
                va="center", fontsize=9)
    ax.set_yticks(ys, [_short(s.key or "(none)", 22) for s in segs], fontsize=10)
    ax.set_xlim(0, top * 1.18)
    _value_axis(ax, unit, axis="x")
    ax.legend(loc="lower right", fontsize=9, frameon=False)
    if breakdown.note:
        fig.text(0.01, 0.01, _short(breakdown.note, 120), fontsize=8, color=_MUTED)
    _layout(fig, left=0.16, bottom=0.14)
    return _png(fig)


_NOTE = "#6c3483"


def mark_notes(ax: Any, notes: Sequence[tuple[date, date, str]], first: date, last: date) -> None:
    """Team notes (day or range, text) inside the chart's window: a dotted line or a band, labelled."""
    shown = sorted((n for n in notes if n[1] >= first and n[0] <= last), key=lambda n: n[0])[:6]
    for i, (start, end, text) in enumerate(shown):
        start, end = max(start, first), min(end, last)
        label = "note" if i == 0 else None
        if end > start:
            ax.axvspan(start, end, color=_NOTE, alpha=0.12, linewidth=0, label=label)
        else:
            ax.axvline(start, color=_NOTE, linestyle=":", linewidth=1.6, label=label)
        # above the plot (a note usually marks a peak, which the label would hide) unless the title is
        # there; labels are staggered so notes a few days apart stay readable
        above = _right_of_title(ax, start)
        ax.annotate(_short(text, 32), xy=(start, 1.0), xycoords=("data", "axes fraction"),
                    xytext=(3, 2 + 11 * (i % 2)) if above else (3, -12 - 13 * (i % 3)),
                    textcoords="offset points", fontsize=8.5, color=_NOTE, annotation_clip=False,
                    bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8})


def _right_of_title(ax: Any, day: date) -> bool:
    """Whether ``day`` lies right of the axes title on the canvas (text extents need no full draw)."""
    import matplotlib.dates as mdates

    titles = [t for t in (ax.title, getattr(ax, "_left_title", None)) if t is not None and t.get_text()]
    if not titles:
        return True
    renderer = ax.figure.canvas.get_renderer()
    title_right = max(t.get_window_extent(renderer).x1 for t in titles)
    x = ax.transData.transform((mdates.date2num(day), 0))[0]
    return bool(x > title_right + 6)
