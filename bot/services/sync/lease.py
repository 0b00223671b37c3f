"""A connection's sync lease: taken before any work, kept alive by a heartbeat, handed back at the end.

The figures, and what they buy:

- `LEASE_TTL` = 30 s: a lease nobody renews is free 30 s after its holder died (`kill -9`, a crash, a
  lost database). The sync tick runs every minute, so from a kill to a new sync started is at most
  30 s + 60 s = 90 s, and the region card stops saying "syncing" after at most 30 s (it shows a sync
  only while `lease_expires_at` is in the future).
- `HEARTBEAT_EVERY` = 5 s: while a sync runs, a small thread renews its lease, so a single long step
  (a big download, a slow page, a retry wait) never outlives it. Five missed beats in a row (25 s of
  database trouble) still keep the lease.
- `LEASE_RENEW_EVERY` = 5 s: step boundaries (`SyncContext.checkpoint`) renew too when neither they nor
  the heartbeat renewed in this long, and notice a lease taken over or a region disconnected. A sync
  renews once in the transaction that opens its run and hands the lease back in the one that records its
  end, so a short sync adds no transaction of its own for the lease.

A process that is stopping (`stop_syncs`, called on SIGTERM and Ctrl-C) takes no new lease; its running
syncs stop at their next step boundary, and whatever it still holds after the grace period is handed
back, so the next process starts at once. The per-process state is kept by instance id, so several
`Services` in one interpreter (tests, the bench) stay independent.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from bot.services.sync.dbretry import DbRetry
from storage.db import session_scope
from storage.repositories.leases import (
    acquire_connection_lease,
    release_connection_lease,
    release_leases_of,
    renew_connection_lease,
)

if TYPE_CHECKING:
    from bot.wiring import Services

__all__ = [
    "HEARTBEAT_EVERY",
    "LEASE_RENEW_EVERY",
    "LEASE_TTL",
    "LeaseHeartbeat",
    "acquire_lease",
    "is_stopping",
    "new_lease_owner",
    "release_lease",
    "stop_syncs",
]

logger = logging.getLogger(__name__)

LEASE_TTL = timedelta(seconds=30)
LEASE_RENEW_EVERY = timedelta(seconds=5)
HEARTBEAT_EVERY = timedelta(seconds=5)


@dataclass
class _Process:
    """What one process (one `Services.instance_id`) knows about its own syncs."""

    stopping: bool = False
    running: set[str] = field(default_factory=set)
    changed: threading.Condition = field(default_factory=threading.Condition)


_PROCESSES: dict[str, _Process] = {}
_PROCESSES_LOCK = threading.Lock()


def _process(services: Services) -> _Process:
    with _PROCESSES_LOCK:
        return _PROCESSES.setdefault(services.instance_id, _Process())


def _owner_prefix(services: Services) -> str:
    return f"{services.instance_id[:50]}:"


def new_lease_owner(services: Services) -> str:
    """A lease owner unique to this process and this sync (fits the 64-character column)."""
    return f"{_owner_prefix(services)}{uuid.uuid4().hex[:8]}"


def is_stopping(services: Services) -> bool:
    """True once this process was asked to stop (`stop_syncs`)."""
    return _process(services).stopping


def acquire_lease(services: Services, *, connection_id: int, owner: str) -> bool:
    """Take the connection's lease (compare-and-set); False when another live sync holds it or we stop."""
    if is_stopping(services):
        return False
    with session_scope(services.engine) as session:
        return acquire_connection_lease(
            session, connection_id=connection_id, owner=owner, now=services.now(), ttl=LEASE_TTL
        )


def release_lease(
    services: Services, *, connection_id: int, owner: str, retry: DbRetry | None = None
) -> None:
    """Give the lease back, retrying while the database is unavailable (see `DbRetry`)."""

    def release() -> None:
        with session_scope(services.engine) as session:
            release_connection_lease(session, connection_id=connection_id, owner=owner)

    (retry or DbRetry()).run(release, what="sync.lease_release")


