"""Target status alerts: tell a KPI's owner (a DM) when its target's status changes.

The advisor evaluates every active target and claims each change in the state
database (once, whichever process gets there first); this module only posts the
DMs. ``kpi-advisor target alerts`` runs it once (cron), and ``kpi-advisor serve``
runs it in a background thread every hour (:class:`TargetAlertLoop`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from bot.advisor_client import call_in_advisor
from bot.render.blocks import render_answer
from bot.render.errors import describe_error

__all__ = ["TargetAlertLoop", "deliver_target_alerts", "start_target_alerts"]

log = logging.getLogger(__name__)


def deliver_target_alerts(advisor: Any, client_for: Callable[[str], Any] | None, *,
                          teams: list[str] | None = None) -> dict[str, Any]:
    """Evaluate targets (of ``teams``, default all) and DM each owner whose target changed status."""
    from advisor.governance import collect_target_alerts

    due = call_in_advisor(advisor, collect_target_alerts, teams=teams)
    report: dict[str, Any] = {"sent": [], "failed": []}
    for alert in due:
        item = {"team": alert.team_id, "user": alert.user, "target": alert.target_id, "status": alert.status,
                "text": alert.answer.summary}
        if client_for is None:
            report["failed"].append({**item, "error": "no Slack credentials to send the DM"})
            continue
        try:
            client = client_for(alert.team_id)
            for message in render_answer(alert.answer):
                client.chat_postMessage(channel=alert.user, **message)  # a user id opens the app DM
            report["sent"].append(item)
        except Exception as exc:  # one workspace's failure must not stop the others' alerts
            report["failed"].append({**item, "error": describe_error(exc)})
    return report


class TargetAlertLoop:
    """Runs :func:`deliver_target_alerts` every ``interval`` seconds in a daemon thread."""

    def __init__(self, advisor: Any, client_for: Callable[[str], Any] | None, *, interval: float = 3600.0):
        self._advisor, self._client_for, self._interval = advisor, client_for, interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="target-alerts", daemon=True)

    def start(self) -> TargetAlertLoop:
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                report = deliver_target_alerts(self._advisor, self._client_for)
                if report["sent"] or report["failed"]:
                    log.info("target alerts: %d sent, %d failed", len(report["sent"]), len(report["failed"]))
            except Exception as exc:  # keep the loop alive; the next round tries again
                log.warning("target alerts failed: %s", describe_error(exc))

    def shutdown(self) -> None:
        self._stop.set()


def start_target_alerts(app: Any, settings: Any, *, interval: float = 3600.0) -> TargetAlertLoop:
    """The hourly alert loop next to a running app (its advisor, its workspaces' tokens)."""
    from bot.wiring import build_client_factory

    store = getattr(app, "installation_store", None)
    client_for = build_client_factory(settings, state=app.kpi_services.engine, installation_store=store)
    return TargetAlertLoop(app.kpi_services.advisor, client_for, interval=interval).start()
