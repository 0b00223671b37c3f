"""When a connection syncs next: intervals with jitter, report cadence, back-off after failures.

Pure functions of `now` (and a random number for jitter), so tests check the bounds exactly.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.settings import Settings
    from storage.models import Connection

__all__ = [
    "DATABASE_RETRY",
    "FAILURE_RETRY",
    "REPORT_INTERVAL",
    "REPORT_LEAD",
    "REPORT_MIN_GAP",
    "SYNC_KINDS",
    "due_kind",
    "jitter_spread",
    "jittered",
    "next_report_time",
    "retry_after_failure",
]

SYNC_KINDS = ("initial", "manual", "active", "archived", "reports")
REPORT_INTERVAL = timedelta(hours=12)  # Amazon asks for 1-2 requests per profile and report type a day
REPORT_MIN_GAP = timedelta(hours=6)  # never more often than this, even ahead of a digest
REPORT_LEAD = timedelta(minutes=90)  # refresh this long before a digest goes out
FAILURE_RETRY = timedelta(minutes=15)
DATABASE_RETRY = timedelta(minutes=1)  # the database was locked or down: try again at the next tick
_MAX_SPREAD = timedelta(minutes=10)


def jitter_spread(minutes: int) -> timedelta:
    """How far a run may move from its interval: a tenth of it, at most 10 minutes."""
    return min(timedelta(minutes=minutes) / 10, _MAX_SPREAD)


def jittered(now: datetime, minutes: int, *, rand: Callable[[], float] = random.random) -> datetime:
    """`now + minutes`, moved by up to ± `jitter_spread(minutes)` so connections don't fire together."""
    spread = jitter_spread(minutes)
    return now + timedelta(minutes=minutes) + spread * (2.0 * rand() - 1.0)


def retry_after_failure(now: datetime, minutes: int) -> datetime:
    """The next attempt after a failed sync: in 15 minutes, or the interval if that is shorter."""
    return now + min(FAILURE_RETRY, timedelta(minutes=minutes))


def next_report_time(now: datetime, *, digest_times: Iterable[datetime] = ()) -> datetime:
    """The next report refresh: twice a day, pulled forward to land `REPORT_LEAD` before a digest.

    Never sooner than `REPORT_MIN_GAP`, so Amazon sees a few report requests a day at most.
    """
    candidates = [now + REPORT_INTERVAL]
    for due in digest_times:
        ahead = due - REPORT_LEAD
        if ahead >= now + REPORT_MIN_GAP:
            candidates.append(ahead)
    return min(candidates)


def due_kind(conn: Connection, *, now: datetime, settings: Settings) -> str | None:
    """Which sync a connection needs now: `initial` until one succeeded, else the most overdue kind."""
    del settings
    if conn.last_success_at is None:
        if conn.next_active_sync_at is None or conn.next_active_sync_at <= now:
            return "initial"
        return None
    options = [
        (conn.next_active_sync_at, 0, "active"),
        (conn.next_archived_sync_at, 1, "archived"),
        (conn.next_report_sync_at, 2, "reports"),
    ]
    due = [(at, order, kind) for at, order, kind in options if at is not None and at <= now]
    if conn.next_active_sync_at is None:
        return "active"
    return min(due)[2] if due else None
