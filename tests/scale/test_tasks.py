"""The cluster's tasks, run by a real Procrastinate worker in this process over its in-memory queue
(Procrastinate's own testing connector), against the simulator and a real database (SQLite and
PostgreSQL). The multi-process behaviour (locks across workers, a killed worker) is `test_cluster.py`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from procrastinate import App
from procrastinate.testing import InMemoryConnector
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.jobs.cluster import MAX_ATTEMPTS, build_app, defer_due_work
from bot.jobs.queue import ClusterQueue
from bot.services.sync import acquire_lease, run_sync, start_sync
from bot.settings import ConfigError, load_settings
from bot.wiring import build_services
from storage.db import session_scope
from storage.models import Connection, SyncRun
from tests.harness import InlineExecutor
from tests.sync.world import World


@pytest.fixture
def world(engine: Engine) -> Iterator[World]:
    w = World.start(engine)
    w.seed("acme", region="na", marketplaces=("US",))
    w.seed("beta", region="eu", marketplaces=("DE",))
    yield w
    w.close()


@pytest.fixture
def queue() -> tuple[App, InMemoryConnector]:
    connector = InMemoryConnector()
    return build_app(connector), connector


def _work(app: App, world: World) -> None:
    """A worker runs every job that is due, then returns (its event loop closes with it, so the in-memory
    queue is told to stop notifying it)."""
    app.run_worker(
        wait=False,
        concurrency=1,
        install_signal_handlers=False,
        additional_context={"services": world.services},
    )
    connector = app.connector
    assert isinstance(connector, InMemoryConnector)
    connector.on_notification = None


def _jobs(connector: InMemoryConnector, task: str) -> list[dict[str, Any]]:
    return [job for job in connector.jobs.values() if job["task_name"] == task]


def _runs(world: World, connection_id: int) -> list[SyncRun]:
    with session_scope(world.engine, readonly=True) as session:
        return list(session.exec(select(SyncRun).where(SyncRun.connection_id == connection_id)).all())


def test_a_tick_defers_one_sync_per_due_connection_and_workers_run_them(world, queue) -> None:
    app, connector = queue
    na = world.connect("na", sim_user="acme")
    eu = world.connect("eu", sim_user="beta")
    first = defer_due_work(world.services, ClusterQueue(app), now=world.clock())
    again = defer_due_work(world.services, ClusterQueue(app), now=world.clock())
    assert (first.syncs, again.syncs) == (2, 0)  # the second tick finds both already waiting
    syncs = _jobs(connector, "hilal.sync")
    assert sorted(job["lock"] for job in syncs) == [f"conn:{na}", f"conn:{eu}"]

    _work(app, world)

    assert [job["status"] for job in _jobs(connector, "hilal.sync")] == ["succeeded", "succeeded"]
    assert [(r.kind, r.status) for r in _runs(world, na)] == [("initial", "success")]
    assert defer_due_work(world.services, ClusterQueue(app), now=world.clock()).syncs == 0  # synced: not due


def test_a_waiting_sync_that_is_no_longer_due_does_nothing(world, queue) -> None:
    app, connector = queue
    na = world.connect("na", sim_user="acme")
    run_sync(world.services, connection_id=na, kind="initial")
    world.clock.advance(minutes=70)
    assert defer_due_work(world.services, ClusterQueue(app), now=world.clock()).syncs == 1
    run_sync(world.services, connection_id=na, kind="active")  # e.g. a worker finished one meanwhile

    _work(app, world)

    assert [job["status"] for job in _jobs(connector, "hilal.sync")] == ["succeeded"]
    assert [r.kind for r in _runs(world, na)] == ["initial", "active"]  # no third run


def test_a_sync_finding_the_lease_held_is_retried_later_not_run_twice(world, queue) -> None:
    app, connector = queue
    na = world.connect("na", sim_user="acme")
    assert acquire_lease(world.services, connection_id=na, owner="a-dead-worker:1")
    ClusterQueue(app).enqueue_sync(connection_id=na, kind="manual")

    _work(app, world)

    [job] = _jobs(connector, "hilal.sync")
    assert (job["status"], job["attempts"]) == ("todo", 1)  # back in the queue, for a few seconds later
    assert job["scheduled_at"] is not None
    assert _runs(world, na) == []


def test_sync_now_in_a_cluster_defers_to_the_workers_once(world, queue) -> None:
    app, _ = queue
    na = world.connect("na", sim_user="acme")
    services = build_services(
        load_settings(world.env),
        engine=world.engine,
        clock=world.clock,
        background=InlineExecutor(),
        sync_queue=ClusterQueue(app),
    )
    assert start_sync(services, connection_id=na, kind="manual", progress=("C0PPC", "1.2")) == "started"
    assert start_sync(services, connection_id=na, kind="manual") == "already_running"
    assert _runs(world, na) == []  # nothing ran in this (app) process
    with session_scope(world.engine, readonly=True) as session:
        row = session.get(Connection, na)
        assert row is not None and (row.progress_channel, row.progress_ts) == ("C0PPC", "1.2")

    _work(app, world)

    assert [(r.kind, r.status) for r in _runs(world, na)] == [("manual", "success")]
    assert start_sync(services, connection_id=na, kind="manual") == "started"  # done: a new one may wait


def test_a_held_lease_answers_already_running_without_queueing(world, queue) -> None:
    app, connector = queue
    na = world.connect("na", sim_user="acme")
    services = build_services(
        load_settings(world.env), engine=world.engine, clock=world.clock, sync_queue=ClusterQueue(app)
    )
    assert acquire_lease(world.services, connection_id=na, owner="worker-2:99:abc")
    assert start_sync(services, connection_id=na, kind="manual") == "already_running"
    assert _jobs(connector, "hilal.sync") == []
    world.clock.advance(seconds=31)  # the holder died: its lease ran out
    assert start_sync(services, connection_id=na, kind="manual") == "started"
    assert [job["args"]["kind"] for job in _jobs(connector, "hilal.sync")] == ["manual"]  # queued once
    services.background.shutdown(wait=False)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"HILAL_QUEUE": "procrastinate"}, "HILAL_QUEUE=procrastinate needs PostgreSQL"),
        ({"HILAL_QUEUE": "redis"}, "HILAL_QUEUE Input should be 'local' or 'procrastinate'"),
    ],
)
def test_a_queue_setting_that_cannot_work_stops_start_up_with_one_line(env, message) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings(env)


def test_a_dead_workers_jobs_run_again_elsewhere_until_the_fifth_try(world, queue) -> None:
    app, connector = queue
    na = world.connect("na", sim_user="acme")
    eu = world.connect("eu", sim_user="beta")
    cluster = ClusterQueue(app)
    cluster.enqueue_sync(connection_id=na, kind="manual")
    cluster.enqueue_sync(connection_id=eu, kind="manual")
    first, fifth = _jobs(connector, "hilal.sync")
    for job, tries in ((first, 0), (fifth, MAX_ATTEMPTS - 1)):  # picked by a worker that then died
        job.update(status="doing", worker_id=None, attempts=tries)
    app.configure_task("hilal.retry_stalled", queueing_lock="hilal.retry_stalled").defer(timestamp=0)

    _work(app, world)  # (its periodic tick may also start the regions' first syncs: not what is checked)

    def manual(connection_id: int) -> list[str]:
        return [r.status for r in _runs(world, connection_id) if r.kind == "manual"]

    assert (first["status"], first["attempts"], manual(na)) == ("succeeded", 2, ["success"])  # run again
    assert (fifth["status"], manual(eu)) == ("failed", [])  # given up: for `hilal jobs` and /metrics
