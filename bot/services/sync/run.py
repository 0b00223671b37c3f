"""Sync a connection with Amazon: `start_sync` (in the background, under the lease) and `run_sync` (now).

Kinds:

- `initial`: every state of every entity of the selected profiles, plus daily campaign and keyword
  performance for the last `HILAL_INITIAL_HISTORY_DAYS`;
- `manual` ("Sync now"): every state, and the look-back window of reports unless they were requested
  in the last few hours;
- `active` / `archived`: ENABLED+PAUSED or ARCHIVED entities (steady state), plus due report steps;
- `reports`: re-request the look-back window (`HILAL_REPORT_LOOKBACK_DAYS`), so restated numbers
  replace old ones.

A connection never syncs twice at once: its database lease is taken before any work, renewed by a
heartbeat while the sync runs, and expires 30 s after the process dies (`lease.py`). A database error
ends the run as `failed` with that reason, and its bookkeeping and lease release are retried until the
database is back (`dbretry.py`). A stopping process ends its syncs at a step boundary as `interrupted`,
due again at once. Every run is a `SyncRun` row; the connection keeps
`last_sync_at`, `last_success_at`, `last_error` and its `next_*_sync_at` times.
"""

from __future__ import annotations

import logging
import uuid
from typing import TYPE_CHECKING, Literal, Protocol

from bot.amazon.errors import (
    AmazonAdsError,
    ReconnectRequired,
)
from bot.errors import NotConnected
from bot.services.connections import mark_reconnect_needed
from bot.services.sync.context import LeaseLost, SyncContext, SyncStopped, open_context
from bot.services.sync.dbretry import DATABASE_ERRORS, DbRetry
from bot.services.sync.entities import sync_profile_entities
from bot.services.sync.failures import RECONNECT, describe_failure, log_failure
from bot.services.sync.landing import days_loaded, days_loaded_in, history_days
from bot.services.sync.lease import (
    LEASE_TTL,
    LeaseHeartbeat,
    acquire_lease,
    is_stopping,
    new_lease_owner,
    release_lease,
)
from bot.services.sync.outcome import RunBook, SyncOutcome
from bot.services.sync.progress import OnProgress, ProgressReporter
from bot.services.sync.reports import advance_reports, plan_reports
from bot.services.sync.schedule import DATABASE_RETRY, REPORT_MIN_GAP, SYNC_KINDS
from bot.services.sync.split import PartFailed, should_split, sync_split
from storage.crypto import VaultError
from storage.db import session_scope
from storage.models import Connection, ConnectionStatus, Profile
from storage.repositories.leases import acquire_connection_lease, renew_connection_lease
from storage.repositories.report_jobs import is_due, last_report_planned_at, open_report_jobs
from storage.repositories.sync import start_run, syncable_profiles

if TYPE_CHECKING:
    from datetime import datetime

    from bot.wiring import Services

__all__ = ["StartResult", "SyncOutcome", "SyncQueue", "run_sync", "start_sync"]

logger = logging.getLogger(__name__)

StartResult = Literal["started", "already_running", "not_connected"]
_ENTITY_MODE = {"initial": "full", "manual": "full", "active": "active", "archived": "archived"}
_RESTARTED = "Hilal restarted during this sync; it starts again within a minute."
_DATABASE = (
    "The database was unavailable during this sync (locked or unreachable); "
    "the next sync tries again in a minute."
)
_LEASE_LOST = "The sync stopped because the region was disconnected or taken over."


class SyncQueue(Protocol):
    """Where `start_sync` sends a sync when worker processes run them (`HILAL_QUEUE=procrastinate`)."""

    def enqueue_sync(self, *, connection_id: int, kind: str) -> bool:
        """Queue one sync of the connection; False when one is already waiting for it."""
        ...

    def enqueue_sync_helpers(
        self, *, connection_id: int, run_id: int, owner: str, mode: str, count: int
    ) -> int:
        """Queue `count` helpers for a split sync held by lease `owner` (`bot.services.sync.split`); how
        many were queued."""
        ...


def _load(services: Services, connection_id: int) -> Connection | None:  # start_sync's check
    with session_scope(services.engine, readonly=True) as session:
        return session.get(Connection, connection_id)


def start_sync(
    services: Services, *, connection_id: int, kind: str, progress: tuple[str, str] | None = None
) -> StartResult:
    """Start a sync in the background unless one is running.

    Args:
        services: Shared services (`background` runs the work).
        connection_id: The connection to sync.
        kind: `initial`, `manual`, `active`, `archived` or `reports`.
        progress: `(channel, ts)` of a message to update as the sync goes.

    Returns:
        "started", "already_running" (nothing new started) or "not_connected".
    """
    if kind not in SYNC_KINDS:
        raise ValueError(f"unknown sync kind {kind!r}")
    conn = _load(services, connection_id)
    if conn is None or conn.status != ConnectionStatus.CONNECTED:
        return "not_connected"
    if services.sync_queue is not None:
        return _enqueue(services, conn, kind=kind, progress=progress, queue=services.sync_queue)
    owner = new_lease_owner(services)
    if not acquire_lease(services, connection_id=connection_id, owner=owner):
        return "already_running"
    _remember_progress(services, connection_id, progress)
    try:
        services.background.submit(
            _run_quietly, services, connection_id=connection_id, kind=kind, progress=progress, owner=owner
        )
    except RuntimeError:
        release_lease(services, connection_id=connection_id, owner=owner)
        raise
    return "started"


