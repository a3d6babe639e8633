"""Rendering for Slack: Block Kit messages, App Home, modals, error text."""

from __future__ import annotations

from bot.render.blocks import escape, render_answer, render_text, split_text
from bot.render.errors import describe_error
from bot.render.home import render_help, render_home, render_subscriptions

__all__ = [
    "escape", "render_answer", "render_text", "split_text", "describe_error",
    "render_help", "render_home", "render_subscriptions",
]
