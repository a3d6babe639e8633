"""The LLM router in the resolution pipeline, against the local OpenAI-compatible server of test_llm."""

from __future__ import annotations

import json
import time

from advisor.understand import understand
from kpi_engine.catalog import default_catalog
from tests.advisor.fake_openai import Reply
from tests.advisor.test_llm import parsed, router  # the `server` fixture comes from conftest.py

CATALOG = default_catalog()


def _schema(body: dict) -> dict:
    return body["response_format"]["json_schema"]["schema"]


def _enum(schema: dict, field: str) -> list[str]:
    prop = schema["properties"][field]
    options = prop.get("anyOf", [prop])
    found = [o for o in options if "enum" in o]
    if not found and "$ref" in str(options):
        ref = next(o["$ref"] for o in options if "$ref" in o).split("/")[-1]
        found = [schema["$defs"][ref]]
    return found[0]["enum"]


def test_schema_enums_are_the_catalog_ids(server):
    server.script = [parsed(intent="recommend", goal="leads", kpi_id=None, period=None, filters=[],
                            compare_to=None, confidence=0.9)]
    u = understand("what should we track on social", catalog=CATALOG, router=router(server))
    schema = _schema(server.requests[0].json)
    assert sorted(_enum(schema, "goal")) == sorted(CATALOG.goals)
    assert sorted(_enum(schema, "kpi_id")) == sorted(CATALOG.kpis)
    assert (u.resolved_by, u.parsed.goal, u.parsed.kpi_id, u.clarify) == ("llm", "leads", "leads", None)


def test_clear_questions_never_call_the_model(server):
    u = understand("which KPI for awareness?", catalog=CATALOG, router=router(server))
    assert u.parsed.goal == "awareness" and u.resolved_by == "rules"
    assert not server.requests


def test_an_unsure_model_leaves_the_question_to_the_offline_path(server):
    server.script = [parsed(intent="recommend", goal="leads", kpi_id=None, period=None, filters=[],
                            compare_to=None, confidence=0.3)]
    u = understand("what should we track on social", catalog=CATALOG, router=router(server))
    assert u.clarify == "goal" and u.parsed.goal is None


def test_a_slow_model_times_out_into_the_offline_path(server):
    server.script = [Reply(delay=3.0, body=parsed(intent="recommend", goal="leads").body)]
    start = time.monotonic()
    u = understand("what should we track on social", catalog=CATALOG, router=router(server, timeout=0.5))
    assert time.monotonic() - start < 2.0
    assert u.clarify == "goal" and u.resolved_by != "llm"


def test_a_goal_outside_the_catalog_is_rejected(server):
    server.script = [parsed(intent="recommend", goal="world_domination", kpi_id=None, confidence=0.99)]
    u = understand("what should we track on social", catalog=CATALOG, router=router(server))
    assert u.clarify == "goal"
    assert json.loads(server.requests[0].body)["response_format"]["type"] == "json_schema"
