"""Answer -> Block Kit messages with text fallbacks, split to respect Slack's limits."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from advisor.answer import Answer
from advisor.narrator import fallback_note
from bot.render.mrkdwn import escape, to_mrkdwn

__all__ = [
    "ACTION_PREFIX",
    "MAX_BLOCKS",
    "MAX_SECTION_CHARS",
    "chunk_blocks",
    "escape",
    "render_answer",
    "render_details",
    "render_text",
    "share_value",
    "split_text",
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


_mrkdwn = to_mrkdwn  # escaped, with light Markdown turned into Slack's own


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


def _buttons(answer: Answer, share: bool, token: str | None, extra: Sequence[Block] = ()) -> list[Block]:
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
    elements += list(extra)
    if share and (shared := share_value(answer.question, token)) is not None:
        elements.append({
            "type": "button", "action_id": f"{ACTION_PREFIX}share", "style": "primary",
            "text": {"type": "plain_text", "text": "Share to channel"}, "value": shared,
        })
    return [{"type": "actions", "elements": elements[:25]}] if elements else []


MAX_WHY_LINES = 8  # the first message's "why": a few short lines (the rest is one click away)
MAX_WARNINGS = 2


def _context_block(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": _truncate(text, MAX_SECTION_CHARS)}]}


def answer_value(answer: Answer, view: str, token: str | None) -> str | None:
    """Button value for "Show numbers" / "Sources": the cached answer's token and the question."""
    value = share_value(answer.question, token)
    if value is None:
        return None
    data = json.loads(value)
    data["v"] = view
    return json.dumps(data, separators=(",", ":"))


def _detail_buttons(answer: Answer, token: str | None) -> list[Block]:
    from bot.render.details import split_sections, unique_citations

    buttons: list[Block] = []
    _, left = split_sections(answer, MAX_WHY_LINES)
    if answer.facts or left:
        label = "Show numbers" if answer.facts else "More detail"
        value = answer_value(answer, "numbers", token)
        if value:
            buttons.append({"type": "button", "action_id": f"{ACTION_PREFIX}details",
                            "text": {"type": "plain_text", "text": label}, "value": value})
    if unique_citations(answer):
        value = answer_value(answer, "sources", token)
        if value:
            buttons.append({"type": "button", "action_id": f"{ACTION_PREFIX}sources",
                            "text": {"type": "plain_text", "text": "Sources"}, "value": value})
    return buttons


