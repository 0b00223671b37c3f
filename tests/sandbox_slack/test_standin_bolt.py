"""A real Bolt app behind a stdlib server, driven entirely by the stand-in: signatures, ack bodies,
respond() through the response_url, client calls back into the Web API, modals and Home."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from slack_bolt import App, BoltRequest
from slack_sdk import WebClient

from sandbox.slack import DEMO_BOT_TOKEN, SlackStandIn

SECRET = "bolt-test-secret"
MODAL = {
    "type": "modal",
    "callback_id": "digest.subscribe",
    "title": {"type": "plain_text", "text": "Subscribe"},
    "submit": {"type": "plain_text", "text": "Save"},
    "blocks": [
        {
            "type": "input",
            "block_id": "time",
            "label": {"type": "plain_text", "text": "Time"},
            "element": {"type": "plain_text_input", "action_id": "value"},
        }
    ],
}
CARD: list[dict[str, Any]] = [
    {"type": "section", "block_id": "card", "text": {"type": "mrkdwn", "text": "*EU* not connected"}},
    {
        "type": "actions",
        "block_id": "card.actions",
        "elements": [
            {
                "type": "button",
                "action_id": "region.sync_now",
                "text": {"type": "plain_text", "text": "Sync now"},
            }
        ],
    },
]


def build_app(slack: SlackStandIn) -> App:
    app = App(signing_secret=SECRET, client=WebClient(token=DEMO_BOT_TOKEN, base_url=slack.api_url))

    @app.command("/hilal")
    def handle_command(ack: Any, respond: Any, command: dict[str, Any], client: WebClient) -> None:
        if command["text"] == "digest subscribe":
            ack()
            client.views_open(trigger_id=command["trigger_id"], view=MODAL)
        else:
            ack(text="Working on it…")
            respond(text="EU region", blocks=CARD)

    @app.action("region.sync_now")
    def handle_sync(ack: Any, respond: Any) -> None:
        ack()
        respond(replace_original=True, text="EU syncing")

    @app.view("digest.subscribe")
    def handle_submit(ack: Any, view: dict[str, Any]) -> None:
        value = view["state"]["values"]["time"]["value"]["value"]
        if ":" not in value:
            ack(response_action="errors", errors={"time": "Use HH:MM, e.g. 09:00"})
        else:
            ack()

    @app.event("app_home_opened")
    def handle_home(event: dict[str, Any], client: WebClient) -> None:
        if event["tab"] == "home":
            client.views_publish(user_id=event["user"], view={"type": "home", "blocks": CARD})

    return app


@pytest.fixture
def bolt_url(slack: SlackStandIn) -> Iterator[str]:
    app = build_app(slack)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["content-length"])).decode("utf-8")
            headers: dict[str, str | Sequence[str]] = {k.lower(): [v] for k, v in self.headers.items()}
            response = app.dispatch(BoltRequest(body=body, headers=headers))
            data = response.body.encode("utf-8")
            self.send_response(response.status)
            for name, values in response.headers.items():
                for value in values:
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/slack/events"
    slack.configure_app(url, SECRET)
    yield url
    server.shutdown()
    server.server_close()


def texts(slack: SlackStandIn, user: str) -> list[str]:
    return [m.text for m in slack.ephemerals(user)]


def test_command_ack_then_respond_then_click(slack: SlackStandIn, bolt_url: str) -> None:
    status, _, _ = slack.send_command(team_id="T0DEMO", user_id="U0ADMIN", channel_id="C0PPC", text="regions")

    assert status == 200
    # the ack body and respond() race, exactly as in Slack
    assert slack.wait_for(lambda: sorted(texts(slack, "U0ADMIN")) == ["EU region", "Working on it…"])

    slack.send_block_action(team_id="T0DEMO", user_id="U0ADMIN", action_id="region.sync_now")

    assert slack.wait_for(lambda: sorted(texts(slack, "U0ADMIN")) == ["EU syncing", "Working on it…"])
    assert slack.notices() == []


def test_modal_round_trip(slack: SlackStandIn, bolt_url: str) -> None:
    slack.send_command(team_id="T0DEMO", user_id="U0ADMIN", channel_id="C0PPC", text="digest subscribe")
    assert slack.wait_for(lambda: len(slack.open_views("U0ADMIN")) == 1)

    slack.send_view_submission(team_id="T0DEMO", user_id="U0ADMIN", values={"time": {"value": "9am"}})
    assert slack.open_views("U0ADMIN")[0].errors == {"time": "Use HH:MM, e.g. 09:00"}

    slack.send_view_submission(team_id="T0DEMO", user_id="U0ADMIN", values={"time": {"value": "09:00"}})
    assert slack.open_views("U0ADMIN") == []


def test_home_tab(slack: SlackStandIn, bolt_url: str) -> None:
    slack.open_home(team_id="T0DEMO", user_id="U0MEMBER")

    assert slack.wait_for(lambda: slack.home("U0MEMBER") is not None)
    home = slack.home("U0MEMBER")
    assert home is not None and home.blocks == CARD
