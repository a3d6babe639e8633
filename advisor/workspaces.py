"""Per-workspace settings and the engine each workspace computes with.

A workspace (a Slack team, or "local" in the terminal) has its own data
source, timezone, catalog overrides, default channel and followed KPIs.
Nothing is shared between workspaces except the bundled sample data.
"""

from __future__ import annotations

import json
import threading
from functools import lru_cache
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Mapped, Session

from advisor.state import tables

from .db import Base
from .errors import WorkspaceError

if TYPE_CHECKING:
    from sqlalchemy import Engine as SqlEngine

    from kpi_engine import Engine

__all__ = ["WorkspaceConfig", "WorkspaceStore", "EngineProvider", "settings_defaults"]


class WorkspaceConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    team_id: str
    data_path: str | None = None
    data_url: str | None = None
    data_mapping: str | None = None
    data_tables: dict[str, str] = Field(default_factory=dict)  # SQL: canonical table -> your table
    data_schema: str | None = None
    timezone: str = "UTC"
    catalog_paths: list[str] = Field(default_factory=list)
    default_channel: str | None = None
    followed_kpis: list[str] = Field(default_factory=list)


def settings_defaults(settings: Any) -> dict[str, Any]:
    """The workspace fields a deployment's Settings provide (every workspace starts from these)."""
    return {
        "data_path": str(settings.data_path) if settings.data_path else None,
        "data_url": settings.data_url,
        "data_mapping": settings.data_mapping,
        "data_tables": dict(settings.data_tables),
        "data_schema": settings.data_schema,
        "timezone": settings.timezone,
        "catalog_paths": [str(p) for p in settings.catalog_paths],
    }


class _WorkspaceRow(Base):
    __table__ = tables.workspace_settings

    team_id: Mapped[str]
    config: Mapped[str]


class WorkspaceStore:
    """Workspace settings in the state database, keyed by team id."""

    def __init__(self, *, db: SqlEngine, defaults: dict[str, Any] | None = None):
        self._db = db
        self._defaults = defaults or {}

    def get(self, team_id: str) -> WorkspaceConfig:
        with Session(self._db) as s:
            row = s.get(_WorkspaceRow, team_id)
        data = {**self._defaults, **(json.loads(row.config) if row else {}), "team_id": team_id}
        return WorkspaceConfig.model_validate(data)

    def update(self, team_id: str, **changes: Any) -> WorkspaceConfig:
        current = self.get(team_id).model_dump()
        try:
            config = WorkspaceConfig.model_validate({**current, **changes, "team_id": team_id})
        except ValidationError as exc:
            fields = ", ".join(str(e["loc"][0]) for e in exc.errors())
            raise WorkspaceError(f"Invalid workspace setting ({fields}); check the values.") from exc
        if "timezone" in changes:
            from kpi_engine.periods import today_in

            today_in(config.timezone)  # raises a readable error for an unknown zone
        stored = config.model_dump(exclude={"team_id"})
        with Session(self._db) as s:
            row = s.get(_WorkspaceRow, team_id)
            if row is None:
                s.add(_WorkspaceRow(team_id=team_id, config=json.dumps(stored)))
            else:
                row.config = json.dumps(stored)
            s.commit()
        return config

    def team_ids(self) -> list[str]:
        with Session(self._db) as s:
            return list(s.scalars(select(_WorkspaceRow.team_id)))


class EngineProvider:
    """Engines per workspace, over data sources loaded once and shared.

    A source is keyed by its data settings, so workspaces never share data
    unless they name the same files, except the bundled sample (no data
    configured), generated once per process and read-only; it ends yesterday
    so "last 7 days" has data.
    """

    def __init__(self, *, sample_end: date | None = None, cache_dir: Path | None = None):
        self._lock = threading.Lock()
        self._sources: dict[str, Any] = {}
        self._sample_end = sample_end
        self._cache_dir = cache_dir

    def for_config(self, config: WorkspaceConfig, *, today: date | None = None) -> Engine:
        from kpi_engine import Engine

        with self._lock:
            source = self._source(config)
        if today is None and self._sample_end and not (config.data_url or config.data_path):
            today = self._sample_end + timedelta(days=1)  # a pinned sample is "as of" its last day
        return Engine(source=source, catalog=self._catalog(tuple(config.catalog_paths)),
                      timezone=config.timezone, today=today)

    def catalog_for(self, paths: list[str]) -> Any:
        """The catalog for a workspace's catalog paths (cached)."""
        return self._catalog(tuple(paths))

    @staticmethod
    @lru_cache(maxsize=32)
    def _catalog(paths: tuple[str, ...]):
        from kpi_engine.catalog import default_catalog, load_catalog

        return load_catalog([Path(p) for p in paths]) if paths else default_catalog()

    def _source(self, config: WorkspaceConfig):
        key = json.dumps([config.data_url, config.data_path, config.data_mapping, config.timezone,
                          config.data_tables, config.data_schema], sort_keys=True)
        if key in self._sources:
            return self._sources[key]
        if config.data_url:
            from kpi_engine.sql import SqlSource

            mappings = [m.strip() for m in (config.data_mapping or "").split(",") if m.strip()]
            source = SqlSource(config.data_url, timezone=config.timezone, tables=config.data_tables,
                               schema=config.data_schema, mappings=mappings)
        elif config.data_path:
            from kpi_engine.loaders import load_dataset
            from kpi_engine.memory import MemorySource

            source = MemorySource(load_dataset(Path(config.data_path), mapping=config.data_mapping,
                                               timezone=config.timezone))
        else:
            from kpi_engine.memory import MemorySource

            source = MemorySource(self._sample(self._sample_end or (date.today() - timedelta(days=1))))
        self._sources[key] = source
        return source

    def _sample(self, end: date):
        """The bundled sample ending on ``end``; cached on disk so a cold CLI start skips generating it."""
        import hashlib
        import pickle

        from kpi_engine import sample, sample_profiles

        # the generator's own source is part of the key: a changed generator never reuses old data
        digest = hashlib.sha256()
        for module in (sample, sample_profiles):
            digest.update(Path(module.__file__).read_bytes())
        version = digest.hexdigest()[:10]
        name = f"sample-{end.isoformat()}-{version}.pkl"
        path = self._cache_dir / name if self._cache_dir else None
        if path and path.exists():
            try:
                with path.open("rb") as fh:
                    return pickle.load(fh)
            except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
                path.unlink(missing_ok=True)  # a stale or broken cache is regenerated
        dataset = sample.generate_sample(end=end)
        if path:
            path.parent.mkdir(parents=True, exist_ok=True)
            for old in path.parent.glob("sample-*.pkl"):
                old.unlink(missing_ok=True)
            tmp = path.with_suffix(".tmp")
            with tmp.open("wb") as fh:
                pickle.dump(dataset, fh, protocol=pickle.HIGHEST_PROTOCOL)
            tmp.replace(path)
        return dataset
