"""Smoke test of the Slack console in headless Chromium.

A tiny stdlib "app" verifies Slack's signatures, answers ``/hilal …`` by posting Block Kit to the
response_url, updates the message on clicks, opens a modal and validates its submission, and publishes
a Home tab. The test drives the console the way a person would: by visible text and labels.
"""

from __future__ import annotations

import json
import os
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

import pytest
from slack_sdk import WebClient
from slack_sdk.signature import SignatureVerifier

from sandbox.slack import DEMO_BOT_TOKEN, SlackStandIn
from tests.e2e.shots import screenshot_path

pytestmark = pytest.mark.e2e

CHROMIUM = "/usr/bin/chromium"
SECRET = "e2e-signing-secret"
PIXEL = (
    "data:image/svg+xml;utf8,"
    + "<svg xmlns='http://www.w3.org/2000/svg' width='8' height='8'>"
    + "<rect width='8' height='8' fill='%231d4f91'/></svg>"
)


def opt(text: str, value: str) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": text}, "value": value}


def region_card(status: str) -> list[dict[str, Any]]:
    return [
        {"type": "header", "block_id": "hdr", "text": {"type": "plain_text", "text": "EU region"}},
        {
            "type": "section",
            "block_id": "status",
            "text": {
                "type": "mrkdwn",
                "text": f"*Status:* {status}\nLast sync <https://example.test|5 min ago>",
            },
            "fields": [
                {"type": "mrkdwn", "text": "*Profiles*\n3"},
                {"type": "mrkdwn", "text": "*Currency*\nEUR"},
            ],
            "accessory": {
                "type": "overflow",
                "action_id": "region.more",
                "options": [opt("Edit marketplaces", "edit"), opt("View history", "history")],
            },
        },
        {
            "type": "context",
            "block_id": "ctx",
            "elements": [
                {"type": "image", "image_url": PIXEL, "alt_text": "eu"},
                {"type": "mrkdwn", "text": ":large_green_circle: healthy"},
            ],
        },
        {"type": "divider", "block_id": "div"},
        {
            "type": "section",
            "block_id": "markets",
            "text": {"type": "mrkdwn", "text": "Marketplaces"},
            "accessory": {
                "type": "checkboxes",
                "action_id": "marketplaces.select",
                "options": [opt("Germany", "de"), opt("France", "fr"), opt("Italy", "it")],
                "initial_options": [opt("Germany", "de")],
            },
        },
        {
            "type": "section",
            "block_id": "groups",
            "text": {"type": "mrkdwn", "text": "More profiles"},
            "accessory": {
                "type": "multi_static_select",
                "action_id": "profiles.pick",
                "placeholder": {"type": "plain_text", "text": "Pick profiles"},
                "option_groups": [
                    {
                        "label": {"type": "plain_text", "text": "Europe"},
                        "options": [opt("Spain", "es"), opt("Netherlands", "nl")],
                    },
                    {"label": {"type": "plain_text", "text": "Far East"}, "options": [opt("Japan", "jp")]},
                ],
            },
        },
        {
            "type": "actions",
            "block_id": "buttons",
            "elements": [
                {
                    "type": "button",
                    "action_id": "region.sync_now",
                    "style": "primary",
                    "text": {"type": "plain_text", "text": "Sync now"},
                    "confirm": {
                        "title": {"type": "plain_text", "text": "Sync EU now?"},
                        "text": {"type": "mrkdwn", "text": "This pulls campaigns and reports."},
                        "confirm": {"type": "plain_text", "text": "Sync"},
                        "deny": {"type": "plain_text", "text": "Not now"},
                    },
                },
                {
                    "type": "button",
                    "action_id": "region.connect",
                    "text": {"type": "plain_text", "text": "Connect"},
                    "url": "https://example.test/connect",
                },
                {
                    "type": "button",
                    "action_id": "digest.open",
                    "text": {"type": "plain_text", "text": "Subscribe…"},
                },
                {
                    "type": "button",
                    "action_id": "region.disconnect",
                    "style": "danger",
                    "text": {"type": "plain_text", "text": "Disconnect"},
                },
            ],
        },
    ]