def render_answer(
    answer: Answer, *, share: bool = False, share_token: str | None = None, buttons: bool = True,
    context: str | None = None, token: str | None = None, chart_note: str | None = None,
    chart_button: bool = False,
) -> list[Message]:
    """Block Kit messages for ``answer`` (one, within a phone screen): the headline with the number
    and verdict, a few lines of why, then buttons; every number, definition and source is behind
    "Show numbers" / "Sources" (see :func:`render_details`). ``share`` adds "Share to channel";
    ``token`` is the cached answer the detail buttons show (``share_token`` when not given)."""
    from bot.render.details import split_sections, unique_citations

    token = token or share_token
    blocks: list[Block] = []
    if answer.title:
        blocks.append({"type": "header", "text": {
            "type": "plain_text", "text": _truncate(answer.title, MAX_HEADER_CHARS), "emoji": True}})
    shown, _ = split_sections(answer, MAX_WHY_LINES)
    narrative = next((s for s, _ in shown if s.kind == "narrative"), None) if answer.intent == "digest" else None
    lead = narrative.text if narrative is not None else answer.summary
    if lead:
        blocks += _section(_mrkdwn(lead))
    for section, lines in shown:
        if section is narrative:
            continue
        body = _mrkdwn("\n".join(lines))
        blocks += _section(f"*{escape(section.title)}*\n{body}" if section.title else body)
    # Template wording after a model failure is not a problem with the data: one quiet line, no icon.
    fallback = fallback_note(answer.fallback_reason) if answer.fallback_reason else None
    for warning in [w for w in answer.warnings if w != fallback][:MAX_WARNINGS]:
        blocks.append(_context_block(f":warning: {escape(warning)}"))
    if fallback:
        blocks.append({"type": "context", "elements": [
            {"type": "mrkdwn", "text": _truncate(escape(fallback).replace("\n", " "), 150)}]})
    sources = unique_citations(answer)
    if sources:  # the documents, named once; their excerpts are behind "Sources"
        titles = list(dict.fromkeys(c.title for c in sources))
        blocks.append(_context_block("Drawn from: " + "; ".join(escape(t) for t in titles[:5])))
    if chart_note:
        blocks.append(_context_block(escape(chart_note)))
    if context:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": context}]})
    extra = _detail_buttons(answer, token)
    if answer.kpi_id and answer.intent in ("value", "compare", "why", "explain", "recommend", "verdict"):
        extra.append({"type": "button", "action_id": f"{ACTION_PREFIX}follow",
                      "text": {"type": "plain_text", "text": "Follow"},
                      "value": json.dumps({"kpi_id": answer.kpi_id}, separators=(",", ":"))})
    if chart_button and token:
        extra.append({"type": "button", "action_id": f"{ACTION_PREFIX}chart",
                      "text": {"type": "plain_text", "text": "Chart by DM"},
                      "value": json.dumps({"t": token}, separators=(",", ":"))})
    tail = _buttons(answer, share, share_token, extra=extra) if buttons else []
    # The buttons must land with the last message, so reserve room for them.
    groups = chunk_blocks(blocks, MAX_BLOCKS)
    if tail:
        if len(groups[-1]) + len(tail) > MAX_BLOCKS:
            groups.append([])
        groups[-1] = groups[-1] + tail
    headline = "\n".join(p for p in (answer.title, answer.summary) if p)
    fallback_text = _truncate(escape(headline), MAX_FALLBACK_CHARS)
    messages: list[Message] = []
    for i, group in enumerate(groups):
        text = fallback_text if i == 0 else f"{_truncate(escape(answer.title), 100)} (continued)"
        messages.append({"text": text, "blocks": group})
    return messages


def render_details(answer: Answer, view: str) -> list[Message]:
    """What "Show numbers" (``numbers``) or "Sources" (``sources``) posts: the rest of the answer,
    never what its first message already said."""
    from bot.render.details import numbers_text, sources_text, split_sections

    title = _truncate(answer.title or "Answer", 100)
    blocks: list[Block] = []
    if view == "sources":
        body = sources_text(answer)
        head = f"Sources: {title}"
        blocks += _section(body or "This answer drew on no guidance documents.")
    else:
        head = f"Numbers: {title}" if answer.facts else f"More on: {title}"
        numbers = numbers_text(answer)
        if numbers:
            blocks += _section(numbers)  # the labels and values are already escaped mrkdwn
        _, left = split_sections(answer, MAX_WHY_LINES)
        for section in left:
            body = _mrkdwn(section.text)
            blocks += _section(f"*{escape(section.title)}*\n{body}" if section.title else body)
        for warning in answer.warnings[MAX_WARNINGS:]:
            blocks.append(_context_block(f":warning: {escape(warning)}"))
        footnote = getattr(answer, "footnote", None)
        if footnote:
            blocks.append(_context_block(escape(footnote)))
        if not blocks:
            blocks += _section("Nothing more: the answer above is all of it.")
    blocks.insert(0, {"type": "header", "text": {"type": "plain_text", "text": _truncate(head, MAX_HEADER_CHARS)}})
    return [{"text": escape(head), "blocks": group} for group in chunk_blocks(blocks, MAX_BLOCKS)]


def render_text(text: str, *, context: str | None = None) -> Message:
    """A plain message (status, errors, confirmations) with the same limits applied."""
    blocks = _section(_mrkdwn(text))[: MAX_BLOCKS - 1]
    if context:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": escape(context)}]})
    return {"text": _truncate(escape(text), MAX_FALLBACK_CHARS), "blocks": blocks}
