"""Syncing a region from Amazon Ads: the initial and steady-state runs, report polling and the lease.

Only the names below are public; the modules are private to the package.
"""

from __future__ import annotations

from bot.services.sync.context import acquire_lease, new_lease_owner
from bot.services.sync.poll import poll_connection_reports
from bot.services.sync.run import run_sync, start_sync
from bot.services.sync.schedule import due_kind

__all__ = [
    "acquire_lease",
    "due_kind",
    "new_lease_owner",
    "poll_connection_reports",
    "run_sync",
    "start_sync",
]
