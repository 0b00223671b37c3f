"""What one running sync carries around: the connection, its lease, its Amazon client and its counts."""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from storage.db import session_scope
from storage.repositories.leases import (
    acquire_connection_lease,
    release_connection_lease,
    renew_connection_lease,
)

if TYPE_CHECKING:
    from bot.amazon.client import AdsClient
    from bot.wiring import Services
    from storage.models import Profile

__all__ = [
    "LEASE_RENEW_EVERY",
    "LEASE_TTL",
    "LeaseLost",
    "SyncContext",
    "acquire_lease",
    "new_lease_owner",
    "release_lease",
]

LEASE_TTL = timedelta(minutes=10)
LEASE_RENEW_EVERY = timedelta(minutes=1)


class LeaseLost(Exception):
    """Our lease expired and someone else took the connection, or it was disconnected: stop at once."""


def new_lease_owner(services: Services) -> str:
    """A lease owner unique to this process and this sync (fits the 64-character column)."""
    return f"{services.instance_id[:50]}:{uuid.uuid4().hex[:8]}"


def acquire_lease(services: Services, *, connection_id: int, owner: str) -> bool:
    """Take the connection's lease (compare-and-set); False when another live sync holds it."""
    with session_scope(services.engine) as session:
        return acquire_connection_lease(
            session, connection_id=connection_id, owner=owner, now=services.now(), ttl=LEASE_TTL
        )


def release_lease(services: Services, *, connection_id: int, owner: str) -> None:
    """Give the lease back."""
    with session_scope(services.engine) as session:
        release_connection_lease(session, connection_id=connection_id, owner=owner)


@dataclass
class SyncContext:
    """One sync of one connection."""

    services: Services
    connection_id: int
    team_id: str
    region: str
    owner: str
    client: AdsClient
    profiles: list[Profile]
    counts: Counter[str] = field(default_factory=Counter)
    profiles_done: int = 0
    _renewed_at: datetime | None = None

    def now(self) -> datetime:
        return self.services.now()

    def checkpoint(self) -> None:
        """Renew the lease about once a minute; raise `LeaseLost` if it is no longer ours.

        Raises:
            LeaseLost: the lease was taken over or the connection left the connected state.
        """
        now = self.now()
        if self._renewed_at is not None and now - self._renewed_at < LEASE_RENEW_EVERY:
            return
        with session_scope(self.services.engine) as session:
            kept = renew_connection_lease(
                session, connection_id=self.connection_id, owner=self.owner, now=now, ttl=LEASE_TTL
            )
        if not kept:
            raise LeaseLost(f"connection {self.connection_id}: lease lost or region disconnected")
        self._renewed_at = now

    def profile(self, profile_pk: int) -> Profile | None:
        return next((p for p in self.profiles if p.id == profile_pk), None)
