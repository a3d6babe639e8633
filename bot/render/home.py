"""App Home tab, digest subscription lists, help text and modals."""

from __future__ import annotations

import json
from typing import Any

from bot.render.blocks import MAX_BLOCKS, render_text
from bot.render.mrkdwn import escape

__all__ = [
    "HELP_TEXT",
    "ask_modal",
    "follow_modal",
    "render_help",
    "render_home",
    "render_subscriptions",
    "subscribe_modal",
    "subscribed_modal",
    "subscription_fields",
]

MAX_HOME_BLOCKS = 100  # Slack's limit for a Home tab (messages: 50)
MAX_FOLLOWED = 20

HELP_TEXT = """*/kpi* answers with numbers from the KPI engine (only you see the reply until you share it).
- `/kpi engagement_rate last 28 days by platform`: any question or KPI request
- `/kpi value <kpi> [period] [by <dimension>]`: current value, change and breakdown
- `/kpi brief [platform] [period]`: how are we doing? your goals, what matters first
- `/kpi scorecard [goal] [period]`: the scorecard of a goal's KPIs
- `/kpi explain <kpi>`: formula, denominator, traps
- `/kpi recommend <goal>`: which KPI to follow for a goal (awareness, engagement, traffic, leads...)
- `/kpi list`: the KPIs I know
- `/kpi digest subscribe weekly mon 09:00 Europe/Berlin goal=awareness`: a digest in this channel
- `/kpi digest list | pause <id> | resume <id> | remove <id> | update <id> <schedule>`
- `/kpi target set engagement_rate 5% by 2027-03-31 platform=instagram owner=@maria`: a target, with its pace
- `/kpi target list | remove <id> | suggest engagement_rate next_quarter`
- `/kpi note 2026-11-18 "LinkedIn feed change" platform=linkedin` (or reply `note: ...` in a digest's thread); `/kpi note list | remove <id>`
Mention me (`@kpi-advisor which KPI for awareness?`) or DM me to get a threaded answer; follow-ups in the thread keep the context."""


def render_help() -> dict[str, Any]:
    return render_text(HELP_TEXT)


def _attr(obj: Any, *names: str, default: Any = None) -> Any:
    for name in names:
        value = obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)
        if value not in (None, ""):
            return value
    return default


def subscription_fields(sub: Any) -> dict[str, Any]:
    """The few subscription fields the bot shows, whatever the digest model calls them."""
    paused = _attr(sub, "paused", default=None)
    status = _attr(sub, "status", default=None)
    if paused is None and status is not None:
        paused = str(status) != "active"
    if paused is None:
        active = _attr(sub, "active", "enabled", default=True)
        paused = not active
    return {
        "id": str(_attr(sub, "id", "sub_id", default="?")),
        "channel": _attr(sub, "channel_id", "channel", default=""),
        "spec": str(_attr(sub, "spec_text", "spec", "description", "summary", default="")),
        "paused": bool(paused),
        "next": _attr(sub, "next_run_at", "next_run", default=None),
    }


def _subscription_line(sub: Any) -> str:
    f = subscription_fields(sub)
    state = " (paused)" if f["paused"] else ""
    where = f" in <#{escape(str(f['channel']))}>" if f["channel"] else ""
    nxt = f", next: {escape(str(f['next']))}" if f["next"] and not f["paused"] else ""
    return f"`{escape(f['id'])}` {escape(f['spec'])}{where}{state}{nxt}"


def render_subscriptions(subs: list[Any]) -> dict[str, Any]:
    """The reply to `/kpi digest list`."""
    if not subs:
        return render_text(
            "No digest subscriptions here yet. Try `/kpi digest subscribe weekly mon 09:00 goal=awareness`."
        )
    blocks: list[dict[str, Any]] = [{"type": "section", "text": {"type": "mrkdwn", "text": _subscription_line(s)}}
                                    for s in subs[: MAX_BLOCKS - 1]]
    if len(subs) >= MAX_BLOCKS:
        blocks.append({"type": "context", "elements": [
            {"type": "mrkdwn", "text": f"…and {len(subs) - (MAX_BLOCKS - 1)} more"}]})
    return {"text": f"{len(subs)} digest subscription(s)", "blocks": blocks}


def _button(action_id: str, text: str, value: str = "", style: str | None = None) -> dict[str, Any]:
    button: dict[str, Any] = {"type": "button", "action_id": action_id,
                              "text": {"type": "plain_text", "text": text}}
    if value:
        button["value"] = value
    if style:
        button["style"] = style
    return button


