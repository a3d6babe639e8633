"""Rendering for Slack: Block Kit messages, App Home, modals, error text."""

from __future__ import annotations

from bot.render.blocks import render_answer, render_details, render_text, split_text
from bot.render.errors import describe_error, modal_error
from bot.render.home import render_help, render_home, render_subscriptions
from bot.render.measure import phone_lines
from bot.render.mrkdwn import escape, to_mrkdwn

__all__ = [
    "describe_error",
    "escape",
    "modal_error",
    "phone_lines",
    "render_answer",
    "render_details",
    "render_help",
    "render_home",
    "render_subscriptions",
    "render_text",
    "split_text",
    "to_mrkdwn",
]