MODAL = {
    "type": "modal",
    "callback_id": "digest.subscribe",
    "title": {"type": "plain_text", "text": "Daily digest"},
    "submit": {"type": "plain_text", "text": "Subscribe"},
    "blocks": [
        {
            "type": "input",
            "block_id": "time",
            "label": {"type": "plain_text", "text": "Time"},
            "hint": {"type": "plain_text", "text": "Local time, 24h"},
            "element": {
                "type": "plain_text_input",
                "action_id": "value",
                "placeholder": {"type": "plain_text", "text": "09:00"},
            },
        },
        {
            "type": "input",
            "block_id": "region",
            "label": {"type": "plain_text", "text": "Region"},
            "element": {
                "type": "static_select",
                "action_id": "value",
                "options": [opt("Europe", "eu"), opt("North America", "na")],
            },
        },
    ],
}


class FakeApp:
    """Answers like Hilal would, minus everything Hilal actually does."""

    def __init__(self, slack: SlackStandIn) -> None:
        self.slack = slack
        self.client = WebClient(token=DEMO_BOT_TOKEN, base_url=slack.api_url)
        self.actions: list[dict[str, Any]] = []
        self.submissions: list[dict[str, Any]] = []
        self.verifier = SignatureVerifier(SECRET)
        self.changed = threading.Condition()

    def wait(self, predicate: Any, timeout: float = 5.0) -> bool:
        with self.changed:
            return bool(self.changed.wait_for(predicate, timeout))

    def saw(self, action_id: str, **expected: Any) -> bool:
        return any(
            a["action_id"] == action_id and all(a.get(k) == v for k, v in expected.items())
            for a in self.actions
        )

    def respond(self, url: str, body: dict[str, Any]) -> None:
        request = urllib.request.Request(url, json.dumps(body).encode(), {"Content-Type": "application/json"})
        try:
            urllib.request.urlopen(request).close()
        except urllib.error.HTTPError as refused:  # e.g. 400 invalid_blocks: the console shows Slack's error
            refused.close()

    def handle(self, raw: str, headers: dict[str, str]) -> tuple[int, str]:
        if not self.verifier.is_valid_request(raw, headers):
            return 401, "invalid request"
        if headers.get("content-type", "").startswith("application/json"):
            event = json.loads(raw)["event"]
            blocks = [
                {
                    "type": "section",
                    "block_id": "welcome",
                    "text": {"type": "mrkdwn", "text": f"*Welcome home*, <@{event['user']}>"},
                }
            ]
            self.client.views_publish(
                user_id=event["user"], view={"type": "home", "blocks": blocks + region_card("connected")[3:]}
            )
            return 200, ""
        form = dict(parse_qsl(raw))
        if "payload" not in form:
            return self.command(form)
        payload = json.loads(form["payload"])
        if payload["type"] == "view_submission":
            return self.submit(payload)
        return self.action(payload)

    def command(self, form: dict[str, str]) -> tuple[int, str]:
        if form["text"] == "broken":
            self.respond(form["response_url"], {"text": "too big", "blocks": [{"type": "divider"}] * 51})
        else:
            self.respond(
                form["response_url"],
                {"text": "EU region: not connected", "blocks": region_card("not connected")},
            )
        return 200, ""

    def action(self, payload: dict[str, Any]) -> tuple[int, str]:
        action = payload["actions"][0]
        with self.changed:
            self.actions.append(action)
            self.changed.notify_all()
        if action["action_id"] == "region.sync_now":
            self.respond(
                payload["response_url"],
                {"replace_original": True, "text": "EU syncing", "blocks": region_card("syncing…")},
            )
        elif action["action_id"] == "digest.open":
            self.client.views_open(trigger_id=payload["trigger_id"], view=MODAL)
        return 200, ""

    def submit(self, payload: dict[str, Any]) -> tuple[int, str]:
        values = payload["view"]["state"]["values"]
        self.submissions.append(values)
        if ":" not in (values["time"]["value"]["value"] or ""):
            return 200, json.dumps(
                {"response_action": "errors", "errors": {"time": "Use HH:MM, for example 09:00"}}
            )
        return 200, ""


@pytest.fixture
def console() -> Iterator[tuple[SlackStandIn, FakeApp]]:
    slack = SlackStandIn.with_demo_workspace().start()
    app = FakeApp(slack)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers["content-length"])).decode()
            status, body = app.handle(raw, {k.lower(): v for k, v in self.headers.items()})
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json" if body.startswith("{") else "text/plain")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    slack.configure_app(f"http://127.0.0.1:{server.server_address[1]}/slack/events", SECRET)
    yield slack, app
    server.shutdown()
    server.server_close()
    slack.stop()


@pytest.fixture
def page() -> Iterator[Any]:
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is missing: apt-get install -y chromium")
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")
    args = [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
    ]
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=args, headless=True)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(10_000)
        yield page
        context.close()
        browser.close()


