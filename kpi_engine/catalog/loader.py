"""Load the bundled catalog YAML and a team's overrides into a strict Catalog."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from ..errors import CatalogError
from .models import Catalog, Goal, Kpi

__all__ = ["BUNDLED_CATALOG", "load_catalog", "default_catalog"]

BUNDLED_CATALOG = Path(__file__).with_name("kpis.yaml")
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: ~10x faster


def _read(path: Path) -> tuple[dict[str, Any], dict[tuple[str, str], int]]:
    """Parse a catalog file; return its data and the line of each kpi/goal entry."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CatalogError(f"Cannot read catalog file {path}: {exc.strerror}.") from exc
    try:
        node = yaml.compose(text, Loader=_Loader)
        data = yaml.load(text, Loader=_Loader) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        problem = getattr(exc, "problem", None) or str(exc)
        raise CatalogError(f"{where}: invalid YAML ({problem}). Fix the file and try again.") from exc
    if not isinstance(data, dict):
        raise CatalogError(f"{path}:1: a catalog file is a mapping with 'kpis' and/or 'goals' lists.")
    unknown = set(data) - {"kpis", "goals"}
    if unknown:
        raise CatalogError(
            f"{path}: unknown top-level key(s) {', '.join(sorted(unknown))}; use 'kpis' and 'goals'."
        )
    lines: dict[tuple[str, str], int] = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if key_node.value in ("kpis", "goals") and isinstance(value_node, yaml.SequenceNode):
                for item in value_node.value:
                    if isinstance(item, yaml.MappingNode):
                        for k, v in item.value:
                            if k.value == "id":
                                lines[(key_node.value, str(v.value))] = item.start_mark.line + 1
    for section in ("kpis", "goals"):
        entries = data.get(section) or []
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            raise CatalogError(f"{path}: '{section}' must be a list of mappings.")
        for i, entry in enumerate(entries):
            if "id" not in entry:
                raise CatalogError(f"{path}: entry {i + 1} of '{section}' has no 'id'.")
    return data, lines


def _merge(base: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _build(section: str, model: type[Kpi] | type[Goal], entry: dict[str, Any], where: str) -> Kpi | Goal:
    try:
        return model.model_validate(entry)
    except ValidationError as exc:
        details = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'entry'}: {err['msg']}" for err in exc.errors()
        )
        raise CatalogError(f"{where}: {section[:-1]} '{entry.get('id')}' is invalid: {details}.") from exc


def load_catalog(overrides: Iterable[Path | str] = (), *, base: Path = BUNDLED_CATALOG) -> Catalog:
    """The bundled catalog with team override files applied in order.

    An override entry whose id already exists must say ``override: true``; its
    fields are merged into the existing entry (so ``formula: {denominator:
    reach}`` pins a denominator). New ids extend the catalog.
    """
    raw: dict[str, dict[str, dict[str, Any]]] = {"kpis": {}, "goals": {}}
    origin: dict[tuple[str, str], str] = {}
    for index, path in enumerate([base, *map(Path, overrides)]):
        data, lines = _read(path)
        for section in ("kpis", "goals"):
            for entry in data.get(section) or []:
                entry = dict(entry)
                eid = str(entry["id"])
                where = f"{path}:{lines.get((section, eid), 1)}"
                is_override = bool(entry.pop("override", False))
                if eid in raw[section]:
                    if not is_override:
                        raise CatalogError(
                            f"{where}: {section[:-1]} '{eid}' is already defined at "
                            f"{origin[(section, eid)]}. Add 'override: true' to change it, "
                            "or pick a new id."
                        )
                    entry = _merge(raw[section][eid], entry)
                elif is_override:
                    raise CatalogError(
                        f"{where}: 'override: true' but no {section[:-1]} '{eid}' exists to override."
                    )
                model = Kpi if section == "kpis" else Goal
                _build(section, model, entry, where)  # validate each entry where it is written
                raw[section][eid] = entry
                if index == 0 or (section, eid) not in origin:
                    origin[(section, eid)] = where
    kpis = {k: Kpi.model_validate(v) for k, v in raw["kpis"].items()}
    goals = {g: Goal.model_validate(v) for g, v in raw["goals"].items()}
    try:
        return Catalog(kpis=kpis, goals=goals)
    except ValidationError as exc:
        msg = "; ".join(err["msg"].removeprefix("Value error, ") for err in exc.errors())
        files = ", ".join(str(p) for p in [base, *map(Path, overrides)])
        raise CatalogError(f"Catalog is inconsistent ({files}): {msg}.") from exc


@lru_cache(maxsize=1)
def default_catalog() -> Catalog:
    """The bundled catalog (cached; team overrides go through load_catalog)."""
    return load_catalog()
