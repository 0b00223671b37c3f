"""What one running sync carries around: the connection, its lease, its Amazon client and its counts."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from bot.services.connections import ads_client_for
from bot.services.sync.lease import LEASE_RENEW_EVERY, LEASE_TTL, LeaseHeartbeat, is_stopping
from storage.db import session_scope
from storage.repositories.leases import renew_connection_lease

if TYPE_CHECKING:
    from bot.amazon.client import AdsClient
    from bot.wiring import Services
    from storage.models import Connection, Profile

__all__ = ["LeaseLost", "SyncContext", "SyncStopped", "open_context"]


class LeaseLost(Exception):
    """Our lease expired and someone else took the connection, or it was disconnected: stop at once."""


class SyncStopped(Exception):
    """This process is stopping (SIGTERM, Ctrl-C): stop at the step boundary and hand the lease back."""


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
    heartbeat: LeaseHeartbeat | None = None
    _renewed_at: datetime | None = None

    def now(self) -> datetime:
        return self.services.now()

    def checkpoint(self) -> None:
        """A step boundary: stop if the process is stopping; renew the lease unless it was renewed (here,
        when the run opened, or by the heartbeat) in the last `LEASE_RENEW_EVERY`.

        Raises:
            SyncStopped: the process is shutting down.
            LeaseLost: the lease was taken over or the connection left the connected state.
        """
        if is_stopping(self.services):
            raise SyncStopped(f"connection {self.connection_id}: the process is stopping")
        if self.heartbeat is not None and self.heartbeat.lost:
            raise LeaseLost(f"connection {self.connection_id}: lease lost or region disconnected")
        now = self.now()
        last = self._renewed_at
        beat = self.heartbeat.renewed_at if self.heartbeat is not None else None
        if beat is not None and (last is None or beat > last):
            last = beat
        if last is not None and now - last < LEASE_RENEW_EVERY:
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


def open_context(
    services: Services,
    conn: Connection,
    *,
    connection_id: int,
    owner: str,
    profiles: list[Profile],
    heartbeat: LeaseHeartbeat | None,
    renewed_at: datetime | None = None,
) -> SyncContext:
    """One sync or poll of `conn` (`connection_id`) under `owner`'s lease, with its Amazon client.

    `renewed_at`: when the caller last renewed the lease (None: the first step boundary renews it).
    """
    return SyncContext(
        services,
        connection_id,
        conn.team_id,
        conn.region,
        owner,
        ads_client_for(services, connection_id=connection_id, conn=conn),
        profiles,
        heartbeat=heartbeat,
        _renewed_at=renewed_at,
    )
