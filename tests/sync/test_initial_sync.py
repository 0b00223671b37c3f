"""The first sync of a region: entities of every state, 30 days of performance, progress in Slack."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from slack_sdk import WebClient
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.services.sync import run_sync, start_sync
from sandbox.slack import DEMO_BOT_TOKEN
from storage.db import session_scope
from storage.models import Connection, SyncRun
from tests.sync.world import World


@pytest.fixture
def any_world(engine: Engine) -> Iterator[World]:
    w = World.start(engine)
    yield w
    w.close()


def test_initial_sync_loads_everything_amazon_has(any_world: World) -> None:
    world = any_world
    world.seed()
    conn_id = world.connect()

    outcome = run_sync(world.services, connection_id=conn_id, kind="initial")

    assert outcome.status == "success", outcome.error
    world.assert_matches_truth(conn_id)
    assert outcome.days == 30
    assert outcome.counts["campaigns"] > 0 and outcome.counts["keywords"] > 0
    with session_scope(world.engine, readonly=True) as s:
        conn = s.get(Connection, conn_id)
        runs = s.exec(select(SyncRun)).all()
    assert conn is not None and conn.last_success_at == world.clock.now and conn.last_error is None
    assert conn.next_active_sync_at is not None and conn.next_active_sync_at > world.clock.now
    assert conn.lease_owner is None
    assert [(r.kind, r.status) for r in runs] == [("initial", "success")]
    assert json.loads(runs[0].counts_json)["profiles"] == 2


def test_initial_sync_updates_the_progress_message_and_ends_with_a_summary(world: World) -> None:
    world.seed()
    conn_id = world.connect()
    client = WebClient(token=DEMO_BOT_TOKEN, base_url=world.slack.api_url)
    posted = client.chat_postMessage(channel="D0ADMIN", text="Starting the first sync…")

    result = start_sync(
        world.services, connection_id=conn_id, kind="initial", progress=("D0ADMIN", posted["ts"])
    )

    assert result == "started"
    updates = world.slack.calls("chat.update")
    assert len(updates) >= 3  # start, each of the 2 marketplaces, summary
    final = world.slack.messages("D0ADMIN")[-1]
    assert "2 marketplaces" in final.text and "30 days of performance" in final.text
    assert "campaigns" in final.text and "keywords" in final.text
