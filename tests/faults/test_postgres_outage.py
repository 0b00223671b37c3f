"""PostgreSQL stopped in the middle of a sync (issue 17, database): a private, throw-away cluster.

The test starts its own PostgreSQL (as `scripts/with-postgres` does: `initdb` and `pg_ctl` in a temp
dir, loopback only), stops it with `pg_ctl stop -m immediate` (what a crash or a killed container does)
while the sync is listing, and starts it again during the bookkeeping's third wait. The run records its
failure once the database is back (`DbRetry`), the lease is handed back, and the next tick heals. The
waits are recorded, not slept; only PostgreSQL's own start takes real time. Skipped when the PostgreSQL
server binaries are not installed.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import Engine

from bot.services.sync import DbRetry, run_sync
from storage.db import make_engine
from storage.migrate import upgrade
from tests.faults.outage import assert_recorded_once_back_and_healed
from tests.sync.world import World


def _server_bin() -> Path | None:
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).resolve().parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(candidates[-1]).parent if candidates else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PrivatePostgres:
    """One PostgreSQL cluster in `root`, on 127.0.0.1:`port`, that a test may stop and start."""

    def __init__(self, bin_dir: Path, root: Path) -> None:
        self.bin, self.root, self.port = bin_dir, root, _free_port()
        self.data, self.log = root / "db", root / "log"
        # PostgreSQL refuses to run as root: run it as the package's postgres user.
        self.run_as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.run_as:
            shutil.chown(root, user="postgres")
        self._pg("initdb", "-D", str(self.data), "-U", "hilal", "--auth=trust", "-E", "UTF8", "--no-locale")
        self.start()
        self._pg("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "hilal", "hilal_fault")
        self.url = f"postgresql+psycopg://hilal@127.0.0.1:{self.port}/hilal_fault"

    def _pg(self, tool: str, *args: str) -> None:
        subprocess.run(
            [*self.run_as, str(self.bin / tool), *args], check=True, capture_output=True, timeout=60
        )

    def start(self) -> None:
        options = f"-h 127.0.0.1 -p {self.port} -k {self.root} -c fsync=off -c full_page_writes=off"
        self._pg(
            "pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", "-o", options, "start"
        )

    def stop(self) -> None:
        """What a crash does: no shutdown checkpoint, every connection cut."""
        self._pg("pg_ctl", "-D", str(self.data), "-m", "immediate", "stop")


@pytest.fixture
def postgres() -> Iterator[PrivatePostgres]:
    bin_dir = _server_bin()
    if bin_dir is None:
        pytest.skip("no PostgreSQL server binaries (pg_ctl, initdb) to start a private cluster with")
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        pytest.skip("running as root without runuser to run PostgreSQL as the postgres user")
    # Not under pytest's tmp dir: as root that dir is private to root, and the server runs as postgres.
    root = Path(tempfile.mkdtemp(prefix="hilal-pg-fault."))
    try:
        server = PrivatePostgres(bin_dir, root)
    except (subprocess.CalledProcessError, LookupError) as exc:
        shutil.rmtree(root, ignore_errors=True)
        pytest.skip(f"could not start a private PostgreSQL: {exc}")
    yield server
    with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
        server.stop()
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def pg_world(postgres: PrivatePostgres) -> Iterator[World]:
    engine: Engine = make_engine(postgres.url, pool_size=4)
    upgrade(engine)
    w = World.start(engine)
    yield w
    w.close()
    engine.dispose()


class StopAfter(httpx.BaseTransport):
    """Stops PostgreSQL when Amazon answers request number `n` (the sync is listing)."""

    def __init__(self, postgres: PrivatePostgres, n: int) -> None:
        self.inner, self.postgres, self.left = httpx.HTTPTransport(), postgres, n

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.left -= 1
        if self.left == 0:
            self.postgres.stop()
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


def test_postgres_stopped_mid_sync_is_recorded_once_it_is_back_and_the_next_tick_heals(
    postgres: PrivatePostgres, pg_world: World
) -> None:
    world = pg_world
    world.seed(campaigns_per_profile=8)
    conn_id = world.connect()
    waits: list[float] = []

    def sleep(seconds: float) -> None:  # PostgreSQL is back after the third wait
        waits.append(seconds)
        if len(waits) == 3:
            postgres.start()

    doomed = world.new_process(amazon_transport=StopAfter(postgres, 12))
    outcome = run_sync(doomed, connection_id=conn_id, kind="initial", db_retry=DbRetry(sleep=sleep))

    assert_recorded_once_back_and_healed(world, conn_id, outcome, waits)
