"""How long a message looks on a phone, in lines: the measure behind "one phone screen".

A phone shows about 40 lines of a Slack message (portrait, default text size). The count:

* section text: each text line wraps at 40 visible characters (at least 1 line each);
* fields: two to a row; a row is as tall as its taller field, whose lines wrap at 20 characters;
* header: wraps at 30 characters (larger type);
* context: wraps at 50 characters (smaller type), elements run together;
* actions: buttons flow in rows of about 40 characters (label plus 6 for padding), at least 1 row;
* divider: 1; image: 10; anything else: 1.

Visible characters are counted after mrkdwn is undone: ``*bold*`` markers, ``<url|label>``
links (their label) and ``&amp;`` entities count as what the reader sees.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

__all__ = ["PHONE_SCREEN_LINES", "phone_lines", "visible"]

PHONE_SCREEN_LINES = 40
_WIDTH = {"section": 40, "field": 20, "header": 30, "context": 50, "actions": 40}
_LINK = re.compile(r"<([^|>]+)\|([^>]+)>")


def visible(text: str) -> str:
    """What the reader sees of a mrkdwn string."""
    text = _LINK.sub(r"\2", text)
    text = re.sub(r"[*_~`]", "", text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _wrapped(text: str, width: int) -> int:
    return sum(max(1, math.ceil(len(line) / width)) for line in visible(text).split("\n"))


def _block_lines(block: dict[str, Any]) -> int:
    kind = block.get("type")
    if kind == "section":
        n = _wrapped(block["text"]["text"], _WIDTH["section"]) if block.get("text") else 0
        fields = block.get("fields") or []
        for i in range(0, len(fields), 2):
            n += max(_wrapped(f["text"], _WIDTH["field"]) for f in fields[i : i + 2])
        return max(n, 1)
    if kind == "header":
        return _wrapped(block["text"]["text"], _WIDTH["header"])
    if kind == "context":
        return _wrapped(" ".join(e.get("text", "") for e in block.get("elements", [])), _WIDTH["context"])
    if kind == "actions":
        chars = sum(len(e.get("text", {}).get("text", "")) + 6 for e in block.get("elements", []))
        return max(1, math.ceil(chars / _WIDTH["actions"]))
    if kind == "image":
        return 10
    return 1


def phone_lines(message: dict[str, Any] | list[dict[str, Any]]) -> int:
    """Lines a message (or the messages of one reply) takes on a phone screen."""
    messages = message if isinstance(message, list) else [message]
    total = 0
    for m in messages:
        blocks = m.get("blocks") or []
        if isinstance(blocks, str):
            blocks = json.loads(blocks)
        total += sum(_block_lines(b) for b in blocks) if blocks else _wrapped(m.get("text", ""), _WIDTH["section"])
    return total
