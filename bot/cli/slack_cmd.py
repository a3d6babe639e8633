"""`kpi-advisor slack preview KIND`: what the bot would post, as Block Kit JSON and an HTML page.

Runs on the configured data (the bundled sample by default), with no Slack connection: each
answer kind comes with what its "Show numbers" and "Sources" buttons post; the digest, the alert,
App Home and the subscription modal as they are sent.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from .common import console, emit, fail, get_settings, json_option, user_errors

__all__ = ["KINDS", "app", "build_preview"]

app = typer.Typer(help="Slack messages, rendered for review without Slack.", no_args_is_help=True)

# kind -> the question (answers) it previews by default
ANSWERS = {
    "recommend": "which KPI for awareness?",
    "explain": "explain engagement_rate",
    "value": "engagement_rate last 28 days",
    "value-by-platform": "engagement_rate last 28 days by platform",
    "why": "why did engagement rate change last week",
    "trend": "engagement rate trend last 90 days by week",
}
OTHERS = ("scorecard", "digest", "alert", "home", "subscribe-modal")
KINDS = (*ANSWERS, *OTHERS)


def _answer_views(answer: Any, caption: str) -> list[tuple[str, dict[str, Any]]]:
    from bot.render.blocks import render_answer, render_details
    from bot.render.details import unique_citations

    views = [(caption, m) for m in render_answer(answer, token="preview")]
    views += [("after “Show numbers”" if answer.facts else "after “More detail”", m)
              for m in render_details(answer, "numbers")]
    if unique_citations(answer):
        views += [("after “Sources”", m) for m in render_details(answer, "sources")]
    return views


def build_preview(advisor: Any, kind: str, *, question: str | None = None,
                  goal: str = "awareness") -> list[tuple[str, dict[str, Any]]]:
    """(caption, message or view) pairs for ``kind``, exactly as the bot would send them."""
    if kind in ANSWERS:
        q = question or ANSWERS[kind]
        return _answer_views(advisor.answer(q, workspace="local"), f"{kind}: {q}")
    if kind == "scorecard":
        return _answer_views(advisor.compose_digest(workspace="local", goal=goal), f"/kpi scorecard {goal}")
    if kind == "digest":
        from bot.digests.render import render_digest

        msg = render_digest(advisor.compose_digest(workspace="local", goal=goal))
        return [(f"weekly digest, goal={goal}", {"text": msg.text, "blocks": msg.blocks})]
    if kind == "alert":
        from advisor.alerts import evaluate_alert, render_alert_chart
        from bot.digests.render import render_alert

        engine = advisor.engine("local")
        value = engine.compute_value("engagement_rate", "last_week").value or 1.0
        res = evaluate_alert(engine, kpi_id="engagement_rate", period=engine.period("last_week"), filters=None,
                             threshold_kind="below", threshold_value=value * 1.2)
        if not res.triggered:
            fail("The preview alert did not fire on this data (engagement rate has no value last week).")
        render_alert_chart(engine, res)  # fills the chart's alt text
        msg = render_alert(res)
        return [("alert: engagement_rate below a threshold", {"text": msg.text, "blocks": msg.blocks}),
                ("chart alt text", {"text": msg.alt_text, "blocks": []})]
    if kind == "home":
        from bot.render.home import render_home

        config = advisor.workspace("local")
        return [("App Home", render_home(config=config, subscriptions=[], targets=[]))]
    if kind == "subscribe-modal":
        from bot.render.home import subscribe_modal, subscribed_modal

        return [("Subscribe modal (from Home)", subscribe_modal(channel_id=None)),
                ("after Subscribe", subscribed_modal("Subscribed <#C123> (digest `1`): weekly mon 09:00 goal=awareness"))]
    fail(f"Unknown kind '{kind}'. Pick one of: {', '.join(KINDS)}.")
    return []


@app.command("preview")
def preview(
    kind: str = typer.Argument(..., help=f"One of: {', '.join(KINDS)}."),
    question: str | None = typer.Option(None, "--question", "-q", help="For answer kinds: the question to ask."),
    goal: str = typer.Option("awareness", "--goal", help="For scorecard and digest."),
    out: Path = typer.Option(Path("slack-preview"), "--out", help="Folder for KIND.json and KIND.html."),
    as_json: bool = json_option(),
) -> None:
    """Write the Block Kit JSON and an HTML approximation of what the bot would post for KIND."""
    from bot.render.measure import phone_lines
    from bot.render.preview import render_html
    from bot.wiring import build_advisor

    if kind not in KINDS:
        fail(f"Unknown kind '{kind}'. Pick one of: {', '.join(KINDS)}.")
    with user_errors():
        views = build_preview(build_advisor(get_settings()), kind, question=question, goal=goal)
        out.mkdir(parents=True, exist_ok=True)
        name = kind.replace("/", "_")
        json_path, html_path = out / f"{name}.json", out / f"{name}.html"
        json_path.write_text(json.dumps([{"caption": c, "payload": p} for c, p in views], indent=2,
                                        ensure_ascii=False), encoding="utf-8")
        html_path.write_text(render_html(f"kpi-advisor preview: {kind}", views), encoding="utf-8")
    result = {"kind": kind, "json": str(json_path), "html": str(html_path),
              "phone_lines": [{"view": c, "lines": phone_lines(p)} for c, p in views]}

    def render(r: dict[str, Any]) -> None:
        console.print(f"Wrote {r['json']} and {r['html']}")
        for v in r["phone_lines"]:
            console.print(f"  {v['lines']:>3} phone lines  {v['view']}", markup=False)

    emit(result, as_json, render)
