"""A large connection's profiles synced by several workers at once (`bot.services.sync.split`).

A real Procrastinate worker in this process (two jobs at a time, over Procrastinate's in-memory queue)
runs the connection's sync and its helpers against the simulator and a real database. The split sync
must land exactly what a one-worker sync lands, let a helper take profiles while the run's own worker is
busy, take back a part whose worker died, and end the run with a helper's failure. Several worker
processes on PostgreSQL are `test_cluster.py`'s subject.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Iterator
from contextlib import suppress
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from procrastinate import App
from procrastinate.testing import InMemoryConnector
from sqlalchemy.engine import Engine
from sqlmodel import col, func, select

from bot.jobs.cluster import build_app
from bot.jobs.queue import ClusterQueue
from bot.services.sync import help_sync, run_sync
from bot.wiring import Services
from storage.db import session_scope
from storage.models import Campaign, Connection, Keyword, Profile, SyncPart, SyncRun
from storage.repositories.sync import start_run
from storage.repositories.sync_parts import claim_part, create_parts
from tests.scale.cluster import Cluster, wait_until
from tests.sync.world import World

MARKETS = ("US", "CA", "MX")
SIZES: dict[str, Any] = {
    "campaigns_per_profile": 4,
    "ad_groups_per_campaign": 2,
    "keywords_per_ad_group": 3,
    "days": 5,
}


@pytest.fixture
def world(engine: Engine) -> Iterator[World]:
    w = World.start(engine, HILAL_SYNC_SPLIT_ROWS="0")
    w.seed("multi", region="na", marketplaces=MARKETS, **SIZES)
    yield w
    w.close()


@pytest.fixture
def app() -> App:
    return build_app(InMemoryConnector())


def _worker_services(world: World, app: App) -> Services:
    """A worker process's services: syncs defer their helpers on the queue."""
    return world.new_process(sync_queue=ClusterQueue(app))


def _work(app: App, services: Services) -> None:
    """A worker running two jobs at a time until every job deferred (helpers included) has ended.

    (Procrastinate's `wait=False` stops fetching at the first empty fetch, which would leave a helper
    deferred while the sync runs for after it.)
    """

    async def serve() -> None:
        async with app.open_async():
            await run()

    async def run() -> None:
        worker = asyncio.create_task(
            app.run_worker_async(
                wait=True,
                concurrency=2,
                install_signal_handlers=False,
                fetch_job_polling_interval=0.05,
                additional_context={"services": services},
            )
        )
        ended = await asyncio.to_thread(wait_until, lambda: _all_ended(app), timeout=60)
        worker.cancel()
        with suppress(asyncio.CancelledError):
            await worker
        assert ended, "the jobs did not end within a minute"

    asyncio.run(serve())
    connector = app.connector
    assert isinstance(connector, InMemoryConnector)
    connector.on_notification = None


def _all_ended(app: App) -> bool:
    connector = app.connector
    assert isinstance(connector, InMemoryConnector)
    return all(job["status"] not in ("todo", "doing") for job in list(connector.jobs.values()))


class _HelperFirst:
    """The cluster's queue, except that the run's worker waits after deferring its helpers until one of
    them has claimed a profile: a helper is sure to take part, however busy the machine is."""

    def __init__(self, world: World, app: App) -> None:
        self.world, self.queue = world, ClusterQueue(app)
        self.run_owner: str | None = None  # the run's lease owner (its worker claims under that name)
        self.helper: str | None = None  # who claimed the first profile meanwhile

    def enqueue_sync(self, **kwargs: Any) -> bool:
        return self.queue.enqueue_sync(**kwargs)

    def enqueue_sync_helpers(
        self, *, connection_id: int, run_id: int, owner: str, mode: str, count: int
    ) -> int:
        queued = self.queue.enqueue_sync_helpers(
            connection_id=connection_id, run_id=run_id, owner=owner, mode=mode, count=count
        )
        assert wait_until(lambda: any(p.claimed_by for p in _parts(self.world)), timeout=60)
        self.run_owner = self.world.connection(connection_id).lease_owner
        self.helper = next(p.claimed_by for p in _parts(self.world) if p.claimed_by)
        return queued


def _jobs(app: App, task: str) -> list[dict[str, Any]]:
    connector = app.connector
    assert isinstance(connector, InMemoryConnector)
    return [job for job in connector.jobs.values() if job["task_name"] == task]


