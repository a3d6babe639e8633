"""Start-up checks: each configuration problem becomes one sentence naming the setting to fix.

Run before anything is built, so `kpi-advisor serve` with a revoked token, an unreachable
Slack API, a bad DATABASE_URL, a missing database driver or a wrong Chroma server exits
with that sentence instead of a page of chained tracebacks.
"""

from __future__ import annotations

import logging
from typing import Any

from advisor.errors import ConfigError
from advisor.settings import mask_passwords

__all__ = ["check_state_database", "check_slack", "check_chroma", "run_startup_checks",
           "describe_database_error"]

log = logging.getLogger(__name__)

# Slack error codes that mean "this token is wrong, revoked or of the wrong kind".
_BAD_TOKEN = {"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired",
              "not_allowed_token_type", "team_access_not_granted", "ekm_access_denied"}
_CHECK_TIMEOUT = 10  # seconds; a start-up check that hangs is worse than one that fails


def _client(**kwargs: Any) -> Any:
    """A WebClient for one check: no retries, and quiet (its failure is reported as one sentence)."""
    from slack_sdk import WebClient

    quiet = logging.getLogger("kpi_advisor.startup_check")
    quiet.addHandler(logging.NullHandler())
    quiet.propagate = False
    return WebClient(timeout=_CHECK_TIMEOUT, retry_handlers=[], logger=quiet, **kwargs)


def describe_database_error(exc: BaseException, *, setting: str, url: str) -> str | None:
    """The sentence for a state-database failure, or None when ``exc`` is not a configuration problem."""
    from sqlalchemy import exc as sa_exc

    shown = mask_passwords(url)
    if isinstance(exc, ModuleNotFoundError):
        return (f"{setting} needs the database driver '{exc.name}', which is not installed. "
                "For PostgreSQL use postgresql+psycopg://user@host:5432/dbname and "
                "`pip install 'kpi-advisor[postgres]'`.")
    if isinstance(exc, sa_exc.NoSuchModuleError):
        return (f"{setting} names a database type SQLAlchemy does not know ({shown}). "
                "Use sqlite:///path/to/state.db or postgresql+psycopg://user@host:5432/dbname.")
    if isinstance(exc, sa_exc.ArgumentError | ValueError):
        return (f"{setting} is not a database URL ({shown}: {mask_passwords(str(exc))}). "
                "Use sqlite:///path/to/state.db or postgresql+psycopg://user@host:5432/dbname.")
    if isinstance(exc, sa_exc.DBAPIError | sa_exc.OperationalError | OSError):
        reason = mask_passwords(str(getattr(exc, "orig", None) or exc).strip().splitlines()[0])
        if setting == "KPI_ADVISOR_HOME_DIR":
            return f"Cannot open the state database {shown} ({reason}). Check that {setting} is writable."
        return (f"Cannot connect to the database in {setting} ({shown}): {reason}. "
                "Check the host, port, database name and credentials.")
    return None


def check_state_database(settings: Any, *, migrate: bool = True) -> None:
    """Open the app-state database once (schema brought up to date unless ``migrate=False``),
    or raise ConfigError naming the setting."""
    from advisor.db import open_database

    setting = "DATABASE_URL" if settings.database_url else "KPI_ADVISOR_HOME_DIR"
    url = settings.state_url
    try:
        engine = open_database(url, migrate=migrate)
        with engine.connect():
            pass
        engine.dispose()
    except Exception as exc:  # sorted below: configuration problems get a sentence, bugs re-raise
        message = describe_database_error(exc, setting=setting, url=url)
        if message is None:
            raise
        raise ConfigError(message) from None


def _slack_call(settings: Any, setting: str, call: Any) -> Any:
    """``call()`` with Slack's failures turned into ConfigError naming ``setting`` (or SLACK_API_URL)."""
    from slack_sdk.errors import SlackApiError, SlackClientError

    api = settings.slack_api_url
    try:
        return call()
    except SlackApiError as exc:
        data = exc.response.data if isinstance(exc.response.data, dict) else {}
        code = str(data.get("error") or "")
        if code in _BAD_TOKEN:
            raise ConfigError(f"Slack rejected {setting} ({code}). {_TOKEN_HINT[setting]}") from None
        if not code or " " in code or exc.response.status_code >= 300:  # not one of Slack's error codes
            raise ConfigError(
                f"The Slack API URL {api} did not answer like Slack (HTTP {exc.response.status_code}). "
                "Unset SLACK_API_URL to use https://slack.com/api/, or fix it.") from None
        raise ConfigError(f"Slack refused the start-up check for {setting} ({code}).") from None
    except (OSError, SlackClientError) as exc:  # URLError, refused, DNS, timeout, TLS
        reason = str(getattr(exc, "reason", None) or exc).splitlines()[0][:200]
        raise ConfigError(
            f"Could not reach the Slack API at {api} ({reason}). Check the network (or proxy), "
            "or SLACK_API_URL if you set it.") from None


_TOKEN_HINT = {
    "SLACK_BOT_TOKEN": "Copy the Bot User OAuth Token (xoxb-...) from your app's OAuth & Permissions page "
                       "(reinstall the app if it was revoked).",
    "SLACK_APP_TOKEN": "Create an app-level token (xapp-...) with connections:write under Basic Information "
                       "-> App-Level Tokens.",
}


def check_slack(settings: Any, mode: str) -> None:
    """The Slack credentials work and the API answers; otherwise ConfigError naming the setting."""
    base = settings.slack_api_url if settings.slack_api_url.endswith("/") else settings.slack_api_url + "/"
    bot = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    multi = bool(settings.slack_client_id and settings.slack_client_secret)
    if bot and not multi:
        if not bot.startswith("xoxb-"):
            raise ConfigError("SLACK_BOT_TOKEN must be a bot token starting with xoxb- "
                              f"(this one starts with {bot[:5]!r}). {_TOKEN_HINT['SLACK_BOT_TOKEN']}")
        client = _client(token=bot, base_url=base)
        _slack_call(settings, "SLACK_BOT_TOKEN", client.auth_test)
    else:  # OAuth installs bring their own tokens; still make sure the API answers
        client = _client(base_url=base)
        _slack_call(settings, "SLACK_API_URL", client.api_test)
    if mode == "socket":
        app = settings.slack_app_token.get_secret_value()
        if not app.startswith("xapp-"):
            raise ConfigError("SLACK_APP_TOKEN must be an app-level token starting with xapp- "
                              f"(this one starts with {app[:5]!r}). {_TOKEN_HINT['SLACK_APP_TOKEN']}")
        _slack_call(settings, "SLACK_APP_TOKEN", lambda: _client(base_url=base).apps_connections_open(app_token=app))


def check_chroma(settings: Any) -> None:
    """A configured Chroma server answers (host, port, TLS, credentials, tenant, database)."""
    if not settings.chroma_host:
        return
    from knowledge.store import ChromaStore

    ChromaStore(host=settings.chroma_host, port=settings.chroma_port, **settings.chroma_options)._connect()


def run_startup_checks(settings: Any, mode: str) -> None:
    """Everything `serve` needs from its configuration. The state database comes last: opening it
    brings its schema up to date, which is only worth doing (and logging) once the rest is right."""
    check_slack(settings, mode)
    check_chroma(settings)
    check_state_database(settings)
