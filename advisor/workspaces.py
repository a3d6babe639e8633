"""Per-workspace settings and the engine each workspace computes with.

A workspace (a Slack team, or "local" in the terminal) has its own data
source, timezone, catalog overrides, default channel and followed KPIs.
Nothing is shared between workspaces except the bundled sample data.
"""

from __future__ import annotations

import json
import threading
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .errors import WorkspaceError

if TYPE_CHECKING:
    from sqlalchemy import Engine as SqlEngine

    from kpi_engine import Engine, Source
    from kpi_engine.catalog import Catalog

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


class WorkspaceStore:
    """Workspace settings in the state database, keyed by team id.

    SQLAlchemy is imported when the store is used: `kpi-advisor kpi value` builds an
    engine from settings (EngineProvider, WorkspaceConfig) and never opens the state database.
    """

    def __init__(self, *, db: SqlEngine, defaults: dict[str, Any] | None = None):
        self._db = db
        self._defaults = defaults or {}

    def _stored(self, conn: Any, team_id: str) -> str | None:
        from sqlalchemy import select

        from advisor.state.tables import workspace_settings as t

        config: str | None = conn.execute(select(t.c.config).where(t.c.team_id == team_id)).scalar_one_or_none()
        return config

    def get(self, team_id: str) -> WorkspaceConfig:
        with self._db.connect() as conn:
            stored = self._stored(conn, team_id)
        data = {**self._defaults, **(json.loads(stored) if stored else {}), "team_id": team_id}
        return WorkspaceConfig.model_validate(data)

    def update(self, team_id: str, **changes: Any) -> WorkspaceConfig:
        from sqlalchemy import insert, update

        from advisor.state.tables import workspace_settings as t

        current = self.get(team_id).model_dump()
        try:
            config = WorkspaceConfig.model_validate({**current, **changes, "team_id": team_id})
        except ValidationError as exc:
            fields = ", ".join(str(e["loc"][0]) for e in exc.errors())
            raise WorkspaceError(f"Invalid workspace setting ({fields}); check the values.") from exc
        if "timezone" in changes:
            from kpi_engine.periods import today_in

            today_in(config.timezone)  # raises a readable error for an unknown zone
        stored = json.dumps(config.model_dump(exclude={"team_id"}))
        with self._db.begin() as conn:
            if self._stored(conn, team_id) is None:
                conn.execute(insert(t).values(team_id=team_id, config=stored))
            else:
                conn.execute(update(t).where(t.c.team_id == team_id).values(config=stored))
        return config

    def team_ids(self) -> list[str]:
        from sqlalchemy import select

        from advisor.state.tables import workspace_settings as t

        with self._db.connect() as conn:
            return list(conn.execute(select(t.c.team_id)).scalars())


class EngineProvider:
    """Engines per workspace, over data sources loaded once and shared.

    A source is keyed by its data settings, so workspaces never share data
    unless they name the same files, except the bundled sample (no data
    configured), generated once per process and read-only; it ends yesterday
    so "last 7 days" has data.
    """

    def __init__(self, *, sample_end: date | None = None, cache_dir: Path | None = None):
        self._lock = threading.Lock()
        self._sources: dict[str, Source] = {}
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
    def _catalog(paths: tuple[str, ...]) -> Catalog:
        from kpi_engine.catalog import default_catalog, load_catalog

        return load_catalog([Path(p) for p in paths]) if paths else default_catalog()

    def _source(self, config: WorkspaceConfig) -> Source:
        key = json.dumps([config.data_url, config.data_path, config.data_mapping, config.timezone,
                          config.data_tables, config.data_schema], sort_keys=True)
        if key in self._sources:
            return self._sources[key]
        source: Source
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
            source = self._sample_source(self._sample_end or (date.today() - timedelta(days=1)))
        self._sources[key] = source
        return source

    def _sample_source(self, end: date) -> Source:
        """The bundled sample ending on ``end``, ready to compute on.

        Cached on disk as the built MemorySource, so a cold CLI start neither generates the
        sample nor builds its arrays (nor imports the generator).
        """
        import hashlib
        import importlib.util
        import pickle

        # the generator's and the source's code is part of the key: a change never reuses old data
        # (read by path: a cache hit never imports the generator)
        digest = hashlib.sha256()
        for module in ("kpi_engine.sample", "kpi_engine.sample_profiles", "kpi_engine.memory", "kpi_engine.schema"):
            spec = importlib.util.find_spec(module)
            assert spec is not None and spec.origin is not None
            digest.update(Path(spec.origin).read_bytes())
        version = digest.hexdigest()[:10]
        name = f"sample-{end.isoformat()}-{version}.pkl"
        path = self._cache_dir / name if self._cache_dir else None
        if path and path.exists():
            try:
                with path.open("rb") as fh:
                    cached: Source = pickle.load(fh)  # the MemorySource this method wrote below
                    return cached
            except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
                path.unlink(missing_ok=True)  # a stale or broken cache is regenerated
        from kpi_engine.memory import MemorySource
        from kpi_engine.sample import generate_sample

        source = MemorySource(generate_sample(end=end))
        if path:
            path.parent.mkdir(parents=True, exist_ok=True)
            for old in path.parent.glob("sample-*.pkl"):
                old.unlink(missing_ok=True)
            tmp = path.with_suffix(".tmp")
            with tmp.open("wb") as fh:
                pickle.dump(source, fh, protocol=pickle.HIGHEST_PROTOCOL)
            tmp.replace(path)
        return source
