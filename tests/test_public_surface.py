"""Each package's public names: a literal ``__all__``, every name visible to type checkers, every name importable.

The packages load their members lazily (``kpi-advisor --help`` must not pay for pandas), so the
names type checkers see come from an ``if TYPE_CHECKING:`` block. These tests keep the three
views of a package (``__all__``, the lazy table, the type-checking imports) from drifting apart.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ["kpi_engine", "knowledge", "advisor", "advisor.state", "bot", "bot.digests"]


def _init(package: str) -> ast.Module:
    return ast.parse((ROOT / package.replace(".", "/") / "__init__.py").read_text(encoding="utf-8"))


def _literal_all(tree: ast.Module) -> list[str]:
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "__all__" for t in node.targets):
            return ast.literal_eval(node.value)  # raises if __all__ is computed, not written out
    raise AssertionError("no __all__")


def _type_checking_names(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            for stmt in node.body:
                if isinstance(stmt, ast.ImportFrom):
                    names.update(a.asname or a.name for a in stmt.names)
    return names


@pytest.mark.parametrize("package", PACKAGES)
def test_all_is_a_literal_matching_the_lazy_table(package):
    names = _literal_all(_init(package))
    assert len(names) == len(set(names))
    assert set(names) == set(importlib.import_module(package)._EXPORTS)


@pytest.mark.parametrize("package", PACKAGES)
def test_type_checkers_see_every_exported_name(package):
    tree = _init(package)
    assert _type_checking_names(tree) == set(_literal_all(tree))


@pytest.mark.parametrize("package", PACKAGES)
def test_every_exported_name_resolves_and_nothing_else_does(package):
    module = importlib.import_module(package)
    for name in module.__all__:
        assert getattr(module, name) is not None, name
    with pytest.raises(AttributeError):
        module.definitely_not_exported  # noqa: B018


def test_every_user_facing_error_root_is_exported_under_the_one_root():
    from kpi_engine import KpiAdvisorError

    for package in PACKAGES:
        module = importlib.import_module(package)
        for name in module.__all__:
            obj = getattr(module, name)
            if isinstance(obj, type) and issubclass(obj, Exception):
                assert issubclass(obj, KpiAdvisorError), f"{package}.{name} is not under KpiAdvisorError"
