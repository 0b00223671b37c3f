"""Report steps between syncs: the poll job advances a connection's due report jobs under its lease."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bot.amazon.errors import AmazonAdsError, ReconnectRequired
from bot.errors import NotConnected
from bot.services.connections import ads_client_for, mark_reconnect_needed
from bot.services.sync.context import LeaseLost, SyncContext, acquire_lease, new_lease_owner, release_lease
from bot.services.sync.landing import land_summary
from bot.services.sync.reports import WARNING_PREFIX, advance_reports
from storage.crypto import VaultError
from storage.db import session_scope
from storage.models import Connection, ConnectionStatus
from storage.repositories.sync import syncable_profiles

if TYPE_CHECKING:
    from bot.wiring import Services

__all__ = ["poll_connection_reports"]

logger = logging.getLogger(__name__)


def poll_connection_reports(services: Services, *, connection_id: int) -> int | None:
    """Run the due report steps of one connection once.

    Returns:
        Report jobs finished by this call, or None when the connection was busy or not connected.
    """
    owner = new_lease_owner(services)
    if not acquire_lease(services, connection_id=connection_id, owner=owner):
        return None
    try:
        with session_scope(services.engine, readonly=True) as session:
            conn = session.get(Connection, connection_id)
            profiles = syncable_profiles(session, connection_id=connection_id)
        if conn is None or conn.status != ConnectionStatus.CONNECTED:
            return None
        ctx = SyncContext(
            services,
            connection_id,
            conn.team_id,
            conn.region,
            owner,
            ads_client_for(services, connection_id=connection_id),
            profiles,
        )
        finished, pending = advance_reports(ctx)
        if finished and not pending and not ctx.counts.get("reports_failed"):
            _clear_report_warning(services, connection_id)
        if not pending:
            land_summary(ctx)
        return finished
    except ReconnectRequired:
        mark_reconnect_needed(services, connection_id=connection_id, reason="Amazon refused the stored grant")
    except LeaseLost:
        logger.info("sync.poll_interrupted", extra={"connection_id": connection_id})
    except (AmazonAdsError, NotConnected, VaultError) as exc:
        logger.warning(
            "sync.poll_failed", extra={"connection_id": connection_id, "error": type(exc).__name__}
        )
    finally:
        release_lease(services, connection_id=connection_id, owner=owner)
    return 0


def _clear_report_warning(services: Services, connection_id: int) -> None:
    with session_scope(services.engine) as session:
        conn = session.get(Connection, connection_id)
        if conn is not None and (conn.warning or "").startswith(WARNING_PREFIX):
            conn.warning = None
            session.add(conn)
