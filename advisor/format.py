"""How numbers are displayed. One place, so the number checker and every front end agree."""

from __future__ import annotations

import math

__all__ = ["fmt_value", "fmt_change", "fmt_compact", "UNIT_SUFFIX"]

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
    if value is None or not math.isfinite(value):
        return "no data"
    if unit == "percent":
        return f"{value:.2f}%"
    if unit in ("per_1000", "per_post", "seconds", "points"):
        return f"{value:.1f}{UNIT_SUFFIX[unit]}" if abs(value) < 100 else f"{value:,.0f}{UNIT_SUFFIX[unit]}"
    if unit == "minutes":
        return f"{value:.0f} min" if value >= 10 else f"{value:.1f} min"
    if unit == "currency":
        return fmt_compact(value)
    return fmt_compact(value)


def fmt_change(abs_change: float | None, rel_change: float | None, unit: str) -> str:
    """'+12.3%' for counts; '-0.53 pp (-11.0%)' for percentages."""
    if abs_change is None:
        return "no comparison"
    rel = f"{rel_change * 100:+.1f}%" if rel_change is not None and math.isfinite(rel_change) else None
    if unit in ("percent", "points"):
        pp = f"{abs_change:+.2f} {'pp' if unit == 'percent' else 'pts'}"
        return f"{pp} ({rel})" if rel else pp
    if rel:
        return rel
    return f"{abs_change:+,.2f}"
