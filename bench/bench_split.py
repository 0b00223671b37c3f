"""Benchmark: one large connection's sync split by profile across 1, 2 and 4 `hilal worker` processes.

What runs: Hilal's cluster mode (`HILAL_QUEUE=procrastinate`) on a private PostgreSQL, with the Amazon
simulator in child processes (`bench/scale_simulator.py`, never in a worker's interpreter) and the Slack
stand-in in this process. One connected region (NA) whose Amazon account has four profiles (US, CA, MX,
BR), made through the real consent flow, each seeded with `SIZES`: bench_scale's "large" profile with
160 campaigns instead of 50 (1,600 ad groups, 32,000 keywords; 135,184 entities in the four, printed).
At bench_scale's 50 campaigns (`--campaigns 50`) a whole sync takes 2-3 s, so fixed costs (the jobs'
pick-up, the parts' bookkeeping) and noise would be most of what is measured. The initial sync (and the
reports it plans) runs once, by two workers, unmeasured; it stores the rows that make the connection
"large" (`HILAL_SYNC_SPLIT_ROWS`, default 20,000). The database is then vacuumed and analysed, so
autovacuum does not weigh on the first (the baseline's) syncs.

Measured: a `manual` sync of the connection (`_ENTITY_MODE` in `bot/services/sync/run.py`: `manual` is
the `full` mode, every entity in every state; `active` lists only the ENABLED and PAUSED ones), deferred
as the Sync button defers it, for each worker count N (each `hilal worker --concurrency 1`):
- 1 worker with the split off (`HILAL_SYNC_SPLIT_ROWS` far above the connection's rows): the baseline,
  the four profiles one after another in one process, as before the split existed;
- N >= 2 workers with `HILAL_SYNC_SPLIT_ROWS=0`: the run's worker writes a `sync_part` per profile and
  defers a `hilal.sync_help` job per extra profile (three); the other workers run them, each helper
  taking parts until none is pending, while the run's worker takes parts too.
The workers of a configuration start fresh, register with the queue and run one unmeasured warm-up sync
(their lazy imports, pools and statement caches), then `--repeats` measured syncs at each Amazon answer
time: at once (0 ms) and `LATENCY_MS` per request (bench_scale's model: the simulator's `timeout` fault
with `times=None`). The other due work (active/archived syncs, report polls, budget polls) is pushed a
day away before each sync, so the workers run nothing else.

Per sync: wall time = the `sync_run`'s `finished_at - started_at` (the split's bookkeeping and the
helpers' queue pick-up included); records/s = `campaigns + ad_groups + keywords` of its `counts_json`
over that time (nothing changes upstream: listed and compared, not rewritten); the parts (all must be
`done`; none for the baseline) and how many each worker process claimed (`claimed_by` is
"host:pid:instance:..."; "1+1+1+1": four processes took one each); "helpers up", the time from the
run's start until a helper job had started on each of the other workers (Procrastinate's `started`
events: the split's set-up and the queue's pick-up); CPU of the workers, the simulators and the
PostgreSQL server during the sync.
The table prints each configuration's runs, their median, and the speed-up of the median over the
baseline's median (wall-time ratio).

Ceiling: N workers at most N times one (the "ideal" column); four profiles at most 4x. Besides:
- CPU: this machine's 2 cores are shared by the workers, the simulators and PostgreSQL, so a sync that
  were pure CPU would gain about 2x at most (printed: the baseline's CPU spread over the cores).
- Hilal's own rate gate, 20 requests/s per region and process (`DEFAULT_RATE`, bursts of 20, in
  `bot/services/connections/amazon_access.py`). With Amazon answering at once it, not the CPU, holds
  one process back: a sync here is ~144 requests (keywords in pages of 1,000), >= 6 s of gate, while its
  CPU is ~3.5 s. Split, each process has its own gate (a part is ~36 requests, mostly within the burst),
  so even at 0 ms the speed-up can go beyond the cores. (It also means a split sync may send up to N x 20
  requests/s to one region.)
- With a modelled latency the gate does not bind (every request waits anyway). One process waits
  ~144 x 50 ms = 7 s and computes the rest; N workers overlap the waiting, but the CPU still needs its
  share of 2 cores: expect about 3x for 4 workers at 50 ms. The more of a sync is waiting on Amazon (a
  higher `--latency-ms`, as real Amazon often is), the closer 4 workers come to 4x.

A failed sync, a part not `done`, a failed queue job or a sync that does not finish makes the bench exit
1; missing a speed-up does not (benches report, tests assert). Other work on the machine skews the
figures: the load average is printed at the start and the end.
Run: `.venv/bin/python bench/bench_split.py [--workers N ...] [--latency-ms MS ...] [--repeats N]
[--campaigns N]`
(re-runs itself under `scripts/with-postgres` when HILAL_TEST_POSTGRES_URL is unset; about 3 minutes
on 2 cores).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_scale import ENTITIES, LATENCY_MS, initial_syncs, make_due
from scale_simulator import ScaleCluster, run_on_postgres, sim_user, start_cluster
from sqlalchemy import text

from bot.jobs.queue import SYNC_HELP
from tests.scale.cluster import wait_until

MARKETS = ("US", "CA", "MX", "BR")
SIZES: dict[str, Any] = {
    "campaigns_per_profile": 160,
    "ad_groups_per_campaign": 10,
    "keywords_per_ad_group": 20,
    "days": 3,
}
WORKERS = (1, 2, 4)
REPEATS = 3
KIND = "manual"  # the `full` entity mode: every campaign, ad group and keyword
NO_SPLIT = str(10**9)  # HILAL_SYNC_SPLIT_ROWS of the baseline: never split
SYNC_TIMEOUT = 300.0


@dataclass(frozen=True)
class Sync:
    """One measured sync."""

    seconds: float
    records: int
    parts: int
    done: int  # parts `done`
    shares: tuple[int, ...]  # parts per worker process that claimed any, most first
    helpers_up: float | None  # seconds from the run's start until its helpers ran on every other worker
    cpu: float  # workers + simulators + PostgreSQL, CPU seconds


@dataclass(frozen=True)
class Config:
    """The measured syncs of one worker count at one Amazon answer time."""

    workers: int
    split: bool
    syncs: list[Sync]

    @property
    def seconds(self) -> float:
        return statistics.median(s.seconds for s in self.syncs)

    @property
    def records_per_second(self) -> float:
        return statistics.median(s.records / s.seconds for s in self.syncs)

    @property
    def cpu(self) -> float:
        return statistics.median(s.cpu for s in self.syncs)

    @property
    def helpers_up(self) -> float | None:
        ups = [s.helpers_up for s in self.syncs if s.helpers_up is not None]
        return statistics.median(ups) if ups else None


# -- one sync -------------------------------------------------------------------------------------


def _last_run_id(cluster: ScaleCluster, connection_id: int) -> int:
    sql = "SELECT coalesce(max(id), 0) FROM sync_run WHERE connection_id = :c"
    return int(cluster.scalar(sql, c=connection_id))


def _finished_run(cluster: ScaleCluster, connection_id: int, after: int) -> Any:
    """The connection's first run after `after` once it has ended (None until then)."""
    sql = (
        "SELECT id, status, error, started_at, finished_at, counts_json FROM sync_run "
        "WHERE connection_id = :c AND id > :after AND status <> 'running' ORDER BY id LIMIT 1"
    )
    with cluster.engine.connect() as conn:
        return conn.execute(text(sql), {"c": connection_id, "after": after}).first()


