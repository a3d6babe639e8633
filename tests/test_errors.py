"""One root for every error a user may see, and every such error survives the worker boundary."""

from __future__ import annotations

import inspect
import pickle

import pytest

import advisor.errors
import advisor.state.errors
import bot.advisor_client
import bot.digests.errors
import bot.parse
import knowledge.errors
import kpi_engine.errors
from kpi_engine.errors import KpiAdvisorError, UnknownKpi

MODULES = [kpi_engine.errors, knowledge.errors, advisor.errors, advisor.state.errors, bot.digests.errors, bot.parse, bot.advisor_client]


def _error_classes() -> list[type[BaseException]]:
    seen: dict[str, type[BaseException]] = {}
    for module in MODULES:
        for _, obj in inspect.getmembers(module, inspect.isclass):
            if issubclass(obj, BaseException) and obj.__module__ == module.__name__:
                seen[f"{obj.__module__}.{obj.__qualname__}"] = obj
    return [seen[k] for k in sorted(seen)]


def _instance(cls: type[BaseException]) -> BaseException:
    params = [p for p in inspect.signature(cls.__init__).parameters.values()
              if p.name != "self" and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
              and p.default is p.empty]
    args: list[object] = []
    for p in params:
        args.append(["engagement_rte"] if p.name == "suggestions" else f"<{p.name} value>")
    return cls(*args)


@pytest.mark.parametrize("cls", _error_classes(), ids=lambda c: c.__qualname__)
def test_every_project_error_survives_pickling_with_its_message(cls):
    exc = _instance(cls)
    back = pickle.loads(pickle.dumps(exc))
    assert type(back) is cls
    assert str(back) == str(exc)
    assert vars(back) == vars(exc)


@pytest.mark.parametrize("cls", _error_classes(), ids=lambda c: c.__qualname__)
def test_errors_written_for_people_share_one_root(cls):
    if cls.__name__ in ("AdvisorCrashed",):  # a bug report carrying a traceback, never shown as is
        assert not issubclass(cls, KpiAdvisorError)
    else:
        assert issubclass(cls, KpiAdvisorError), f"{cls.__qualname__} is not under KpiAdvisorError"


def test_unknown_kpi_message_is_not_nested_after_a_round_trip():
    exc = UnknownKpi("fluffiness_index", ["engagement_rate"])
    back = pickle.loads(pickle.dumps(pickle.loads(pickle.dumps(exc))))
    assert str(back) == str(exc)
    assert str(back).count("Unknown KPI") == 1
    assert back.kpi_id == "fluffiness_index" and back.suggestions == ["engagement_rate"]


def test_message_and_hint_are_kept_apart():
    exc = KpiAdvisorError("No data for tiktok in the last 28 days.", hint="The file ends on 2025-06-30.")
    assert exc.message.startswith("No data") and exc.hint.startswith("The file")
    assert str(exc) == "No data for tiktok in the last 28 days. The file ends on 2025-06-30."
