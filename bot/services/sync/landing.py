"""Performance that lands after the sync: days loaded, and the summary message edited once reports land.

A sync finishes in minutes, but Amazon prepares its reports for minutes to hours. The finished sync's
message then says "performance still loading — Amazon is preparing N reports" (never "0 days of
performance") and is remembered on the connection (`summary_channel`, `summary_ts`). When the last of
the connection's reports finishes — on a later poll or sync — the same message is edited in place with
the days of performance now loaded (or the warning when Amazon did not deliver).
"""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from bot.services.sync.progress import ProgressReporter
from bot.services.sync.reports import WARNING_PREFIX, profile_today
from storage.db import session_scope
from storage.models import Connection
from storage.repositories.loaded_days import loaded_days
from storage.repositories.sync import last_successful_run

if TYPE_CHECKING:
    from bot.services.sync.context import SyncContext
    from bot.settings import Settings

__all__ = ["SUMMARY_KINDS", "days_loaded", "history_days", "land_summary", "remember_summary"]

logger = logging.getLogger(__name__)

SUMMARY_KINDS = ("initial", "manual")  # the syncs whose message shows a summary of everything


def history_days(settings: Settings, kind: str) -> int:
    """The days of performance a sync of `kind` asks Amazon for."""
    return settings.hilal_initial_history_days if kind == "initial" else settings.hilal_report_lookback_days


def days_loaded(ctx: SyncContext, days: int) -> int:
    """Days of the last `days` whose campaign report is loaded (the best-covered profile in scope)."""
    if not ctx.profiles:
        return 0
    now = ctx.now()
    first = {p.id: profile_today(p, now) - timedelta(days=days - 1) for p in ctx.profiles}
    last = {p.id: profile_today(p, now) for p in ctx.profiles}
    with session_scope(ctx.services.engine, readonly=True) as session:
        found = loaded_days(
            session,
            profile_pks=[pk for pk in first if pk is not None],
            report_kind="campaign",
            start=min(first.values()),
            end=max(last.values()),
        )
    return max(
        (sum(1 for d in dates if first[pk] <= d <= last[pk]) for pk, dates in found.items()),
        default=0,
    )


def remember_summary(row: Connection, target: tuple[str, str] | None) -> None:
    """Keep the finished sync's message (on `row`, in the caller's transaction) until its reports land."""
    if target is not None:
        row.summary_channel, row.summary_ts = target


def land_summary(ctx: SyncContext) -> bool:
    """Edit the remembered summary message now that no report of the connection is open.

    Call only when the connection has no unfinished report job. Returns True when a message was edited.
    """
    with session_scope(ctx.services.engine) as session:
        conn = session.get(Connection, ctx.connection_id)
        if conn is None or not conn.summary_channel or not conn.summary_ts:
            return False
        target = (conn.summary_channel, conn.summary_ts)
        conn.summary_channel = conn.summary_ts = None
        session.add(conn)
        warning = conn.warning if (conn.warning or "").startswith(WARNING_PREFIX) else None
        run = last_successful_run(session, connection_id=ctx.connection_id, kinds=SUMMARY_KINDS)
        enterprise_id = conn.enterprise_id
    counts: dict[str, int] = json.loads(run.counts_json) if run is not None else {}
    kind = run.kind if run is not None else "manual"
    days = days_loaded(ctx, history_days(ctx.services.settings, kind))
    reporter = ProgressReporter(
        ctx.services, team_id=ctx.team_id, enterprise_id=enterprise_id, region=ctx.region, target=target
    )
    reporter.finish(
        total=int(counts.get("profiles", len(ctx.profiles))),
        counts=counts,
        days=days,
        reports_pending=0,
        note=warning,
    )
    logger.info("sync.summary_landed", extra={"connection_id": ctx.connection_id, "days": days})
    return True