def _parts(cluster: ScaleCluster, run_id: int) -> list[tuple[str, str | None]]:
    """(state, claimed_by) of each of the run's parts."""
    sql = "SELECT state, claimed_by FROM sync_part WHERE run_id = :r ORDER BY id"
    with cluster.engine.connect() as conn:
        return [(s, c) for s, c in conn.execute(text(sql), {"r": run_id})]


def _helper_starts(cluster: ScaleCluster, run_id: int) -> list[datetime]:
    """When the run's `hilal.sync_help` jobs started, earliest first."""
    sql = (
        "SELECT e.at FROM procrastinate_events e JOIN procrastinate_jobs j ON j.id = e.job_id "
        "WHERE j.task_name = :task AND (j.args->>'run_id')::bigint = :r AND e.type = 'started' "
        "ORDER BY e.at"
    )
    with cluster.engine.connect() as conn:
        return [at for (at,) in conn.execute(text(sql), {"task": SYNC_HELP, "r": run_id})]


def _helpers_up(cluster: ScaleCluster, run: Any, workers: int) -> float | None:
    """Seconds from the run's start until a helper had started on each of the other `workers - 1`
    (as far as there were helpers); None without helpers."""
    starts = _helper_starts(cluster, run.id)[: workers - 1]
    return (starts[-1] - run.started_at).total_seconds() if starts else None


