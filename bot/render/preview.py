"""A simple HTML approximation of Block Kit, so people (and tests) can look at what will be posted.

Not Slack's renderer: headers, sections (mrkdwn: bold, italic, code, links, line breaks),
two-column fields, context lines, buttons and dividers, in a phone-wide column, each message
with its phone line count (:mod:`bot.render.measure`). Slack's own escapes (``&amp;``,
``&lt;``, ``&gt;``) are HTML entities too, so escaped data shows as the reader will see it.
"""

from __future__ import annotations

import html
import re
from typing import Any

from bot.render.measure import PHONE_SCREEN_LINES, phone_lines

__all__ = ["mrkdwn_html", "render_html"]

_LINK = re.compile(r"<((?:https?|mailto):[^|>]+)\|([^>]+)>")
_MENTION = re.compile(r"<([@#!])([^|>]+)(?:\|([^>]+))?>")


def mrkdwn_html(text: str) -> str:
    """Slack mrkdwn (already escaped for Slack) -> HTML."""
    text = _LINK.sub(lambda m: f'<a href="{m.group(1)}">{m.group(2)}</a>', text)
    text = _MENTION.sub(lambda m: f'<span class="mention">{m.group(1)}{m.group(3) or m.group(2)}</span>', text)
    text = re.sub(r"`([^`\n]+)`", r"<code>\1</code>", text)
    text = re.sub(r"(?<![\w*])\*([^*\n]+)\*(?![\w*])", r"<b>\1</b>", text)
    text = re.sub(r"(?<![\w_])_([^_\n]+)_(?![\w_])", r"<i>\1</i>", text)
    return text.replace("\n", "<br>")


def _text(obj: dict[str, Any] | None) -> str:
    if not obj:
        return ""
    if obj.get("type") == "mrkdwn":
        return mrkdwn_html(obj.get("text", ""))
    return html.escape(obj.get("text", ""))


def _block(b: dict[str, Any]) -> str:
    kind = b.get("type")
    if kind == "header":
        return f"<h2>{_text(b.get('text'))}</h2>"
    if kind == "divider":
        return "<hr>"
    if kind == "context":
        return "<p class='context'>" + " ".join(_text(e) for e in b.get("elements", [])) + "</p>"
    if kind == "actions":
        return "<p class='actions'>" + "".join(
            f"<button>{_text(e.get('text'))}</button>" for e in b.get("elements", [])) + "</p>"
    if kind == "section":
        out = f"<p>{_text(b.get('text'))}</p>" if b.get("text") else ""
        if b.get("fields"):
            out += "<div class='fields'>" + "".join(f"<div>{_text(f)}</div>" for f in b["fields"]) + "</div>"
        if b.get("accessory", {}).get("type") == "button":
            out += f"<button>{_text(b['accessory'].get('text'))}</button>"
        return out
    if kind == "input":
        return f"<p><label>{_text(b.get('label'))}</label><br><input disabled></p>"
    return f"<p class='context'>[{html.escape(str(kind))} block]</p>"


_STYLE = """body{font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;background:#f4f4f4;margin:0;padding:12px}
.msg{background:#fff;max-width:390px;margin:0 auto 16px;padding:12px 14px;border-radius:8px;box-shadow:0 1px 3px #0002}
h1{font-size:15px;max-width:390px;margin:8px auto;color:#555}h2{font-size:17px;margin:4px 0 8px}
p{font-size:15px;line-height:1.35;margin:6px 0}.context{font-size:12px;color:#616061}
code{background:#f1f1f1;color:#c0194d;padding:0 3px;border-radius:3px}
.fields{display:grid;grid-template-columns:1fr 1fr;gap:6px;font-size:15px}
button{font-size:14px;margin:3px 4px 3px 0;padding:5px 10px;border:1px solid #ccc;border-radius:4px;background:#fff}
.mention{background:#e8f5fa;color:#1264a3}.over{color:#b00}"""


def render_html(title: str, messages: list[tuple[str, dict[str, Any]]]) -> str:
    """A page of (caption, message or view) pairs, each with its phone line count."""
    parts = [f"<!doctype html><meta charset='utf-8'><title>{html.escape(title)}</title><style>{_STYLE}</style>"]
    for caption, message in messages:
        lines = phone_lines(message)
        over = " class='over'" if lines > PHONE_SCREEN_LINES else ""
        parts.append(f"<h1>{html.escape(caption)} <span{over}>({lines} phone lines)</span></h1>")
        blocks = message.get("blocks") or []
        body = "".join(_block(b) for b in blocks) if blocks else f"<p>{mrkdwn_html(message.get('text', ''))}</p>"
        parts.append(f"<div class='msg'>{body}</div>")
    return "\n".join(parts)
