"""`invalid_client` through a sync: Login with Amazon refuses Hilal's own client credentials.

That is the operator's configuration (a rotated or mistyped `AMAZON_ADS_CLIENT_SECRET`), not the team's
grant: the sync fails with a message that says so, the region is not marked "reconnect needed", no
reconnect notice goes to the team, the log names it a configuration problem, and nothing is retried
in a loop. Once the operator fixes the secret, the next sync heals.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from slack_sdk import WebClient
from sqlmodel import col, select

from bot.jobs.tick import run_sync_tick
from bot.services.sync import run_sync
from sandbox.slack import DEMO_BOT_TOKEN
from storage.db import session_scope
from storage.models import Connection, DigestSubscription, SyncRun
from tests.sync.world import World


def _token_requests(world: World) -> int:
    return sum(1 for r in world.sim.requests if r.path.endswith("/auth/o2/token"))


def test_invalid_client_fails_the_sync_for_the_operator_and_tells_the_team_nothing(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    world.seed()
    conn_id = world.connect()
    assert run_sync(world.services, connection_id=conn_id, kind="initial").status == "success"
    with session_scope(world.engine) as s:
        s.add(
            DigestSubscription(
                team_id="T0DEMO",
                channel_id="C0PPC",
                subscriber_id="U0ADMIN",
                timezone="Europe/Berlin",
                regions="na",
            )
        )
    client = WebClient(token=DEMO_BOT_TOKEN, base_url=world.slack.api_url, retry_handlers=[])
    ts = str(client.chat_postMessage(channel="D0ADMIN", text="Syncing NA…")["ts"])
    world.env["AMAZON_ADS_CLIENT_SECRET"] = "a-rotated-secret-nobody-updated"
    misconfigured = world.new_process()
    world.clock.advance(hours=2)  # the access token expired: the sync must refresh it
    refreshes, sleeps = _token_requests(world), len(world.sleeps)

    with caplog.at_level(logging.INFO):
        outcome = run_sync(misconfigured, connection_id=conn_id, kind="manual", progress=("D0ADMIN", ts))

    assert outcome.status == "failed"
    assert outcome.error is not None
    assert "configuration problem" in outcome.error and "AMAZON_ADS_CLIENT_SECRET" in outcome.error
    assert "reconnect" not in outcome.error.lower()
    assert (
        _token_requests(world) == refreshes + 1 and len(world.sleeps) == sleeps
    )  # refused once, not retried
    logged = [r for r in caplog.records if r.getMessage() == "sync.client_config_error"]
    assert len(logged) == 1 and logged[0].levelno == logging.ERROR
    assert "configuration problem" in logged[0].__dict__["error"]
    assert "a-rotated-secret" not in caplog.text and "sim-secret-sync" not in caplog.text
    assert [r for r in caplog.records if r.getMessage() == "sync.reconnect_needed"] == []
    progress = world.slack.messages("D0ADMIN")
    assert len(progress) == 1 and "configuration problem" in progress[0].text  # the update, no notice
    assert world.slack.messages("C0PPC") == []
    with session_scope(world.engine, readonly=True) as s:
        conn = s.get(Connection, conn_id)
        runs = [(r.kind, r.status) for r in s.exec(select(SyncRun).order_by(col(SyncRun.id))).all()]
    assert conn is not None and conn.status == "connected" and conn.reconnect_notified_at is None
    assert conn.refresh_token_enc is not None  # the grant is kept: it was never the problem
    assert conn.last_error == outcome.error and conn.lease_owner is None
    assert conn.next_active_sync_at == world.clock.now + timedelta(minutes=15)
    assert runs == [("initial", "success"), ("manual", "failed")]

    world.env["AMAZON_ADS_CLIENT_SECRET"] = "sim-secret-sync"  # the operator fixes it
    world.clock.advance(minutes=15)
    assert run_sync_tick(world.new_process(), now=world.clock.now) == [(conn_id, "active")]
    with session_scope(world.engine, readonly=True) as s:
        healed = s.get(Connection, conn_id)
    assert healed is not None and healed.last_error is None and healed.last_success_at == world.clock.now
