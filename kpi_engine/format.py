"""How numbers are displayed: one formatter for text (every front end) and charts.

It lives in the engine package because both the charts here and the advisor's
text use it, and the engine may not import the advisor (``advisor.format``
re-exports it). A value reads the same in a digest's text, its facts and its
chart: "4.21%", "12.3k", "3.4 per 1k impressions". Changes carry their sign,
except one that rounds to zero ("0.00 pp", never "-0.00 pp"); counts never
show decimals they do not have ("-1,136", not "-1,136.00").
"""

from __future__ import annotations

import math

__all__ = ["UNIT_SUFFIX", "fmt_change", "fmt_compact", "fmt_signed", "fmt_tick", "fmt_value"]

UNIT_SUFFIX = {
    "percent": "%",
    "per_1000": " per 1k impressions",
    "per_post": " per post",
    "seconds": " s",
    "minutes": " min",
    "points": " pts",
}


def fmt_compact(x: float) -> str:
    """12,345 -> '12.3k'; 3,912,089 -> '3.91M'; small numbers as they are."""
    a = abs(x)
    if a >= 1e9:
        return f"{x / 1e9:.2f}B"
    if a >= 1e6:
        return f"{x / 1e6:.2f}M"
    if a >= 1e4:
        return f"{x / 1e3:.1f}k"
    if a >= 100 or float(x).is_integer():
        return f"{x:,.0f}"
    return f"{x:.2f}"


def fmt_value(value: float | None, unit: str) -> str:
    """A KPI value in its unit: '4.21%', '12.3k', '3.4 per 1k impressions', '17 min'; 'no data' for none."""
    if value is None or not math.isfinite(value):
        return "no data"
    if unit == "percent":
        return f"{value:.2f}%"
    if unit in ("per_1000", "per_post", "seconds", "points"):
        return f"{value:.1f}{UNIT_SUFFIX[unit]}" if abs(value) < 100 else f"{value:,.0f}{UNIT_SUFFIX[unit]}"
    if unit == "minutes":
        return f"{value:.0f} min" if value >= 10 else f"{value:.1f} min"
    return fmt_compact(value)


def _zero(text: str) -> bool:
    """Whether a displayed number reads as zero ('0.00', '-0.0', '0')."""
    digits = [c for c in text if c.isdigit()]
    return bool(digits) and all(c == "0" for c in digits)


def fmt_signed(text_of_abs: str, negative: bool) -> str:
    """Prefix a displayed magnitude with its sign, unless it reads as zero."""
    if _zero(text_of_abs):
        return text_of_abs
    return ("-" if negative else "+") + text_of_abs


def _rel(rel_change: float | None) -> str | None:
    if rel_change is None or not math.isfinite(rel_change):
        return None
    return fmt_signed(f"{abs(rel_change) * 100:.1f}%", rel_change < 0)


def fmt_change(abs_change: float | None, rel_change: float | None, unit: str) -> str:
    """'+12.3%' for counts; '-0.53 pp (-11.0%)' for percentages; '-1,136' for a count without a base."""
    if abs_change is None or not math.isfinite(abs_change):
        return "no comparison"
    rel = _rel(rel_change)
    if unit in ("percent", "points"):
        pp = fmt_signed(f"{abs(abs_change):.2f} {'pp' if unit == 'percent' else 'pts'}", abs_change < 0)
        return f"{pp} ({rel})" if rel else pp
    if rel:
        return rel
    return fmt_signed(fmt_value(abs(abs_change), unit), abs_change < 0)


def fmt_tick(v: float, unit: str) -> str:
    """An axis tick: short, and never two ticks with the same label (1.5k, 2k, 2.25M; 4.5%)."""
    if unit == "percent":
        return f"{v:.1f}%" if abs(v) < 10 else f"{v:.0f}%"
    a = abs(v)
    for size, suffix in ((1e6, "M"), (1e3, "k")):
        if a >= size:
            return f"{v / size:.2f}".rstrip("0").rstrip(".") + suffix
    return f"{v:.2f}".rstrip("0").rstrip(".") if a < 10 else f"{v:.0f}"
