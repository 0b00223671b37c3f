"""Job bodies: sync tick, report polling, digests, OAuth-state cleanup. Plain functions of (services, now).

The database says what is due. `run_sync_tick` picks connected connections whose `next_*_sync_at` has
passed (or that never finished a first sync) and whose lease is free, takes each lease, and hands the
sync to a bounded pool. At most `MAX_STARTS_PER_TICK` syncs start per tick, so after downtime the
overdue ones run once each, staggered over the next minutes, instead of all at once.
"""

from __future__ import annotations

import logging
from concurrent.futures import Executor
from datetime import datetime, timedelta
from importlib import import_module
from typing import TYPE_CHECKING

from bot.blocks.alerts import BLOCK_KIT_ALERTS
from bot.services.edits import settle_abandoned_edits
from bot.services.pacing import AlertOptions, PacingRoundReport, run_pacing_round
from bot.services.sync import acquire_lease, due_kind, new_lease_owner, poll_connection_reports, run_sync
from storage.db import session_scope
from storage.repositories.report_jobs import connections_with_due_reports
from storage.repositories.sync import (
    delete_expired_oauth_states,
    list_due_connections,
)

if TYPE_CHECKING:
    from bot.wiring import Services

__all__ = [
    "MAX_STARTS_PER_TICK",
    "OAUTH_STATE_KEEP",
    "cleanup_oauth_states",
    "due_syncs",
    "poll_pacing",
    "poll_reports",
    "run_sync_tick",
    "send_digests",
    "settle_abandoned_edits",
]

logger = logging.getLogger(__name__)

MAX_STARTS_PER_TICK = 8
OAUTH_STATE_KEEP = timedelta(days=1)


def due_syncs(services: Services, *, now: datetime, limit: int) -> list[tuple[int, str]]:
    """(connection id, kind) of at most `limit` syncs due at `now` whose lease is free, most overdue first.

    Both runners start syncs from this list: the single-process tick below, and the cluster's tick
    (`bot.jobs.cluster`), which defers them to the workers.
    """
    with session_scope(services.engine, readonly=True) as session:
        due = list_due_connections(session, now=now, limit=limit * 2)
    found: list[tuple[int, str]] = []
    for conn in due:
        kind = due_kind(conn, now=now, settings=services.settings)
        if kind is not None and conn.id is not None and len(found) < limit:
            found.append((conn.id, kind))
    return found


def run_sync_tick(
    services: Services, *, now: datetime, executor: Executor | None = None, limit: int = MAX_STARTS_PER_TICK
) -> list[tuple[int, str]]:
    """Start the syncs that are due at `now`.

    Args:
        services: Shared services.
        now: The tick time.
        executor: The bounded sync pool; None runs each sync inline (tests, `hilal sync`).
        limit: Most syncs started by this tick.

    Returns:
        (connection id, kind) of each sync started.
    """
    due = due_syncs(services, now=now, limit=limit)
    started: list[tuple[int, str]] = []
    for connection_id, kind in due:
        owner = new_lease_owner(services)
        if not acquire_lease(services, connection_id=connection_id, owner=owner):
            continue
        started.append((connection_id, kind))
        if executor is None:
            run_sync(services, connection_id=connection_id, kind=kind, lease_owner=owner)
        else:
            executor.submit(_run_logged, services, connection_id, kind, owner)
    if started:
        logger.info("sync.tick", extra={"started": len(started), "due": len(due)})
    return started


def _run_logged(services: Services, connection_id: int, kind: str, owner: str) -> None:
    try:
        run_sync(services, connection_id=connection_id, kind=kind, lease_owner=owner)
    except Exception:
        logger.exception("sync.crashed", extra={"connection_id": connection_id, "kind": kind})


def poll_reports(services: Services, *, now: datetime) -> int:
    """Advance every connection's due report jobs once; returns the jobs finished."""
    with session_scope(services.engine, readonly=True) as session:
        connection_ids = connections_with_due_reports(session, now=now)
    finished = 0
    for connection_id in connection_ids:
        finished += poll_connection_reports(services, connection_id=connection_id) or 0
    return finished


def send_digests(services: Services, *, now: datetime) -> object:
    """Post due digests (`bot.jobs.digests.send_due_digests`, imported when the job runs)."""
    try:
        module = import_module("bot.jobs.digests")
    except ModuleNotFoundError:
        logger.info("digests.unavailable")
        return None
    return module.send_due_digests(services, now=now)


def poll_pacing(
    services: Services, *, now: datetime, options: AlertOptions | None = None
) -> PacingRoundReport:
    """Poll the regions whose budget-usage poll is due and post the alerts it calls for.

    Slack calls go through `bot.slack.WebClientDigestSlack` (post and DM, 429s left to the alert pacer).
    """
    from bot.jobs.digests import slack_ports

    return run_pacing_round(
        services, slack_ports(services), now=now, rendering=BLOCK_KIT_ALERTS, options=options
    )


def cleanup_oauth_states(services: Services, *, now: datetime) -> int:
    """Delete consent states that expired more than a day ago."""
    with session_scope(services.engine) as session:
        deleted = delete_expired_oauth_states(session, now=now, keep=OAUTH_STATE_KEEP)
    if deleted:
        logger.info("oauth.states_deleted", extra={"count": deleted})
    return deleted
