"""The deployment `bench/bench_scale.py` measures: Amazon simulator processes, Hilal's worker processes on
a private PostgreSQL database (`tests/scale/cluster.py`'s `Cluster`), and CPU readings.

Amazon: `python bench/scale_simulator.py REGION` (run by `SimulatorProcess.start`) serves one region's
Amazon hosts on loopback. It prints its URLs as one JSON line, then reads commands from stdin until it
closes, answering each `ok`: `seed JSON` seeds an account (keyword arguments of `seed_account`, sent by
`Cluster.connect`); `latency SECONDS` makes every request wait that long before it is answered (the
simulator's `timeout` fault with `times=None`; 0 lifts it), a model of Amazon's own answer time that
Hilal cannot save. A process per region keeps the simulator's work off the workers' interpreters and
spreads it over three interpreter locks, as Amazon's three regions are three services;
`SimulatorProcesses` is the three of them as the cluster's `Amazon`.

Hilal: `ScaleCluster` is the tests' `Cluster` (database, Slack stand-in in this process, a Procrastinate
app to defer ticks with, the shared clock file, `python -m bot worker` processes) over those simulator
processes, plus what the bench reads: worker registration, CPU.

CPU: `cpu_seconds(pid)` and `postgres_cpu_seconds(backend_pid)` read `/proc` (Linux): user plus system
CPU of a process; for PostgreSQL, the postmaster and every backend, the ones that already exited
included (their time is in the postmaster's `cutime`/`cstime` once it reaps them).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import text

from sandbox.amazon import AmazonSimulator, SimConfig
from tests.scale.cluster import CLIENT_ID, CLIENT_SECRET, REDIRECT, ROOT, Cluster, wait_until

__all__ = [
    "REGIONS",
    "ROOT",
    "ScaleCluster",
    "SimulatorProcess",
    "SimulatorProcesses",
    "connect",
    "cpu_seconds",
    "postgres_cpu_seconds",
    "run_on_postgres",
    "start_cluster",
    "uptime",
]

REGIONS = ("na", "eu", "fe")
_TICKS = os.sysconf("SC_CLK_TCK")


def sim_user(region: str, index: int) -> str:
    """The simulated Amazon user of the `index`-th account of `region`."""
    return f"{region}-{index}"


def serve(region: str) -> None:
    """The child process: print the region's URLs, obey stdin's commands until it closes."""
    sim = AmazonSimulator(SimConfig(client_id=CLIENT_ID, client_secret=CLIENT_SECRET)).start()
    sim.allow_redirect_uri(REDIRECT)
    print(json.dumps(sim.region_urls(region)), flush=True)
    for line in sys.stdin:
        command, _, value = line.partition(" ")
        if command == "seed":
            sim.seed_account(**json.loads(value))
        elif command == "latency":
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
    def start(cls, region: str) -> SimulatorProcess:
        """Start the child and wait until it is listening."""
        args = [sys.executable, __file__, region]
        process = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line:
            raise RuntimeError(f"the {region} simulator exited with {process.wait()}")
        return cls(region=region, process=process, urls=json.loads(line))

    def command(self, name: str, value: str) -> None:
        """Send one command (`seed JSON`, `latency SECONDS`) and wait for its `ok`."""
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(f"{name} {value}\n")
        self.process.stdin.flush()
        if self.process.stdout.readline().strip() != "ok":
            raise RuntimeError(f"the {self.region} simulator did not take `{name}`")

    def stop(self) -> None:
        """Close its stdin (it stops serving) and wait for it."""
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@dataclass
class SimulatorProcesses:
    """A child simulator per region, as the cluster's Amazon (`tests.scale.cluster.Amazon`)."""

    children: dict[str, SimulatorProcess]
    # Never started: only its consent-page clicker (plain HTTP against the children).
    browser: AmazonSimulator = field(default_factory=lambda: AmazonSimulator(SimConfig()))

    @classmethod
    def start(cls) -> SimulatorProcesses:
        children: dict[str, SimulatorProcess] = {}
        try:
            for region in REGIONS:
                children[region] = SimulatorProcess.start(region)
        except BaseException:
            for child in children.values():
                child.stop()
            raise
        return cls(children=children)

    def region_urls(self, region: str) -> dict[str, str]:
        return dict(self.children[region].urls)

    def seed_account(self, *, user_id: str, region: str, marketplaces: Sequence[str], **sizes: Any) -> None:
        account = {"user_id": user_id, "region": region, "marketplaces": list(marketplaces), **sizes}
        self.children[region].command("seed", json.dumps(account))

    def approve(self, consent_url: str, *, user_id: str = "demo") -> str:
        return self.browser.approve(consent_url, user_id=user_id)

    def set_latency(self, seconds: float) -> None:
        """Make every request wait `seconds` before it is answered (0: answer at once)."""
        for child in self.children.values():
            child.command("latency", repr(seconds))

    def pids(self) -> list[int]:
        return [child.process.pid for child in self.children.values()]

    def stop(self) -> None:
        for child in self.children.values():
            child.stop()


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


