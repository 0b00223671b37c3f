"""Manager-only buttons (registered with `requires=may_manage(...)`): a member's click is answered with who
can, changes nothing and never reaches the listener; a manager's click does what it says."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from storage.db import session_scope
from storage.models import Connection, ConnectionStatus
from tests.harness import Harness


@pytest.fixture
def h(sqlite_engine):
    with Harness.start(sqlite_engine) as harness:
        yield harness


def _status(h: Harness, region: str) -> str | None:
    with session_scope(h.services.engine, readonly=True) as session:
        conn = session.exec(select(Connection).where(Connection.region == region)).first()
    return None if conn is None else conn.status


def _disconnect_click(h: Harness, user: str):
    h.command("regions", user=user)
    assert h.slack.wait_for(lambda: bool(h.slack.webhook_posts()))
    cards = h.slack.webhook_posts()[-1]
    return h.slack.send_block_action(
        team_id=h.team,
        user_id=user,
        action_id="region.disconnect",
        value=json.dumps({"region": "fe"}),
        response_url=cards.url,
        message=None,
    )


def _last_text(h: Harness) -> str:
    return json.dumps(h.slack.webhook_posts()[-1].body)


def test_a_members_click_on_a_manager_only_button_says_who_can_and_changes_nothing(h):
    h.connect_region("fe")
    assert _status(h, "fe") == ConnectionStatus.CONNECTED

    reply = _disconnect_click(h, h.member)

    assert reply.status == 200
    assert h.slack.wait_for(lambda: "Only people who manage Hilal can do this." in _last_text(h))
    assert "Workspace admins and owners" in _last_text(h)  # who can
    assert _status(h, "fe") == ConnectionStatus.CONNECTED


def test_a_managers_click_runs_the_listener(h):
    h.connect_region("fe")

    _disconnect_click(h, h.admin)

    assert h.slack.wait_for(lambda: "is disconnected" in _last_text(h))
    assert _status(h, "fe") != ConnectionStatus.CONNECTED
