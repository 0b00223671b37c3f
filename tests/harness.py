"""A running Hilal for slice tests: real HTTP server on loopback, the Slack stand-in, the Amazon simulator.

    with Harness.start(engine) as h:
        reply = h.command("connect fe")            # signed slash command through the real HTTP server
        h.connect_region("fe")                     # Connect link → consent (Allow) → callback page

Bolt runs with `process_before_response=True` and background work runs inline, so when a request
returns, everything it started has finished: tests never sleep or poll.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy.engine import Engine
from werkzeug.serving import make_server

from bot.app import create_app
from bot.listeners.commands import CommandTable
from bot.settings import Settings, load_settings
from bot.web.server import build_web_app
from bot.wiring import Services, build_services
from sandbox.amazon import AmazonSimulator, SimConfig
from sandbox.slack import DEMO_ADMIN, DEMO_BOT_TOKEN, DEMO_MEMBER, DEMO_TEAM, SlackStandIn
from storage.crypto import generate_key_line

__all__ = ["DEMO_ADMIN", "DEMO_MEMBER", "DEMO_TEAM", "Harness", "InlineExecutor"]

CLIENT_ID = "amzn1.application-oa2-client.test"
CLIENT_SECRET = "sim-secret-value"
SIGNING_SECRET = "test-signing-secret"


class InlineExecutor(Executor):
    """Runs submitted work at once, in the caller's thread (deterministic tests); counts submissions."""

    def __init__(self) -> None:
        self.submitted = 0

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        self.submitted += 1
        future: Future[Any] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:
            future.set_exception(exc)
        return future


def harness_settings(sim: AmazonSimulator, slack: SlackStandIn, public_url: str, **extra: str) -> Settings:
    env = {
        "SLACK_BOT_TOKEN": DEMO_BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": slack.api_url,
        "AMAZON_ADS_CLIENT_ID": CLIENT_ID,
        "AMAZON_ADS_CLIENT_SECRET": CLIENT_SECRET,
        "HILAL_ENCRYPTION_KEYS": generate_key_line("test"),
        "HILAL_PUBLIC_URL": public_url,
        "HILAL_AMAZON_REVOKE_URL": sim.revoke_url,
    }
    for region in ("na", "eu", "fe"):
        for key, url in sim.region_urls(region).items():
            env[f"HILAL_AMAZON_{region.upper()}_{key.upper()}"] = url
    env.update(extra)
    return load_settings(env)


@dataclass
class Reply:
    text: str
    blocks: list[dict[str, Any]]


@dataclass
class Harness:
    """Hilal + stand-ins, all on loopback."""

    sim: AmazonSimulator
    slack: SlackStandIn
    services: Services
    table: CommandTable
    base_url: str
    browser: httpx.Client
    _server: Any
    _thread: threading.Thread
    team: str = DEMO_TEAM
    admin: str = DEMO_ADMIN
    member: str = DEMO_MEMBER
    channel: str = ""
    _closers: list[Callable[[], None]] = field(default_factory=list)

    @classmethod
    def start(
        cls,
        engine: Engine,
        *,
        clock: Callable[[], datetime] | None = None,
        seed: bool = True,
        process_before_response: bool = True,
        **settings_extra: str,
    ) -> Harness:
        sim = AmazonSimulator(SimConfig(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, seed=7))
        if seed:
            sim.seed_demo()
        sim.start()
        slack = SlackStandIn.with_demo_workspace().start()
        server = make_server("127.0.0.1", 0, lambda e, s: app_holder[0](e, s), threaded=True)
        base_url = f"http://127.0.0.1:{server.server_port}"
        app_holder: list[Any] = []
        sim.allow_redirect_uri(f"{base_url}/amazon/oauth/callback")
        settings = harness_settings(sim, slack, base_url, **settings_extra)
        services = build_services(
            settings, engine=engine, background=InlineExecutor(), clock=clock or (lambda: datetime.now(UTC))
        )
        app, table = create_app(settings, services, process_before_response=process_before_response)
        app_holder.append(build_web_app(app, services))
        slack.configure_app(request_url=f"{base_url}/slack/events", signing_secret=SIGNING_SECRET)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        channel = "C0PPC"
        return cls(
            sim=sim,
            slack=slack,
            services=services,
            table=table,
            base_url=base_url,
            browser=httpx.Client(follow_redirects=False, timeout=30),
            _server=server,
            _thread=thread,
            channel=channel,
        )

    def __enter__(self) -> Harness:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._server.shutdown()
        self.browser.close()
        self.slack.stop()
        self.sim.stop()
        self.services.amazon.http.close()

    # Slack side -----------------------------------------------------------------------------------

    def command(
        self, text: str, *, user: str | None = None, channel: str | None = None, team: str | None = None
    ) -> Any:
        return self.slack.send_command(
            team_id=team or self.team,
            user_id=user or self.admin,
            channel_id=channel or self.channel,
            text=text,
        )

    def last_reply(self) -> Reply:
        """The latest answer posted to a response_url (ephemeral replies to commands and buttons)."""
        post = self.slack.webhook_posts()[-1]
        return Reply(text=str(post.body.get("text") or ""), blocks=list(post.body.get("blocks") or []))

    # Browser side ----------------------------------------------------------------------------------

    def open_connect_link(self, url: str) -> httpx.Response:
        """GET the Connect link like a browser (keeps cookies); returns the redirect to Amazon."""
        return self.browser.get(url)

    def finish_consent(
        self, consent_url: str, *, allow: bool = True, user_id: str = "demo"
    ) -> httpx.Response:
        location = self.sim.approve(consent_url, user_id=user_id) if allow else self.sim.deny(consent_url)
        return self.browser.get(location)

    def connect_region(self, region: str, *, user: str | None = None) -> httpx.Response:
        """Connect link → consent → callback; returns the callback page."""
        from bot.services.connections import connect_url

        link = connect_url(
            self.services, team_id=self.team, enterprise_id="", user_id=user or self.admin, region=region
        )
        start = self.open_connect_link(link)
        assert start.status_code == 302, start.text
        return self.finish_consent(start.headers["location"])
