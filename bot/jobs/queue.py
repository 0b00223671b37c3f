"""The cluster's queue (`HILAL_QUEUE=procrastinate`): Procrastinate over Hilal's own PostgreSQL.

`hilal run` processes only defer jobs (a synchronous connector); `hilal worker` processes run them
(`bot.jobs.worker`). What a job is keyed by is decided here, once:

- every job that touches one connection (its syncs, its report polls) holds the lock `conn:ID`, so a
  connection never syncs twice at once, whichever worker picks the job;
- a split sync's helpers (`sync_help`) hold no lock: they work under the running sync's lease, on the
  profiles it left pending (`bot.services.sync.split`);
- each kind of waiting job has a queueing lock (`sync:ID`, `reports:ID`, `digests`, `pacing`), so at
  most one of each waits: a second deferral while one waits is a no-op (`AlreadyEnqueued`).

Jobs are deferred "now" on the default queue every worker consumes: a job scheduled for later would
hold back every other job of its lock (Procrastinate's locks documentation).
"""

from __future__ import annotations

import logging
from typing import Any

from procrastinate import App, BaseConnector, PsycopgConnector, SyncPsycopgConnector
from procrastinate.exceptions import AlreadyEnqueued
from sqlalchemy.engine import make_url

from bot.settings import Settings

__all__ = [
    "ABANDONED_EDITS",
    "CLEANUP",
    "DIGESTS",
    "PACING",
    "REPORTS",
    "STALLED",
    "SYNC",
    "SYNC_HELP",
    "TICK",
    "ClusterQueue",
    "conn_lock",
    "conninfo",
    "make_connector",
]

logger = logging.getLogger(__name__)

TICK = "hilal.tick"
SYNC = "hilal.sync"
SYNC_HELP = "hilal.sync_help"
REPORTS = "hilal.reports"
DIGESTS = "hilal.digests"
PACING = "hilal.pacing"
CLEANUP = "hilal.cleanup"
STALLED = "hilal.retry_stalled"
ABANDONED_EDITS = "hilal.abandoned_edits"


def conninfo(settings: Settings) -> str:
    """libpq's form of `HILAL_DATABASE_URL` (Procrastinate talks to psycopg directly)."""
    url = make_url(settings.hilal_database_url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def make_connector(settings: Settings, *, asynchronous: bool) -> BaseConnector:
    """Workers run an event loop (async pool); app processes defer from threads (sync pool)."""
    if asynchronous:
        return PsycopgConnector(conninfo=conninfo(settings), min_size=1, max_size=4)
    return SyncPsycopgConnector(conninfo=conninfo(settings), min_size=1, max_size=4)


def conn_lock(connection_id: int) -> str:
    """The lock every job of one connection holds."""
    return f"conn:{connection_id}"


class ClusterQueue:
    """Defers Hilal's jobs on a Procrastinate app; `enqueue_sync` is `start_sync`'s `SyncQueue`."""

    def __init__(self, app: App) -> None:
        self.app = app

    def __repr__(self) -> str:
        return "ClusterQueue()"

    def _defer(self, task: str, *, lock: str | None, queueing_lock: str, **kwargs: Any) -> bool:
        try:
            self.app.configure_task(task, lock=lock, queueing_lock=queueing_lock).defer(**kwargs)
        except AlreadyEnqueued:
            return False
        return True

    def enqueue_sync(self, *, connection_id: int, kind: str, scheduled: bool = False) -> bool:
        """One sync of a connection; `scheduled` ones check at start that they are still due."""
        return self._defer(
            SYNC,
            lock=conn_lock(connection_id),
            queueing_lock=f"sync:{connection_id}",
            connection_id=connection_id,
            kind=kind,
            scheduled=scheduled,
        )

    def enqueue_sync_helpers(
        self, *, connection_id: int, run_id: int, owner: str, mode: str, count: int
    ) -> int:
        """`count` helpers for a split sync of the connection's run `run_id`, held by lease `owner`; how
        many were queued."""
        task = self.app.configure_task(SYNC_HELP)
        for _ in range(count):
            task.defer(connection_id=connection_id, run_id=run_id, owner=owner, mode=mode)
        return count

    def enqueue_reports(self, *, connection_id: int) -> bool:
        """One round of a connection's due report steps (under the connection's lock)."""
        return self._defer(
            REPORTS,
            lock=conn_lock(connection_id),
            queueing_lock=f"reports:{connection_id}",
            connection_id=connection_id,
        )

    def enqueue_round(self, task: str) -> bool:
        """A cluster-wide round (digests, pacing): one runs at a time, one waits."""
        return self._defer(task, lock=task, queueing_lock=task)
