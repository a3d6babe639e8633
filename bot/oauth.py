"""Installation modes: one workspace with a bot token, or many through OAuth with SQL stores."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine

log = logging.getLogger(__name__)

__all__ = [
    "BOT_SCOPES", "INSTALL_PATH", "REDIRECT_PATH", "is_multi_workspace", "make_web_client",
    "build_oauth_settings", "build_stores", "make_client_factory",
]

# Keep in sync with bot/manifest.yaml (a test checks it).
BOT_SCOPES = [
    "app_mentions:read", "chat:write", "commands", "files:write", "im:write",
    "channels:read", "groups:read",  # membership check before a digest subscription is saved
    # message events; and digests look up their own earlier post before re-posting after a crash
    "im:history", "channels:history", "groups:history", "mpim:history",
]
INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"


def _secret(value: Any) -> str | None:
    if value is None:
        return None
    return value.get_secret_value() if hasattr(value, "get_secret_value") else str(value)


def is_multi_workspace(settings: Any) -> bool:
    """OAuth (many workspaces) when a client id and secret are configured, else token mode."""
    return bool(settings.slack_client_id and _secret(settings.slack_client_secret))


def make_web_client(*, base_url: str, token: str | None = None, rate_limit_retries: int = 2) -> Any:
    """A WebClient that waits out 429s (Retry-After) and retries dropped connections."""
    from slack_sdk import WebClient
    from slack_sdk.http_retry.builtin_handlers import (
        ConnectionErrorRetryHandler,
        RateLimitErrorRetryHandler,
    )

    base = base_url if base_url.endswith("/") else base_url + "/"
    return WebClient(
        token=token, base_url=base,
        retry_handlers=[ConnectionErrorRetryHandler(),
                        RateLimitErrorRetryHandler(max_retry_count=rate_limit_retries)],
    )


def build_stores(*, engine: Engine, client_id: str) -> tuple[Any, Any]:
    """slack_sdk's SQLAlchemy installation and OAuth state stores.

    Their tables (slack_installations, slack_bots, slack_oauth_states) are made by the
    schema migrations when the database is opened, never here: two processes creating
    them at once would race.
    """
    try:
        from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
        from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
    except ImportError as exc:
        # slack_sdk's module imports sqlalchemy.ext.asyncio, which SQLAlchemy 2.1 refuses
        # without greenlet. SQLite keeps working through slack_sdk's sqlite3 stores.
        database = engine.url.database if engine.url.get_backend_name() == "sqlite" else None
        if not database or database == ":memory:":
            raise RuntimeError(
                "Multi-workspace installation needs the 'greenlet' package with SQLAlchemy 2.1 "
                f"({exc}). Run `pip install greenlet`, or use SLACK_BOT_TOKEN for one workspace."
            ) from exc
        log.warning("greenlet is not installed; using slack_sdk's sqlite3 installation stores")
        from slack_sdk.oauth.installation_store.sqlite3 import SQLite3InstallationStore
        from slack_sdk.oauth.state_store.sqlite3 import SQLite3OAuthStateStore

        return (SQLite3InstallationStore(database=database, client_id=client_id),
                SQLite3OAuthStateStore(database=database, expiration_seconds=600))
    installations = SQLAlchemyInstallationStore(client_id=client_id, engine=engine)
    states = SQLAlchemyOAuthStateStore(expiration_seconds=600, engine=engine)
    return installations, states


def build_oauth_settings(*, settings: Any, engine: Engine) -> Any:
    """bolt OAuthSettings for multi-workspace installs at /slack/install."""
    from slack_bolt.oauth.oauth_settings import OAuthSettings

    installations, states = build_stores(engine=engine, client_id=settings.slack_client_id)
    return OAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=_secret(settings.slack_client_secret),
        scopes=BOT_SCOPES,
        installation_store=installations,
        state_store=states,
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
    )


def make_client_factory(
    *, settings: Any, installation_store: Any | None = None
) -> Callable[[str], Any]:
    """team_id -> WebClient with that workspace's bot token (for digests posted without a request)."""
    base_url = settings.slack_api_url
    single_token = _secret(settings.slack_bot_token)

    def client_for(team_id: str) -> Any:
        token = single_token
        if installation_store is not None:
            bot = installation_store.find_bot(enterprise_id=None, team_id=team_id)
            if bot is None:
                raise LookupError(f"The app is not installed in workspace {team_id}.")
            token = bot.bot_token
        return make_web_client(base_url=base_url, token=token)

    return client_for
