"""The services both front ends run on, built from Settings in one place.

The CLI (``bot.cli``) and the Slack app (``bot.app``, ``kpi-advisor serve``) ask
here for the state database, the KPI engine, the knowledge base, the Advisor
(which builds its narrator with :func:`advisor.narrator.build_narrator`), the
Slack client factory and the digest service. Each function imports what it
builds when called, so importing this module costs nothing at start-up.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy import Engine as StateEngine

    from advisor.core import Advisor
    from advisor.settings import Settings
    from bot.digests.service import DigestService
    from knowledge.base import KnowledgeBase
    from kpi_engine import Engine

__all__ = [
    "build_advisor",
    "build_client_factory",
    "build_digest_service",
    "build_engine",
    "build_knowledge_base",
    "open_state",
]

ClientFactory = Callable[[str], Any]  # team id -> slack_sdk WebClient


def open_state(settings: Settings) -> StateEngine:
    """The state database (subscriptions, installations, conversations), migrated to the current schema."""
    from advisor.db import open_database

    return open_database(settings.state_url)


def build_engine(settings: Settings, team_id: str = "local") -> Engine:
    """The KPI engine over the configured data, with the workspace defaults from Settings."""
    from advisor.workspaces import EngineProvider, WorkspaceConfig, settings_defaults

    config = WorkspaceConfig(team_id=team_id, **settings_defaults(settings))
    return EngineProvider(cache_dir=settings.home / "cache").for_config(config)


def build_knowledge_base(settings: Settings) -> KnowledgeBase:
    """The guidance store the advisor retrieves from (location, embedder, team folders)."""
    from advisor.core import build_knowledge_base

    return build_knowledge_base(settings)


def build_advisor(settings: Settings) -> Advisor:
    """The in-process Advisor: engines, knowledge, narrator, state stores."""
    from advisor.core import Advisor

    return Advisor.from_settings(settings)


def build_client_factory(settings: Settings, *, state: StateEngine | None = None,
                         installation_store: Any | None = None) -> ClientFactory | None:
    """team id -> WebClient for work done without a request (digests, target alerts).

    A running app passes its installation store (multi-workspace); otherwise the
    bot token, or the installation store in ``state``; None without Slack credentials.
    """
    from bot.oauth import build_stores, is_multi_workspace, make_client_factory

    if installation_store is None and is_multi_workspace(settings):
        db = state if state is not None else open_state(settings)
        installation_store, _ = build_stores(engine=db, client_id=str(settings.slack_client_id))
    if installation_store is not None:
        return make_client_factory(settings=settings, installation_store=installation_store)
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    return make_client_factory(settings=settings) if token else None


def _no_slack(_team: str) -> Any:
    raise LookupError("no Slack credentials are configured")


def build_digest_service(settings: Settings, *, state: StateEngine, advisor: Any | None,
                         client_factory: ClientFactory | None) -> DigestService:
    """Subscriptions, scheduling state and delivery over ``state``.

    Without an advisor (subscribe, list, pause from the terminal) workspace settings
    come straight from the state database; without Slack credentials a delivery
    reports the workspace as unreachable.
    """
    from advisor.workspaces import WorkspaceStore, settings_defaults
    from bot.digests.service import DigestService

    workspace_for = None
    if advisor is None:
        workspace_for = WorkspaceStore(db=state, defaults=settings_defaults(settings)).get
    return DigestService(engine=state, advisor=advisor, client_factory=client_factory or _no_slack,
                         default_timezone=settings.timezone, workspace_for=workspace_for)
