"""A Hilal cluster on one machine: `hilal run` and `hilal worker` processes on a real PostgreSQL database,
against the Amazon simulator and the Slack stand-in (both in this process, on loopback). `Cluster.start`
also takes an Amazon running elsewhere (`bench/scale_simulator.py` runs one simulator process per
region): anything with the `Amazon` interface, the region URLs plus seeding and consent.

Time is shared through `HILAL_CLOCK_FILE`: every process (and the simulator) reads the wall clock plus
the offset written there, so `set_clock` moves the whole cluster's "now" at once. Ticks are deferred by
the test (`tick`), as the per-minute periodic task would defer them, and `wait_idle` waits until the
workers have run everything that was queued.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol, Self
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import select

from bot.amazon.lwa import consent_url, make_pkce
from bot.jobs.cluster import build_app
from bot.jobs.queue import STALLED, TICK, ClusterQueue, make_connector
from bot.services.connections import fetch_profiles, store_connection
from bot.settings import load_settings
from bot.wiring import OffsetFileClock, Services, build_services
from sandbox.amazon import AmazonSimulator, SimConfig
from sandbox.slack import DEMO_ADMIN, DEMO_BOT_TOKEN, SlackStandIn
from storage.crypto import generate_key_line
from storage.db import make_engine, session_scope
from storage.migrate import upgrade
from storage.models import Connection, Profile
from tests.harness import InlineExecutor

__all__ = ["CLIENT_ID", "CLIENT_SECRET", "REDIRECT", "ROOT", "Amazon", "Cluster", "wait_until"]

CLIENT_ID = "amzn1.application-oa2-client.cluster"
CLIENT_SECRET = "sim-secret-cluster"
REDIRECT = "http://127.0.0.1:3000/amazon/oauth/callback"
ROOT = Path(__file__).resolve().parents[2]


class Amazon(Protocol):
    """The Amazon a cluster talks to: each region's URLs, accounts to seed, consent pages to approve.

    `AmazonSimulator` (in this process) is one; it accepts `CLIENT_ID`, `CLIENT_SECRET` and `REDIRECT`.
    """

    def region_urls(self, region: str) -> dict[str, str]: ...

    def seed_account(self, *args: Any, **kwargs: Any) -> object:
        """`AmazonSimulator.seed_account`'s keyword arguments: `user_id`, `region`, `marketplaces`, sizes."""

    def approve(self, consent_url: str, *, user_id: str = "demo") -> str: ...

    def stop(self) -> None: ...


