"""Unit tests: Block Kit limits, escaping, /kpi parsing, serve's mode choice, manifest, imports."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from advisor.answer import Action, Answer, Fact, Section
from advisor.settings import Settings
from bot.cli.serve_cmd import missing_settings, pick_mode
from bot.parse import CommandError, parse_command, parse_digest, parse_scorecard, question_for
from bot.render.blocks import MAX_BLOCKS, MAX_SECTION_CHARS, render_answer, render_details, split_text


def _huge_answer() -> Answer:
    sections = [Section(title=f"S{i}", text="\n".join(f"- line {i}.{j} " + "x" * 80 for j in range(60)))
                for i in range(30)]
    facts = [Fact(key=f"f{i}", label=f"Fact {i}", value=i, display=str(i)) for i in range(35)]
    return Answer(question="q", intent="value", title="T" * 300, summary="s", sections=sections,
                  facts=facts, actions=[Action(id="explain", label="Explain", payload={"kpi_id": "reach"})])


def test_render_splits_into_messages_within_block_kit_limits():
    answer = _huge_answer()
    first = render_answer(answer, share=True, share_token="tok")
    assert len(first) == 1  # the answer itself fits one message; the rest is behind "Show numbers"
    details = render_details(answer, "numbers")
    assert len(details) > 1
    for m in [*first, *details]:
        assert len(m["blocks"]) <= MAX_BLOCKS and m["text"]
        for b in m["blocks"]:
            if b["type"] == "section" and "text" in b:
                assert len(b["text"]["text"]) <= MAX_SECTION_CHARS
            if b["type"] == "section" and "fields" in b:
                assert len(b["fields"]) <= 10
            if b["type"] == "header":
                assert len(b["text"]["text"]) <= 150
    assert first[-1]["blocks"][-1]["type"] == "actions"  # buttons come with the last part
    ids = [e["action_id"] for e in first[-1]["blocks"][-1]["elements"]]
    assert ids == ["kpi.explain", "kpi.details", "kpi.share"]
    all_text = "".join(b.get("text", {}).get("text", "") for m in [*first, *details] for b in m["blocks"])
    assert all(f"line 29.{j} " in all_text for j in range(60))  # nothing lost in the split
    assert all(f"*Fact {i}*: {i}" in all_text for i in range(35))  # every number, exactly


@pytest.mark.parametrize("text,limit", [("a" * 7000, 3000), ("word " * 2000, 3000), ("l\n" * 5000, 100)])
def test_split_text_respects_limit_and_keeps_content(text, limit):
    chunks = split_text(text, limit)
    assert all(len(c) <= limit for c in chunks)
    assert "".join(chunks).replace("\n", "").replace(" ", "") == text.replace("\n", "").replace(" ", "")


def test_parse_commands():
    assert parse_command("").name == "help"
    assert parse_command("engagement_rate last 28 days").name == "ask"
    assert question_for(parse_command("value reach last week")) == "value reach last week"
    assert question_for(parse_command("recommend awareness")) == "which KPI for awareness?"
    assert parse_scorecard("goal=leads last month") == ("leads", "last month")
    assert parse_scorecard("last 7 days") == (None, "last 7 days")
    assert parse_digest("subscribe weekly mon 09:00").spec == "weekly mon 09:00"
    assert parse_digest("update 3 daily 08:00").sub_id == "3"
    assert parse_digest("").verb == "list"
    for bad in ("explain", "recommend"):
        with pytest.raises(CommandError):
            parse_command(bad)
    with pytest.raises(CommandError):
        parse_digest("pause")


def test_serve_picks_mode_and_names_missing_tokens(tmp_path):
    bare = Settings(home=tmp_path)
    assert pick_mode(bare) == "http"
    missing = missing_settings(bare, "http")
    assert any("SLACK_BOT_TOKEN" in m for m in missing) and any("SLACK_SIGNING_SECRET" in m for m in missing)
    sock = Settings(home=tmp_path, slack_app_token="xapp-1", slack_bot_token="xoxb-1")
    assert pick_mode(sock) == "socket" and missing_settings(sock, "socket") == []
    only_bot = missing_settings(Settings(home=tmp_path, slack_bot_token="xoxb-1"), "socket")
    assert len(only_bot) == 1 and "SLACK_APP_TOKEN" in only_bot[0]
    oauth = Settings(home=tmp_path, slack_client_id="1.2", slack_client_secret="s", slack_signing_secret="x")
    assert missing_settings(oauth, "http") == []


def test_serve_command_exits_with_a_clear_message_without_tokens(monkeypatch):
    import typer

    import bot.cli.common

    monkeypatch.setattr(bot.cli.common, "_settings", None)  # read this test's (empty) environment
    from typer.testing import CliRunner

    from bot.cli.serve_cmd import serve

    cli = typer.Typer()
    cli.command()(serve)
    result = CliRunner().invoke(cli, [])
    assert result.exit_code == 2
    assert "SLACK_SIGNING_SECRET" in result.output and "Traceback" not in result.output


def test_manifest_matches_the_code():
    from bot.oauth import BOT_SCOPES

    manifest = yaml.safe_load((Path(__file__).parents[2] / "bot" / "manifest.yaml").read_text())
    assert sorted(manifest["oauth_config"]["scopes"]["bot"]) == sorted(BOT_SCOPES)
    assert manifest["features"]["slash_commands"][0]["command"] == "/kpi"
    assert {"app_mention", "message.im", "app_home_opened"} <= set(manifest["settings"]["event_subscriptions"]["bot_events"])
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True


def test_bot_imports_no_pandas_langchain_openai_or_chromadb():
    code = ("import sys, bot, bot.app, bot.http, bot.socket, bot.listeners.actions, bot.cli.serve_cmd; "
            "bad = [m for m in ('pandas', 'langchain', 'openai', 'chromadb') if m in sys.modules]; "
            "print(bad); sys.exit(1 if bad else 0)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=Path(__file__).parents[2])
    assert result.returncode == 0, result.stdout + result.stderr
