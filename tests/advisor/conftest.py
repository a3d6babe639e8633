"""The local OpenAI-compatible server, shared by the LLM tests and reset for each test."""

from __future__ import annotations

import pytest

from tests.advisor.fake_openai import run_fake_openai


@pytest.fixture(scope="session")
def _fake_openai():
    with run_fake_openai() as fake:
        yield fake


@pytest.fixture
def server(_fake_openai):
    _fake_openai.script.clear()
    _fake_openai.requests.clear()
    _fake_openai.default = None
    return _fake_openai
