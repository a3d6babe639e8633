"""Thread context persists in SQLite and PostgreSQL, isolated by workspace and thread."""

from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import text

from advisor.answer import Answer, Context
from advisor.conversations import ConversationStore
from advisor.db import open_database


def _answer(q: str, kpi: str) -> Answer:
    return Answer(question=q, intent="value", title=kpi, summary=f"{kpi} summary",
                  kpi_id=kpi, context=Context(intent="value", kpi_id=kpi, period="last_7_days"))


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_context_survives_a_restart_and_is_isolated(tmp_path, backend):
    url = {"sqlite": f"sqlite:///{tmp_path / 'state.db'}", "postgresql": os.environ.get("TEST_DATABASE_URL")}[backend]
    if url is None:
        pytest.skip("TEST_DATABASE_URL is not set")
    team, other = f"T{uuid.uuid4().hex[:8]}", f"T{uuid.uuid4().hex[:8]}"
    store = ConversationStore(db=open_database(url))
    store.remember(team, "C1:1.0", _answer("ctr last week", "click_through_rate"))
    store.remember(team, "C1:1.0", _answer("and reach?", "reach"))
    restarted = ConversationStore(db=open_database(url))  # a new process on the same database
    assert restarted.context(team, "C1:1.0").kpi_id == "reach"
    assert restarted.history(team, "C1:1.0") == ["Q: ctr last week\nA: click_through_rate summary",
                                                  "Q: and reach?\nA: reach summary"]
    assert restarted.context(other, "C1:1.0") is None
    assert restarted.context(team, "C2:1.0") is None
    if backend == "postgresql":
        with open_database(url).begin() as conn:
            conn.execute(text("DELETE FROM conversation_turns WHERE team_id = :t"), {"t": team})