def _remember_progress(services: Services, connection_id: int, progress: tuple[str, str] | None) -> None:
    """Store the message a sync updates, so whichever process runs the sync finds it."""
    if progress is None:
        return
    with session_scope(services.engine) as session:
        row = session.get(Connection, connection_id)
        if row is not None:
            row.progress_channel, row.progress_ts = progress
            session.add(row)


def _enqueue(
    services: Services, conn: Connection, *, kind: str, progress: tuple[str, str] | None, queue: SyncQueue
) -> StartResult:
    """Hand the sync to the workers, unless one is running (its lease is live) or already waiting."""
    assert conn.id is not None
    if conn.lease_owner and conn.lease_expires_at is not None and conn.lease_expires_at > services.now():
        return "already_running"
    _remember_progress(services, conn.id, progress)
    return "started" if queue.enqueue_sync(connection_id=conn.id, kind=kind) else "already_running"


def _run_quietly(
    services: Services, *, connection_id: int, kind: str, progress: tuple[str, str] | None, owner: str
) -> None:
    try:
        run_sync(services, connection_id=connection_id, kind=kind, progress=progress, lease_owner=owner)
    except Exception:
        logger.exception("sync.crashed", extra={"connection_id": connection_id, "kind": kind})


def run_sync(
    services: Services,
    *,
    connection_id: int,
    kind: str,
    progress: tuple[str, str] | None = None,
    lease_owner: str | None = None,
    on_progress: OnProgress | None = None,
    db_retry: DbRetry | None = None,
) -> SyncOutcome:
    """Run one sync now, in this thread.

    Args:
        services: Shared services.
        connection_id: The connection to sync.
        kind: `initial`, `manual`, `active`, `archived` or `reports`.
        progress: `(channel, ts)` of a message to update (defaults to the one stored by `start_sync`).
        lease_owner: The lease already taken by the caller (`start_sync`, the tick); None takes it here.
        on_progress: Called with (profiles done, total, entity counts) as profiles finish (the CLI's bar).
        db_retry: How bookkeeping waits for an unavailable database (tests inject the sleep).

    Returns:
        The outcome; failures are recorded (SyncRun, `last_error`) and returned, not raised.
    """
    if kind not in SYNC_KINDS:
        raise ValueError(f"unknown sync kind {kind!r}")
    owner = lease_owner or new_lease_owner(services)
    if lease_owner is None and (refused := _take_lease(services, connection_id, owner)) is not None:
        return refused
    retry = db_retry or DbRetry()
    heartbeat = LeaseHeartbeat(services, connection_id=connection_id, owner=owner)
    try:
        with heartbeat:
            return _run_locked(
                services,
                connection_id=connection_id,
                kind=kind,
                progress=progress,
                owner=owner,
                on_progress=on_progress,
                heartbeat=heartbeat,
                retry=retry,
            )
    finally:
        if not heartbeat.released:  # the run's end usually handed it back in its bookkeeping
            release_lease(services, connection_id=connection_id, owner=owner, retry=retry)


def _take_lease(services: Services, connection_id: int, owner: str) -> SyncOutcome | None:
    """Take the lease (one transaction); the outcome that refuses the sync when it cannot be taken."""
    with session_scope(services.engine) as session:
        if not is_stopping(services) and acquire_connection_lease(
            session, connection_id=connection_id, owner=owner, now=services.now(), ttl=LEASE_TTL
        ):
            return None
        conn = session.get(Connection, connection_id)
        connected = conn is not None and conn.status == ConnectionStatus.CONNECTED
    return SyncOutcome("already_running" if connected else "not_connected")


def _open_run(
    services: Services, *, connection_id: int, kind: str, owner: str
) -> tuple[Connection, list[Profile], int, datetime | None] | None:
    """One transaction: the connection, its profiles, a lease renewal and the new `SyncRun`.

    Returns:
        (connection, profiles, run id, when the lease was renewed or None when it was not ours any
        more: the first step boundary then stops the sync), or None when the connection is not connected.
    """
    now = services.now()
    with session_scope(services.engine) as session:
        conn = session.get(Connection, connection_id)
        if conn is None or conn.status != ConnectionStatus.CONNECTED:
            return None
        profiles = syncable_profiles(session, connection_id=connection_id)
        kept = renew_connection_lease(
            session, connection_id=connection_id, owner=owner, now=now, ttl=LEASE_TTL
        )
        run_id = start_run(session, connection_id=connection_id, kind=kind, now=now)
    return conn, profiles, run_id, now if kept else None


