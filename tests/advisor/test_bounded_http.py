"""The model client's HTTP transport: every socket operation ends by the current deadline."""

from __future__ import annotations

import threading
import time

import openai
import pytest

from advisor.bounded_http import env_proxy, make_bounded_client
from advisor.deadline import deadline_at
from tests.advisor.fake_openai import SERVER_THREAD, Reply, run_fake_openai, text


@pytest.mark.parametrize("reply", [Reply(delay=5.0, body=text("hi").body), Reply(trickle=0.1, body=text("hi").body)],
                         ids=["silent", "trickling"])
def test_a_request_ends_at_the_deadline_in_the_callers_thread(reply):
    with run_fake_openai() as server:
        server.default = reply
        client = make_bounded_client(openai.DefaultHttpxClient)
        before = {t for t in threading.enumerate() if t.name != SERVER_THREAD}
        start = time.monotonic()
        with deadline_at(time.monotonic() + 0.4), pytest.raises(Exception) as info:
            client.post(f"{server.url}/chat/completions", json={}, timeout=30).read()
        elapsed = time.monotonic() - start
        assert "Timeout" in type(info.value).__name__
        assert 0.35 < elapsed < 0.6, elapsed
        assert {t for t in threading.enumerate() if t.name != SERVER_THREAD} <= before
        server.default = text("hi")  # outside any deadline the client works as usual
        assert client.post(f"{server.url}/chat/completions", json={}, timeout=5).status_code == 200


def test_an_expired_deadline_sends_nothing():
    with run_fake_openai() as server:
        client = make_bounded_client(openai.DefaultHttpxClient)
        with deadline_at(time.monotonic() - 1), pytest.raises(Exception) as info:
            client.post(f"{server.url}/chat/completions", json={})
        assert "Timeout" in type(info.value).__name__ and server.requests == []


def test_environment_proxies_are_kept(monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.internal:3128")
    monkeypatch.setenv("NO_PROXY", "localhost,127.0.0.1")
    assert env_proxy("https://api.openai.com/v1") == "http://proxy.internal:3128"
    assert env_proxy(None) == "http://proxy.internal:3128"
    assert env_proxy("http://127.0.0.1:8080/v1") is None
