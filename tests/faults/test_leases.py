"""Leases heal in seconds: a dead sync frees its region within the lease's 30 s, a live one keeps it."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlalchemy import update
from sqlmodel import col, select

from bot.jobs.tick import run_sync_tick
from bot.services.sync import LEASE_TTL, LeaseHeartbeat, acquire_lease, new_lease_owner, run_sync
from storage.db import session_scope
from storage.models import Connection, SyncRun, table_of
from tests.sync.world import World

TICK = timedelta(minutes=1)  # the sync tick's cadence (`bot.jobs.scheduler.JOBS`)


class ProcessKilled(BaseException):
    """Stands in for SIGKILL: nothing in the app may catch it."""


class KillAfter(httpx.BaseTransport):
    def __init__(self, limit: int) -> None:
        self.inner, self.left = httpx.HTTPTransport(), limit

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.left -= 1
        if self.left < 0:
            raise ProcessKilled
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


class SlowAmazon(httpx.BaseTransport):
    """Every request takes `seconds` of the world's clock; `during` runs before each one."""

    def __init__(self, world: World, seconds: float, during: list[bool]) -> None:
        self.inner, self.world, self.seconds, self.refused = httpx.HTTPTransport(), world, seconds, during

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.world.clock.advance(seconds=self.seconds)
        self.refused.append(not acquire_lease(self.world.processes[0], connection_id=1, owner="intruder:1"))
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


def _lease(world: World, conn_id: int) -> tuple[str | None, object]:
    with session_scope(world.engine, readonly=True) as s:
        conn = s.get(Connection, conn_id)
        assert conn is not None
        return conn.lease_owner, conn.lease_expires_at


def _syncing(world: World, conn_id: int) -> bool:
    """What the region card shows: a sync only while the lease is live (`regions._state`)."""
    with session_scope(world.engine, readonly=True) as s:
        conn = s.get(Connection, conn_id)
        assert conn is not None
        return conn.lease_expires_at is not None and conn.lease_expires_at > world.clock.now


def test_a_killed_sync_frees_its_region_and_a_new_sync_starts_within_90_seconds(world: World) -> None:
    world.seed(campaigns_per_profile=8)
    conn_id = world.connect()
    doomed = world.new_process(amazon_transport=KillAfter(14))
    owner = new_lease_owner(doomed)
    assert acquire_lease(doomed, connection_id=conn_id, owner=owner)
    with pytest.raises(ProcessKilled):
        run_sync(doomed, connection_id=conn_id, kind="initial", lease_owner=owner)
    t = table_of(Connection)
    with session_scope(world.engine) as s:  # what SIGKILL leaves: the lease as its last heartbeat set it
        s.execute(
            update(t)
            .where(t.c.id == conn_id)
            .values(lease_owner=owner, lease_expires_at=world.clock.now + LEASE_TTL)
        )
    killed_at = world.clock.now
    assert _syncing(world, conn_id)
    assert run_sync_tick(world.new_process(), now=world.clock.now) == []  # still held

    world.clock.advance(seconds=LEASE_TTL.total_seconds() + 1)
    assert not _syncing(world, conn_id)  # the card stops saying "syncing"
    worst_tick = killed_at + LEASE_TTL + TICK  # the next tick can be a whole minute away
    assert worst_tick - killed_at <= timedelta(seconds=90)
    assert run_sync_tick(world.new_process(), now=world.clock.now) == [(conn_id, "initial")]

    world.assert_matches_truth(conn_id)
    with session_scope(world.engine, readonly=True) as s:
        runs = [(r.kind, r.status) for r in s.exec(select(SyncRun).order_by(col(SyncRun.id))).all()]
    assert runs == [("initial", "interrupted"), ("initial", "success")]
    assert _lease(world, conn_id)[0] is None


def test_a_live_long_sync_keeps_its_lease_across_several_ttls(world: World) -> None:
    world.seed()
    conn_id = world.connect()
    assert conn_id == 1
    refused: list[bool] = []
    started = world.clock.now
    slow = world.new_process(amazon_transport=SlowAmazon(world, 4, refused))

    outcome = run_sync(slow, connection_id=conn_id, kind="initial")

    assert outcome.status == "success"
    assert world.clock.now - started > 3 * LEASE_TTL  # it outlived the lease's TTL several times
    assert refused and all(refused)  # nobody could take the region while it ran
    assert _lease(world, conn_id)[0] is None


def test_the_heartbeat_keeps_a_lease_through_one_long_step_and_stops_when_taken_over(world: World) -> None:
    world.seed()
    conn_id = world.connect()
    owner = new_lease_owner(world.services)
    assert acquire_lease(world.services, connection_id=conn_id, owner=owner)
    beats: list[bool] = []

    def wait(seconds: float) -> bool:  # one step of 100 s with no boundary: the heartbeat alone keeps it
        world.clock.advance(seconds=seconds)
        beats.append(acquire_lease(world.new_process(), connection_id=conn_id, owner="other:1"))
        return len(beats) >= 20

    heartbeat = LeaseHeartbeat(world.services, connection_id=conn_id, owner=owner, wait=wait)
    started = world.clock.now
    heartbeat.run()

    assert world.clock.now - started > 3 * LEASE_TTL
    assert beats == [False] * 20 and not heartbeat.lost
    assert _lease(world, conn_id) == (owner, world.clock.now - timedelta(seconds=5) + LEASE_TTL)

    world.clock.advance(seconds=LEASE_TTL.total_seconds())  # the holder died: no more beats
    assert acquire_lease(world.new_process(), connection_id=conn_id, owner="other:1")
    assert heartbeat.beat() is False and heartbeat.lost  # the old holder learns it lost the region
