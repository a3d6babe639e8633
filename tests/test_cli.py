"""The CLI as people run it: real arguments, exit codes and output.

What only a real process shows (the entry point, exit codes, streams, the offline demo) runs as a
subprocess; the rest runs in-process through tests/cli_inprocess.py (`run_here`), which is faster.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.cli_inprocess import run as run_here

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str, home: Path, timeout: int = 120) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "OPENAI_"))}
    env.update(KPI_ADVISOR_HOME_DIR=str(home), COLUMNS="120")
    return subprocess.run([sys.executable, "-m", "bot.cli.main", *args], capture_output=True, text=True,
                          cwd=home.parent, env=env, timeout=timeout)


@pytest.fixture()
def home(tmp_path):
    return tmp_path / "home"


def test_kpi_list_json(home):
    r = run("kpi", "list", "--json", home=home)
    assert r.returncode == 0, r.stderr
    kpis = json.loads(r.stdout)
    assert len(kpis) >= 25 and {"engagement_rate", "follower_growth_rate"} <= {k["id"] for k in kpis}


def test_kpi_value_matches_the_engine(home):
    r = run_here("kpi", "value", "engagement_rate", "--period", "last_28_days", "--by", "platform",
            "--where", "platform=instagram,tiktok", "--json", home=home)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    from kpi_engine import Engine, MemorySource
    from kpi_engine.sample import generate_sample

    end = date.today() - timedelta(days=1)
    engine = Engine(source=MemorySource(generate_sample(end=end)), today=end + timedelta(days=1))
    expected = engine.compute_value("engagement_rate", "last_28_days", {"platform": ["instagram", "tiktok"]})
    assert out["report"]["current"]["value"] == pytest.approx(expected.value)
    assert {s["key"] for s in out["breakdown"]["segments"]} == {"instagram", "tiktok"}


@pytest.mark.parametrize(
    "args,message",
    [
        (("kpi", "value", "engagment_rate"), "Did you mean: engagement_rate"),
        (("kpi", "value", "reach", "--period", "last fortnight"), "Cannot read the period"),
        (("kpi", "value", "reach", "--where", "platform"), "DIMENSION=VALUE"),
        (("kpi", "value", "reach", "--where", "platform=myspace"), "No platform 'myspace'"),
        (("kpi", "value", "reach", "--by", "sentiment"), "cannot be broken down by 'sentiment'"),
        (("kpi", "scorecard", "--goal", "world_peace"), "Unknown goal"),
    ],
)
def test_bad_input_gets_a_clear_message_not_a_traceback(home, args, message):
    r = run(*args, home=home)
    assert r.returncode != 0
    assert message in r.stderr
    assert "Traceback" not in r.stderr + r.stdout


def test_ask_json_and_text(home):
    r = run_here("ask", "which KPI for awareness?", "--json", home=home)
    assert r.returncode == 0, r.stderr
    answer = json.loads(r.stdout)
    assert (answer["intent"], answer["kpi_id"]) == ("recommend", "reach")
    r = run_here("ask", "is follower count a good KPI?", home=home)
    assert r.returncode == 0 and "Not as a KPI" in r.stdout


def test_ask_keeps_thread_context_across_calls(home):
    assert run_here("ask", "ctr last 28 days", "--thread", "t", home=home).returncode == 0
    r = run_here("ask", "and on linkedin?", "--thread", "t", "--json", home=home)
    answer = json.loads(r.stdout)
    assert answer["kpi_id"] == "click_through_rate" and answer["context"]["filters"] == {"platform": ["linkedin"]}


def test_chat_keeps_context_between_turns(home):
    r = run_here("chat", home=home, input="ctr last 28 days\nand on linkedin?\nexit\n")
    assert r.returncode == 0, r.stderr
    assert "Click-through rate on linkedin" in r.stdout


def test_data_sample_then_check(home, tmp_path):
    out = tmp_path / "sample"
    r = run_here("data", "sample", "--out", str(out), "--json", home=home)
    assert r.returncode == 0, r.stderr
    r = run_here("data", "check", str(out), "--json", home=home)
    report = json.loads(r.stdout)
    assert {t["table"] for t in report["tables"]} >= {"posts", "accounts", "interactions"}


def test_demo_runs_offline_and_writes_its_chart(home):
    r = run("demo", home=home, timeout=300)
    assert r.returncode == 0, r.stderr
    assert "which KPI for awareness?" in r.stdout and "Reach" in r.stdout
    png = home / "demo" / "awareness_digest.png"
    assert png.exists() and png.stat().st_size > 5000


def test_ask_json_errors_are_json_on_stdout(home):
    r = run("ask", "", "--json", home=home)
    assert r.returncode == 1
    assert json.loads(r.stdout)["error"]["type"] == "BadQuestion"
    r = run("ask", "which KPI for awareness?", "--pick", "2", "--json", home=home)
    assert r.returncode == 1 and "no options to pick" in json.loads(r.stdout)["error"]["message"]


def test_ask_json_carries_how_the_question_was_understood(home):
    r = run_here("ask", "how do we prove our organic tiktoks grow the email list?", "--json", home=home)
    assert r.returncode == 0, r.stderr
    answer = json.loads(r.stdout)
    assert (answer["goal"], answer["kpi_id"]) == ("leads", "leads")
    assert 0 < answer["confidence"] <= 1 and answer["understood_as"].startswith("which KPI to use for leads")


def test_a_clarifying_answer_is_a_numbered_list_and_pick_answers_it(home):
    r = run_here("ask", "what do I report to the board about social?", home=home)
    assert r.returncode == 0, r.stderr
    assert "1. Awareness" in r.stdout and "--pick N" in r.stdout
    r = run_here("ask", "what do I report to the board about social?", "--pick", "3", "--json", home=home)
    picked = json.loads(r.stdout)
    assert (picked["intent"], picked["goal"], picked["kpi_id"]) == ("recommend", "leads", "leads")


def test_chat_takes_the_number_of_an_option(home):
    r = run_here("chat", home=home, input="what should we track on social\n3\n\n")
    assert r.returncode == 0, r.stderr
    assert "Which goal do you mean?" in r.stdout
    assert "For leads and pipeline, track Leads from organic social" in r.stdout


# ---------------------------------------------------------------------- data load


def test_data_load_writes_files_into_a_database_the_advisor_then_reads(home, tmp_path):
    r = run("data", "sample", "--out", str(tmp_path / "s"), "--days", "40", "--scale", "0.3", home=home)
    assert r.returncode == 0, r.stderr
    db = tmp_path / "kpis.db"
    r = run("data", "load", str(tmp_path / "s"), "--to", f"sqlite:///{db}", "--json", home=home)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    import pandas as pd

    posts = pd.read_csv(tmp_path / "s" / "posts.csv")
    assert out["rows"]["posts"] == len(posts) and set(out["rows"]) == {"posts", "accounts", "interactions"}
    # the loaded database answers like the files
    env_run = dict(os.environ, KPI_ADVISOR_DATA_URL=f"sqlite:///{db}")
    r_sql = subprocess.run([sys.executable, "-m", "bot.cli.main", "kpi", "value", "impressions", "--json"],
                           capture_output=True, text=True, env={**env_run, "KPI_ADVISOR_HOME_DIR": str(home)},
                           cwd=home.parent, timeout=120)
    assert r_sql.returncode == 0, r_sql.stderr
    r_file = subprocess.run([sys.executable, "-m", "bot.cli.main", "kpi", "value", "impressions", "--json"],
                            capture_output=True, text=True, cwd=home.parent, timeout=120,
                            env={**os.environ, "KPI_ADVISOR_HOME_DIR": str(home),
                                 "KPI_ADVISOR_DATA_PATH": str(tmp_path / "s")})
    assert r_file.returncode == 0, r_file.stderr
    a = json.loads(r_sql.stdout)["report"]["current"]["value"]
    b = json.loads(r_file.stdout)["report"]["current"]["value"]
    assert a == pytest.approx(b, rel=1e-9)
    # --append doubles the rows; plain text says what happened
    r = run("data", "load", str(tmp_path / "s" / "posts.csv"), "--to", f"sqlite:///{db}", "--append", home=home)
    assert r.returncode == 0 and "Appended" in r.stdout and f"{len(posts):,} posts" in r.stdout


@pytest.mark.parametrize("make, message", [
    (lambda d: d / "missing.csv", "no such file or folder"),
    (lambda d: (d / "bad.csv").write_text("date,platform\nnot a date,x\n") and d / "bad.csv", "bad.csv"),
])
def test_data_load_bad_file_is_one_line_and_a_failure(home, tmp_path, make, message):
    path = make(tmp_path)
    r = run("data", "load", str(path), "--to", f"sqlite:///{tmp_path / 'k.db'}", home=home)
    assert r.returncode == 1
    lines = [line for line in r.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error:") and message in lines[0], r.stderr
    assert "Traceback" not in r.stderr and r.stdout == ""


def test_data_load_needs_a_target(home, tmp_path):
    (tmp_path / "p.csv").write_text("x\n1\n")
    r = run("data", "load", str(tmp_path / "p.csv"), home=home)
    assert r.returncode == 2 and "--to URL" in r.stderr
    r = run("data", "load", str(tmp_path / "p.csv"), "--to", "nosuchdb://x", home=home)
    assert r.returncode == 1 and "Unknown database type" in r.stderr and "Traceback" not in r.stderr
