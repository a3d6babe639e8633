"""`serve` loads the model client in every advisor worker at start, before any question's clock runs."""

from __future__ import annotations

import sys

from bot.advisor_client import ProcessPoolAdvisor, call_in_advisor, make_advisor
from tests.bot.harness import make_settings


def _client_loaded(advisor) -> bool:
    return "langchain_openai" in sys.modules and "openai" in sys.modules


def test_worker_processes_load_the_llm_client_at_start(tmp_path):
    settings = make_settings(tmp_path / "home", "http://127.0.0.1:9/api/", llm=True,
                             openai_base_url="http://127.0.0.1:9/v1", openai_api_key="sk-test")
    pool = ProcessPoolAdvisor(settings=settings, processes=1).start(wait=True, timeout=300)
    try:
        assert call_in_advisor(pool, _client_loaded) is True
    finally:
        pool.close()


def test_in_process_advisor_is_warmed_too(tmp_path):
    settings = make_settings(tmp_path / "home", "http://127.0.0.1:9/api/", llm=True,
                             openai_base_url="http://127.0.0.1:9/v1", openai_api_key="sk-test")
    advisor = make_advisor(settings, processes=0)
    assert advisor._warm and _client_loaded(advisor)
