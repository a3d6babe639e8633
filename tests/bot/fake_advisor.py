"""A small stand-in implementing the Advisor surface the bot uses, recording every call."""

from __future__ import annotations

import threading
import time
from typing import Any

from advisor.answer import Action, Answer, ChartSpec, Context, Fact, Section
from kpi_engine.errors import UnknownKpi

__all__ = ["FakeAdvisor", "FakeDigests", "FakeSub"]


class FakeAdvisor:
    def __init__(self, *, delay: float = 0.0):
        self.delay = delay
        self.calls: list[dict[str, Any]] = []
        self.threads: dict[tuple[str, str], list[str]] = {}  # (workspace, thread) -> questions
        self.configs: dict[str, dict[str, Any]] = {}
        self.lock = threading.Lock()

    def _record(self, kind: str, **kw: Any) -> None:
        with self.lock:
            self.calls.append({"kind": kind, **kw})

    def answer(self, question: str, *, workspace: str = "local", thread: str | None = None,
               user: str | None = None) -> Answer:
        self._record("answer", question=question, workspace=workspace, thread=thread, user=user)
        if self.delay:
            time.sleep(self.delay)
        if "nosuchkpi" in question:
            raise UnknownKpi("nosuchkpi", ["reach"])
        if "crash" in question:
            raise RuntimeError("secret internals xoxb-T1-should-not-leak")
        with self.lock:
            history = self.threads.setdefault((workspace, thread or ""), []) if thread else []
            earlier = list(history)
            history.append(question)
        followed = self.configs.get(workspace, {}).get("followed_kpis", [])
        return Answer(
            question=question, intent="value", title=f"Answer: {question}"[:200],
            summary=f"ws={workspace} earlier={'|'.join(earlier) or '-'} followed={','.join(followed) or '-'}",
            kpi_id="engagement_rate",
            sections=[Section(title="Breakdown", text="- instagram: 4.2%\n- tiktok: 5.1%", kind="breakdown")],
            facts=[Fact(key="er.value", label="Engagement rate", value=0.042, display="4.20%")],
            chart=ChartSpec(kind="trend", kpi_id="engagement_rate", period="last_28_days", title="ER"),
            actions=[Action(id="show_value", label="Show current value", payload={"kpi_id": "engagement_rate"}),
                     Action(id="explain", label="Explain", payload={"kpi_id": "engagement_rate"}),
                     Action(id="breakdown", label="Breakdown", payload={"kpi_id": "engagement_rate", "by": "platform"}),
                     Action(id="subscribe", label="Subscribe to a digest", payload={"goal": "engagement"})],
            context=Context(kpi_id="engagement_rate"),
        )

    def run_action(self, action_id: str, payload: dict, *, workspace: str = "local",
                   thread: str | None = None) -> Answer:
        self._record("run_action", action_id=action_id, payload=payload, workspace=workspace, thread=thread)
        return Answer(question=f"{action_id} {payload}", intent="value", title=f"Action {action_id}",
                      summary=f"ws={workspace} action={action_id}")

    def render_chart(self, spec: ChartSpec, *, workspace: str = "local") -> bytes:
        self._record("render_chart", workspace=workspace)
        return b"\x89PNG\r\n\x1a\nfake"

    def compose_digest(self, *, workspace: str, goal: str | None = None, kpis: list[str] | None = None,
                       period: str = "last_week", **kw: Any) -> Answer:
        self._record("compose_digest", workspace=workspace, goal=goal, period=period)
        return Answer(question="scorecard", intent="digest", title="Scorecard",
                      summary=f"ws={workspace} goal={goal} period={period}")

    def has_thread(self, thread: str, *, workspace: str) -> bool:
        with self.lock:
            return (workspace, thread) in self.threads

    def workspace(self, team_id: str) -> dict[str, Any]:
        self._record("workspace", workspace=team_id)
        return {"team_id": team_id, **self.configs.get(team_id, {})}

    def update_workspace(self, team_id: str, **changes: Any) -> dict[str, Any]:
        self.configs.setdefault(team_id, {}).update(changes)
        return self.workspace(team_id)

    def of(self, kind: str) -> list[dict[str, Any]]:
        with self.lock:
            return [c for c in self.calls if c["kind"] == kind]


class FakeSub:
    def __init__(self, id: int, team_id: str, channel_id: str, spec_text: str):
        self.id, self.team_id, self.channel_id, self.spec_text = id, team_id, channel_id, spec_text
        self.status = "active"


class FakeDigests:
    """The DigestService interface, in memory; raises DigestError like the real one."""

    def __init__(self) -> None:
        self.subs: list[FakeSub] = []

    def subscribe(self, team_id: str, channel_id: str, user_id: str, spec_text: str) -> FakeSub:
        from bot.digests.errors import DigestError

        if not spec_text.startswith(("weekly", "daily", "monthly")):
            raise DigestError(f"Can't read '{spec_text}': start with daily, weekly or monthly.")
        sub = FakeSub(len(self.subs) + 1, team_id, channel_id, spec_text)
        self.subs.append(sub)
        return sub

    def list(self, team_id: str, channel_id: str | None = None) -> list[FakeSub]:
        return [s for s in self.subs if s.team_id == team_id and channel_id in (None, s.channel_id)]

    def _get(self, team_id: str, sub_id: Any) -> FakeSub:
        from bot.digests.errors import DigestError

        for s in self.subs:
            if s.team_id == team_id and str(s.id) == str(sub_id):
                return s
        raise DigestError(f"No subscription {sub_id} in this workspace; `/kpi digest list` shows them.")

    def pause(self, team_id: str, sub_id: Any) -> FakeSub:
        s = self._get(team_id, sub_id)
        s.status = "paused"
        return s

    def resume(self, team_id: str, sub_id: Any) -> FakeSub:
        s = self._get(team_id, sub_id)
        s.status = "active"
        return s

    def remove(self, team_id: str, sub_id: Any) -> None:
        self.subs.remove(self._get(team_id, sub_id))

    def update(self, team_id: str, sub_id: Any, spec_text: str) -> FakeSub:
        s = self._get(team_id, sub_id)
        s.spec_text = spec_text
        return s
