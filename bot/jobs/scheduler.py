"""The scheduler: a declarative `JOBS` table run by APScheduler 3.x in the process holding the guard.

Every job is a cron trigger in UTC (no start-time state, so the table is the same in every process and
in tests), added with `replace_existing=True`, `coalesce=True`, `max_instances=1`, an explicit
`misfire_grace_time` and the in-memory job store: the database, not the job store, says what is due.

`start_scheduler(services)` returns a handle whose `stop()` shuts everything down. Its guard thread
renews the lease; a process that does not win the lease serves HTTP and keeps trying, so it takes over
if the scheduling process dies.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from apscheduler.executors.pool import ThreadPoolExecutor as JobThreadPool
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger

from bot.jobs.guard import RENEW_EVERY, SchedulerGuard
from bot.jobs.runner import run_job
from bot.jobs.tick import (
    cleanup_oauth_states,
    poll_pacing,
    poll_reports,
    run_sync_tick,
    send_digests,
    settle_abandoned_edits,
)

if TYPE_CHECKING:
    from bot.wiring import Services

__all__ = ["JOBS", "SYNC_WORKERS", "JobSpec", "SchedulerHandle", "build_scheduler", "start_scheduler"]

logger = logging.getLogger(__name__)

SYNC_WORKERS = 4
JobBody = Callable[["Services", datetime, Executor | None], object]


@dataclass(frozen=True)
class JobSpec:
    """One row of the table: id, trigger, body, and how late a run may start (seconds)."""

    id: str
    trigger: BaseTrigger
    body: JobBody
    misfire_grace_time: int
    run_at_start: bool = False


def _tick(services: Services, now: datetime, pool: Executor | None) -> object:
    return run_sync_tick(services, now=now, executor=pool)


def _poll(services: Services, now: datetime, pool: Executor | None) -> object:
    del pool
    return poll_reports(services, now=now)


def _digests(services: Services, now: datetime, pool: Executor | None) -> object:
    del pool
    return send_digests(services, now=now)


def _pacing(services: Services, now: datetime, pool: Executor | None) -> object:
    del pool
    return poll_pacing(services, now=now)


def _abandoned_edits(services: Services, now: datetime, pool: Executor | None) -> object:
    del pool
    return settle_abandoned_edits(services, now=now)


def _cleanup(services: Services, now: datetime, pool: Executor | None) -> object:
    del pool
    return cleanup_oauth_states(services, now=now)


JOBS: tuple[JobSpec, ...] = (
    JobSpec(
        "sync-tick", CronTrigger(second=0, timezone=UTC), _tick, misfire_grace_time=50, run_at_start=True
    ),
    JobSpec(
        "report-poll", CronTrigger(second=20, timezone=UTC), _poll, misfire_grace_time=50, run_at_start=True
    ),
    JobSpec("digests", CronTrigger(second=40, timezone=UTC), _digests, misfire_grace_time=50),
    # Every minute; each region is polled every HILAL_PACING_MINUTES (`connection.next_pacing_at`).
    JobSpec("pacing", CronTrigger(second=50, timezone=UTC), _pacing, misfire_grace_time=50),
    # A live edit whose sender died while sending is recorded as "no answer" (`edits/abandoned.py`).
    JobSpec(
        "abandoned-edits",
        CronTrigger(minute="*/5", second=30, timezone=UTC),
        _abandoned_edits,
        misfire_grace_time=250,
    ),
    JobSpec("oauth-state-cleanup", CronTrigger(minute=17, timezone=UTC), _cleanup, misfire_grace_time=1800),
)


def _job(services: Services, spec: JobSpec, pool: Executor | None) -> None:
    run_job(services, spec.id, lambda s, now: spec.body(s, now, pool))


def build_scheduler(services: Services, *, pool: Executor | None = None) -> BackgroundScheduler:
    """A `BackgroundScheduler` (UTC, memory job store) with every job of `JOBS`; not started.

    Args:
        services: Shared services, passed to every job.
        pool: The bounded pool syncs run on (None: the tick runs them inline).
    """
    scheduler = BackgroundScheduler(
        timezone=UTC,
        jobstores={"default": MemoryJobStore()},
        executors={"default": JobThreadPool(max_workers=len(JOBS))},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 60},
    )
    for spec in JOBS:
        extra = {"next_run_time": datetime.now(UTC)} if spec.run_at_start else {}
        scheduler.add_job(
            _job,
            trigger=spec.trigger,
            args=(services, spec, pool),
            id=spec.id,
            name=spec.id,
            replace_existing=True,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=spec.misfire_grace_time,
            **extra,
        )
    return scheduler


class SchedulerHandle:
    """The scheduler of one process, started only while its guard holds the lease."""

    def __init__(self, services: Services, *, guard: SchedulerGuard | None = None) -> None:
        self._services = services
        self.guard = guard or SchedulerGuard(services)
        self._stop = threading.Event()
        self._scheduler: BackgroundScheduler | None = None
        self._pool: ThreadPoolExecutor | None = None
        self._thread: threading.Thread | None = None

    @property
    def scheduling(self) -> bool:
        """True while this process runs the jobs."""
        return self._scheduler is not None

    def start(self) -> SchedulerHandle:
        self._step()
        self._thread = threading.Thread(target=self._loop, name="hilal-scheduler-guard", daemon=True)
        self._thread.start()
        return self

    def _loop(self) -> None:
        while not self._stop.wait(RENEW_EVERY.total_seconds()):
            try:
                self._step()
            except Exception:
                logger.exception("scheduler.guard_failed")

    def _step(self) -> None:
        """Renew or take the lease; start or stop the scheduler to match."""
        held = self.guard.acquire()
        if held and self._scheduler is None:
            self._pool = ThreadPoolExecutor(max_workers=SYNC_WORKERS, thread_name_prefix="hilal-sync")
            self._scheduler = build_scheduler(self._services, pool=self._pool)
            self._scheduler.start()
            logger.info("scheduler.started", extra={"owner": self.guard.owner})
        elif not held and self._scheduler is not None:
            logger.warning("scheduler.stopped_lease_lost", extra={"owner": self.guard.owner})
            self._shutdown()
        elif not held:
            logger.debug("scheduler.standby", extra={"owner": self.guard.owner})

    def _shutdown(self) -> None:
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=False)
            self._scheduler = None
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    def stop(self) -> None:
        """Stop scheduling and give the lease back."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._shutdown()
        self.guard.release()


def start_scheduler(services: Services) -> SchedulerHandle:
    """Start scheduling if this process wins the lease (else stand by); `.stop()` ends it."""
    return SchedulerHandle(services).start()
