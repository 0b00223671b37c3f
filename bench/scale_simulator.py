"""The deployment `bench/bench_scale.py` measures: Amazon simulator processes, Hilal's worker processes on
a private PostgreSQL database, and CPU readings.

Amazon: `python bench/scale_simulator.py REGION COUNT SIZES_JSON` (run by `SimulatorProcess.start`)
serves one region's Amazon hosts on loopback, seeded with `COUNT` accounts (users `REGION-0`,
`REGION-1`, …; one profile each, sized by `SIZES_JSON`, keyword arguments of `seed_account`). It prints
its URLs as one JSON line, then reads commands from stdin until it closes: `latency SECONDS` makes every
request wait that long before it is answered (the simulator's `timeout` fault with `times=None`; 0
lifts it), a model of Amazon's own answer time that Hilal cannot save; each command is answered `ok`.
A process per region keeps the simulator's work off the workers' interpreters and spreads it over three
interpreter locks, as Amazon's three regions are three services.

Hilal: `Cluster` (after `tests/scale/cluster.py`, whose simulators run in its own process) holds the
database, the Slack stand-in (in this process), a Procrastinate app to defer ticks with, and the
current `python -m bot worker` processes; `connect` makes one connection through the real consent flow.

CPU: `cpu_seconds(pid)` and `postgres_cpu_seconds(backend_pid)` read `/proc` (Linux): user plus system
CPU of a process; for PostgreSQL, the postmaster and every backend, the ones that already exited
included (their time is in the postmaster's `cutime`/`cstime` once it reaps them).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from procrastinate import App
from procrastinate.exceptions import AlreadyEnqueued
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url

from bot.amazon.lwa import consent_url, make_pkce
from bot.jobs.cluster import build_app
from bot.jobs.queue import TICK, make_connector
from bot.services.connections import fetch_profiles, store_connection
from bot.settings import load_settings
from bot.wiring import Services, build_services
from sandbox.amazon import AmazonSimulator, SimConfig
from sandbox.slack import DEMO_ADMIN, DEMO_BOT_TOKEN, SlackStandIn
from storage.crypto import generate_key_line
from storage.db import make_engine
from storage.migrate import upgrade
from tests.harness import InlineExecutor
from tests.scale.cluster import wait_until

__all__ = [
    "REGIONS",
    "Cluster",
    "SimulatorProcess",
    "connect",
    "cpu_seconds",
    "postgres_cpu_seconds",
    "start_cluster",
]

ROOT = Path(__file__).resolve().parents[1]
REGIONS = ("na", "eu", "fe")
CLIENT_ID = "amzn1.application-oa2-client.scale-bench"
CLIENT_SECRET = "sim-secret-scale-bench"  # the simulator's, not a real secret
REDIRECT = "http://127.0.0.1:3000/amazon/oauth/callback"  # Hilal's default public URL's callback
MARKETS = {"na": "US", "eu": "DE", "fe": "JP"}
_TICKS = os.sysconf("SC_CLK_TCK")


def sim_user(region: str, index: int) -> str:
    """The simulated Amazon user of the `index`-th account of `region`."""
    return f"{region}-{index}"


def serve(region: str, count: int, sizes: dict[str, Any]) -> None:
    """The child process: seed, print the region's URLs, obey stdin's commands until it closes."""
    sim = AmazonSimulator(SimConfig(client_id=CLIENT_ID, client_secret=CLIENT_SECRET)).start()
    sim.allow_redirect_uri(REDIRECT)
    for index in range(count):
        sim.seed_account(
            user_id=sim_user(region, index), region=region, marketplaces=[MARKETS[region]], **sizes
        )
    print(json.dumps(sim.region_urls(region)), flush=True)
    for line in sys.stdin:
        command, _, value = line.partition(" ")
        if command == "latency":
            sim.faults.clear()
            if float(value) > 0:
                sim.faults.add("*", kind="timeout", times=None, delay=float(value))
        sim.clear_requests()  # the simulator records every request; the bench never reads them
        print("ok", flush=True)
    sim.stop()


@dataclass
class SimulatorProcess:
    """A running child simulator of one region."""

    region: str
    process: subprocess.Popen[str]
    urls: dict[str, str]

    @classmethod
    def start(cls, region: str, *, count: int, sizes: dict[str, Any]) -> SimulatorProcess:
        """Start the child and wait until it is seeded and listening."""
        args = [sys.executable, __file__, region, str(count), json.dumps(sizes)]
        process = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line:
            raise RuntimeError(f"the {region} simulator exited with {process.wait()}")
        return cls(region=region, process=process, urls=json.loads(line))

    def set_latency(self, seconds: float) -> None:
        """Make every request wait `seconds` before it is answered (0: answer at once)."""
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(f"latency {seconds!r}\n")
        self.process.stdin.flush()
        if self.process.stdout.readline().strip() != "ok":
            raise RuntimeError(f"the {self.region} simulator did not take the latency")

    def stop(self) -> None:
        """Close its stdin (it stops serving) and wait for it."""
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _stat(pid: int) -> list[str]:
    """The fields of /proc/PID/stat after the command name (field 3, `state`, is index 0)."""
    raw = Path(f"/proc/{pid}/stat").read_text()
    return raw[raw.rindex(")") + 2 :].split()


def cpu_seconds(pid: int, *, children: bool = False) -> float:
    """User plus system CPU of `pid` (plus its reaped children's with `children`); 0 once it is gone."""
    try:
        fields = _stat(pid)
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    used = int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    if children:
        used += int(fields[13]) + int(fields[14])  # cutime, cstime
    return used / _TICKS


def _children(parent: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if int(_stat(int(entry.name))[1]) == parent:
                found.append(int(entry.name))
        except (FileNotFoundError, ProcessLookupError, ValueError, IndexError):
            continue
    return found


def postgres_cpu_seconds(backend_pid: int) -> float | None:
    """CPU of the whole PostgreSQL server one of whose backends is `backend_pid`; None if unreadable."""
    try:
        postmaster = int(_stat(backend_pid)[1])
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None  # not on this machine (or not visible)
    total = cpu_seconds(postmaster, children=True)
    return total + sum(cpu_seconds(pid) for pid in _children(postmaster))


@dataclass
class Cluster:
    """The database, the simulators, Slack, and the worker processes of the current round."""

    engine: Engine
    env: dict[str, str]
    sims: list[SimulatorProcess]
    slack: SlackStandIn
    folder: Path
    services: Services = field(init=False)
    queue: App = field(init=False)
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.services = build_services(
            load_settings(self.env), engine=self.engine, background=InlineExecutor()
        )
        self.queue = build_app(make_connector(self.services.settings, asynchronous=False))
        self.queue.open()

    def close(self) -> None:
        self.stop_workers()
        self.queue.close()
        self.services.amazon.http.close()
        self.slack.stop()
        for sim in self.sims:
            sim.stop()
        self.engine.dispose()

    # -- queries ----------------------------------------------------------------------------------

    def scalar(self, sql: str, **params: Any) -> Any:
        with self.engine.connect() as conn:
            return conn.execute(text(sql), params).scalar_one()

    def jobs(self, *states: str) -> int:
        sql = "SELECT count(*) FROM procrastinate_jobs WHERE status::text = ANY(:s)"
        return int(self.scalar(sql, s=list(states)))

    # -- the queue and the workers ----------------------------------------------------------------

    def tick(self) -> None:
        """What the per-minute periodic task does: defer the tick (one waits at most)."""
        with suppress(AlreadyEnqueued):
            self.queue.configure_task(TICK, queueing_lock=TICK).defer(timestamp=int(time.time()))

    def start_workers(self, count: int, *, concurrency: int = 1) -> None:
        """Start `count` worker processes and wait until each has registered with the queue."""
        before = int(self.scalar("SELECT coalesce(max(id), 0) FROM procrastinate_workers"))
        for _ in range(count):
            log = (self.folder / f"worker{len(self.workers)}.log").open("ab")
            args = ["worker", "--concurrency", str(concurrency), "--stalled-after", "30"]
            self.workers.append(
                subprocess.Popen(
                    [sys.executable, "-m", "bot", *args],
                    cwd=ROOT,
                    env={**os.environ, **self.env},
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
            log.close()
        registered = "SELECT count(*) FROM procrastinate_workers WHERE id > :before"
        if not wait_until(lambda: int(self.scalar(registered, before=before)) >= count, timeout=120):
            raise RuntimeError(f"workers did not register:\n{self.worker_logs()}")

    def stop_workers(self) -> None:
        for proc in self.workers:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.workers:
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.workers = []

    def worker_logs(self) -> str:
        logs = sorted(self.folder.glob("worker*.log"))
        return "\n".join(f"== {log.name}\n{log.read_text(errors='replace')[-3000:]}" for log in logs)

    def cpu(self) -> tuple[float, float, float | None]:
        """CPU seconds so far of (the current workers, the simulators, the PostgreSQL server)."""
        backend = int(self.scalar("SELECT pg_backend_pid()"))
        return (
            sum(cpu_seconds(p.pid) for p in self.workers),
            sum(cpu_seconds(s.process.pid) for s in self.sims),
            postgres_cpu_seconds(backend),
        )


def _create_database(base_url: str, name: str) -> str:
    url = make_url(base_url).set(database=name).render_as_string(hide_password=False)
    admin = make_engine(base_url, pool_size=1).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url


def _environment(database_url: str, sims: Sequence[SimulatorProcess], slack: SlackStandIn) -> dict[str, str]:
    env = {
        "SLACK_BOT_TOKEN": DEMO_BOT_TOKEN,
        "SLACK_SIGNING_SECRET": "scale-bench-signing-secret",
        "SLACK_API_URL": slack.api_url,
        "AMAZON_ADS_CLIENT_ID": CLIENT_ID,
        "AMAZON_ADS_CLIENT_SECRET": CLIENT_SECRET,
        "HILAL_ENCRYPTION_KEYS": generate_key_line("scale-bench"),
        "HILAL_DATABASE_URL": database_url,
        "HILAL_QUEUE": "procrastinate",
        "LOG_LEVEL": "WARNING",
        "HILAL_PACING_MINUTES": "1440",  # budget-usage polls daily: the measured hour is the syncs
        "HILAL_INITIAL_HISTORY_DAYS": "3",  # the (unmeasured) initial sync's reports
    }
    for sim in sims:
        for key, url in sim.urls.items():
            env[f"HILAL_AMAZON_{sim.region.upper()}_{key.upper()}"] = url
    return env


def start_cluster(base_url: str, folder: Path, *, connections: int, sizes: dict[str, Any]) -> Cluster:
    """A fresh migrated database, a simulator per region seeded for `connections` connections
    (connection i is in `REGIONS[i % 3]`), and Slack."""
    database_url = _create_database(base_url, f"bench_scale_{os.getpid()}")
    engine = make_engine(database_url)
    upgrade(engine)
    sims = [
        SimulatorProcess.start(region, count=len(range(i, connections, 3)), sizes=sizes)
        for i, region in enumerate(REGIONS)
    ]
    slack = SlackStandIn.with_demo_workspace().start()
    env = _environment(database_url, sims, slack)
    return Cluster(engine=engine, env=env, sims=sims, slack=slack, folder=folder)


def connect(cluster: Cluster, index: int) -> None:
    """Connection `index`: its region's consent page approved by its Amazon user, then stored, selected."""
    region, amazon = REGIONS[index % 3], cluster.services.amazon
    endpoints = amazon.endpoints(region)
    verifier, challenge = make_pkce()
    url = consent_url(
        endpoints, client_id=CLIENT_ID, redirect_uri=amazon.redirect_uri, state="st", code_challenge=challenge
    )
    browser = AmazonSimulator(SimConfig())  # never started: only its consent-page clicker (plain HTTP)
    location = browser.approve(url, user_id=sim_user(region, index // 3))
    code = parse_qs(urlsplit(location).query)["code"][0]
    tokens = amazon.lwa.exchange_code(
        endpoints, code=code, redirect_uri=amazon.redirect_uri, code_verifier=verifier
    )
    conn_id, _ = store_connection(
        cluster.services,
        team_id=f"T{index // 3:05d}",
        enterprise_id="",
        region=region,
        user_id=DEMO_ADMIN,
        refresh_token=tokens.refresh_token.get_secret_value(),
        profiles=fetch_profiles(cluster.services, region=region, tokens=tokens),
    )
    with cluster.engine.begin() as conn:
        conn.execute(text("UPDATE profile SET selected = true WHERE connection_id = :id"), {"id": conn_id})
        conn.execute(text("UPDATE connection SET selection_confirmed = true WHERE id = :id"), {"id": conn_id})


if __name__ == "__main__":
    serve(sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3]))
