"""A synced edit world (tests/edits/helpers.py) with Hilal's Slack app running on loopback, driven through
the Slack stand-in like `tests/harness.py`."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from werkzeug.serving import make_server

from bot.app import create_app
from bot.blocks.limits import check_message
from bot.settings import load_settings
from bot.web.server import build_web_app
from tests.edits.helpers import Account, synced
from tests.harness import Harness, Reply
from tests.sync.world import World

__all__ = ["SlackWorld", "slack_world", "text_of"]


@dataclass
class SlackWorld:
    """The world, its synced account, and the harness speaking Slack to the running app."""

    world: World
    account: Account
    h: Harness

    def reply(self) -> Reply:
        """The latest response_url post, checked against Slack's limits."""
        reply = self.h.last_reply()
        assert check_message({"text": reply.text, "blocks": reply.blocks}) == []
        return reply

    def click(self, action_id: str, *, user: str | None = None, **extra: Any) -> Any:
        return self.h.slack.send_block_action(
            team_id=self.h.team, user_id=user or self.h.admin, action_id=action_id, **extra
        )


def text_of(reply: Reply) -> str:
    """Everything a reader sees in a reply (fallback text and blocks)."""
    return reply.text + json.dumps(reply.blocks, ensure_ascii=False)


@contextmanager
def slack_world(world: World, *, process_before_response: bool = True, **sync: Any) -> Iterator[SlackWorld]:
    """Seed, connect and sync a region (see `synced`), then serve Hilal's Slack app for the stand-in.

    With `process_before_response=False` Bolt answers Slack as soon as a listener acks (as in production)
    and the rest of the listener runs after it: wait for its effects on the stand-in (`wait_for`).
    """
    account = synced(world, **sync)
    settings = load_settings(world.env)
    app, table = create_app(settings, world.services, process_before_response=process_before_response)
    web = build_web_app(app, world.services)
    server = make_server("127.0.0.1", 0, web, threaded=True)
    base_url = f"http://127.0.0.1:{server.server_port}"
    world.slack.configure_app(
        request_url=f"{base_url}/slack/events", signing_secret=world.env["SLACK_SIGNING_SECRET"]
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    browser = httpx.Client(follow_redirects=False, timeout=30)
    h = Harness(
        sim=world.sim,
        slack=world.slack,
        services=world.services,
        table=table,
        base_url=base_url,
        browser=browser,
        _server=server,
        _thread=thread,
        channel="C0PPC",
    )
    try:
        yield SlackWorld(world, account, h)
    finally:
        server.shutdown()
        browser.close()