class LeaseHeartbeat:
    """Renews one sync's lease every `every` in a daemon thread until stopped or the lease is lost.

    Args:
        services: Shared services (engine, clock).
        connection_id: The connection whose lease we hold.
        owner: Our lease owner.
        every: Time between renewals.
        wait: `wait(seconds) -> stop?`; defaults to waiting on the stop event (tests drive it by hand).
    """

    def __init__(
        self,
        services: Services,
        *,
        connection_id: int,
        owner: str,
        every: timedelta = HEARTBEAT_EVERY,
        wait: Callable[[float], bool] | None = None,
    ) -> None:
        self._services = services
        self.connection_id = connection_id
        self.owner = owner
        self.every = every
        self.lost = False
        self.released = False
        self.renewed_at: datetime | None = None
        self._stop = threading.Event()
        self._wait = wait or self._stop.wait
        self._thread: threading.Thread | None = None

    def __repr__(self) -> str:
        return f"LeaseHeartbeat(connection_id={self.connection_id}, owner={self.owner!r}, lost={self.lost})"

    def beat(self) -> bool:
        """Renew once; False when the lease is no longer ours (a database error counts as kept)."""
        if self.released:
            return True
        now = self._services.now()
        try:
            with session_scope(self._services.engine) as session:
                kept = renew_connection_lease(
                    session, connection_id=self.connection_id, owner=self.owner, now=now, ttl=LEASE_TTL
                )
        except SQLAlchemyError as exc:
            logger.warning(
                "sync.heartbeat_failed", extra={"connection_id": self.connection_id, "error": str(exc)[:200]}
            )
            return True
        if kept:
            self.renewed_at = now
        else:
            self.lost = True
        return kept

    def release_in(self, session: Session) -> None:
        """Hand the lease back inside the caller's transaction (its end's bookkeeping).

        Call `released_now` once that transaction committed: the heartbeat then stops, and
        `release_lease` at the end of the sync has nothing left to do.
        """
        release_connection_lease(session, connection_id=self.connection_id, owner=self.owner)

    def released_now(self) -> None:
        """The transaction that called `release_in` committed: the lease is no longer ours."""
        self.released = True
        self._stop.set()

    def run(self) -> None:
        """The loop: renew every `every` until stopped or lost."""
        while not self._wait(self.every.total_seconds()) and not self._stop.is_set():
            if not self.beat():
                logger.info("sync.lease_lost", extra={"connection_id": self.connection_id})
                return

    def __enter__(self) -> LeaseHeartbeat:
        running = _process(self._services)
        with running.changed:
            running.running.add(self.owner)
        self._thread = threading.Thread(target=self.run, name="hilal-lease-heartbeat", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=1.0)
        running = _process(self._services)
        with running.changed:
            running.running.discard(self.owner)
            running.changed.notify_all()


def stop_syncs(services: Services, *, grace: float, monotonic: Callable[[], float] = time.monotonic) -> int:
    """Stop this process's syncs: take no new lease, let running steps end, then hand back every lease.

    Args:
        services: The stopping process's services.
        grace: Seconds to wait for running syncs to reach a step boundary and finish their bookkeeping.
        monotonic: The clock the grace period is measured on.

    Returns:
        Leases still held after the grace period and handed back now.
    """
    state = _process(services)
    deadline = monotonic() + grace
    with state.changed:
        state.stopping = True
        while state.running and (left := deadline - monotonic()) > 0:
            state.changed.wait(timeout=min(left, 0.5))
        still = len(state.running)
    if still:
        logger.warning("sync.stop_grace_over", extra={"running": still})
    with session_scope(services.engine) as session:
        released = release_leases_of(session, owner_prefix=_owner_prefix(services))
    logger.info("sync.stopped", extra={"released": released})
    return released
