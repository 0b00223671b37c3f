"""Two `hilal run` and three `hilal worker` processes on one PostgreSQL database, over a simulated day.

200 connected regions and 100 digest subscriptions; the cluster's clock moves in 10-minute steps for 25
hours and each step defers a tick, as the per-minute periodic task would. Midway, one worker is killed
with SIGKILL in the middle of a sync. What a user would notice is checked from the database and from
what Slack received: every sync interval honoured, no connection ever synced by two workers at once
(from the sync-run rows), every digest posted exactly once, and the killed worker's sync completed
elsewhere.
"""

from __future__ import annotations

import itertools
import os
import signal
import socket
from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import text
from sqlmodel import select

from bot.jobs.tick import due_syncs
from bot.services.digest.subscriptions import SubscribeRequest, subscribe
from sandbox.slack import DEMO_ADMIN, DEMO_TEAM
from storage.db import session_scope
from storage.models import Connection, Profile
from tests.scale.cluster import Cluster, wait_until

CONNECTIONS = 200
SUBSCRIPTIONS = 100
STEP = timedelta(minutes=10)
SPAN = timedelta(hours=25)
ZONES = ("UTC", "America/New_York", "Europe/Berlin", "Asia/Tokyo")
SIZES: dict[str, Any] = {
    "campaigns_per_profile": 2,
    "ad_groups_per_campaign": 1,
    "keywords_per_ad_group": 2,
    "days": 35,
}
ACTIVE = timedelta(minutes=60)
ACTIVE_SPREAD = timedelta(minutes=6)  # `jitter_spread(60)`: a tenth of the interval


@pytest.fixture
def cluster(tmp_path: Path, postgres_base: str) -> Iterator[Cluster]:
    c = Cluster.start(postgres_base, tmp_path, name=f"cluster_{os.getpid()}")
    yield c
    c.stop()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _seed(c: Cluster) -> list[int]:
    """200 regions: the demo team's three, then teams of three regions each."""
    ids = []
    for i in range(CONNECTIONS):
        team = DEMO_TEAM if i < 3 else f"T{i // 3:05d}"
        ids.append(c.connect(team=team, region=("na", "eu", "fe")[i % 3], sim_user=f"u{i}", **SIZES))
    return ids


def _subscribe(c: Cluster, start: datetime) -> dict[str, int]:
    """100 channels with a digest each, due once in the window: between 2 h and 23 h 45 min after start, so
    the next day's digest falls after the window even though the clock also runs on in real time while
    the test runs (up to an hour of it)."""
    channels: dict[str, int] = {}
    for k in range(SUBSCRIPTIONS):
        channel = f"CD{k:04d}"
        c.slack.add_channel(DEMO_TEAM, {"id": channel, "name": f"digest-{k}"})
        zone = ZONES[k % len(ZONES)]
        due = start + timedelta(minutes=135 + k * 13)  # rounded down below: 2 h to 23.7 h after start
        local = due.astimezone(ZoneInfo(zone))
        local_time = f"{local.hour:02d}:{(local.minute // 15) * 15:02d}"
        info = subscribe(
            c.services,
            team_id=f"T{(k % 60) + 1:05d}",
            channel_id=channel,
            user_id=DEMO_ADMIN,
            request=SubscribeRequest(local_time=local_time, regions=("na", "eu", "fe")),
            timezone=zone,
            now=start,
        )
        assert info is not None
        channels[channel] = k
    return channels


def _runs(c: Cluster) -> dict[int, list[tuple[str, str, datetime, datetime | None]]]:
    with c.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT connection_id, kind, status, started_at, finished_at FROM sync_run "
                "ORDER BY started_at"
            )
        ).all()
    runs: dict[int, list[tuple[str, str, datetime, datetime | None]]] = defaultdict(list)
    for connection_id, kind, status, started, finished in rows:
        runs[connection_id].append((kind, status, started, finished))
    return runs


def _kill_mid_sync(c: Cluster, connection_id: int) -> int:
    """Stall the connection's next Amazon call, start its sync, SIGKILL the worker running it."""
    with session_scope(c.engine, readonly=True) as session:
        profile = session.exec(select(Profile).where(Profile.connection_id == connection_id)).first()
        assert profile is not None
    c.sim.faults.add("*", kind="timeout", profile_id=profile.profile_id, times=1)
    assert c.queue.enqueue_sync(connection_id=connection_id, kind="manual")

    def holder() -> str | None:
        with session_scope(c.engine, readonly=True) as session:
            row = session.get(Connection, connection_id)
            return row.lease_owner if row is not None else None

    assert wait_until(lambda: holder() is not None, timeout=60), c.output()
    owner = holder()
    assert owner is not None
    pid = int(owner.split(":")[1])  # lease owners are "host:pid:instance:…"
    assert pid in {p.pid for p in c.processes}, owner
    os.kill(pid, signal.SIGKILL)
    return pid


