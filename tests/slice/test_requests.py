"""Requests that are not from Slack are refused; workspaces never see each other's data; App Home."""

from __future__ import annotations

import json
import time

import httpx
import pytest
from slack_sdk.signature import SignatureVerifier

from bot.blocks.limits import check_message, check_view
from tests.harness import SIGNING_SECRET, Harness


@pytest.fixture
def h(sqlite_engine):
    with Harness.start(sqlite_engine) as harness:
        yield harness


def _post(h, body: str, *, secret: str = SIGNING_SECRET, age: int = 0):
    ts = str(int(time.time()) - age)
    signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    assert signature is not None
    return httpx.post(
        f"{h.base_url}/slack/events",
        content=body,
        headers={
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": signature,
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )


BODY = (
    "command=%2Fhilal&text=regions&team_id=T0DEMO&user_id=U0ADMIN&channel_id=C0PPC"
    "&response_url=http%3A%2F%2F127.0.0.1%3A9%2Fx"
)


def test_bad_signature_is_401(h):
    assert _post(h, BODY, secret="not-the-secret").status_code == 401


def test_stale_timestamp_is_401(h):
    assert _post(h, BODY, age=60 * 10).status_code == 401


def test_two_workspaces_never_see_each_others_regions(h):
    h.slack.add_workspace(
        team_id="T0OTHER",
        name="Other Co",
        bot_token="xoxb-other",
        users=[{"id": "U0OTHER", "name": "olga", "is_admin": True, "tz": "Asia/Tokyo"}],
        channels=[{"id": "C0OTHER", "name": "ads"}],
    )
    h.connect_region("fe")
    h.command("regions", team="T0OTHER", user="U0OTHER", channel="C0OTHER")
    other = h.last_reply()
    h.command("regions")
    mine = h.last_reply()
    assert "Far East: connected" in mine.text
    assert "Far East: not connected" in other.text


def test_app_home_shows_three_cards_within_limits(h):
    h.slack.send_event(team_id=h.team, event={"type": "app_home_opened", "user": h.admin, "tab": "home"})
    view = h.slack.home(h.admin)
    assert view is not None
    assert check_view(view.payload) == []
    text = json.dumps(view.payload, ensure_ascii=False)
    for name in ("North America", "Europe", "Far East"):
        assert name in text


def test_help_lists_every_command_within_limits(h):
    h.command("help")
    reply = h.last_reply()
    assert check_message({"text": reply.text, "blocks": reply.blocks}) == []
    for usage in ("connect REGION", "disconnect REGION", "admins"):
        assert usage in json.dumps(reply.blocks)


def test_regions_message_passes_limits_and_round_trips(h):
    from slack_sdk.models.blocks import Block

    h.command("regions")
    reply = h.last_reply()
    assert check_message({"text": reply.text, "blocks": reply.blocks}) == []
    parsed = [Block.parse(b) for b in reply.blocks]
    assert [block.to_dict() for block in parsed if block is not None] == reply.blocks
