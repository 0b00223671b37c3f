"""SIGTERM is a graceful stop: no new work, the running step ends, every lease is handed back."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator

import httpx
import pytest
from sqlmodel import col, select

from bot.app import create_app
from bot.jobs.guard import LEASE_NAME
from bot.jobs.tick import run_sync_tick
from bot.runtime import Runtime, _interrupt
from bot.services.sync import run_sync, start_sync, stop_syncs
from bot.web.server import build_web_app
from bot.wiring import Services
from storage.db import session_scope
from storage.models import Connection, SchedulerLease, SyncRun
from tests.sync.world import World


class Paused(httpx.BaseTransport):
    """Holds request number `n` until the test lets it go (a long step in flight)."""

    def __init__(self, n: int) -> None:
        self.inner, self.left = httpx.HTTPTransport(), n
        self.reached, self.go = threading.Event(), threading.Event()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.left -= 1
        if self.left == 0:
            self.reached.set()
            assert self.go.wait(timeout=30)
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


def _runtime(world: World, services: Services) -> Runtime:
    app, _table = create_app(services.settings, services)
    return Runtime(settings=services.settings, services=services, app=app, web=build_web_app(app, services))


@pytest.fixture
def syncing(world: World) -> Iterator[tuple[World, Paused, Runtime, int]]:
    world.seed(campaigns_per_profile=8)
    conn_id = world.connect()
    paused = Paused(10)
    services = world.new_process(amazon_transport=paused)
    runtime = _runtime(world, services)
    runtime.start_background(scheduler=True)  # takes the scheduler lease
    yield world, paused, runtime, conn_id
    paused.go.set()


def _scheduler_lease(world: World) -> SchedulerLease | None:
    with session_scope(world.engine, readonly=True) as s:
        return s.get(SchedulerLease, LEASE_NAME)


def test_stop_lets_the_running_step_finish_and_hands_every_lease_back(
    syncing: tuple[World, Paused, Runtime, int],
) -> None:
    world, paused, runtime, conn_id = syncing
    sync = threading.Thread(
        target=run_sync, args=(runtime.services,), kwargs={"connection_id": conn_id, "kind": "initial"}
    )
    sync.start()
    assert paused.reached.wait(timeout=30)
    assert _scheduler_lease(world) is not None
    stopper = threading.Thread(target=runtime.stop, kwargs={"grace": 20.0})
    stopper.start()

    assert start_sync(runtime.services, connection_id=conn_id, kind="manual") == "already_running"
    paused.go.set()  # the step in flight finishes; the sync stops at the next boundary
    sync.join(timeout=20)
    stopper.join(timeout=20)

    assert not sync.is_alive() and not stopper.is_alive()
    assert _scheduler_lease(world) is None
    with session_scope(world.engine, readonly=True) as s:
        conn = s.get(Connection, conn_id)
        runs = s.exec(select(SyncRun).order_by(col(SyncRun.id))).all()
    assert conn is not None and conn.lease_owner is None
    assert [r.status for r in runs] == ["interrupted"]
    assert conn.last_error is not None and "restarted" in conn.last_error
    assert conn.next_active_sync_at is not None and conn.next_active_sync_at <= world.clock.now

    restarted = world.new_process()  # the next process resumes at its first tick
    assert run_sync_tick(restarted, now=world.clock.now) == [(conn_id, "initial")]
    world.assert_matches_truth(conn_id)


def test_a_step_stuck_past_the_grace_period_still_gets_its_lease_handed_back(
    syncing: tuple[World, Paused, Runtime, int],
) -> None:
    world, paused, runtime, conn_id = syncing
    sync = threading.Thread(
        target=run_sync, args=(runtime.services,), kwargs={"connection_id": conn_id, "kind": "initial"}
    )
    sync.start()
    assert paused.reached.wait(timeout=30)

    assert stop_syncs(runtime.services, grace=0.0) == 1  # Amazon never answers within the grace period

    with session_scope(world.engine, readonly=True) as s:
        conn = s.get(Connection, conn_id)
    assert conn is not None and conn.lease_owner is None  # the next process need not wait for it
    paused.go.set()
    sync.join(timeout=20)
    assert not sync.is_alive()
    runtime.stop(grace=0.0)
    assert _scheduler_lease(world) is None


def test_sigterm_is_handled_like_ctrl_c_once() -> None:
    previous = signal.getsignal(signal.SIGTERM)
    try:
        with pytest.raises(KeyboardInterrupt):
            _interrupt(signal.SIGTERM, None)
        assert signal.getsignal(signal.SIGTERM) == signal.SIG_IGN  # a second SIGTERM cannot cut cleanup short
    finally:
        signal.signal(signal.SIGTERM, previous)