def _run_locked(
    services: Services,
    *,
    connection_id: int,
    kind: str,
    progress: tuple[str, str] | None,
    owner: str,
    on_progress: OnProgress | None,
    heartbeat: LeaseHeartbeat,
    retry: DbRetry,
) -> SyncOutcome:
    opened = _open_run(services, connection_id=connection_id, kind=kind, owner=owner)
    if opened is None:
        return SyncOutcome("not_connected")
    conn, profiles, run_id, renewed_at = opened
    if progress is None and conn.progress_channel and conn.progress_ts:
        progress = (conn.progress_channel, conn.progress_ts)
    reporter = ProgressReporter(
        services,
        team_id=conn.team_id,
        enterprise_id=conn.enterprise_id,
        region=conn.region,
        target=progress,
        on_progress=on_progress,
    )
    logger.info(
        "sync.started", extra={"connection_id": connection_id, "kind": kind, "profiles": len(profiles)}
    )
    book = RunBook(services, conn, run_id, kind, reporter, retry, heartbeat)
    ctx: SyncContext | None = None
    try:
        ctx = open_context(
            services,
            conn,
            connection_id=connection_id,
            owner=owner,
            profiles=profiles,
            heartbeat=heartbeat,
            renewed_at=renewed_at,
        )
        days, pending = _work(ctx, kind, reporter, run_id=run_id)
    except ReconnectRequired:
        mark_reconnect_needed(services, connection_id=connection_id, reason="Amazon refused the stored grant")
        return book.failed(ctx, status="reconnect_needed", error=RECONNECT)
    except SyncStopped:
        return book.failed(ctx, status="interrupted", error=_RESTARTED, retry_at=services.now())
    except DATABASE_ERRORS as exc:
        logger.warning(
            "sync.database_failed", extra={"connection_id": connection_id, "error": str(exc)[:200]}
        )
        return book.failed(ctx, status="failed", error=_DATABASE, retry_at=services.now() + DATABASE_RETRY)
    except LeaseLost:
        return book.failed(ctx, status="interrupted", error=_LEASE_LOST)
    except PartFailed as exc:
        return book.failed(ctx, status="failed", error=str(exc))
    except (AmazonAdsError, NotConnected, VaultError) as exc:
        log_failure(connection_id, exc)
        return book.failed(ctx, status="failed", error=describe_failure(exc))
    except Exception as exc:
        ref = uuid.uuid4().hex[:8]
        logger.exception("sync.crashed", extra={"connection_id": connection_id, "ref": ref})
        error = f"Something went wrong (ref `{ref}`); the next sync tries again."
        return book.failed(ctx, status="failed", error=error, exc=exc)
    return book.succeeded(ctx, days=days, pending=pending)


def _work(ctx: SyncContext, kind: str, reporter: ProgressReporter, *, run_id: int) -> tuple[int, int]:
    """The sync itself; returns (days of performance loaded, report jobs still open)."""
    settings = ctx.services.settings
    mode = _ENTITY_MODE.get(kind)
    if mode is not None:
        _sync_entities(ctx, mode, reporter, run_id=run_id)
    history = history_days(settings, kind)
    if kind == "initial" or (kind in ("manual", "reports") and _reports_stale(ctx)):
        ctx.counts["reports_queued"] += plan_reports(ctx, days=history, skip_done=kind == "initial")
    with session_scope(ctx.services.engine, readonly=True) as session:  # steady state: one read for both
        still_open = open_report_jobs(session, connection_id=ctx.connection_id)
        days = days_loaded_in(session, ctx, history)
    if not any(is_due(job, ctx.now()) for job in still_open):
        ctx.counts["reports_finished"] += 0  # the key is part of the run's counts either way
        return days, len(still_open)
    finished, pending = advance_reports(ctx)
    ctx.counts["reports_finished"] += finished
    return days_loaded(ctx, history), pending


def _sync_entities(ctx: SyncContext, mode: str, reporter: ProgressReporter, *, run_id: int) -> None:
    """Every profile's entities: split across workers where that helps, else one after another."""
    total = len(ctx.profiles)
    reporter.update(done=0, total=total, counts=ctx.counts)
    queue = ctx.services.sync_queue
    if queue is not None and should_split(ctx):
        sync_split(ctx, run_id=run_id, mode=mode, queue=queue, reporter=reporter)
        return
    for done, profile in enumerate(ctx.profiles, start=1):
        sync_profile_entities(ctx, profile, mode=mode)
        ctx.profiles_done = done
        reporter.update(done=done, total=total, counts=ctx.counts)


def _reports_stale(ctx: SyncContext) -> bool:
    with session_scope(ctx.services.engine, readonly=True) as session:
        last = last_report_planned_at(session, connection_id=ctx.connection_id)
    return last is None or ctx.now() - last >= REPORT_MIN_GAP
