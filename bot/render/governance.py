"""App Home targets section and the target / note modals."""

from __future__ import annotations

from typing import Any

from bot.render.mrkdwn import escape

__all__ = ["modal_values", "note_modal", "render_home_targets", "target_modal"]

_STATUS_EMOJI = {"on_track": ":large_green_circle:", "at_risk": ":large_yellow_circle:",
                 "off_track": ":red_circle:", "achieved": ":white_check_mark:", "missed": ":x:"}


def _button(action_id: str, text: str) -> dict[str, Any]:
    return {"type": "button", "action_id": action_id, "text": {"type": "plain_text", "text": text}}


def render_home_targets(targets: list[dict[str, Any]], *, room: int = 12) -> list[dict[str, Any]]:
    """Blocks for the Home tab: each active target's pace line, owner mentioned, and the two buttons."""
    blocks: list[dict[str, Any]] = [
        {"type": "divider"},
        {"type": "section", "text": {"type": "mrkdwn", "text": "*Targets*"}},
    ]
    for t in targets[: max(room - 4, 0)]:
        owner = f" · owner <@{t['owner']}>" if t.get("owner") else (
            f" · owner {escape(str(t['owner_name']))}" if t.get("owner_name") else "")
        emoji = _STATUS_EMOJI.get(str(t.get("status")), ":white_circle:")
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": (
            f"{emoji} `#{int(t['id'])}` {escape(str(t['line']))}{owner}")}})
    if not targets:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": (
            "No targets yet: `/kpi target set engagement_rate 5% by 2027-03-31 owner=@you`, or "
            "`/kpi target suggest engagement_rate next_quarter` for a suggestion.")}]})
    blocks.append({"type": "actions", "elements": [_button("home.target", "Set a target"),
                                                   _button("home.note", "Add a note")]})
    return blocks


def _input(block_id: str, label: str, *, placeholder: str = "", optional: bool = False,
           multiline: bool = False, max_length: int = 200, hint: str = "") -> dict[str, Any]:
    element: dict[str, Any] = {"type": "plain_text_input", "action_id": "value", "max_length": max_length,
                               "multiline": multiline}
    if placeholder:
        element["placeholder"] = {"type": "plain_text", "text": placeholder}
    block: dict[str, Any] = {"type": "input", "block_id": block_id, "optional": optional,
                             "label": {"type": "plain_text", "text": label}, "element": element}
    if hint:
        block["hint"] = {"type": "plain_text", "text": hint}
    return block


def target_modal() -> dict[str, Any]:
    """Set a target from App Home: KPI, value, period, filters, owner (a user picker, so DMs can reach them)."""
    return {
        "type": "modal", "callback_id": "target_modal",
        "title": {"type": "plain_text", "text": "Set a target"},
        "submit": {"type": "plain_text", "text": "Set target"},
        "blocks": [
            _input("kpi", "KPI", placeholder="engagement_rate", max_length=64,
                   hint="A KPI id, as /kpi list shows them."),
            _input("value", "Target", placeholder="5%", max_length=32,
                   hint="In the KPI's unit: 5%, 12000, 1.2M, 30min."),
            _input("period", "Period", placeholder="2027-Q1, next quarter or by 2027-03-31", optional=True,
                   max_length=64, hint="Empty: this quarter."),
            _input("filters", "Only for", placeholder="platform=instagram", optional=True, max_length=200),
            {"type": "input", "block_id": "owner", "optional": True,
             "label": {"type": "plain_text", "text": "Owner"},
             "element": {"type": "users_select", "action_id": "value"},
             "hint": {"type": "plain_text", "text": "Told by DM when the target goes off track."}},
        ],
    }


def note_modal() -> dict[str, Any]:
    """Add a note from App Home: a day (or a range), what happened, optional filters."""
    return {
        "type": "modal", "callback_id": "note_modal",
        "title": {"type": "plain_text", "text": "Add a note"},
        "submit": {"type": "plain_text", "text": "Add note"},
        "blocks": [
            {"type": "input", "block_id": "start", "label": {"type": "plain_text", "text": "Day"},
             "element": {"type": "datepicker", "action_id": "value"}},
            {"type": "input", "block_id": "end", "optional": True,
             "label": {"type": "plain_text", "text": "Until (for a range)"},
             "element": {"type": "datepicker", "action_id": "value"}},
            _input("text", "What happened", placeholder="LinkedIn feed change", multiline=True, max_length=500),
            _input("filters", "Only for", placeholder="platform=linkedin", optional=True, max_length=200),
        ],
    }


def modal_values(view: dict[str, Any]) -> dict[str, Any]:
    """{block_id: typed text, picked date or picked user} of a submitted modal."""
    out: dict[str, Any] = {}
    for block_id, actions in (view.get("state") or {}).get("values", {}).items():
        element = actions.get("value") or {}
        value = element.get("value") or element.get("selected_date") or element.get("selected_user")
        out[block_id] = value.strip() if isinstance(value, str) else value
    return out