def wait_until(predicate: Callable[[], bool], *, timeout: float, every: float = 0.05) -> bool:
    """Poll `predicate` (other processes do the work) until it holds or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    pause = threading.Event()
    while time.monotonic() < deadline:
        if predicate():
            return True
        pause.wait(every)
    return predicate()


@dataclass
class Cluster:
    """The database, the simulators, the shared clock and the Hilal processes of one test."""

    engine: Engine
    database_url: str
    amazon: Amazon
    slack: SlackStandIn
    clock_file: Path
    env: dict[str, str]
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    logs: list[Path] = field(default_factory=list)
    services: Services = field(init=False)
    now: Callable[[], datetime] = field(init=False)

    def __post_init__(self) -> None:
        self.now = OffsetFileClock(str(self.clock_file))
        self.services = build_services(
            load_settings(self.env), engine=self.engine, clock=self.now, background=InlineExecutor()
        )
        self._queue_app = build_app(make_connector(self.services.settings, asynchronous=False))
        self._queue_app.open()

    @property
    def sim(self) -> AmazonSimulator:
        """The in-process simulator (its faults, its requests), when `start` made it."""
        assert isinstance(self.amazon, AmazonSimulator), "this cluster's Amazon runs elsewhere"
        return self.amazon

    @classmethod
    def start(
        cls,
        base_url: str,
        folder: Path,
        *,
        name: str,
        fault_delay: float = 20.0,
        amazon: Amazon | None = None,
        env: Mapping[str, str] | None = None,
    ) -> Self:
        """A fresh migrated database `name` on the server of `base_url`, the simulators and the processes'
        environment (`env` adds to it or overrides it).

        Amazon is a simulator in this process (its faults delay `fault_delay` s) unless `amazon` is given.
        """
        database_url = make_url(base_url).set(database=name).render_as_string(hide_password=False)
        admin = make_engine(base_url, pool_size=1).execution_options(isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        engine = make_engine(database_url)
        upgrade(engine)
        clock_file = folder / "clock"
        clock_file.write_text("0")
        if amazon is None:
            sim = AmazonSimulator(
                SimConfig(
                    client_id=CLIENT_ID,
                    client_secret=CLIENT_SECRET,
                    clock=OffsetFileClock(str(clock_file)),
                    fault_timeout_seconds=fault_delay,
                )
            ).start()
            sim.allow_redirect_uri(REDIRECT)
            amazon = sim
        slack = SlackStandIn.with_demo_workspace().start()
        environment = {**_environment(database_url, amazon, slack, clock_file), **(env or {})}
        return cls(
            engine=engine,
            database_url=database_url,
            amazon=amazon,
            slack=slack,
            clock_file=clock_file,
            env=environment,
        )

    # -- time -------------------------------------------------------------------------------------

    def set_clock(self, offset_seconds: float) -> None:
        """Move every process's clock (and the simulator's) to the wall clock plus `offset_seconds`."""
        staging = self.clock_file.with_suffix(".tmp")
        staging.write_text(repr(float(offset_seconds)))
        staging.replace(self.clock_file)

    # -- seeding ----------------------------------------------------------------------------------

    def connect(
        self, *, team: str, region: str, sim_user: str, marketplaces: Sequence[str] = (), **sizes: Any
    ) -> int:
        """A connected, selected region of `team` whose Amazon account is `sim_user`'s (one profile per
        marketplace; the region's main one when none is given)."""
        markets = list(marketplaces) or [_market(region)]
        self.amazon.seed_account(user_id=sim_user, region=region, marketplaces=markets, **sizes)
        amazon = self.services.amazon
        endpoints = amazon.endpoints(region)
        verifier, challenge = make_pkce()
        url = consent_url(
            endpoints,
            client_id=CLIENT_ID,
            redirect_uri=amazon.redirect_uri,
            state="st",
            code_challenge=challenge,
        )
        code = parse_qs(urlsplit(self.amazon.approve(url, user_id=sim_user)).query)["code"][0]
        tokens = amazon.lwa.exchange_code(
            endpoints, code=code, redirect_uri=amazon.redirect_uri, code_verifier=verifier
        )
        profiles = fetch_profiles(self.services, region=region, tokens=tokens)
        conn_id, _ = store_connection(
            self.services,
            team_id=team,
            enterprise_id="",
            region=region,
            user_id=DEMO_ADMIN,
            refresh_token=tokens.refresh_token.get_secret_value(),
            profiles=profiles,
        )
        with session_scope(self.engine) as session:
            for p in session.exec(select(Profile).where(Profile.connection_id == conn_id)):
                p.selected = True
            row = session.get(Connection, conn_id)
            assert row is not None
            row.selection_confirmed = True
        return conn_id

    # -- processes --------------------------------------------------------------------------------

    def _spawn(self, label: str, *args: str, **extra_env: str) -> subprocess.Popen[bytes]:
        log = self.clock_file.parent / f"{label}.log"
        self.logs.append(log)
        handle = log.open("wb")
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot", *args],
            cwd=ROOT,
            env={**os.environ, **self.env, **extra_env},
            stdout=handle,
            stderr=subprocess.STDOUT,
        )
        handle.close()
        self.processes.append(proc)
        return proc

    def start_worker(
        self, *, concurrency: int = 3, stalled_after: float = 3.0, **extra_env: str
    ) -> subprocess.Popen[bytes]:
        """A `hilal worker` process (`extra_env` adds settings for this one)."""
        label = f"worker{len(self.logs)}"
        return self._spawn(
            label,
            "worker",
            "--concurrency",
            str(concurrency),
            "--stalled-after",
            str(stalled_after),
            **extra_env,
        )

    def start_app(self, port: int) -> subprocess.Popen[bytes]:
        return self._spawn(f"app{len(self.logs)}", "run", "--port", str(port))

    def stop_processes(self, *, timeout: float = 30.0) -> None:
        """SIGTERM every Hilal process, wait up to `timeout` s for each (then kill it), forget them."""
        for proc in self.processes:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.processes:
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.processes = []

    def stop(self) -> None:
        self.stop_processes()
        self._queue_app.close()
        self.services.amazon.http.close()
        self.slack.stop()
        self.amazon.stop()
        self.engine.dispose()

    def output(self) -> str:
        """Every process's log (shown when a test fails)."""
        return "\n".join(f"== {log.name}\n{log.read_text(errors='replace')[-4000:]}" for log in self.logs)

    # -- the queue --------------------------------------------------------------------------------

    @property
    def queue(self) -> ClusterQueue:
        """Defer jobs as an app process would."""
        return ClusterQueue(self._queue_app)

    def tick(self) -> None:
        """What the per-minute periodic task does: defer the tick (one waits at most)."""
        self._defer(TICK)

    def retry_stalled(self) -> None:
        self._defer(STALLED)

    def _defer(self, task: str) -> None:
        from procrastinate.exceptions import AlreadyEnqueued

        with suppress(AlreadyEnqueued):
            self._queue_app.configure_task(task, queueing_lock=task).defer(timestamp=int(time.time()))

    def jobs(self, *states: str) -> int:
        with self.engine.connect() as conn:
            return int(
                conn.execute(
                    text("SELECT count(*) FROM procrastinate_jobs WHERE status::text = ANY(:s)"),
                    {"s": list(states)},
                ).scalar_one()
            )

    def registered_workers(self) -> int:
        """Workers that have registered with the queue (and not left it)."""
        with self.engine.connect() as conn:
            return int(conn.execute(text("SELECT count(*) FROM procrastinate_workers")).scalar_one())

    def wait_idle(self, *, timeout: float = 120.0) -> bool:
        """Until no job waits or runs (a tick's deferrals included)."""
        return wait_until(lambda: self.jobs("todo", "doing") == 0, timeout=timeout)

    @contextmanager
    def running(self) -> Iterator[Cluster]:
        try:
            yield self
        finally:
            self.stop()


