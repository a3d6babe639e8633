"""One budget per answer: routing, retrieval and narration share it; fallbacks arrive on time and leave nothing behind."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import pytest

from advisor.deadline import Budget, current_deadline, deadline_at, seconds_left
from advisor.settings import Settings
from tests.advisor.fake_openai import Reply, run_fake_openai, text
from tests.knowledge.test_openai_embedder import FakeEmbeddings

REPO = Path(__file__).resolve().parents[2]


# --- the budget itself ------------------------------------------------------------------------

def test_budget_is_shared_by_the_steps_that_spend_it():
    budget = Budget(1.0)
    with budget.spend() as at:
        assert current_deadline() == at and 0.95 < seconds_left() <= 1.0
        time.sleep(0.3)
    assert current_deadline() is None
    assert 0.6 < budget.remaining() < 0.71
    with budget.spend():
        assert seconds_left() < 0.71
        with deadline_at(time.monotonic() + 5):  # an inner step cannot extend the answer's deadline
            assert seconds_left() < 0.71
        with deadline_at(time.monotonic() + 0.1):  # but may shorten its own
            assert seconds_left() <= 0.1
    time.sleep(0.05)
    assert not budget.exhausted and Budget(0).exhausted


def test_deadlines_belong_to_their_thread():
    seen = {}

    def other():
        seen["other"] = current_deadline()

    with deadline_at(time.monotonic() + 1):
        t = threading.Thread(target=other)
        t.start()
        t.join()
    assert seen["other"] is None


# --- one answer, one budget --------------------------------------------------------------------

@pytest.fixture
def llm_server():
    with run_fake_openai() as fake:
        yield fake


def _advisor(tmp_path, url: str, budget: float, **settings):
    from advisor.core import Advisor

    s = Settings(home=tmp_path / "home", llm=True, openai_base_url=url, openai_api_key="sk-test",
                 llm_model="fake-model", llm_timeout=budget, **settings)
    advisor = Advisor.from_settings(s, sample_end=date(2025, 6, 30))
    advisor.warm_up()
    advisor.engine("local")  # data loaded, as in a running bot
    return advisor


def test_routing_and_narration_share_one_budget(tmp_path, llm_server):
    """Before: router and narrator each had the full timeout (1.4 s + 2 s here); now 2 s in all."""
    budget = 2.0
    advisor = _advisor(tmp_path, llm_server.url, budget)
    routed = {"intent": "value", "goal": None, "kpi_id": "engagement_rate", "period": "last_28_days",
              "filters": [], "by": None, "compare_to": None, "topic": None, "confidence": 0.9}
    llm_server.script = [Reply(delay=1.4, body=text(json.dumps(routed)).body),
                         Reply(delay=5.0, body=text("Engagement rate was {engagement_rate.value}.").body)]
    start = time.monotonic()
    out = advisor.answer("are the kids alright on the feeds lately?")  # the parser gives up; the router reads it
    elapsed = time.monotonic() - start
    assert len(llm_server.requests) == 2, "the router was asked, then the narrator"
    assert out.kpi_id == "engagement_rate"  # the router's reading was used
    assert out.narrator == "template" and out.fallback_reason.startswith("timeout")
    assert elapsed < budget + 0.5, elapsed


class HangingEmbeddings(FakeEmbeddings):
    hang = 0.0  # seconds before answering: a hung endpoint

    def do_POST(self) -> None:
        if type(self).hang:
            time.sleep(type(self).hang)
        super().do_POST()


@pytest.fixture
def embeddings():
    from http.server import ThreadingHTTPServer

    FakeEmbeddings.requests = []
    HangingEmbeddings.fail_with = None
    HangingEmbeddings.hang = 0.0
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), HangingEmbeddings)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield HangingEmbeddings, f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.mark.parametrize("failure", ["hung", "http 500"])
def test_retrieval_is_inside_the_budget_and_its_absence_is_said(tmp_path, embeddings, failure):
    """A hung embeddings endpoint once held an answer 97 s (30 s timeout, 2 retries)."""
    from advisor.core import Advisor

    handler, url = embeddings
    settings = Settings(home=tmp_path / "home", embedder="openai", embedding_model="toy-embed",
                        openai_base_url=url, openai_api_key="sk-test", llm_timeout=1.0,
                        embedding_timeout=30, embedding_retries=2)
    advisor = Advisor.from_settings(settings, sample_end=date(2025, 6, 30))
    advisor.knowledge.ensure_built()  # built while the endpoint answers (start-up, not an answer)
    healthy = advisor.answer("which KPI for awareness?")
    assert healthy.citations and healthy.warnings == []
    if failure == "hung":
        handler.hang = 20.0
    else:
        handler.fail_with = 500
    start = time.monotonic()
    out = advisor.answer("which KPI for awareness?")
    elapsed = time.monotonic() - start
    assert out.citations == [] and out.intent == "recommend" and out.kpi_id == healthy.kpi_id
    assert any(w.startswith("Guidance from the knowledge base was unavailable") for w in out.warnings)
    assert "Note: Guidance from the knowledge base was unavailable" in out.text
    assert elapsed < 1.0 + 0.5, elapsed


# --- fresh processes ---------------------------------------------------------------------------

FIRST_CALL = """
import json, sys, time
from advisor.llm import LlmNarrator
from advisor.settings import Settings
from tests.advisor.narration_cases import answer

