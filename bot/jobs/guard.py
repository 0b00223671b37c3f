"""Only one process runs the scheduler: whoever holds the `scheduler` lease row (SQLite and PostgreSQL).

The lease is a `SchedulerLease` row with an expiry, taken and renewed with compare-and-set statements. The
holder renews it every `RENEW_EVERY` (10 s); if it dies, the lease expires after `LEASE_TTL` (30 s) and a
standby process (a second `hilal run`, serving HTTP meanwhile, or the restarted one) takes over within
40 s, and its first sync tick runs at once. A graceful stop (SIGTERM, Ctrl-C) hands the lease back, so a
restart schedules at once.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from storage.db import session_scope
from storage.repositories.leases import acquire_named_lease, release_named_lease

if TYPE_CHECKING:
    from bot.wiring import Services

__all__ = ["LEASE_NAME", "LEASE_TTL", "RENEW_EVERY", "SchedulerGuard"]

logger = logging.getLogger(__name__)

LEASE_NAME = "scheduler"
LEASE_TTL = timedelta(seconds=30)
RENEW_EVERY = timedelta(seconds=10)


class SchedulerGuard:
    """The single-scheduler lock of one process.

    Args:
        services: Shared services (engine, clock, instance id).
        name: The lease row's name.
        ttl: How long a lease lasts without renewal.
    """

    def __init__(self, services: Services, *, name: str = LEASE_NAME, ttl: timedelta = LEASE_TTL) -> None:
        self._services = services
        self.name = name
        self.ttl = ttl
        self.owner = services.instance_id[:64]
        self.held = False

    def __repr__(self) -> str:
        return f"SchedulerGuard(name={self.name!r}, owner={self.owner!r}, held={self.held})"

    def acquire(self) -> bool:
        """Take the lease, or renew it if we hold it; False while another live process holds it."""
        with session_scope(self._services.engine) as session:
            won = acquire_named_lease(
                session, name=self.name, owner=self.owner, now=self._services.now(), ttl=self.ttl
            )
        if won != self.held:
            logger.info("scheduler.lease_" + ("taken" if won else "lost"), extra={"owner": self.owner})
        self.held = won
        return won

    def release(self) -> None:
        """Give the lease back so a standby can take over at once."""
        if not self.held:
            return
        with session_scope(self._services.engine) as session:
            release_named_lease(session, name=self.name, owner=self.owner)
        self.held = False