def _pick_from_overflow(card: Any, name: str) -> None:
    """Open the overflow menu and pick `name`; the console re-renders the timeline as state arrives, so a
    menu opened just before a re-render is opened again rather than failing the walk."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for _attempt in range(3):
        button = card.get_by_role("button", name="More actions")
        if button.get_attribute("aria-expanded") != "true":
            button.click()
        try:
            card.get_by_role("menuitem", name=name).click(timeout=3_000)
            return
        except PlaywrightTimeout:
            continue
    raise AssertionError(f"the overflow menu never showed {name!r}")


def test_console_renders_and_clicks_like_slack(console: tuple[SlackStandIn, FakeApp], page: Any) -> None:
    from playwright.sync_api import expect

    slack, app = console
    page.goto(slack.base_url + "/")
    page.get_by_role("button", name="# ppc").click()
    expect(page.get_by_role("heading", name="# ppc")).to_be_visible()

    composer = page.get_by_label("Message #ppc")
    composer.fill("/hilal regions")
    composer.press("Enter")

    card = page.get_by_role("article", name="Message from hilal")
    expect(card.get_by_role("heading", name="EU region")).to_be_visible()
    expect(card.get_by_text("Only visible to you")).to_be_visible()
    expect(card.get_by_text("not connected")).to_be_visible()
    expect(card.get_by_label("Germany")).to_be_checked()
    expect(card.locator("strong", has_text="Profiles")).to_be_visible()
    expect(card.get_by_role("button", name="Connect", exact=True)).to_have_attribute(
        "data-url", "https://example.test/connect"
    )
    page.screenshot(path=str(screenshot_path("console-smoke.png")), full_page=False)

    card.get_by_label("France").check()
    assert app.wait(lambda: app.saw("marketplaces.select"))
    ticked = [a for a in app.actions if a["action_id"] == "marketplaces.select"][-1]
    assert [o["value"] for o in ticked["selected_options"]] == ["de", "fr"]

    card.get_by_label("Pick profiles").select_option(["es", "jp"])
    assert app.wait(lambda: app.saw("profiles.pick"))
    picked = [a for a in app.actions if a["action_id"] == "profiles.pick"][-1]
    assert [o["value"] for o in picked["selected_options"]] == ["es", "jp"]

    _pick_from_overflow(card, "View history")
    assert app.wait(lambda: app.saw("region.more", selected_option=opt("View history", "history")))

    card.get_by_role("button", name="Sync now").click()
    dialog = page.get_by_role("alertdialog", name="Sync EU now?")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Sync", exact=True).click()
    expect(card.get_by_text("syncing…")).to_be_visible()

    card.get_by_role("button", name="Subscribe…").click()
    modal = page.get_by_role("dialog", name="Daily digest")
    expect(modal).to_be_visible()
    modal.get_by_label("Time").fill("9am")
    modal.get_by_label("Region").select_option("eu")
    modal.get_by_role("button", name="Subscribe", exact=True).click()
    expect(modal.get_by_text("Use HH:MM, for example 09:00")).to_be_visible()
    expect(modal.get_by_label("Time")).to_have_value("9am")
    modal.get_by_label("Time").fill("09:00")
    modal.get_by_role("button", name="Subscribe", exact=True).click()
    expect(modal).to_be_hidden()
    assert app.submissions[-1]["time"]["value"]["value"] == "09:00"
    assert app.submissions[-1]["region"]["value"]["selected_option"]["value"] == "eu"

    composer.fill("/hilal broken")
    composer.press("Enter")
    expect(page.get_by_role("alert").filter(has_text="invalid_blocks")).to_be_visible()

    page.get_by_role("button", name="hilal", exact=True).click()
    expect(page.get_by_text("Welcome home")).to_be_visible()
    syncs = len([a for a in app.actions if a["action_id"] == "region.sync_now"])
    home = page.get_by_role("region", name="App Home")
    home.get_by_role("button", name="Sync now").click()
    expect(page.get_by_role("alertdialog", name="Sync EU now?")).to_be_visible()
    page.get_by_role("button", name="Not now").click()
    expect(page.get_by_role("alertdialog")).to_be_hidden()
    home.get_by_label("Italy").check()
    assert app.wait(lambda: app.saw("marketplaces.select", block_id="markets") and len(app.actions) > 4)
    assert len([a for a in app.actions if a["action_id"] == "region.sync_now"]) == syncs
