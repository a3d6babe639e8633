"""Imports flow one way: bot/CLI -> advisor -> knowledge, kpi_engine. Checked on the source."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

FORBIDDEN = {
    "kpi_engine": {"slack_bolt", "slack_sdk", "langchain", "langchain_core", "langchain_openai", "openai",
                   "chromadb", "bot", "advisor", "knowledge"},
    "knowledge": {"slack_bolt", "slack_sdk", "bot", "advisor"},
    "advisor": {"slack_bolt", "slack_sdk", "bot"},
    "bot": {"pandas", "langchain", "langchain_core", "langchain_openai", "openai", "chromadb"},
    # the state database's tables and migrations: the bot maps its ORM classes onto them, so they
    # must know nothing of the bot, the rest of the advisor, or heavy libraries
    "advisor/state": {"slack_bolt", "slack_sdk", "langchain", "langchain_core", "langchain_openai", "openai",
                      "chromadb", "bot", "knowledge", "pandas", "apscheduler"},
}


def _imports(path: Path) -> set[str]:
    return _imported_roots(ast.parse(path.read_text(encoding="utf-8")))


def _imported_roots(tree: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
        elif isinstance(node, ast.Call) and _dynamic_import(node):
            names.add(node.args[0].value.split(".")[0])
    return names


def _dynamic_import(node: ast.Call) -> bool:
    """`importlib.import_module("bot.x")`, `import_module("bot.x")` or `__import__("bot")` with a literal name."""
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
    return (name in ("import_module", "__import__") and bool(node.args)
            and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)
            and not node.args[0].value.startswith("."))


def test_dynamic_imports_are_seen():
    tree = ast.parse("import importlib\nimportlib.import_module('bot.app')\n__import__('slack_sdk')\n"
                     "import_module('.relative', __name__)\n")
    assert _imported_roots(tree) == {"importlib", "bot", "slack_sdk"}


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_does_not_import_outer_layers(package):
    bad = []
    for path in (ROOT / package).rglob("*.py"):
        hits = _imports(path) & FORBIDDEN[package]
        if hits:
            bad.append(f"{path.relative_to(ROOT)}: {sorted(hits)}")
    assert not bad, "\n".join(bad)


def test_state_schema_imports_nothing_else_from_the_advisor():
    """The bot maps its tables onto advisor.state, so it must stay free of the advisor's other modules."""
    bad = []
    for path in (ROOT / "advisor" / "state").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module] if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module
                     else [])
            bad += [f"{path.relative_to(ROOT)}: {n}" for n in names
                    if n.split(".")[0] == "advisor" and not n.startswith("advisor.state")]
    assert not bad, "\n".join(bad)


def test_only_advisor_llm_imports_langchain_and_openai():
    users = [p.relative_to(ROOT).as_posix() for p in (ROOT / "advisor").rglob("*.py")
             if _imports(p) & {"langchain", "langchain_core", "langchain_openai", "openai"}]
    assert users in ([], ["advisor/llm.py"])


def test_importing_the_engine_loads_no_client_library():
    code = ("import sys, kpi_engine.engine, kpi_engine.memory, kpi_engine.sample, kpi_engine.loaders; "
            "bad = [m for m in ('slack_sdk', 'slack_bolt', 'langchain_core', 'openai', 'chromadb') if m in sys.modules]; "
            "print(bad); raise SystemExit(1 if bad else 0)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_cli_startup_does_not_import_heavy_libraries():
    # `kpi-advisor --help` pays for typer and rich only
    heavy = ("pandas", "numpy", "pydantic", "sqlalchemy", "alembic", "chromadb", "langchain", "langchain_core",
             "openai", "slack_bolt", "slack_sdk", "matplotlib", "scipy")
    code = ("import sys; import bot.cli.main; "
            f"heavy = [m for m in {heavy!r} if m in sys.modules]; "
            "print(heavy); raise SystemExit(1 if heavy else 0)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_kpi_value_imports_only_what_it_uses(tmp_path):
    """`kpi value` on the sample computes in memory: no state database (SQLAlchemy), no knowledge, no LLM,
    and no pandas once the sample is cached (the cached source answers with numpy)."""
    unused = ("pandas", "sqlalchemy", "alembic", "chromadb", "langchain", "langchain_core", "openai", "slack_bolt",
              "slack_sdk", "matplotlib", "kpi_engine.sample", "kpi_engine.loaders", "kpi_engine.sql")
    code = ("import sys, runpy, io, contextlib\n"
            "sys.argv = ['kpi-advisor', 'kpi', 'value', 'engagement_rate']\n"
            "try:\n"
            "    with contextlib.redirect_stdout(io.StringIO()):\n"
            "        runpy.run_module('bot.cli.main', run_name='__main__')\n"
            "except SystemExit as exc:\n"
            "    assert not exc.code, exc.code\n"
            f"loaded = [m for m in {unused!r} if m in sys.modules]\n"
            "print(loaded); raise SystemExit(1 if loaded else 0)\n")
    env = {k: v for k, v in __import__("os").environ.items() if not k.startswith("KPI_ADVISOR_")}
    env["KPI_ADVISOR_HOME_DIR"] = str(tmp_path / "home")
    for attempt in ("cold cache", "warm cache"):  # the second run reads the cached sample
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, env=env)
        if attempt == "warm cache":
            assert result.returncode == 0, result.stdout + result.stderr
        else:
            assert "Traceback" not in result.stderr, result.stderr