class ScaleCluster(Cluster):
    """The tests' cluster over `SimulatorProcesses`, its Hilal processes all workers."""

    @property
    def simulators(self) -> SimulatorProcesses:
        assert isinstance(self.amazon, SimulatorProcesses)
        return self.amazon

    def scalar(self, sql: str, **params: Any) -> Any:
        with self.engine.connect() as conn:
            return conn.execute(text(sql), params).scalar_one()

    def start_workers(self, count: int, *, concurrency: int = 1) -> None:
        """Start `count` worker processes and wait until each has registered with the queue."""
        before = int(self.scalar("SELECT coalesce(max(id), 0) FROM procrastinate_workers"))
        for _ in range(count):
            self.start_worker(concurrency=concurrency, stalled_after=30)
        registered = "SELECT count(*) FROM procrastinate_workers WHERE id > :before"
        if not wait_until(lambda: int(self.scalar(registered, before=before)) >= count, timeout=120):
            raise RuntimeError(f"workers did not register:\n{self.output()}")

    def stop_workers(self) -> None:
        self.stop_processes(timeout=60)

    def cpu(self) -> tuple[float, float, float | None]:
        """CPU seconds so far of (the current workers, the simulators, the PostgreSQL server)."""
        backend = int(self.scalar("SELECT pg_backend_pid()"))
        return (
            sum(cpu_seconds(p.pid) for p in self.processes),
            sum(cpu_seconds(pid) for pid in self.simulators.pids()),
            postgres_cpu_seconds(backend),
        )


# The bench's settings: budget-usage polls daily (the measured hour is the syncs), a short report history
# for the (unmeasured) initial sync.
_ENVIRONMENT = {"HILAL_PACING_MINUTES": "1440", "HILAL_INITIAL_HISTORY_DAYS": "3"}


def start_cluster(base_url: str, folder: Path) -> ScaleCluster:
    """A fresh migrated database, a simulator process per region, and Slack."""
    amazon = SimulatorProcesses.start()
    try:
        return ScaleCluster.start(
            base_url, folder, name=f"bench_scale_{os.getpid()}", amazon=amazon, env=_ENVIRONMENT
        )
    except BaseException:
        amazon.stop()
        raise


def connect(cluster: ScaleCluster, index: int, sizes: dict[str, Any]) -> None:
    """Connection `index` (in `REGIONS[index % 3]`, team `index // 3`): its Amazon account seeded with
    one profile of `sizes`, its consent approved, stored and selected."""
    region = REGIONS[index % 3]
    cluster.connect(team=f"T{index // 3:05d}", region=region, sim_user=sim_user(region, index // 3), **sizes)


if __name__ == "__main__":
    serve(sys.argv[1])


def uptime() -> str:
    """`uptime`'s line: the load average printed around a bench's rounds."""
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def run_on_postgres(script: str, header: str, body: Callable[[str], None]) -> int:
    """Run a scale bench: `body(base_url)` against the test PostgreSQL server, re-running `script` under
    `scripts/with-postgres` when HILAL_TEST_POSTGRES_URL is unset; 1 when the bench broke."""
    base_url = os.environ.get("HILAL_TEST_POSTGRES_URL")
    if not base_url:
        wrapper = str(ROOT / "scripts" / "with-postgres")
        os.execv(wrapper, [wrapper, sys.executable, str(Path(script).resolve()), *sys.argv[1:]])
    print(f"start: {uptime()}")
    print(header, flush=True)
    try:
        body(base_url)
    except RuntimeError as exc:
        print(f"BROKEN: {exc}", file=sys.stderr)
        return 1
    finally:
        print(f"\nend: {uptime()}")
    return 0
