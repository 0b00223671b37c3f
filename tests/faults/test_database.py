"""A database that goes away during a sync: the run records what happened and the lease comes back."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from bot.jobs.tick import run_sync_tick
from bot.services.sync import DbRetry, run_sync
from storage.db import make_engine, session_scope
from storage.models import SyncRun
from tests.faults.outage import assert_recorded_once_back_and_healed
from tests.sync.world import World


@pytest.fixture
def quick_engine(sqlite_engine: Engine) -> Iterator[Engine]:
    """The migrated test database, with a lock wait of 0.2 s instead of 10 s (tests do not wait)."""
    engine = make_engine(sqlite_engine.url.render_as_string(hide_password=False))

    def short_wait(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
        dbapi_conn.execute("PRAGMA busy_timeout=200")

    event.listen(engine, "connect", short_wait)
    yield engine
    engine.dispose()


@pytest.fixture
def locked_world(quick_engine: Engine) -> Iterator[World]:
    w = World.start(quick_engine)
    yield w
    w.close()


class Locker:
    """Another connection that holds SQLite's write lock (what a long `hilal` command or backup does)."""

    def __init__(self, path: str) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.held = False

    def lock(self) -> None:
        self.conn.execute("BEGIN IMMEDIATE")
        self.held = True

    def unlock(self) -> None:
        if self.held:
            self.conn.execute("ROLLBACK")
            self.held = False


class LockAfter(httpx.BaseTransport):
    """Takes the database's write lock when Amazon answers request number `n`."""

    def __init__(self, locker: Locker, n: int) -> None:
        self.inner, self.locker, self.left = httpx.HTTPTransport(), locker, n

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.left -= 1
        if self.left == 0:
            self.locker.lock()
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


def test_a_database_locked_during_a_sync_is_recorded_once_it_is_back_and_the_next_tick_heals(
    locked_world: World,
) -> None:
    world = locked_world
    world.seed(campaigns_per_profile=8)
    conn_id = world.connect()
    path = world.engine.url.database
    assert path is not None
    locker = Locker(str(Path(path)))
    waits: list[float] = []

    def sleep(seconds: float) -> None:  # the lock holder lets go after the third wait
        waits.append(seconds)
        if len(waits) == 3:
            locker.unlock()

    doomed = world.new_process(amazon_transport=LockAfter(locker, 12))
    outcome = run_sync(doomed, connection_id=conn_id, kind="initial", db_retry=DbRetry(sleep=sleep))

    assert_recorded_once_back_and_healed(world, conn_id, outcome, waits)


def test_bookkeeping_gives_up_after_its_bounded_retries(locked_world: World) -> None:
    world = locked_world
    world.seed()
    conn_id = world.connect()
    path = world.engine.url.database
    assert path is not None
    locker = Locker(path)
    waits: list[float] = []
    doomed = world.new_process(amazon_transport=LockAfter(locker, 6))

    with pytest.raises(Exception, match="locked"):
        run_sync(doomed, connection_id=conn_id, kind="initial", db_retry=DbRetry(sleep=waits.append))
    locker.unlock()

    assert waits == [0.5, 1.0, 2.0, 4.0, 8.0, 15.0, 30.0] * 2  # the record, then the lease: ~1 min each
    world.clock.advance(seconds=31)  # the lease it could not hand back expires on its own
    assert run_sync_tick(world.new_process(), now=world.clock.now) == [(conn_id, "initial")]
    with session_scope(world.engine, readonly=True) as s:
        runs = s.exec(select(SyncRun).order_by(col(SyncRun.id))).all()
    assert [r.status for r in runs] == ["interrupted", "success"]
    assert runs[0].error is not None and "did not record its end" in runs[0].error
