"""How a sync run ends: its `SyncOutcome`, and the bookkeeping of a success or a failure.

The bookkeeping (the `SyncRun` row, the connection's `last_*` fields and `next_*_sync_at` times, an
earlier summary message taken for editing, and the lease handed back) is one transaction under `DbRetry`,
so it lands, all of it or none, once a locked or restarting database is back.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from sqlmodel import Session

from bot.services.campaigns import refresh_window_quietly
from bot.services.sync.landing import Landing, remember_summary, show_landed, take_summary
from bot.services.sync.reports import report_warning
from bot.services.sync.schedule import jittered, next_report_time, retry_after_failure
from storage.db import session_scope
from storage.models import Connection, ConnectionStatus, Profile
from storage.repositories.sync import digest_times, finish_run

if TYPE_CHECKING:
    from bot.services.sync.context import SyncContext
    from bot.services.sync.dbretry import DbRetry
    from bot.services.sync.lease import LeaseHeartbeat
    from bot.services.sync.progress import ProgressReporter
    from bot.settings import Settings
    from bot.wiring import Services

__all__ = ["RunBook", "SyncOutcome"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SyncOutcome:
    """What one `run_sync` did.

    Attributes:
        status: `success`, `failed`, `reconnect_needed`, `interrupted`, `already_running` or `not_connected`.
        run_id: The `SyncRun` row (None when nothing ran).
        counts: Entities listed and metric rows loaded, by kind.
        days: Days of performance loaded so far for the window this run covers.
        reports_pending: Report jobs still waiting for Amazon.
        error: User-facing text when the run failed.
    """

    status: str
    run_id: int | None = None
    counts: Mapping[str, int] = field(default_factory=dict)
    days: int = 0
    reports_pending: int = 0
    error: str | None = None


@dataclass(frozen=True)
class RunBook:
    """One started run's bookkeeping: records its end, updates the progress message, builds the outcome."""

    services: Services
    conn: Connection
    run_id: int
    kind: str
    reporter: ProgressReporter
    retry: DbRetry
    heartbeat: LeaseHeartbeat | None = None

    def succeeded(self, ctx: SyncContext, *, days: int, pending: int) -> SyncOutcome:
        services, conn, kind = self.services, self.conn, self.kind
        now = services.now()
        counts = {**ctx.counts, "profiles": len(ctx.profiles), "days": days}
        landing = self.retry.run(
            lambda: self._record_success(ctx, counts=counts, pending=pending), what="sync.finish"
        )
        self._released()
        # The campaign list's index, ready before the summary; a failure leaves the list on its live road.
        refresh_window_quietly(services.engine, team_id=conn.team_id, today=now.date())
        self.reporter.finish(total=len(ctx.profiles), counts=ctx.counts, days=days, reports_pending=pending)
        if landing is not None:  # an earlier sync's summary was waiting for these reports
            show_landed(ctx, landing)
        logger.info("sync.finished", extra={"connection_id": conn.id, "kind": kind, "counts": counts})
        return SyncOutcome("success", self.run_id, counts, days, pending)

    def _release_in(self, session: Session) -> None:
        """The lease goes back in the transaction that records the run's end."""
        if self.heartbeat is not None:
            self.heartbeat.release_in(session)

    def _released(self) -> None:
        if self.heartbeat is not None:
            self.heartbeat.released_now()

    def _record_success(self, ctx: SyncContext, *, counts: dict[str, int], pending: int) -> Landing | None:
        """One transaction: the run, the connection's times and summary, and the lease handed back."""
        services, kind = self.services, self.kind
        now, settings = services.now(), services.settings
        landing: Landing | None = None
        with session_scope(services.engine) as session:
            finish_run(session, run_id=self.run_id, status="success", counts=counts, now=now)
            row = session.get(Connection, self.conn.id)
            if row is not None and row.status == ConnectionStatus.CONNECTED:
                row.last_sync_at = row.last_success_at = now
                row.last_error = None
                if kind in ("initial", "manual", "active"):
                    row.next_active_sync_at = jittered(now, settings.hilal_sync_active_minutes)
                if kind in ("initial", "manual", "archived"):
                    row.next_archived_sync_at = jittered(now, settings.hilal_sync_archived_minutes)
                if (
                    kind in ("initial", "reports")
                    or ctx.counts.get("reports_queued")
                    or row.next_report_sync_at is None
                ):
                    times = digest_times(session, team_id=row.team_id, region=row.region)
                    row.next_report_sync_at = next_report_time(now, digest_times=times)
                row.warning = report_warning(session, connection_id=row.id or 0, current=row.warning, now=now)
                row.progress_channel = row.progress_ts = None
                if pending:  # the summary says "still loading" until the reports land
                    remember_summary(row, self.reporter.target)
                row.updated_at = now
                session.add(row)
            if pending == 0 and row is not None:
                landing = take_summary(session, row)
            self._release_in(session)
        return landing

    def failed(
        self,
        ctx: SyncContext | None,
        *,
        status: str,
        error: str,
        exc: Exception | None = None,
        retry_at: datetime | None = None,
    ) -> SyncOutcome:
        services, kind = self.services, self.kind
        counts = dict(ctx.counts) if ctx else {}
        detail = f"{type(exc).__name__}" if exc is not None else error

        def record() -> None:
            now = services.now()
            with session_scope(services.engine) as session:
                finish_run(session, run_id=self.run_id, status=status, counts=counts, now=now, error=detail)
                row = session.get(Connection, self.conn.id)
                if row is not None and status in ("failed", "interrupted"):
                    row.last_sync_at, row.last_error, row.updated_at = now, error[:500], now
                    if row.status == ConnectionStatus.CONNECTED and (
                        status == "failed" or retry_at is not None
                    ):
                        _schedule_retry(row, kind, at=retry_at, now=now, settings=services.settings)
                    session.add(row)
                self._release_in(session)

        self.retry.run(record, what="sync.fail")
        self._released()
        profiles: list[Profile] = ctx.profiles if ctx else []
        self.reporter.fail(
            done=ctx.profiles_done if ctx else 0, total=len(profiles), counts=counts, error=error
        )
        return SyncOutcome(status, self.run_id, counts, 0, 0, error)


def _schedule_retry(
    row: Connection, kind: str, *, at: datetime | None, now: datetime, settings: Settings
) -> None:
    if kind in ("initial", "manual", "active"):
        row.next_active_sync_at = at or retry_after_failure(now, settings.hilal_sync_active_minutes)
    elif kind == "archived":
        row.next_archived_sync_at = at or retry_after_failure(now, settings.hilal_sync_archived_minutes)
    else:
        row.next_report_sync_at = at or retry_after_failure(now, 60 * 6)
