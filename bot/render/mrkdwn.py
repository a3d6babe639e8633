"""The one place where text becomes Slack mrkdwn: escaping, light Markdown, whole-word cuts.

Every data-derived string (platform, account, campaign, topic and KPI names, advisor text,
guidance excerpts, user input echoed back) goes through :func:`escape` before it reaches a
``mrkdwn`` text object or a message's ``text`` fallback, so a name like ``tik<!channel>&tok``
can never ping a channel. Slack's rule: replace ``&``, ``<`` and ``>`` with their HTML
entities, nothing else (https://api.slack.com/reference/surfaces/formatting#escaping).
``plain_text`` objects (headers, button labels, modal titles) are never parsed for mentions
or links, so they carry the raw text.

Build markup that the bot itself means (``<#C123>``, ``<@U1>``) only around already escaped data.
"""

from __future__ import annotations

import re

__all__ = ["cut_sentences", "cut_words", "escape", "plain", "to_mrkdwn"]

_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")
_BULLET = re.compile(r"^(\s*)[-*+]\s+")
_LINK = re.compile(r"\[([^\]\n]+)\]\((https?://[^\s)]+)\)")
_ENTITY = re.compile(r"&(amp|lt|gt);")


def escape(text: object) -> str:
    """Slack-escape ``&``, ``<`` and ``>`` (the only control characters of mrkdwn and fallbacks)."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _link(m: re.Match[str]) -> str:
    url = m.group(2).replace("|", "%7C")
    return f"<{url}|{m.group(1)}>"


def to_mrkdwn(text: str) -> str:
    """Escaped Slack mrkdwn from light Markdown: ``**bold**`` -> ``*bold*``, headings bold,
    ``- item`` -> ``• item``, ``[text](https://...)`` -> a link. Everything else is escaped text
    (``__x__`` is left alone: in this data it is more often a name than emphasis)."""
    lines = []
    for line in escape(text).splitlines():
        heading = _HEADING.match(line)
        if heading:
            line = f"*{heading.group(1).strip('*')}*" if heading.group(1) else ""
        bullet = _BULLET.match(line)
        if bullet and not line.lstrip().startswith("**"):
            line = f"{bullet.group(1)}• {line[bullet.end():]}"
        line = _BOLD.sub(r"*\1*", line)
        # the URL was escaped with the rest; Slack wants the link's own characters escaped the same way
        line = _LINK.sub(_link, line)
        lines.append(line)
    return "\n".join(lines)


def plain(text: str) -> str:
    """Text without Markdown or mrkdwn emphasis, for plain_text objects and modal errors."""
    text = _LINK.sub(r"\1", text)
    text = re.sub(r"[`*]+", "", text)
    text = re.sub(r"(?<!\w)_(\S[^_]*?\S|\S)_(?!\w)", r"\1", text)
    return _ENTITY.sub(lambda m: {"amp": "&", "lt": "<", "gt": ">"}[m.group(1)], text)


def cut_words(text: str, limit: int, ellipsis: str = "…") -> str:
    """``text`` shortened to at most ``limit`` characters at a word boundary (never mid-word)."""
    text = text.strip()
    if len(text) <= limit:
        return text
    room = limit - len(ellipsis)
    cut = text.rfind(" ", 0, room + 1)
    head = text[: cut if cut > 0 else room].rstrip(" ,;:-–")
    return head + ellipsis


_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]?(?=\s+|$)")


def cut_sentences(text: str, limit: int) -> str:
    """Whole sentences of ``text`` that fit in ``limit`` characters (at least the first sentence,
    cut at a word if it alone is too long)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    best = 0
    for m in _SENTENCE_END.finditer(text):
        if m.end() > limit:
            break
        best = m.end()
    return text[:best].strip() if best else cut_words(text, limit)
