"""Conversation keys shared by listeners and digests."""

from __future__ import annotations

__all__ = ["thread_key"]


def thread_key(team_id: str, channel_id: str, thread_ts: str) -> str:
    """Conversation key; team and channel are part of it so no two workspaces can share a thread."""
    return f"{team_id}:{channel_id}:{thread_ts}"
