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
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlmodel import Session

from bot.services.sync.progress import ProgressReporter
from bot.services.sync.reports import WARNING_PREFIX, profile_today
from storage.db import session_scope
from storage.models import Connection
from storage.repositories.loaded_days import loaded_days
from storage.repositories.sync import last_successful_run

if TYPE_CHECKING:
    from bot.services.sync.context import SyncContext
    from bot.settings import Settings

__all__ = [
    "SUMMARY_KINDS",
    "Landing",
    "days_loaded",
    "days_loaded_in",
    "history_days",
    "land_summary",
    "remember_summary",
    "show_landed",
    "take_summary",
]

logger = logging.getLogger(__name__)

SUMMARY_KINDS = ("initial", "manual")  # the syncs whose message shows a summary of everything


def history_days(settings: Settings, kind: str) -> int:
    """The days of performance a sync of `kind` asks Amazon for."""
    return settings.hilal_initial_history_days if kind == "initial" else settings.hilal_report_lookback_days


def days_loaded(ctx: SyncContext, days: int) -> int:
    """Days of the last `days` whose campaign report is loaded (the best-covered profile in scope)."""
    if not ctx.profiles:
        return 0
    with session_scope(ctx.services.engine, readonly=True) as session:
        return days_loaded_in(session, ctx, days)


def days_loaded_in(session: Session, ctx: SyncContext, days: int) -> int:
    """`days_loaded`, read in the caller's transaction."""
    if not ctx.profiles:
        return 0
    now = ctx.now()
    first = {p.id: profile_today(p, now) - timedelta(days=days - 1) for p in ctx.profiles}
    last = {p.id: profile_today(p, now) for p in ctx.profiles}
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


@dataclass(frozen=True)
class Landing:
    """A remembered summary message taken off its connection, with what to show in it."""

    target: tuple[str, str]
    enterprise_id: str
    warning: str | None
    counts: dict[str, int]
    kind: str


def take_summary(session: Session, conn: Connection) -> Landing | None:
    """Take the remembered summary message off `conn` (in the caller's transaction), if there is one.

    Call only when the connection has no unfinished report job; `show_landed` then edits the message.
    """
    if not conn.summary_channel or not conn.summary_ts:
        return None
    target = (conn.summary_channel, conn.summary_ts)
    conn.summary_channel = conn.summary_ts = None
    session.add(conn)
    warning = conn.warning if (conn.warning or "").startswith(WARNING_PREFIX) else None
    run = last_successful_run(session, connection_id=conn.id or 0, kinds=SUMMARY_KINDS)
    counts: dict[str, int] = json.loads(run.counts_json) if run is not None else {}
    kind = run.kind if run is not None else "manual"
    return Landing(target, conn.enterprise_id, warning, counts, kind)


def show_landed(ctx: SyncContext, landing: Landing) -> None:
    """Edit the taken summary message with the days of performance now loaded."""
    days = days_loaded(ctx, history_days(ctx.services.settings, landing.kind))
    reporter = ProgressReporter(
        ctx.services,
        team_id=ctx.team_id,
        enterprise_id=landing.enterprise_id,
        region=ctx.region,
        target=landing.target,
    )
    reporter.finish(
        total=int(landing.counts.get("profiles", len(ctx.profiles))),
        counts=landing.counts,
        days=days,
        reports_pending=0,
        note=landing.warning,
    )
    logger.info("sync.summary_landed", extra={"connection_id": ctx.connection_id, "days": days})


def land_summary(ctx: SyncContext) -> bool:
    """Edit the remembered summary message now that no report of the connection is open.

    Call only when the connection has no unfinished report job. Returns True when a message was edited.
    """
    with session_scope(ctx.services.engine) as session:
        conn = session.get(Connection, ctx.connection_id)
        landing = take_summary(session, conn) if conn is not None else None
    if landing is None:
        return False
    show_landed(ctx, landing)
    return True