def _cpu_total(cluster: ScaleCluster) -> float:
    workers, sims, postgres = cluster.cpu()
    return workers + sims + (postgres or 0.0)


def run_sync(cluster: ScaleCluster, connection_id: int) -> tuple[Any, float]:
    """Defer one manual sync with nothing else due and wait until it and its helpers have ended; (its
    `sync_run` row, the CPU seconds used meanwhile)."""
    make_due(cluster, datetime.now(UTC) + timedelta(days=1))  # nothing else due during the sync
    after, cpu = _last_run_id(cluster, connection_id), _cpu_total(cluster)
    cluster.queue.enqueue_sync(connection_id=connection_id, kind=KIND)
    if not wait_until(
        lambda: _finished_run(cluster, connection_id, after) is not None, timeout=SYNC_TIMEOUT, every=0.1
    ):
        raise RuntimeError(f"the sync did not finish:\n{cluster.output()}")
    cpu = _cpu_total(cluster) - cpu
    wait_until(lambda: cluster.jobs("todo", "doing") == 0, timeout=60, every=0.1)  # idle helpers
    return _finished_run(cluster, connection_id, after), cpu


def check(cluster: ScaleCluster, run: Any, parts: list[tuple[str, str | None]], split: bool) -> None:
    """The run succeeded, its parts (none without the split, one per profile with it) are all done and
    no queue job failed."""
    problems = []
    if run.status != "success":
        problems.append(f"sync {run.id} ended {run.status}: {run.error}")
    expected = len(MARKETS) if split else 0
    if len(parts) != expected or any(state != "done" for state, _ in parts):
        problems.append(f"sync {run.id}: parts {[s for s, _ in parts]}, expected {expected} done")
    if cluster.jobs("failed"):
        problems.append(f"{cluster.jobs('failed')} queue jobs failed")
    if problems:
        raise RuntimeError("; ".join(problems) + f"\n{cluster.output()}")


def measure_sync(cluster: ScaleCluster, connection_id: int, workers: int) -> Sync:
    run, cpu = run_sync(cluster, connection_id)
    parts = _parts(cluster, run.id)
    check(cluster, run, parts, split=workers > 1)
    counts = json.loads(run.counts_json)
    claimers = Counter(":".join((by or "").split(":")[:2]) for _, by in parts)  # host:pid
    return Sync(
        seconds=(run.finished_at - run.started_at).total_seconds(),
        records=sum(int(counts.get(kind, 0)) for kind in ENTITIES),
        parts=len(parts),
        done=sum(state == "done" for state, _ in parts),
        shares=tuple(sorted(claimers.values(), reverse=True)),
        helpers_up=_helpers_up(cluster, run, workers),
        cpu=cpu,
    )


# -- one worker count -----------------------------------------------------------------------------


def measure_workers(
    cluster: ScaleCluster, connection_id: int, workers: int, latencies: Sequence[float], repeats: int
) -> list[Config]:
    """Fresh workers (one: split off; more: split on), a warm-up sync, then `repeats` syncs a latency."""
    split = workers > 1
    cluster.env["HILAL_SYNC_SPLIT_ROWS"] = "0" if split else NO_SPLIT
    cluster.start_workers(workers)
    try:
        cluster.simulators.set_latency(0)
        measure_sync(cluster, connection_id, workers)  # warm-up: imports, pools, statement caches
        configs = []
        for latency in latencies:
            cluster.simulators.set_latency(latency / 1000)
            syncs = [measure_sync(cluster, connection_id, workers) for _ in range(repeats)]
            configs.append(Config(workers=workers, split=split, syncs=syncs))
            load = os.getloadavg()[0]
            print(f"  {workers} worker(s), {latency:g} ms: {_seconds(syncs)}; load {load:.1f}", flush=True)
    finally:
        cluster.stop_workers()
    return configs


def _seconds(syncs: Sequence[Sync]) -> str:
    return "wall s " + " / ".join(f"{s.seconds:.2f}" for s in syncs)


# -- the report -----------------------------------------------------------------------------------


