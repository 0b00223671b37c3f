"""One sync at a time per connection: the database lease, its expiry, and resuming after a crash."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlalchemy import update
from sqlmodel import col, select

from bot.jobs.tick import run_sync_tick
from bot.services.connections import disconnect_region
from bot.services.sync import acquire_lease, run_sync, start_sync
from storage.db import session_scope
from storage.models import Connection, SyncRun, table_of
from tests.sync.world import World


class ProcessKilled(BaseException):
    """Stands in for SIGKILL: nothing in the app may catch it."""


class KillAfter(httpx.BaseTransport):
    """Loopback transport that "kills the process" after `limit` requests."""

    def __init__(self, limit: int) -> None:
        self.inner = httpx.HTTPTransport()
        self.left = limit

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.left -= 1
        if self.left < 0:
            raise ProcessKilled
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


def _hold_lease(world: World, conn_id: int, *, owner: str, until_minutes: float) -> None:
    t = table_of(Connection)
    with session_scope(world.engine) as s:
        s.execute(
            update(t)
            .where(t.c.id == conn_id)
            .values(lease_owner=owner, lease_expires_at=world.clock.now + timedelta(minutes=until_minutes))
        )


def test_sync_now_during_a_running_sync_does_not_start_a_second_one(world: World) -> None:
    world.seed()
    conn_id = world.connect()
    assert acquire_lease(world.services, connection_id=conn_id, owner="other-worker")

    assert start_sync(world.services, connection_id=conn_id, kind="manual") == "already_running"
    assert run_sync(world.services, connection_id=conn_id, kind="manual").status == "already_running"
    assert world.services.background.submitted == 0  # type: ignore[attr-defined]
    with session_scope(world.engine, readonly=True) as s:
        assert s.exec(select(SyncRun)).all() == []


def test_a_disconnected_region_does_not_sync(world: World) -> None:
    world.seed()
    conn_id = world.connect()
    disconnect_region(world.services, team_id="T0DEMO", region="na", user_id="U0ADMIN")

    assert start_sync(world.services, connection_id=conn_id, kind="manual") == "not_connected"
    assert run_sync(world.services, connection_id=conn_id, kind="manual").status == "not_connected"


def test_an_expired_lease_of_a_dead_worker_does_not_block_forever(world: World) -> None:
    world.seed()
    conn_id = world.connect()
    _hold_lease(world, conn_id, owner="dead-worker", until_minutes=10)
    assert run_sync(world.services, connection_id=conn_id, kind="initial").status == "already_running"

    world.clock.advance(minutes=11)

    assert run_sync(world.services, connection_id=conn_id, kind="initial").status == "success"


def test_a_process_killed_mid_sync_is_resumed_and_converges_to_amazon(world: World) -> None:
    world.seed(campaigns_per_profile=8)
    conn_id = world.connect()
    doomed = world.new_process(amazon_transport=KillAfter(14))
    with pytest.raises(ProcessKilled):
        run_sync(doomed, connection_id=conn_id, kind="initial")
    _hold_lease(world, conn_id, owner=doomed.instance_id, until_minutes=10)  # what the killed process left
    with session_scope(world.engine, readonly=True) as s:
        assert [r.status for r in s.exec(select(SyncRun)).all()] == ["running"]

    world.clock.advance(minutes=5)
    assert run_sync_tick(world.new_process(), now=world.clock.now) == []  # its lease still holds
    world.clock.advance(minutes=6)
    restarted = world.new_process()
    assert run_sync_tick(restarted, now=world.clock.now) == [(conn_id, "initial")]

    world.assert_matches_truth(conn_id)
    with session_scope(world.engine, readonly=True) as s:
        runs = [(r.kind, r.status) for r in s.exec(select(SyncRun).order_by(col(SyncRun.id))).all()]
        conn = s.get(Connection, conn_id)
    assert runs == [("initial", "interrupted"), ("initial", "success")]
    assert conn is not None and conn.lease_owner is None and conn.last_success_at == world.clock.now


def test_a_disconnect_during_a_sync_stops_it(world: World) -> None:
    world.seed()
    conn_id = world.connect()

    class DisconnectMidway(httpx.BaseTransport):
        def __init__(self) -> None:
            self.inner, self.count = httpx.HTTPTransport(), 0

        def handle_request(self, request: httpx.Request) -> httpx.Response:
            self.count += 1
            if self.count == 8:
                disconnect_region(world.services, team_id="T0DEMO", region="na", user_id="U0ADMIN")
                world.clock.advance(minutes=2)  # the next checkpoint renews the lease and notices
            return self.inner.handle_request(request)

        def close(self) -> None:
            self.inner.close()

    outcome = run_sync(
        world.new_process(amazon_transport=DisconnectMidway()), connection_id=conn_id, kind="initial"
    )

    assert outcome.status == "interrupted"
    with session_scope(world.engine, readonly=True) as s:
        conn = s.get(Connection, conn_id)
    assert conn is not None and conn.status == "disconnected" and conn.next_active_sync_at is None
