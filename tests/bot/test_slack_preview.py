"""`kpi-advisor slack preview KIND`: Block Kit JSON and an HTML page of what the bot would post."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.render.measure import PHONE_SCREEN_LINES
from bot.render.preview import mrkdwn_html

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str, home: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "OPENAI_", "KPI_ADVISOR_"))}
    env.update(KPI_ADVISOR_HOME_DIR=str(home), PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "bot.cli.main", *args], capture_output=True, text=True,
                          cwd=home.parent, env=env, timeout=300)


@pytest.mark.parametrize("kind", ["value-by-platform", "home"])
def test_preview_writes_block_kit_json_and_html(tmp_path, kind):
    out = tmp_path / "preview"
    r = _run("slack", "preview", kind, "--out", str(out), "--json", home=tmp_path / "home")
    assert r.returncode == 0, r.stderr
    result = json.loads(r.stdout)
    views = json.loads((out / f"{kind}.json").read_text())
    page = (out / f"{kind}.html").read_text()
    assert views and all("blocks" in v["payload"] for v in views)
    assert result["phone_lines"][0]["lines"] <= PHONE_SCREEN_LINES  # the message itself fits a screen
    assert "phone lines" in page and "<h2>" in page and "<button>" in page
    if kind == "value-by-platform":
        assert [v["caption"] for v in views][1] == "after “Show numbers”"


def test_unknown_kind_is_a_clear_message(tmp_path):
    r = _run("slack", "preview", "poster", "--out", str(tmp_path / "p"), home=tmp_path / "home")
    assert r.returncode != 0 and "Pick one of" in (r.stdout + r.stderr) and "Traceback" not in r.stderr


def test_mrkdwn_html_keeps_escaped_data_inert():
    html = mrkdwn_html("*Eng &lt;!channel&gt; rate* for <https://x.org|docs> and `x`")
    assert html == "<b>Eng &lt;!channel&gt; rate</b> for <a href=\"https://x.org\">docs</a> and <code>x</code>"
