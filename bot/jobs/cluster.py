"""The cluster's tasks: the same job bodies as the single-process scheduler, run by Procrastinate workers.

One code path, two runners. The database still says what is due: a periodic `tick` (once a minute,
deferred once per period across the cluster by Procrastinate) reads it with the functions the
single-process tick uses (`due_syncs`, `connections_with_due_reports`) and defers one job per
connection (`bot.jobs.queue` keys them). Digests, pacing alerts and notices keep their own exactly-once
rows (`digest_delivery`, `alert_delivery`), so a retried round never posts twice.

A worker killed mid-job leaves its job `doing`; `retry_stalled` (every minute) gives it back to the
queue once the worker's heartbeat is older than `stalled_after`, and fails it for good after
`MAX_ATTEMPTS`, where `hilal jobs` and `/metrics` show it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from procrastinate import App, BaseConnector, JobContext, RetryStrategy
from procrastinate.jobs import Status

from bot.jobs.queue import (
    ABANDONED_EDITS,
    CLEANUP,
    DIGESTS,
    PACING,
    REPORTS,
    STALLED,
    SYNC,
    SYNC_HELP,
    TICK,
    ClusterQueue,
)
from bot.jobs.tick import cleanup_oauth_states, due_syncs, poll_pacing, send_digests, settle_abandoned_edits
from bot.services.sync import (
    acquire_lease,
    due_kind,
    help_sync,
    new_lease_owner,
    poll_connection_reports,
    run_sync,
)
from storage.db import session_scope
from storage.models import Connection, ConnectionStatus
from storage.repositories.queue_jobs import STALLED_AFTER
from storage.repositories.report_jobs import connections_with_due_reports

if TYPE_CHECKING:
    from bot.wiring import Services

__all__ = ["DEFERS_PER_TICK", "MAX_ATTEMPTS", "LeaseBusy", "TickReport", "build_app", "defer_due_work"]

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5  # tries of one job (a crash, a kill, a busy lease) before it is failed for good
DEFERS_PER_TICK = 2000  # syncs one tick defers; workers, not the tick, bound how many run at once
_RETRY = RetryStrategy(max_attempts=MAX_ATTEMPTS - 1, wait=5, exponential_wait=2)


class LeaseBusy(Exception):
    """The connection's database lease is still held (a killed worker's lease runs out in 30 s)."""


@dataclass(frozen=True)
class TickReport:
    """What one tick deferred (jobs already waiting are not counted)."""

    syncs: int
    report_polls: int
    rounds: int


def defer_due_work(services: Services, queue: ClusterQueue, *, now: datetime) -> TickReport:
    """Defer every sync and report poll due at `now`, plus the digest and pacing rounds."""
    syncs = sum(
        queue.enqueue_sync(connection_id=connection_id, kind=kind, scheduled=True)
        for connection_id, kind in due_syncs(services, now=now, limit=DEFERS_PER_TICK)
    )
    with session_scope(services.engine, readonly=True) as session:
        polls = connections_with_due_reports(session, now=now)
    report_polls = sum(queue.enqueue_reports(connection_id=connection_id) for connection_id in polls)
    rounds = sum(queue.enqueue_round(task) for task in (DIGESTS, PACING))
    report = TickReport(syncs=syncs, report_polls=report_polls, rounds=rounds)
    if syncs or report_polls:
        logger.info("cluster.tick", extra={"syncs": syncs, "report_polls": report_polls})
    return report


def _services(context: JobContext) -> Services:
    services: Services = context.additional_context["services"]
    return services


def _queue(context: JobContext) -> ClusterQueue:
    return ClusterQueue(context.app)


def tick(context: JobContext, timestamp: int) -> dict[str, int]:
    """Every minute: defer what the database says is due (the periodic deferral's `timestamp` is unused:
    Hilal's clock decides)."""
    del timestamp
    services = _services(context)
    report = defer_due_work(services, _queue(context), now=services.now())
    return {"syncs": report.syncs, "report_polls": report.report_polls, "rounds": report.rounds}


def sync_connection(context: JobContext, connection_id: int, kind: str, scheduled: bool = False) -> str:
    """Run one sync under the connection's lease; a scheduled one first checks it is still due."""
    services = _services(context)
    with session_scope(services.engine, readonly=True) as session:
        conn = session.get(Connection, connection_id)
    if conn is None or conn.status != ConnectionStatus.CONNECTED:
        return "not_connected"
    if scheduled:
        due = due_kind(conn, now=services.now(), settings=services.settings)
        if due is None:
            return "not_due"  # it ran since this job was deferred
        kind = due
    owner = new_lease_owner(services)
    if not acquire_lease(services, connection_id=connection_id, owner=owner):
        raise LeaseBusy(f"connection {connection_id} is held by another sync")
    return run_sync(services, connection_id=connection_id, kind=kind, lease_owner=owner).status


def sync_help(context: JobContext, connection_id: int, run_id: int, owner: str, mode: str) -> int:
    """Help a split sync: sync the profiles its run still has pending, under the run's lease `owner`
    (none pending, or the lease moved on: nothing to do)."""
    return help_sync(_services(context), connection_id=connection_id, run_id=run_id, owner=owner, mode=mode)


def poll_reports(context: JobContext, connection_id: int) -> int:
    """One round of a connection's due report steps."""
    return poll_connection_reports(_services(context), connection_id=connection_id) or 0


def digests_round(context: JobContext) -> None:
    """Post the digests due now (each claimed in `digest_delivery` first, so a retry never posts twice)."""
    services = _services(context)
    send_digests(services, now=services.now())


def pacing_round(context: JobContext) -> None:
    """Poll the regions whose budget usage is due and post the alerts it calls for (claimed once a day)."""
    services = _services(context)
    poll_pacing(services, now=services.now())


def abandoned_edits(context: JobContext, timestamp: int) -> int:
    """Every five minutes: record live edits whose sender died while sending (`edits/abandoned.py`)."""
    del timestamp
    services = _services(context)
    return settle_abandoned_edits(services, now=services.now())


def cleanup(context: JobContext, timestamp: int) -> int:
    """Hourly: delete consent states that expired more than a day ago."""
    del timestamp
    services = _services(context)
    return cleanup_oauth_states(services, now=services.now())


async def retry_stalled(context: JobContext, timestamp: int) -> int:
    """Give the jobs of workers whose heartbeat stopped back to the queue (failed after `MAX_ATTEMPTS`)."""
    del timestamp
    manager = context.app.job_manager
    stalled_after: float = context.additional_context.get("stalled_after", STALLED_AFTER)
    jobs = list(await manager.get_stalled_jobs(seconds_since_heartbeat=stalled_after))
    for job in jobs:
        assert job.id is not None
        if job.attempts + 1 >= MAX_ATTEMPTS:
            await manager.finish_job_by_id_async(job.id, status=Status.FAILED, delete_job=False)
            logger.error("cluster.job_failed_stalled", extra={"job": job.id, "task": job.task_name})
        else:
            await manager.retry_job(job)
            logger.warning("cluster.job_retried", extra={"job": job.id, "task": job.task_name})
    return len(jobs)


def build_app(connector: BaseConnector) -> App:
    """A Procrastinate app with Hilal's tasks (a fresh one per call: tests build several)."""
    app = App(connector=connector)
    app.periodic(cron="* * * * *", periodic_id="tick")(
        app.task(name=TICK, queueing_lock=TICK, pass_context=True)(tick)
    )
    app.periodic(cron="* * * * *", periodic_id="stalled")(
        app.task(name=STALLED, queueing_lock=STALLED, pass_context=True)(retry_stalled)
    )
    app.periodic(cron="*/5 * * * *", periodic_id="abandoned_edits")(
        app.task(name=ABANDONED_EDITS, queueing_lock=ABANDONED_EDITS, pass_context=True)(abandoned_edits)
    )
    app.periodic(cron="17 * * * *", periodic_id="cleanup")(
        app.task(name=CLEANUP, queueing_lock=CLEANUP, pass_context=True)(cleanup)
    )
    app.task(name=SYNC, pass_context=True, retry=_RETRY)(sync_connection)
    app.task(name=SYNC_HELP, pass_context=True)(sync_help)
    app.task(name=REPORTS, pass_context=True, retry=_RETRY)(poll_reports)
    app.task(name=DIGESTS, pass_context=True, retry=_RETRY)(digests_round)
    app.task(name=PACING, pass_context=True, retry=_RETRY)(pacing_round)
    return app
