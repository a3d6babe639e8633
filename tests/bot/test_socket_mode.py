"""Socket Mode against a local WebSocket server that pushes Slack envelopes, as bolt's own tests do."""

from __future__ import annotations

import json
import threading
import uuid

import pytest
from websockets.sync.server import serve

from bot.socket import build_socket_handler
from tests.bot.fake_advisor import FakeAdvisor
from tests.bot.fake_slack import wait_until
from tests.bot.harness import event_payload, make_settings, mention


class FakeSocketModeServer:
    """Accepts the app's connection, says hello, pushes envelopes, records the acks."""

    def __init__(self, envelopes: list[dict]):
        self.envelopes = envelopes
        self.received: list[dict] = []
        self.server = serve(self._handle, "127.0.0.1", 0)
        self.url = f"ws://127.0.0.1:{self.server.socket.getsockname()[1]}/link"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def _handle(self, ws) -> None:
        ws.send(json.dumps({"type": "hello", "num_connections": 1,
                            "connection_info": {"app_id": "A1"}}))
        for env in self.envelopes:
            ws.send(json.dumps(env))
        try:
            for message in ws:
                self.received.append(json.loads(message))
        except Exception:
            pass

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()


def _events_envelope(payload: dict, retry: int = 0) -> dict:
    return {"envelope_id": str(uuid.uuid4()), "type": "events_api", "payload": payload,
            "accepts_response_payload": False, "retry_attempt": retry, "retry_reason": ""}


@pytest.mark.timeout(60)
def test_socket_mode_acks_envelopes_and_replies(tmp_path, slack, digests):
    from bot.app import build_app

    ev = event_payload(mention("socket question", ts="1600000005.000001"), event_id="EvSock")
    command = {"envelope_id": str(uuid.uuid4()), "type": "slash_commands", "accepts_response_payload": True,
               "payload": {"team_id": "T1", "channel_id": "C1", "user_id": "U1", "command": "/kpi",
                           "text": "help", "api_app_id": "A1", "response_url": slack.url + "response/x",
                           "trigger_id": "t1"}}
    envelopes = [_events_envelope(ev), _events_envelope(ev, retry=1), command]
    advisor = FakeAdvisor()
    settings = make_settings(tmp_path / "home", slack.api_url, slack_signing_secret=None,
                             slack_app_token="xapp-1-A1-test")
    app = build_app(settings=settings, advisor=advisor, digests=digests, request_verification=False)
    with FakeSocketModeServer(envelopes) as server:
        slack.ws_url = server.url
        handler = build_socket_handler(app, app_token="xapp-1-A1-test")
        handler.connect()
        try:
            acks = wait_until(lambda: len(server.received) >= 3 and server.received, timeout=10)
            assert {a["envelope_id"] for a in acks} == {e["envelope_id"] for e in envelopes}
            help_ack = next(a for a in acks if a["envelope_id"] == command["envelope_id"])
            assert "/kpi value" in help_ack["payload"]["text"]
            post = slack.wait_for("chat.postMessage")[0]
            assert post["params"]["thread_ts"] == "1600000005.000001"
            assert "Answer: socket question" in post["params"]["text"]
            app.kpi_services.workers.wait_idle(5)
            assert len(slack.of("chat.postMessage")) == 1  # the retried envelope was de-duplicated
            assert slack.of("apps.connections.open")[0]["token"] == "xapp-1-A1-test"
        finally:
            handler.close()
            app.kpi_services.workers.shutdown()
