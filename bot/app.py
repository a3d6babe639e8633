"""Build the slack-bolt App: installation mode, fast acks, de-duplication, listeners."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from slack_bolt import App
from sqlalchemy import Engine

from bot.dedup import EventDeduplicator, ReplayGuard
from bot.oauth import build_oauth_settings, is_multi_workspace, make_web_client
from bot.threads import thread_key
from bot.workers import WorkerPool

__all__ = ["Services", "build_app", "thread_key"]

log = logging.getLogger(__name__)


@dataclass
class Services:
    """What the listeners need, passed in once (no globals)."""

    advisor: Any
    workers: WorkerPool
    engine: Engine | None = None  # the state database
    digests: Any | None = None
    dedup: EventDeduplicator | None = None
    replays: ReplayGuard | None = None  # signed commands and interactions, acted on once
    placeholder_after: float = 1.5
    charts: bool = True
    recent: Any = field(default=None)  # bot.listeners.common.RecentAnswers
    # Short Slack calls that must happen within seconds of the request (views.open with its
    # 3-second trigger_id), kept apart from `workers`, whose queue may hold minutes of answers.
    urgent: Any = None  # concurrent.futures.Executor


def _default_digests(settings: Any, *, engine: Engine, advisor: Any, installation_store: Any | None) -> Any | None:
    from bot import wiring

    try:
        return wiring.build_digest_service(
            settings, state=engine, advisor=advisor,
            client_factory=wiring.build_client_factory(settings, state=engine, installation_store=installation_store),
        )
    except ImportError:
        log.info("bot.digests is not available; /kpi digest will say so")
        return None


def _cached_authorize(oauth_settings: Any, client: Any) -> Any:
    """bolt's installation-store authorize with its auth.test cache on: without it every
    request, on the ack path, waits for a Slack auth.test call (the cache is per bot token)."""
    from slack_bolt.authorization.authorize import InstallationStoreAuthorize

    return InstallationStoreAuthorize(
        installation_store=oauth_settings.installation_store, client_id=oauth_settings.client_id,
        client_secret=oauth_settings.client_secret, logger=logging.getLogger("slack_bolt.App"),
        user_token_resolution=oauth_settings.user_token_resolution, cache_enabled=True, client=client,
    )


def build_app(
    *,
    settings: Any,
    advisor: Any,
    client: Any | None = None,
    process_before_response: bool = True,
    engine: Engine | None = None,
    digests: Any | None = None,
    workers: WorkerPool | None = None,
    placeholder_after: float = 1.5,
    request_verification: bool = True,
    token_verification: bool = True,
    listener_threads: int = 32,
) -> App:
    """The Slack app; the state database holds installations and seen event ids.

    ``process_before_response``: bolt runs each listener on the request's own thread and
    answers when it returns. Every listener acks, then only queues work, so the response
    goes out as soon as the request is parsed; without it bolt hands each listener to
    another thread and polls every 10 ms for its ack (twice the CPU per request, measured).

    ``advisor`` is any :class:`bot.advisor_client.AdvisorClient`: an in-process
    ``Advisor`` (tests) or a :class:`bot.advisor_client.ProcessPoolAdvisor` (serve).

    ``digests`` defaults to :class:`bot.digests.service.DigestService` when that
    package exists; ``workers`` to a fresh bounded pool. The built services are
    reachable as ``app.kpi_services`` (tests and the serve command drain the pool).
    """
    from concurrent.futures import ThreadPoolExecutor

    from bot import wiring
    from bot.listeners import register_listeners
    from bot.listeners.common import RecentAnswers
    from bot.logs import register_secrets

    register_secrets(settings.secret_values())  # masked in every message shown to Slack users
    engine = engine if engine is not None else wiring.open_state(settings)
    multi = is_multi_workspace(settings)
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    if client is None:
        # bolt takes the token from the client in token mode, and copies its base_url and
        # retry handlers into the per-request clients it creates in OAuth mode.
        client = make_web_client(base_url=settings.slack_api_url, token=None if multi else token)
    secret = settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else None
    # bolt's own pool runs listeners (when not on the request thread) and urgent Slack calls;
    # the advisor work goes to `workers`.
    listener_executor = ThreadPoolExecutor(max_workers=listener_threads, thread_name_prefix="bolt")
    kwargs: dict[str, Any] = dict(
        signing_secret=secret,
        client=client,
        process_before_response=process_before_response,
        request_verification_enabled=request_verification,
        listener_executor=listener_executor,
        ignoring_self_events_enabled=True,
    )
    installation_store = None
    if multi:
        oauth_settings = build_oauth_settings(settings=settings, engine=engine)
        installation_store = oauth_settings.installation_store
        app = App(oauth_settings=oauth_settings, authorize=_cached_authorize(oauth_settings, client), **kwargs)
    else:
        if token is None:
            raise ValueError(
                "No Slack credentials: set SLACK_BOT_TOKEN for one workspace, "
                "or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET to install in many."
            )
        app = App(token_verification_enabled=token_verification, **kwargs)
    if digests is None:
        digests = _default_digests(settings, engine=engine, advisor=advisor, installation_store=installation_store)
    services = Services(
        advisor=advisor, digests=digests, workers=workers or WorkerPool(), engine=engine,
        dedup=EventDeduplicator(engine=engine), replays=ReplayGuard(engine=engine),
        placeholder_after=placeholder_after,
        recent=RecentAnswers(), urgent=listener_executor,
    )
    register_listeners(app, services, oauth=installation_store is not None)
    app.kpi_services = services  # type: ignore[attr-defined]
    return app

