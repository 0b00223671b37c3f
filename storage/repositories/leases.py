"""Leases: a connection's sync lease and named leases such as the single scheduler (keyword-only; no commits).

Leases are compare-and-set `UPDATE`s with an expiry, so they work the same on SQLite and PostgreSQL and a
crashed holder blocks nobody for longer than its lease.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from storage.models import Connection, ConnectionStatus, SchedulerLease, table_of
from storage.upsert import rowcount as _rowcount

__all__ = [
    "acquire_connection_lease",
    "acquire_named_lease",
    "release_connection_lease",
    "release_leases_of",
    "release_named_lease",
    "renew_connection_lease",
]


def acquire_connection_lease(
    session: Session, *, connection_id: int, owner: str, now: datetime, ttl: timedelta
) -> bool:
    """Take the connection's sync lease if it is free, expired or already ours (and it is connected)."""
    t = table_of(Connection)
    stmt = (
        update(t)
        .where(
            t.c.id == connection_id,
            t.c.status == ConnectionStatus.CONNECTED,
            or_(t.c.lease_owner.is_(None), t.c.lease_expires_at < now, t.c.lease_owner == owner),
        )
        .values(lease_owner=owner, lease_expires_at=now + ttl)
    )
    return _rowcount(session.execute(stmt)) == 1


def renew_connection_lease(
    session: Session, *, connection_id: int, owner: str, now: datetime, ttl: timedelta
) -> bool:
    """Extend our lease; False when it was taken over or the connection is no longer connected."""
    t = table_of(Connection)
    stmt = (
        update(t)
        .where(t.c.id == connection_id, t.c.lease_owner == owner, t.c.status == ConnectionStatus.CONNECTED)
        .values(lease_expires_at=now + ttl)
    )
    return _rowcount(session.execute(stmt)) == 1


def release_connection_lease(session: Session, *, connection_id: int, owner: str) -> None:
    """Give the lease back (only if it is still ours)."""
    t = table_of(Connection)
    session.execute(
        update(t)
        .where(t.c.id == connection_id, t.c.lease_owner == owner)
        .values(lease_owner=None, lease_expires_at=None)
    )


def release_leases_of(session: Session, *, owner_prefix: str) -> int:
    """Give back every connection lease whose owner starts with `owner_prefix` (one process's); the count."""
    t = table_of(Connection)
    result = session.execute(
        update(t)
        .where(func.substr(t.c.lease_owner, 1, len(owner_prefix)) == owner_prefix)
        .values(lease_owner=None, lease_expires_at=None)
    )
    return _rowcount(result)


def acquire_named_lease(session: Session, *, name: str, owner: str, now: datetime, ttl: timedelta) -> bool:
    """Take or renew the lease `name`; True when `owner` holds it until `now + ttl`."""
    t = table_of(SchedulerLease)
    taken = session.execute(
        update(t)
        .where(t.c.name == name, or_(t.c.owner == owner, t.c.expires_at < now))
        .values(owner=owner, expires_at=now + ttl)
    )
    if _rowcount(taken) == 1:
        return True
    exists = session.execute(select(t.c.name).where(t.c.name == name)).first()
    if exists is not None:
        return False
    try:
        with session.begin_nested():
            session.execute(t.insert().values(name=name, owner=owner, expires_at=now + ttl))
    except IntegrityError:
        return False  # another process inserted it first
    return True


def release_named_lease(session: Session, *, name: str, owner: str) -> None:
    """Give the named lease back (only if it is still ours)."""
    t = table_of(SchedulerLease)
    session.execute(t.delete().where(t.c.name == name, t.c.owner == owner))