def _landed(world: World, connection_id: int) -> tuple[int, int]:
    """(campaigns, keywords) stored for the connection."""
    with session_scope(world.engine, readonly=True) as session:
        pks = list(session.exec(select(Profile.id).where(Profile.connection_id == connection_id)).all())
        campaigns = session.exec(select(func.count()).where(col(Campaign.profile_pk).in_(pks))).one()
        keywords = session.exec(select(func.count()).where(col(Keyword.profile_pk).in_(pks))).one()
    return int(campaigns), int(keywords)


def _parts(world: World) -> list[SyncPart]:
    with session_scope(world.engine, readonly=True) as session:
        return list(session.exec(select(SyncPart).order_by(col(SyncPart.id))).all())


def _last_run(world: World, connection_id: int) -> SyncRun:
    with session_scope(world.engine, readonly=True) as session:
        runs = session.exec(select(SyncRun).where(SyncRun.connection_id == connection_id)).all()
    return sorted(runs, key=lambda r: r.id or 0)[-1]


def _profile_ids(world: World, connection_id: int) -> list[int]:
    with session_scope(world.engine, readonly=True) as session:
        rows = session.exec(
            select(Profile.profile_id).where(Profile.connection_id == connection_id).order_by(col(Profile.id))
        ).all()
    return [int(r) for r in rows]


def test_a_split_sync_lands_what_one_worker_lands_with_a_helper_taking_profiles(world, app) -> None:
    alone = world.connect("na", sim_user="multi")
    run_sync(world.services, connection_id=alone, kind="manual")  # one process, one profile after another
    split = world.connect("na", sim_user="multi", team="T0SPLIT")
    queue = _HelperFirst(world, app)
    services = world.new_process(sync_queue=queue)
    ClusterQueue(app).enqueue_sync(connection_id=split, kind="manual")

    _work(app, services)

    run = _last_run(world, split)
    assert (run.kind, run.status, run.error) == ("manual", "success", None)
    assert _landed(world, split) == _landed(world, alone) != (0, 0)
    assert (
        json.loads(run.counts_json)["campaigns"]
        == json.loads(_last_run(world, alone).counts_json)["campaigns"]
    )
    parts = _parts(world)
    assert [p.state for p in parts] == ["done"] * len(MARKETS)
    with session_scope(world.engine, readonly=True) as session:
        conn = session.get(Connection, split)
        assert conn is not None and conn.lease_owner is None  # handed back
    assert queue.run_owner and queue.helper and queue.helper != queue.run_owner  # a helper took a profile
    assert [job["status"] for job in _jobs(app, "hilal.sync_help")] == ["succeeded"] * (len(MARKETS) - 1)


def test_a_small_connection_is_not_split(engine: Engine, app) -> None:
    world = World.start(engine, HILAL_SYNC_SPLIT_ROWS="100000")
    try:
        world.seed("multi", region="na", marketplaces=MARKETS, **SIZES)
        na = world.connect("na", sim_user="multi")
        run_sync(world.services, connection_id=na, kind="initial")  # rows stored: the size is known
        ClusterQueue(app).enqueue_sync(connection_id=na, kind="manual")
        _work(app, _worker_services(world, app))
        assert _last_run(world, na).status == "success"
        assert _parts(world) == [] and _jobs(app, "hilal.sync_help") == []
    finally:
        world.close()


class _DeadHelper:
    """A queue whose one "helper" claims a part and dies at once (its claim is already old)."""

    def __init__(self, world: World, app: App) -> None:
        self.world, self.queue = world, ClusterQueue(app)

    def enqueue_sync(self, **kwargs: Any) -> bool:
        return self.queue.enqueue_sync(**kwargs)

    def enqueue_sync_helpers(
        self, *, connection_id: int, run_id: int, owner: str, mode: str, count: int
    ) -> int:
        long_ago = self.world.clock() - timedelta(minutes=5)
        with session_scope(self.world.engine) as session:
            taken = claim_part(
                session, run_id=run_id, claimer="dead:1", now=long_ago, ttl=timedelta(seconds=30)
            )
        assert taken is not None
        return 0


