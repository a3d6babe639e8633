"""Whatever is typed, `ask --json` prints one JSON object and the Slack parser raises only CommandError.

Bulk inputs run in-process (the advisor, and the CLI through typer's runner with one shared advisor);
a handful run as real `kpi-advisor ask --json` processes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from kpi_engine.errors import KpiAdvisorError

ROOT = Path(__file__).resolve().parents[1]

AWKWARD = [
    "", " ", "\n\t", "🔥🔥🔥", "👍", "🤔📈🚀😅", "x" * 50_000, "kpi " * 12_500,
    "<@U123> <#C123|general> <!channel> <https://example.com|link>", ":thinking_face: :pray:", "*_`~>",
    "¿Qué KPI usamos para la notoriedad de marca?", "Welche KPI für Reichweite?", "品牌知名度用什么指标？",
    "ما هو مؤشر الأداء للوعي بالعلامة التجارية؟", "какой kpi для охвата?", "\x00\x01\x02", "\u202e\u200b\ufeff",
    "value", "explain", "value fluffiness_index", "/kpi value ' OR 1=1 --", "engagement_rate" * 200,
    "which KPI for " + "awareness " * 3000, "by by by by", "since since since", "last last last week",
    "{\"json\": true}", "<script>alert(1)</script>", "%s %d {0} {{}}", "\\N{BELL}",
]

text_inputs = st.one_of(
    st.text(max_size=400),
    st.text(alphabet=st.characters(categories=["So", "Sk", "Cn", "Co", "Zs"]), max_size=60),
    st.lists(st.sampled_from(["which", "kpi", "for", "awareness", "leads", "by", "zodiac", "since", "last",
                              "week", "value", "explain", "<@U1>", "🔥", "_", "is", "a", "good", "?",
                              "pinterest", "threads", "rate", "index", "x", "vs", "2025-01-01..2025-02-30"]),
             max_size=25).map(" ".join),
)


@pytest.fixture(scope="module")
def advisor(tmp_path_factory):
    from advisor.core import Advisor
    from advisor.settings import Settings

    return Advisor.from_settings(Settings(home=tmp_path_factory.mktemp("home")))


def _answer_or_user_error(advisor, text: str) -> None:
    try:
        answer = advisor.answer(text)
    except KpiAdvisorError:
        return  # written for people: the CLI prints it as JSON, Slack as a message
    data = json.loads(answer.model_dump_json())
    assert {"goal", "kpi_id", "confidence", "understood_as"} <= set(data)


@pytest.mark.parametrize("text", AWKWARD, ids=range(len(AWKWARD)))
def test_awkward_inputs_give_an_answer_or_a_message(advisor, text):
    _answer_or_user_error(advisor, text)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=text_inputs)
def test_random_inputs_never_raise_a_bug(advisor, text):
    _answer_or_user_error(advisor, text)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=text_inputs)
def test_ask_json_prints_one_json_object_in_process(advisor, monkeypatch, text):
    from bot.cli import main

    monkeypatch.setattr(main, "_advisor", lambda: advisor)
    # "--" ends the options, as a script passing arbitrary text must (a question like "-0" is not an option)
    result = CliRunner().invoke(main.app, ["ask", "--json", "--", text])
    assert result.exit_code in (0, 1), result.output
    data = json.loads(result.stdout)
    assert ("error" in data) == (result.exit_code == 1)


@settings(max_examples=300, deadline=None)
@given(text=st.one_of(st.text(max_size=3000), st.sampled_from(AWKWARD)))
def test_slack_parser_raises_only_command_errors(text):
    from bot.parse import (
        CommandError,
        parse_command,
        parse_digest,
        parse_scorecard,
        question_for,
        strip_mentions,
    )

    try:
        cmd = parse_command(text)
        question_for(cmd)
        if cmd.name == "digest":
            parse_digest(cmd.args)
        if cmd.name == "scorecard":
            parse_scorecard(cmd.args)
    except CommandError as exc:
        assert str(exc)
    assert isinstance(strip_mentions(text), str)


@pytest.mark.parametrize("text", ["", "🔥🔥🔥", "y" * 50_000, "品牌知名度用什么指标？", "<@U1> <!here> :pray:"])
def test_ask_json_as_a_process(tmp_path, text):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "OPENAI_"))}
    env["KPI_ADVISOR_HOME_DIR"] = str(tmp_path / "home")
    r = subprocess.run([sys.executable, "-m", "bot.cli.main", "ask", text, "--json"], capture_output=True,
                       text=True, cwd=tmp_path, env=env, timeout=180, check=False)
    assert r.returncode in (0, 1), r.stderr
    data = json.loads(r.stdout)  # nothing but one JSON object on stdout
    assert ("error" in data) == (r.returncode == 1)
    assert "Traceback" not in r.stderr
