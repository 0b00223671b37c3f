"""Report steps between syncs: the poll job advances a connection's due report jobs under its lease."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bot.amazon.errors import AmazonAdsError, ReconnectRequired
from bot.errors import NotConnected
from bot.services.connections import mark_reconnect_needed
from bot.services.sync.context import LeaseLost, SyncStopped, open_context
from bot.services.sync.dbretry import DbRetry
from bot.services.sync.landing import land_summary
from bot.services.sync.lease import LeaseHeartbeat, acquire_lease, new_lease_owner, release_lease
from bot.services.sync.reports import advance_reports, report_warning
from storage.crypto import VaultError
from storage.db import session_scope
from storage.models import Connection, ConnectionStatus
from storage.repositories.sync import syncable_profiles

if TYPE_CHECKING:
    from bot.wiring import Services

__all__ = ["poll_connection_reports"]

logger = logging.getLogger(__name__)


def poll_connection_reports(
    services: Services, *, connection_id: int, db_retry: DbRetry | None = None
) -> int | None:
    """Run the due report steps of one connection once (under its lease, with a heartbeat).

    Returns:
        Report jobs finished by this call, or None when the connection was busy or not connected.
    """
    owner = new_lease_owner(services)
    if not acquire_lease(services, connection_id=connection_id, owner=owner):
        return None
    try:
        with LeaseHeartbeat(services, connection_id=connection_id, owner=owner) as heartbeat:
            return _poll_locked(services, connection_id=connection_id, owner=owner, heartbeat=heartbeat)
    except ReconnectRequired:
        mark_reconnect_needed(services, connection_id=connection_id, reason="Amazon refused the stored grant")
    except (LeaseLost, SyncStopped):
        logger.info("sync.poll_interrupted", extra={"connection_id": connection_id})
    except (AmazonAdsError, NotConnected, VaultError) as exc:
        logger.warning(
            "sync.poll_failed", extra={"connection_id": connection_id, "error": type(exc).__name__}
        )
    finally:
        release_lease(services, connection_id=connection_id, owner=owner, retry=db_retry)
    return 0


def _poll_locked(
    services: Services, *, connection_id: int, owner: str, heartbeat: LeaseHeartbeat
) -> int | None:
    with session_scope(services.engine, readonly=True) as session:
        conn = session.get(Connection, connection_id)
        profiles = syncable_profiles(session, connection_id=connection_id)
    if conn is None or conn.status != ConnectionStatus.CONNECTED:
        return None
    ctx = open_context(
        services, conn, connection_id=connection_id, owner=owner, profiles=profiles, heartbeat=heartbeat
    )
    finished, pending = advance_reports(ctx)
    if finished:
        _refresh_report_warning(services, connection_id)
    if not pending:
        land_summary(ctx)
    return finished


def _refresh_report_warning(services: Services, connection_id: int) -> None:
    with session_scope(services.engine) as session:
        conn = session.get(Connection, connection_id)
        if conn is not None:
            conn.warning = report_warning(
                session, connection_id=connection_id, current=conn.warning, now=services.now()
            )
            session.add(conn)