def print_table(label: str, configs: Sequence[Config]) -> None:
    base = configs[0]
    print(f"\n== {label}")
    print(
        f"{'workers':>7} {'split':>5} {'wall s (median)':>15} {'runs':>20} {'records/s':>9} "
        f"{'speed-up':>8} {'ideal':>5} {'parts done':>10} {'parts per process':>23} {'helpers up s':>12} "
        f"{'CPU s':>5}"
    )
    for c in configs:
        runs = " ".join(f"{s.seconds:.1f}" for s in c.syncs)
        parts = f"{sum(s.done for s in c.syncs)}/{sum(s.parts for s in c.syncs)}" if c.split else "-"
        shares = " ".join("+".join(map(str, s.shares)) for s in c.syncs) if c.split else "-"
        up = "-" if c.helpers_up is None else f"{c.helpers_up:.2f}"
        print(
            f"{c.workers:>7} {'on' if c.split else 'off':>5} {c.seconds:>15.2f} {runs:>20} "
            f"{c.records_per_second:>9,.0f} {base.seconds / c.seconds:>7.2f}x {c.workers:>4}x "
            f"{parts:>10} {shares:>23} {up:>12} {c.cpu:>5.1f}"
        )
    cores = os.cpu_count() or 1
    floor = base.cpu / cores
    print(
        f"  {base.syncs[0].records:,} records a sync; parts done: of all runs; parts per process: "
        "how many parts each worker that claimed any synced, per run;\n  helpers up: from the run's start "
        "until a helper job had started on each other worker; CPU: workers + simulators + PostgreSQL during "
        "the sync (medians)\n"
        f"  CPU ceiling: the baseline used {base.cpu:.1f} CPU-s; on {cores} cores that takes "
        f">= {floor:.1f} s, so at most {base.seconds / floor:.2f}x of it"
    )
    baseline = f"{base.workers} worker{'s' if base.workers > 1 else ''} ({'' if base.split else 'no '}split)"
    for c in configs[1:]:
        print(f"  ratio {c.workers} workers (split) / {baseline}: {base.seconds / c.seconds:.2f}x")


# -- main -----------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--latency-ms", type=float, nargs="+", default=[0.0, LATENCY_MS])
    parser.add_argument("--workers", type=int, nargs="+", default=list(WORKERS))
    parser.add_argument("--repeats", type=int, default=REPEATS)
    parser.add_argument("--campaigns", type=int, default=SIZES["campaigns_per_profile"], help="per profile")
    return parser.parse_args(argv)


def set_up(cluster: ScaleCluster, sizes: dict[str, Any]) -> int:
    """The connection, its initial sync and reports (not measured); its id."""
    cluster.env["HILAL_SYNC_SPLIT_ROWS"] = NO_SPLIT
    user = sim_user("na", 0)
    connection_id = cluster.connect(team="T00000", region="na", sim_user=user, marketplaces=MARKETS, **sizes)
    initial_syncs(cluster, 1)
    vacuum(cluster)
    return connection_id


def vacuum(cluster: ScaleCluster) -> None:
    """Vacuum and analyse the initial sync's rows now, so autovacuum does not run in the first rounds."""
    with cluster.engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))


def sizes(args: argparse.Namespace) -> dict[str, Any]:
    return {**SIZES, "campaigns_per_profile": args.campaigns}


def run(base_url: str, args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        cluster = start_cluster(base_url, Path(folder))
        try:
            connection_id = set_up(cluster, sizes(args))
            print(f"set-up (consent, initial sync): {time.perf_counter() - started:.0f} s", flush=True)
            by_workers = [
                measure_workers(cluster, connection_id, n, args.latency_ms, args.repeats)
                for n in sorted(args.workers)
            ]
            for index, latency in enumerate(args.latency_ms):
                label = (
                    "Amazon answers at once" if latency == 0 else f"modelled Amazon latency {latency:g} ms"
                )
                configs = [configs[index] for configs in by_workers]
                print_table(
                    f"{label}: one {KIND} sync of {len(MARKETS)} profiles, median of {args.repeats}", configs
                )
        finally:
            cluster.stop()
        print(f"\ntotal: {time.perf_counter() - started:.0f} s")


def main() -> int:
    args = parse_args(sys.argv[1:])
    header = f"account: profiles {', '.join(MARKETS)}, each {sizes(args)} (seed sizes); {os.cpu_count()} CPUs"
    return run_on_postgres(__file__, header, lambda base_url: run(base_url, args))


if __name__ == "__main__":
    sys.exit(main())
