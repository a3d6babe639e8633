"""A tiny advisor whose digest is fixed: for tests about timing and delivery, not content."""

from __future__ import annotations

from datetime import date
from typing import Any

from advisor.answer import Answer, ChartSpec, Context, Fact, Section


class StaticAdvisor:
    def __init__(self, *, material: bool = True) -> None:
        self.material = material
        self.calls: list[dict[str, Any]] = []
        self.remembered: list[tuple[str, str]] = []

    def compose_digest(self, *, workspace: str, goal: str | None = None, kpis: list[str] | None = None,
                       period: str = "last_week", filters: dict[str, list[str]] | None = None,
                       as_of: date | None = None, **_: Any) -> Answer:
        self.calls.append({"workspace": workspace, "goal": goal, "period": period, "as_of": as_of})
        sections = [Section(title="Scorecard", kind="values", text="- Reach: 12.3k (+4.0%)")]
        if self.material:
            sections.append(Section(title="Movers that matter", kind="drivers", text="- Reach +4.0%"))
        return Answer(question="digest", intent="digest", title=f"Digest {workspace} as of {as_of}",
                      summary="Reach was 12.3k.", kpi_id="reach", sections=sections,
                      facts=[Fact(key="reach.value", label="Reach", value=12300.0, display="12.3k",
                                  kpi_id="reach")],
                      chart=ChartSpec(kind="trend", kpi_id="reach", period="2025-01-01..2025-01-28"),
                      context=Context(intent="digest", as_of=str(as_of)))

    def render_chart(self, spec: Any, *, workspace: str = "local", **_: Any) -> bytes:
        return b"\x89PNG\r\n\x1a\n"

    def remember(self, thread: str, answer: Answer, *, workspace: str) -> None:
        self.remembered.append((thread, workspace))
