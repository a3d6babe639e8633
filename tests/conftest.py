"""Test-wide isolation: no real credentials, every data path under tmp_path."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path, monkeypatch):
    for key in list(os.environ):
        if key.startswith(("SLACK_", "OPENAI_", "KPI_ADVISOR_")) or key in ("DATABASE_URL",):
            monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("KPI_ADVISOR_HOME_DIR", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    yield
