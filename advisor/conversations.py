"""Thread context for follow-ups, stored per (workspace, thread) in the state database."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Mapped, Session

from advisor.state import tables

from .answer import Answer, Context
from .db import Base

if TYPE_CHECKING:
    from sqlalchemy import Engine as SqlEngine

__all__ = ["ConversationStore"]

MAX_TURNS = 20


class _Turn(Base):
    __table__ = tables.conversation_turns

    id: Mapped[int]
    team_id: Mapped[str]
    thread_key: Mapped[str]
    created_at: Mapped[datetime]
    question: Mapped[str]
    summary: Mapped[str]
    context: Mapped[str]


class ConversationStore:
    def __init__(self, *, db: SqlEngine):
        self._db = db

    def remember(self, team_id: str, thread_key: str, answer: Answer) -> None:
        with Session(self._db) as s:
            s.add(_Turn(team_id=team_id, thread_key=thread_key, created_at=datetime.now(UTC),
                        question=answer.question[:2000], summary=answer.summary[:2000],
                        context=answer.context.model_dump_json()))
            s.commit()

    def context(self, team_id: str, thread_key: str) -> Context | None:
        """The latest turn's context, or None for a new thread."""
        with Session(self._db) as s:
            row = s.scalars(
                select(_Turn).where(_Turn.team_id == team_id, _Turn.thread_key == thread_key)
                .order_by(_Turn.id.desc()).limit(1)
            ).first()
        return Context.model_validate_json(row.context) if row else None

    def history(self, team_id: str, thread_key: str, n: int = 6) -> list[str]:
        """The thread's last ``n`` turns as 'Q: ... / A: ...' lines, oldest first."""
        with Session(self._db) as s:
            rows = list(s.scalars(
                select(_Turn).where(_Turn.team_id == team_id, _Turn.thread_key == thread_key)
                .order_by(_Turn.id.desc()).limit(min(n, MAX_TURNS))
            ))
        return [f"Q: {r.question}\nA: {r.summary}" for r in reversed(rows)]
