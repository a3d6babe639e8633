"""Notes: what happened when ("LinkedIn feed change", a launch), per workspace.

A note has a day or a range, text, optional filters (platform=linkedin) and an
author. "Why did it move?" answers, digests and charts cite the notes inside or
just before their period whose filters fit the question's: a note without
filters fits everything; a LinkedIn note fits a LinkedIn or unfiltered question,
not an Instagram-only one.
"""

from __future__ import annotations

import builtins
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict
from sqlalchemy import func, select
from sqlalchemy.orm import Mapped, Session

from advisor.state import tables

from .db import Base
from .errors import AdvisorError

if TYPE_CHECKING:
    from sqlalchemy import Engine as SqlEngine

__all__ = [
    "LEAD_DAYS",
    "MAX_NOTES",
    "MAX_NOTE_CHARS",
    "Note",
    "NoteError",
    "NoteNotFound",
    "NoteStore",
    "fits",
]

MAX_NOTE_CHARS = 500
MAX_NOTES = 5000  # per workspace
LEAD_DAYS = 7  # a note this many days before a period may explain it


class NoteError(AdvisorError):
    """A note cannot be stored as asked; the message says what to change."""


class NoteNotFound(NoteError):
    """No note with that id in this workspace."""


class _NoteRow(Base):
    __table__ = tables.kpi_notes

    id: Mapped[int]
    team_id: Mapped[str]
    start_date: Mapped[date]
    end_date: Mapped[date]
    text: Mapped[str]
    filters: Mapped[dict[str, list[str]]]
    author: Mapped[str]
    source: Mapped[str]
    created_at: Mapped[datetime]


class Note(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    team_id: str
    start: date
    end: date
    text: str
    filters: dict[str, list[str]] = {}
    author: str = ""
    source: str = "cli"
    created_at: datetime

    def when(self) -> str:
        """'18 Nov 2026' or '18-20 Nov 2026' (the form answers cite)."""
        if self.start == self.end:
            return f"{self.start.day} {self.start:%b %Y}"
        if (self.start.year, self.start.month) == (self.end.year, self.end.month):
            return f"{self.start.day}-{self.end.day} {self.end:%b %Y}"
        return f"{self.start.day} {self.start:%b %Y} to {self.end.day} {self.end:%b %Y}"


def fits(note_filters: dict[str, list[str]], filters: dict[str, list[str]] | None) -> bool:
    """Whether a note scoped by ``note_filters`` can bear on a question scoped by ``filters``."""
    for dim, values in (note_filters or {}).items():
        wanted = (filters or {}).get(dim)
        if wanted and not {v.lower() for v in values} & {w.lower() for w in wanted}:
            return False
    return True


def _note(row: _NoteRow) -> Note:
    return Note(id=row.id, team_id=row.team_id, start=row.start_date, end=row.end_date, text=row.text,
                filters=dict(row.filters or {}), author=row.author, source=row.source, created_at=row.created_at)


class NoteStore:
    """Notes in the state database; every method takes the workspace (team id) first."""

    def __init__(self, *, db: SqlEngine):
        self._db = db

    def add(self, team_id: str, *, start: date, text: str, end: date | None = None,
            filters: dict[str, list[str]] | None = None, author: str = "", source: str = "cli") -> Note:
        text = " ".join((text or "").split())
        if not text:
            raise NoteError('A note needs text, e.g. `/kpi note 2026-11-18 "LinkedIn feed change"`.')
        if len(text) > MAX_NOTE_CHARS:
            raise NoteError(f"That note is {len(text):,} characters; keep it under {MAX_NOTE_CHARS}.")
        end = end or start
        if end < start:
            raise NoteError(f"The note's range ends ({end}) before it starts ({start}); write START..END.")
        with Session(self._db) as s:
            count = s.scalar(select(func.count()).select_from(_NoteRow).where(_NoteRow.team_id == team_id))
            if (count or 0) >= MAX_NOTES:
                raise NoteError(f"This workspace has {MAX_NOTES} notes; remove old ones first.")
            row = _NoteRow(team_id=team_id, start_date=start, end_date=end, text=text,
                           filters={d: sorted(v) for d, v in (filters or {}).items() if v},
                           author=(author or "")[:64], source=source[:16], created_at=datetime.now(UTC))
            s.add(row)
            s.commit()
            return _note(row)

    def list(self, team_id: str, *, start: date | None = None, end: date | None = None,
             filters: dict[str, list[str]] | None = None, limit: int = 200) -> builtins.list[Note]:
        """Notes overlapping [start, end] (either open) that fit ``filters``, oldest first."""
        q = select(_NoteRow).where(_NoteRow.team_id == team_id)
        if start:
            q = q.where(_NoteRow.end_date >= start)
        if end:
            q = q.where(_NoteRow.start_date <= end)
        with Session(self._db) as s:
            rows = s.scalars(q.order_by(_NoteRow.start_date, _NoteRow.id)).all()
            notes = [_note(r) for r in rows]
        return [n for n in notes if fits(n.filters, filters)][-limit:]

    def relevant(self, team_id: str, start: date, end: date,
                 filters: dict[str, builtins.list[str]] | None = None) -> builtins.list[Note]:
        """Notes inside the period or up to LEAD_DAYS before it: what an answer about it should cite."""
        return self.list(team_id, start=start - timedelta(days=LEAD_DAYS), end=end, filters=filters)

    def remove(self, team_id: str, note_id: int) -> Note:
        with Session(self._db) as s:
            row = s.get(_NoteRow, int(note_id))
            if row is None or row.team_id != team_id:  # another workspace's id reads as unknown
                raise NoteNotFound(f"No note #{note_id} here. `/kpi note list` shows this workspace's notes.")
            note = _note(row)
            s.delete(row)
            s.commit()
            return note
