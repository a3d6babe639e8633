"""`kpi-advisor serve`: run the Slack app in Socket Mode or HTTP mode."""

from __future__ import annotations

import logging
from typing import Any

import typer

__all__ = ["serve", "pick_mode", "missing_settings"]


def _has(value: Any) -> bool:
    if value is None:
        return False
    return bool(value.get_secret_value() if hasattr(value, "get_secret_value") else value)


def pick_mode(settings: Any, requested: str = "auto") -> str:
    """Socket Mode when an app-level token is set (or asked for), else HTTP."""
    if requested in ("socket", "http"):
        return requested
    return "socket" if _has(settings.slack_app_token) else "http"


def missing_settings(settings: Any, mode: str) -> list[str]:
    """What must still be set to run in ``mode``, each with a hint, in the order to fix them."""
    missing: list[str] = []
    oauth = settings.slack_client_id and _has(settings.slack_client_secret)
    if not (_has(settings.slack_bot_token) or oauth):
        if settings.slack_client_id and not _has(settings.slack_client_secret):
            missing.append("SLACK_CLIENT_SECRET (Basic Information -> App Credentials)")
        else:
            missing.append("SLACK_BOT_TOKEN (xoxb-..., OAuth & Permissions) for one workspace, "
                           "or SLACK_CLIENT_ID + SLACK_CLIENT_SECRET to install in many")
    if mode == "socket" and not _has(settings.slack_app_token):
        missing.append("SLACK_APP_TOKEN (xapp-..., Basic Information -> App-Level Tokens, "
                       "scope connections:write)")
    if mode == "http" and not _has(settings.slack_signing_secret):
        missing.append("SLACK_SIGNING_SECRET (Basic Information -> App Credentials)")
    return missing


def serve(
    mode: str = typer.Option("auto", help="auto (Socket Mode if SLACK_APP_TOKEN is set), socket or http."),
    host: str | None = typer.Option(None, help="HTTP mode: interface to bind (default KPI_ADVISOR_HOST)."),
    port: int | None = typer.Option(None, help="HTTP mode: port (default KPI_ADVISOR_PORT)."),
    log_level: str = typer.Option("info", help="debug, info, warning or error."),
    advisor_processes: int = typer.Option(
        -1, help="Worker processes that compute answers (default: one per core, at most 4); "
                 "0 computes them in the bot's own threads."),
) -> None:
    """Run the Slack app: Socket Mode (no public URL) or HTTP under uvicorn."""
    from bot.cli.common import err_console, fail, get_settings, user_errors

    if mode not in ("auto", "socket", "http"):
        fail(f"Unknown mode '{mode}': use auto, socket or http.", code=2)
    settings = get_settings()
    chosen = pick_mode(settings, mode)
    missing = missing_settings(settings, chosen)
    if missing:
        lines = "\n".join(f"  - {m}" for m in missing)
        fail(f"Cannot start in {chosen} mode; missing:\n{lines}\n"
             "Set them in the environment or .env (see .env.example and the README's Slack section).",
             code=2)

    logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    from bot.logs import install_redaction

    install_redaction(secrets=settings.secret_values())

    from bot.advisor_client import make_advisor
    from bot.app import build_app
    from bot.cli.checks import run_startup_checks

    with user_errors():  # a configuration problem is one sentence naming the setting, never a traceback
        run_startup_checks(settings, chosen)
    err_console.print(f"Starting kpi-advisor in [bold]{chosen}[/] mode…")
    # Answers are computed in worker processes, so their CPU work never delays an ack.
    advisor = make_advisor(settings, processes=None if advisor_processes < 0 else advisor_processes)
    scheduler = None
    try:
        # HTTP mode verifies signatures in bot.http, on the raw bytes before parsing; bolt's own check
        # would only repeat it (and logs the body of a request it rejects).
        app = build_app(settings=settings, advisor=advisor, request_verification=False)
        scheduler = _start_digest_scheduler(app, settings)
        from bot.target_alerts import start_target_alerts

        start_target_alerts(app, settings)  # hourly: DM a KPI's owner when its target's status changes
        if chosen == "socket":
            from bot.socket import run_socket_mode

            run_socket_mode(app, app_token=settings.slack_app_token.get_secret_value())
        else:
            from bot.http import create_http_app, run_http

            run_http(create_http_app(app, signing_secret=settings.slack_signing_secret.get_secret_value()),
                     host=host or settings.host, port=port or settings.port, log_level=log_level)
    finally:
        if scheduler is not None:
            scheduler.shutdown(wait=False)
        close = getattr(advisor, "close", None)
        if callable(close):
            close(wait=False)


def _start_digest_scheduler(app: Any, settings: Any) -> Any:
    """Start the digest scheduler next to the app, if the digest package provides one."""
    digests = app.kpi_services.digests
    if digests is None:
        return None
    try:
        from bot.digests.schedule import DigestScheduler
    except ImportError:
        return None
    scheduler = DigestScheduler(service=digests, engine=app.kpi_services.engine)
    digests.on_change = scheduler.sync  # new, changed and paused subscriptions reschedule at once
    scheduler.start()
    return scheduler
