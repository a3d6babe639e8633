"""Answer -> Block Kit messages with text fallbacks, split to respect Slack's limits."""

from __future__ import annotations

import json
from typing import Any

from advisor.answer import Answer
from advisor.narrator import fallback_note

__all__ = [
    "MAX_BLOCKS", "MAX_SECTION_CHARS", "escape", "split_text", "chunk_blocks",
    "render_answer", "render_text", "share_value", "ACTION_PREFIX",
]

MAX_BLOCKS = 50
MAX_SECTION_CHARS = 3000
MAX_FIELDS = 10
MAX_FIELD_CHARS = 2000
MAX_HEADER_CHARS = 150
MAX_BUTTON_VALUE = 2000
MAX_FALLBACK_CHARS = 3000
ACTION_PREFIX = "kpi."

Block = dict[str, Any]
Message = dict[str, Any]


def escape(text: str) -> str:
    """Escape mrkdwn control characters so advisor or user text can never ping @channel."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _mrkdwn(text: str) -> str:
    lines = []
    for line in escape(text).splitlines():
        stripped = line.lstrip()
        if stripped.startswith("- "):  # Slack has no list syntax in mrkdwn sections
            line = line[: len(line) - len(stripped)] + "• " + stripped[2:]
        lines.append(line)
    return "\n".join(lines)


def split_text(text: str, limit: int = MAX_SECTION_CHARS) -> list[str]:
    """Split at line breaks (then spaces, then hard) into chunks of at most ``limit`` chars."""
    chunks: list[str] = []
    current = ""
    for line in text.splitlines():
        while len(line) > limit:
            cut = line.rfind(" ", 0, limit)
            cut = cut if cut > limit // 2 else limit
            if current:
                chunks.append(current)
                current = ""
            chunks.append(line[:cut])
            line = line[cut:].lstrip()
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            chunks.append(current)
            current = line
        else:
            current = candidate
    if current:
        chunks.append(current)
    return [c for c in chunks if c.strip()] or ([text[:limit]] if text.strip() else [])


def _section(text: str) -> list[Block]:
    return [{"type": "section", "text": {"type": "mrkdwn", "text": chunk}}
            for chunk in split_text(text)]


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def chunk_blocks(blocks: list[Block], limit: int = MAX_BLOCKS) -> list[list[Block]]:
    """Group blocks into messages of at most ``limit`` blocks each."""
    return [blocks[i : i + limit] for i in range(0, len(blocks), limit)] or [[]]


def share_value(question: str, token: str | None = None) -> str | None:
    """Button value for "Share to channel": the cached answer's token, and the question to re-ask."""
    data = {"t": token, "q": question} if token else {"q": question}
    value = json.dumps(data, separators=(",", ":"))
    if len(value) > MAX_BUTTON_VALUE and token:
        value = json.dumps({"t": token}, separators=(",", ":"))
    return value if len(value) <= MAX_BUTTON_VALUE else None


def _buttons(answer: Answer, share: bool, token: str | None) -> list[Block]:
    elements: list[Block] = []
    seen: set[str] = set()
    for action in answer.actions:
        value = json.dumps(action.payload, separators=(",", ":"), default=str)
        # pick-one buttons (which goal? which KPI?) come several to a block: numbered action_ids
        action_id = f"{action.id}.{len(seen)}" if action.id.startswith("choose_") else action.id
        if action_id in seen or len(value) > MAX_BUTTON_VALUE:
            continue  # action_ids must be unique per block; oversized values are rejected by Slack
        seen.add(action_id)
        elements.append({
            "type": "button",
            "action_id": f"{ACTION_PREFIX}{action_id}",
            "text": {"type": "plain_text", "text": _truncate(action.label, 75)},
            "value": value,
        })
    if share and (value := share_value(answer.question, token)) is not None:
        elements.append({
            "type": "button", "action_id": f"{ACTION_PREFIX}share", "style": "primary",
            "text": {"type": "plain_text", "text": "Share to channel"}, "value": value,
        })
    return [{"type": "actions", "elements": elements[:25]}] if elements else []


def _fact_blocks(answer: Answer) -> list[Block]:
    fields = [
        {"type": "mrkdwn", "text": _truncate(f"*{escape(f.label)}*\n{escape(f.display)}", MAX_FIELD_CHARS)}
        for f in answer.facts
    ]
    return [{"type": "section", "fields": fields[i : i + MAX_FIELDS]}
            for i in range(0, len(fields), MAX_FIELDS)]


def render_answer(
    answer: Answer, *, share: bool = False, share_token: str | None = None, buttons: bool = True,
    context: str | None = None,
) -> list[Message]:
    """Block Kit messages for ``answer`` (usually one); ``share`` adds "Share to channel"."""
    blocks: list[Block] = []
    if answer.title:
        blocks.append({"type": "header", "text": {
            "type": "plain_text", "text": _truncate(answer.title, MAX_HEADER_CHARS), "emoji": True}})
    if answer.summary:
        blocks += _section(_mrkdwn(answer.summary))
    if answer.intent != "brief":  # a briefing's lines come first; its sections show every number already
        blocks += _fact_blocks(answer)
    for section in answer.sections:
        body = _mrkdwn(section.text)
        blocks += _section(f"*{escape(section.title)}*\n{body}" if section.title else body)
    # Template wording after a model failure is not a problem with the data: one quiet line, no icon.
    fallback = fallback_note(answer.fallback_reason) if answer.fallback_reason else None
    for warning in [w for w in answer.warnings if w != fallback][:10]:
        blocks.append({"type": "context", "elements": [
            {"type": "mrkdwn", "text": _truncate(f":warning: {escape(warning)}", MAX_SECTION_CHARS)}]})
    if fallback:
        blocks.append({"type": "context", "elements": [
            {"type": "mrkdwn", "text": _truncate(escape(fallback).replace("\n", " "), 150)}]})
    if answer.citations:
        sources = "; ".join(
            f"{escape(c.title)} – {escape(c.heading)}" if c.heading else escape(c.title)
            for c in answer.citations[:10]
        )
        blocks.append({"type": "context", "elements": [
            {"type": "mrkdwn", "text": _truncate(f"Sources: {sources}", MAX_SECTION_CHARS)}]})
    if context:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": context}]})
    tail = _buttons(answer, share, share_token) if buttons else []
    # The buttons must land with the last message, so reserve room for them.
    groups = chunk_blocks(blocks, MAX_BLOCKS)
    if tail:
        if len(groups[-1]) + len(tail) > MAX_BLOCKS:
            groups.append([])
        groups[-1] = groups[-1] + tail
    fallback = _truncate(escape(answer.text), MAX_FALLBACK_CHARS)
    messages: list[Message] = []
    for i, group in enumerate(groups):
        text = fallback if i == 0 else f"{_truncate(answer.title, 100)} (continued)"
        messages.append({"text": text, "blocks": group})
    return messages


def render_text(text: str, *, context: str | None = None) -> Message:
    """A plain message (status, errors, confirmations) with the same limits applied."""
    blocks = _section(_mrkdwn(text))[: MAX_BLOCKS - 1]
    if context:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": escape(context)}]})
    return {"text": _truncate(escape(text), MAX_FALLBACK_CHARS), "blocks": blocks}