def test_a_part_whose_worker_died_is_synced_by_the_run(world, app) -> None:
    na = world.connect("na", sim_user="multi")
    services = world.new_process(sync_queue=_DeadHelper(world, app))
    ClusterQueue(app).enqueue_sync(connection_id=na, kind="manual")

    _work(app, services)

    assert _last_run(world, na).status == "success"
    parts = _parts(world)
    assert [p.state for p in parts] == ["done"] * len(MARKETS)
    assert "dead:1" not in {p.claimed_by for p in parts}  # taken over once its claim ran out


def test_a_helpers_failure_ends_the_run_with_what_went_wrong(world, app) -> None:
    na = world.connect("na", sim_user="multi")
    services = world.new_process(sync_queue=_HelperFirst(world, app))
    first = _profile_ids(world, na)[0]
    world.sim.faults.add("*", kind="500", profile_id=first, times=None)  # the profile a helper takes
    ClusterQueue(app).enqueue_sync(connection_id=na, kind="manual")

    _work(app, services)

    run = _last_run(world, na)
    assert (run.status, run.error) == (
        "failed",
        "Amazon did not answer; the next sync retries in 15 minutes.",
    )
    failed = [p for p in _parts(world) if p.state == "failed"]
    assert len(failed) == 1 and failed[0].error == run.error
    world.sim.faults.clear()


def test_a_helper_whose_run_lost_the_lease_syncs_nothing(world) -> None:
    na = world.connect("na", sim_user="multi")
    with session_scope(world.engine) as session:  # a split run still marked running...
        run_id = start_run(session, connection_id=na, kind="manual", now=world.clock())
        pks = list(session.exec(select(Profile.id).where(Profile.connection_id == na)).all())
        create_parts(session, run_id=run_id, connection_id=na, profile_pks=[pk for pk in pks if pk])
        row = session.get(Connection, na)
        assert row is not None  # ...whose lease another sync took meanwhile
        row.lease_owner, row.lease_expires_at = "other:1", world.clock() + timedelta(seconds=30)
        session.add(row)

    synced = help_sync(world.services, connection_id=na, run_id=run_id, owner="run:1", mode="full")

    assert synced == 0
    assert [(p.state, p.claimed_by) for p in _parts(world)] == [("pending", None)] * len(MARKETS)
    assert world.connection(na).lease_owner == "other:1"  # not renewed in the run's name either


# --- several worker processes on PostgreSQL ---------------------------------------------------------------


@pytest.fixture
def cluster(tmp_path: Path, postgres_base: str) -> Iterator[Cluster]:
    c = Cluster.start(
        postgres_base, tmp_path, name=f"split_{os.getpid()}", env={"HILAL_SYNC_SPLIT_ROWS": "0"}
    )
    yield c
    c.stop()


def test_two_worker_processes_sync_one_connections_profiles_together(cluster: Cluster) -> None:
    c = cluster
    markets = ("US", "CA", "MX", "BR")
    na = c.connect(team="T0SPLIT", region="na", sim_user="multi", marketplaces=markets, **SIZES)
    with session_scope(c.engine) as session:
        first = session.exec(
            select(Profile.profile_id).where(Profile.connection_id == na).order_by(col(Profile.id))
        ).first()
        conn = session.get(Connection, na)
        assert conn is not None
        conn.next_active_sync_at = c.now() + timedelta(days=1)  # the tick starts no sync of its own
        session.add(conn)
    # The run's worker takes the first profile, which answers slowly, while the other worker helps.
    c.sim.faults.add("*", kind="timeout", delay=3.0, profile_id=first, times=1)
    workers = [c.start_worker(concurrency=1), c.start_worker(concurrency=1)]
    assert wait_until(lambda: c.registered_workers() == len(workers), timeout=60), c.output()
    assert c.queue.enqueue_sync(connection_id=na, kind="manual")

    def finished() -> list[SyncRun]:
        with session_scope(c.engine, readonly=True) as session:
            runs = session.exec(select(SyncRun).where(SyncRun.connection_id == na)).all()
        return [r for r in runs if r.status != "running"]

    assert wait_until(lambda: bool(finished()), timeout=120), c.output()
    [run] = finished()
    assert run.status == "success", (run.error, c.output())
    with session_scope(c.engine, readonly=True) as session:
        parts = list(session.exec(select(SyncPart).where(SyncPart.run_id == run.id)).all())
    assert [p.state for p in parts] == ["done"] * len(markets)
    pids = {int((p.claimed_by or "").split(":")[1]) for p in parts}  # claimers are "host:pid:instance:…"
    assert pids == {w.pid for w in workers}, c.output()
