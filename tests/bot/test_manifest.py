"""The manifest asks for exactly the scopes and events the code uses, derived from the code itself:
every Web API method it calls and every event it listens to."""

from __future__ import annotations

import ast
from pathlib import Path

import yaml
from slack_sdk import WebClient

ROOT = Path(__file__).resolve().parents[2]
BOT = ROOT / "bot"

# Bot scopes each Web API method needs (Slack's method reference). A method used in the code and
# missing here fails the test: look its scopes up and add it.
METHOD_SCOPES: dict[str, set[str]] = {
    "auth.test": set(),
    "api.test": set(),
    "apps.connections.open": set(),  # app-level token (connections:write), not a bot scope
    "chat.postMessage": {"chat:write"},  # a user id as channel posts in the app's DM
    "chat.postEphemeral": {"chat:write"},
    "chat.update": {"chat:write"},
    "files.upload.v2": {"files:write"},  # files.getUploadURLExternal + files.completeUploadExternal
    "views.open": set(),
    "views.publish": set(),
    "conversations.open": {"im:write"},
    # membership check before a digest is saved: public and private channels (DMs are not checked)
    "conversations.info": {"channels:read", "groups:read"},
    # the digests' crash-recovery lookup reads their own post back wherever it went
    "conversations.history": {"channels:history", "groups:history", "im:history", "mpim:history"},
}
EVENT_SCOPES: dict[str, set[str]] = {
    "app_mention": {"app_mentions:read"},
    "message.im": {"im:history"},
    "message.channels": {"channels:history"},
    "message.groups": {"groups:history"},
    "message.mpim": {"mpim:history"},
    "app_home_opened": set(),
    "app_uninstalled": set(),
    "tokens_revoked": set(),
}
_CHANNEL_TYPE_EVENTS = {"im": "message.im", "channel": "message.channels", "group": "message.groups",
                        "mpim": "message.mpim"}
_API_METHODS = {name for name, value in vars(WebClient).items()
                if callable(value) and not name.startswith("_") and name != "api_call"}


def _trees() -> list[ast.AST]:
    return [ast.parse(p.read_text(encoding="utf-8")) for p in sorted(BOT.rglob("*.py"))]


def used_api_methods() -> set[str]:
    """Every WebClient method the bot names (called, or passed to a retry wrapper), as Slack spells it."""
    names = {node.attr for tree in _trees() for node in ast.walk(tree)
             if isinstance(node, ast.Attribute) and node.attr in _API_METHODS}
    return {name.replace("_", ".") for name in names}


def _string_args(call: ast.Call) -> list[str]:
    return [a.value for a in call.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]


def _is_call_to(node: ast.AST, attr: str) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == attr


def used_events_and_commands() -> tuple[set[str], set[str]]:
    events: set[str] = set()
    commands: set[str] = set()
    channel_types: set[str] = set()
    for tree in _trees():
        for node in ast.walk(tree):
            if _is_call_to(node, "event"):
                events.update(_string_args(node))
            elif _is_call_to(node, "command"):  # bolt's app.command("/kpi"), not the CLI's typer commands
                commands.update(a for a in _string_args(node) if a.startswith("/"))
            elif _is_call_to(node, "enable_token_revocation_listeners"):
                events.update({"app_uninstalled", "tokens_revoked"})
            elif isinstance(node, ast.Compare) and _is_call_to(node.left, "get") \
                    and _string_args(node.left) == ["channel_type"]:
                for comp in node.comparators:  # event.get("channel_type") == "im" / in ("channel", "group")
                    for const in ast.walk(comp):
                        if isinstance(const, ast.Constant) and isinstance(const.value, str):
                            channel_types.add(const.value)
    if "message" in events:
        events.discard("message")
        events.update(_CHANNEL_TYPE_EVENTS[t] for t in channel_types)
    return events, commands


def _manifest() -> dict:
    return yaml.safe_load((BOT / "manifest.yaml").read_text())


def test_the_code_scan_finds_what_the_bot_does():
    methods = used_api_methods()
    assert {"chat.postMessage", "chat.update", "views.publish", "conversations.history"} <= methods
    events, commands = used_events_and_commands()
    assert {"app_mention", "message.im", "message.channels", "app_home_opened"} <= events
    assert commands == {"/kpi"}


def test_manifest_scopes_are_exactly_what_the_code_uses():
    methods = used_api_methods()
    unknown = methods - set(METHOD_SCOPES)
    assert not unknown, f"look up the scopes of {sorted(unknown)} and add them to METHOD_SCOPES"
    events, commands = used_events_and_commands()
    needed = set().union(*(METHOD_SCOPES[m] for m in methods), *(EVENT_SCOPES[e] for e in events))
    if commands:
        needed.add("commands")
    manifest = _manifest()
    granted = set(manifest["oauth_config"]["scopes"]["bot"])
    assert granted - needed == set(), "the manifest asks for scopes the code never uses"
    assert needed - granted == set(), "the code needs scopes the manifest does not ask for"
    assert set(manifest["settings"]["event_subscriptions"]["bot_events"]) == events
    assert {c["command"] for c in manifest["features"]["slash_commands"]} == commands


def test_oauth_installs_ask_for_the_manifest_scopes():
    from bot.oauth import BOT_SCOPES

    assert sorted(BOT_SCOPES) == sorted(_manifest()["oauth_config"]["scopes"]["bot"])