def render_home(*, config: Any, subscriptions: list[Any], targets: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The App Home view: followed KPIs, targets with pace, digest subscriptions, quick actions."""
    followed = list(_attr(config, "followed_kpis", "kpis", default=[]) or [])
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": "KPI advisor"}},
        {"type": "actions", "elements": [
            _button("home.ask", "Ask a question", style="primary"),
            _button("home.scorecard", "Scorecard"),
            _button("home.subscribe", "Subscribe a channel to a digest"),
            _button("home.follow", "Follow a KPI"),
            _button("home.help", "Help"),
        ]},
        {"type": "divider"},
        {"type": "section", "text": {"type": "mrkdwn", "text": "*Followed KPIs*" + ("" if followed else "\n" + escape(
            "None yet. Press \"Follow a KPI\" above or \"Follow\" on an answer, or ask `/kpi recommend <goal>`."))}},
    ]
    for kpi in followed[:MAX_FOLLOWED]:  # one line each: its value on demand, unfollow in place
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": f"• `{escape(str(kpi))}`"},
                       "accessory": _button("home.unfollow", "Unfollow", str(kpi)[:2000])})
    if followed:
        blocks.append({"type": "actions", "elements": [
            _button("home.followed_values", "Show their values", json.dumps(followed[:MAX_FOLLOWED]))]})
    details = [f"{label}: {escape(str(value))}" for label, value in (
        ("Timezone", _attr(config, "timezone")),
        ("Default channel", _attr(config, "default_channel")),
        ("Data source", _attr(config, "data_source")),
    ) if value]
    if details:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": " · ".join(details)}]})
    if targets is not None:
        from bot.render.governance import render_home_targets

        blocks += render_home_targets(targets)
    blocks += [{"type": "divider"},
               {"type": "section", "text": {"type": "mrkdwn", "text": "*Digest subscriptions*"}}]
    room = MAX_HOME_BLOCKS - len(blocks) - 1
    for sub in subscriptions[:room]:
        f = subscription_fields(sub)
        toggle = (_button("digest.resume", "Resume", f["id"]) if f["paused"]
                  else _button("digest.pause", "Pause", f["id"]))
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": _subscription_line(sub)},
                       "accessory": toggle})
    if not subscriptions:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text":
            "No digests yet: press \"Subscribe a channel to a digest\" above, or run "
            "`/kpi digest subscribe weekly mon 09:00 goal=awareness` in a channel."}]})
    elif len(subscriptions) > room:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text":
            f"…and {len(subscriptions) - room} more (all channels); "
            "`/kpi digest list` in a channel shows that channel's."}]})
    return {"type": "home", "blocks": blocks[:MAX_HOME_BLOCKS]}


def ask_modal(*, private_metadata: str = "") -> dict[str, Any]:
    """Modal opened from App Home: type a question, get the answer in a DM."""
    return {
        "type": "modal", "callback_id": "ask_modal", "private_metadata": private_metadata,
        "title": {"type": "plain_text", "text": "Ask the KPI advisor"},
        "submit": {"type": "plain_text", "text": "Ask"},
        "blocks": [{"type": "input", "block_id": "question", "label": {
            "type": "plain_text", "text": "Question"}, "element": {
            "type": "plain_text_input", "action_id": "value", "max_length": 2000,
            "placeholder": {"type": "plain_text", "text": "which KPI for awareness?"}}}],
    }


def subscribe_modal(*, channel_id: str | None, spec: str = "") -> dict[str, Any]:
    """Digest subscription modal; the spec text is editable.

    Opened from an answer it knows its channel; opened from App Home it asks for one.
    """
    element: dict[str, Any] = {"type": "plain_text_input", "action_id": "value", "max_length": 500}
    if spec:
        element["initial_value"] = spec
    blocks: list[dict[str, Any]] = []
    if not channel_id:
        blocks.append({"type": "input", "block_id": "channel",
                       "label": {"type": "plain_text", "text": "Post to"},
                       "element": {"type": "conversations_select", "action_id": "value",
                                   "filter": {"include": ["public", "private", "im"],
                                              "exclude_bot_users": True}}})
    blocks.append({"type": "input", "block_id": "spec", "label": {"type": "plain_text", "text": "Schedule"},
                   "element": element,
                   "hint": {"type": "plain_text", "text": "e.g. weekly mon 09:00 Europe/Berlin goal=awareness"}})
    return {
        "type": "modal", "callback_id": "subscribe_modal", "private_metadata": channel_id or "",
        "title": {"type": "plain_text", "text": "Subscribe to a digest"},
        "submit": {"type": "plain_text", "text": "Subscribe"},
        "blocks": blocks,
    }


def subscribed_modal(done: str) -> dict[str, Any]:
    """What the subscribe modal turns into once saved: the confirmation (``done`` is escaped mrkdwn)."""
    return {
        "type": "modal", "callback_id": "subscribed_modal",
        "title": {"type": "plain_text", "text": "Subscribed"},
        "close": {"type": "plain_text", "text": "Done"},
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": f":white_check_mark: {done}"}},
                   {"type": "context", "elements": [{"type": "mrkdwn", "text":
                       "I sent you this in a DM too. Your Home tab lists every digest, with pause and resume."}]}],
    }


def follow_modal(kpis: list[tuple[str, str]], followed: list[str]) -> dict[str, Any]:
    """Pick a KPI to follow (the catalog's, minus those already followed; Slack shows at most 100)."""
    options = [{"text": {"type": "plain_text", "text": f"{name} ({kid})"[:75]}, "value": kid}
               for kid, name in kpis if kid not in followed][:100]
    view: dict[str, Any] = {"type": "modal", "callback_id": "follow_modal",
                            "title": {"type": "plain_text", "text": "Follow a KPI"}}
    if not options:
        view["blocks"] = [{"type": "section", "text": {"type": "mrkdwn", "text":
                           "Every KPI in the catalog is followed already." if kpis else "No KPIs to follow."}}]
        return view
    view["submit"] = {"type": "plain_text", "text": "Follow"}
    view["blocks"] = [{"type": "input", "block_id": "kpi", "label": {"type": "plain_text", "text": "KPI"},
                       "element": {"type": "static_select", "action_id": "value", "options": options,
                                   "placeholder": {"type": "plain_text", "text": "Engagement rate"}}}]
    return view
