"""Syncing a region from Amazon Ads: the initial and steady-state runs, report polling and the lease.

Only the names below are public; the modules are private to the package.
"""

from __future__ import annotations

from bot.services.sync.dbretry import DbRetry
from bot.services.sync.lease import (
    HEARTBEAT_EVERY,
    LEASE_TTL,
    LeaseHeartbeat,
    acquire_lease,
    is_stopping,
    new_lease_owner,
    stop_syncs,
)
from bot.services.sync.outcome import SyncOutcome
from bot.services.sync.poll import poll_connection_reports
from bot.services.sync.run import SyncQueue, run_sync, start_sync
from bot.services.sync.schedule import due_kind
from bot.services.sync.split import help_sync

__all__ = [
    "HEARTBEAT_EVERY",
    "LEASE_TTL",
    "DbRetry",
    "LeaseHeartbeat",
    "SyncOutcome",
    "SyncQueue",
    "acquire_lease",
    "due_kind",
    "help_sync",
    "is_stopping",
    "new_lease_owner",
    "poll_connection_reports",
    "run_sync",
    "start_sync",
    "stop_syncs",
]