def _market(region: str) -> str:
    return {"na": "US", "eu": "DE", "fe": "JP"}[region]


def _environment(database_url: str, amazon: Amazon, slack: SlackStandIn, clock_file: Path) -> dict[str, str]:
    env = {
        "SLACK_BOT_TOKEN": DEMO_BOT_TOKEN,
        "SLACK_SIGNING_SECRET": "cluster-signing-secret",
        "SLACK_API_URL": slack.api_url,
        "AMAZON_ADS_CLIENT_ID": CLIENT_ID,
        "AMAZON_ADS_CLIENT_SECRET": CLIENT_SECRET,
        "HILAL_ENCRYPTION_KEYS": generate_key_line("cluster"),
        "HILAL_PUBLIC_URL": "http://127.0.0.1:3000",
        "HILAL_DATABASE_URL": database_url,
        "HILAL_QUEUE": "procrastinate",
        "HILAL_CLOCK_FILE": str(clock_file),
        "LOG_LEVEL": "WARNING",
        "HILAL_PACING_MINUTES": "60",  # budget usage hourly: the day's load is the syncs and digests
    }
    for region in ("na", "eu", "fe"):
        for key, url in amazon.region_urls(region).items():
            env[f"HILAL_AMAZON_{region.upper()}_{key.upper()}"] = url
    return env