def test_a_day_of_two_apps_and_three_workers(cluster: Cluster) -> None:
    c = cluster
    ids = _seed(c)
    start = c.now()
    channels = _subscribe(c, start)
    ports = [_free_port(), _free_port()]
    for port in ports:
        c.start_app(port)
    for _ in range(3):
        c.start_worker()
    for port in ports:
        assert wait_until(partial(_healthy, port), timeout=60), c.output()

    steps = int(SPAN / STEP)
    victim = ids[7]
    for step in range(steps + 1):
        c.set_clock((step * STEP).total_seconds())
        for _ in range(3):  # the next minute's ticks run what was due behind another kind of sync
            c.tick()
            assert c.wait_idle(timeout=180), c.output()
            if not due_syncs(c.services, now=c.now(), limit=1):
                break
        if step == 1:
            _sync_now_through_an_app(c, ports[0], ids[0])
        if step == steps // 2:
            _kill_mid_sync(c, victim)
            c.set_clock((step * STEP + timedelta(minutes=1)).total_seconds())  # the dead lease runs out
            assert wait_until(lambda: _stalled_retried(c), timeout=120), c.output()

    end = c.now()  # the window's end: 25 simulated hours plus the real time the test took
    assert c.jobs("failed") == 0, c.output()
    runs = _runs(c)
    _assert_never_concurrent(runs)
    _assert_intervals(runs, ids, end=end)
    _assert_killed_sync_finished(runs, victim)
    _assert_digests_once(c, channels)
    metrics = httpx.get(f"http://127.0.0.1:{ports[1]}/metrics").text.splitlines()
    assert "hilal_gauges_up 1" in metrics
    assert 'hilal_queue_jobs{state="stalled"} 0' in metrics
    assert not [line for line in metrics if line.startswith('hilal_queue_jobs{state="failed"}')]
    succeeded = [line for line in metrics if line.startswith('hilal_queue_jobs{state="succeeded"}')]
    assert succeeded and int(succeeded[0].split()[-1]) > CONNECTIONS * 20


def _sync_now_through_an_app(c: Cluster, port: int, connection_id: int) -> None:
    """`/hilal sync na` answered by an app process is run by a worker (its job is in the queue)."""
    c.slack.configure_app(
        request_url=f"http://127.0.0.1:{port}/slack/events", signing_secret="cluster-signing-secret"
    )
    reply = c.slack.send_command(team_id=DEMO_TEAM, user_id=DEMO_ADMIN, channel_id="C0PPC", text="sync na")
    assert reply.status == 200, reply
    started = "Syncing NA now. The region card shows the result when it is done."
    assert wait_until(lambda: started in [p.body.get("text") for p in c.slack.webhook_posts()], timeout=30)
    assert c.wait_idle(timeout=60), c.output()
    with c.engine.connect() as conn:
        manual = conn.execute(
            text(
                "SELECT count(*) FROM procrastinate_jobs WHERE task_name = 'hilal.sync' "
                "AND status = 'succeeded' AND args->>'kind' = 'manual' "
                "AND (args->>'connection_id')::int = :id"
            ),
            {"id": connection_id},
        ).scalar_one()
    assert manual == 1
    assert ("manual", "success") in [(k, s) for k, s, _, _ in _runs(c)[connection_id]]


def _healthy(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _stalled_retried(c: Cluster) -> bool:
    """Defer the stalled-job sweep (as its periodic task does) until the killed job has run again."""
    c.retry_stalled()
    return c.jobs("doing") == 0 and c.jobs("todo") == 0


def _assert_never_concurrent(runs: dict[int, list[tuple[str, str, datetime, datetime | None]]]) -> None:
    for connection_id, rows in runs.items():
        for (_, _, _, finished), (_, _, next_start, _) in itertools.pairwise(rows):
            assert finished is not None and finished <= next_start, (connection_id, rows)


def _assert_intervals(
    runs: dict[int, list[tuple[str, str, datetime, datetime | None]]],
    ids: list[int],
    *,
    end: datetime,
) -> None:
    latest = (
        ACTIVE + ACTIVE_SPREAD + STEP + timedelta(minutes=1)
    )  # the next step, plus the seconds a step takes
    for connection_id in ids:
        fresh = [
            (kind, s)
            for kind, status, s, _ in runs[connection_id]
            if status == "success" and kind in ("initial", "manual", "active")
        ]
        assert len(fresh) >= int(SPAN / latest), (connection_id, len(fresh))
        for (_, earlier), (kind, later) in itertools.pairwise(fresh):
            assert later - earlier <= latest, (connection_id, later - earlier)
            if kind == "active":  # never early either
                assert later - earlier >= ACTIVE - ACTIVE_SPREAD, (connection_id, later - earlier)
        # archived entities: a day after the last full sync (initial, or a manual "Sync now"), once
        full = [s for kind, status, s, _ in runs[connection_id] if kind in ("initial", "manual")][-1]
        archived = [
            s for kind, status, s, _ in runs[connection_id] if kind == "archived" and status == "success"
        ]
        # due 24 h ± 10 min after it, run at the next step: certainly by `end` when that came 20 min earlier,
        # certainly not when it was still more than 10 min early; in between either
        if full + timedelta(hours=24, minutes=20) <= end:
            assert len(archived) == 1, (connection_id, archived)
        elif full + timedelta(hours=24, minutes=-10) > end:
            assert archived == [], (connection_id, archived)
        assert len(archived) <= 1, (connection_id, archived)
        assert all(at - full >= timedelta(hours=24) - timedelta(minutes=10) for at in archived)


def _assert_killed_sync_finished(
    runs: dict[int, list[tuple[str, str, datetime, datetime | None]]], victim: int
) -> None:
    statuses = [(kind, status) for kind, status, _, _ in runs[victim]]
    assert ("manual", "interrupted") in statuses, statuses
    after = statuses[statuses.index(("manual", "interrupted")) + 1]
    assert after == ("manual", "success"), statuses


def _assert_digests_once(c: Cluster, channels: dict[str, int]) -> None:
    posts = {channel: len(c.slack.messages(channel, team_id=DEMO_TEAM)) for channel in channels}
    assert posts == dict.fromkeys(channels, 1), posts
    with c.engine.connect() as conn:
        deliveries = conn.execute(
            text("SELECT subscription_id, count(*) FROM digest_delivery GROUP BY 1")
        ).all()
    assert len(deliveries) == SUBSCRIPTIONS and all(n == 1 for _, n in deliveries)