n = LlmNarrator.from_settings(Settings(llm=True, openai_base_url=sys.argv[1], openai_api_key="k", llm_timeout=0.2))
n.warm_up()  # what `serve` and the advisor workers do at start-up
start = time.monotonic()
out = n.narrate(answer())
print(json.dumps({"elapsed": time.monotonic() - start, "narrator": out.narrator, "reason": out.fallback_reason}))
"""

FIRST_ANSWER = """
import json, sys, time
from datetime import date
from advisor.core import Advisor
from advisor.settings import Settings

settings = Settings(home=sys.argv[2], llm=True, openai_base_url=sys.argv[1], openai_api_key="k", llm_timeout=0.2)
advisor = Advisor.from_settings(settings, sample_end=date(2025, 6, 30))
advisor.warm_up()
advisor.engine("local")
start = time.monotonic()
out = advisor.answer("engagement rate last 28 days")
first = time.monotonic() - start
settings.llm = False
template = Advisor.from_settings(settings, sample_end=date(2025, 6, 30))
template.engine("local")
start = time.monotonic()
template.answer("engagement rate last 28 days")
engine = time.monotonic() - start
print(json.dumps({"first": first, "engine": engine, "narrator": out.narrator, "reason": out.fallback_reason}))
"""


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "KPI_ADVISOR_"))}
    env["PYTHONPATH"] = str(REPO)
    return env


@pytest.mark.parametrize("slow", [Reply(delay=3.0, body=text("hi").body), Reply(trickle=0.05, body=text("hi").body)],
                         ids=["slow", "trickle"])
def test_first_call_in_a_fresh_process_falls_back_within_budget(llm_server, slow):
    """Before: 1.8 s for a 0.1 s timeout (the LangChain import ran inside the deadline)."""
    llm_server.default = slow
    done = subprocess.run([sys.executable, "-c", FIRST_CALL, llm_server.url], cwd=REPO, env=_env(),
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["narrator"] == "template" and result["reason"].startswith("timeout")
    assert result["elapsed"] < 0.7, result


def test_first_answer_in_a_fresh_advisor_falls_back_within_budget(llm_server, tmp_path):
    llm_server.default = Reply(delay=3.0, body=text("hi").body)
    done = subprocess.run([sys.executable, "-c", FIRST_ANSWER, llm_server.url, str(tmp_path / "home")], cwd=REPO,
                          env=_env(), capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["narrator"] == "template" and result["reason"].startswith("timeout")
    # the budget, plus the engine's own work (measured on the same answer without a model), plus 0.5 s
    assert result["first"] < 0.2 + result["engine"] + 0.5, result


QUESTIONS = ["engagement rate last 28 days", "which KPI for awareness?", "why did reach drop last week?",
             "compare engagement rate last month vs last year", "explain save rate"]  # two retrieve guidance


@pytest.mark.slow
@pytest.mark.timeout(1800)  # fifty cold CLI processes, two at a time: about two minutes on an idle 2-core machine
def test_fifty_cli_runs_with_timeouts_mid_import_all_exit_cleanly(llm_server, tmp_path):
    """Timeouts from a millisecond (shorter than any import) to a second, against a slow and a trickling model.

    Before: a timeout firing while LangChain was being imported could abort the process at
    exit (SIGABRT) after it had printed its JSON.
    """
    llm_server.default = lambda body: random.choice([Reply(delay=3.0, body=text("hi").body),
                                                     Reply(trickle=0.05, body=text("hi").body)])
    home = tmp_path / "home"
    base = {**_env(), "KPI_ADVISOR_HOME_DIR": str(home), "KPI_ADVISOR_LLM": "true",
            "OPENAI_BASE_URL": llm_server.url, "OPENAI_API_KEY": "sk-test", "KPI_ADVISOR_LLM_MODEL": "fake-model"}
    cmd = [sys.executable, "-m", "bot.cli.main", "ask"]
    # one run first: the sample data and the knowledge base are built once, not by fifty runs at once
    subprocess.run([*cmd, "which KPI for awareness?", "--json"], cwd=REPO, env=base, capture_output=True,
                   timeout=300, check=True)
    rng = random.Random(10)
    runs = [(rng.choice(QUESTIONS), rng.choice([0.001, 0.01, 0.05, 0.1, 0.2, 0.5, 1.0])) for _ in range(50)]

    def run(case):
        question, timeout = case
        env = {**base, "KPI_ADVISOR_LLM_TIMEOUT": str(timeout)}
        start = time.monotonic()
        done = subprocess.run([*cmd, question, "--json"], cwd=REPO, env=env, capture_output=True, text=True, check=False,
                              timeout=300)
        return case, done, time.monotonic() - start

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(run, runs))
    for (question, timeout), done, _ in results:
        assert done.returncode == 0, (question, timeout, done.returncode, done.stderr[-1500:])
        assert "Fatal Python error" not in done.stderr and "Traceback" not in done.stderr
        answer = json.loads(done.stdout)
        assert answer["narrator"] == "template"
        assert answer["fallback_reason"].startswith("timeout"), answer["fallback_reason"]
        assert any(w.startswith("Standard wording") for w in answer["warnings"])
