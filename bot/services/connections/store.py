"""Connect, pick marketplaces, disconnect: one `Connection` row per (team, region), reused forever.

Disconnect erases tokens and stops syncing but keeps every record; a later consent reuses the same
connection, profile and campaign rows, and the previous marketplace selection is pre-ticked for the user
to confirm.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING

from bot.amazon.models import Profile as AmazonProfile
from bot.amazon.regions import normalize_country
from bot.errors import NotConnected, UsageError
from storage.crypto import SecretContext
from storage.db import session_scope
from storage.models import Connection, ConnectionStatus, Profile
from storage.repositories.connections import add_audit, get_connection, list_profiles

if TYPE_CHECKING:
    from datetime import datetime

    from sqlmodel import Session

    from bot.wiring import Services

__all__ = [
    "apply_selection",
    "disconnect_region",
    "is_selectable",
    "refresh_token_context",
    "save_selection",
    "store_connection",
]

logger = logging.getLogger(__name__)


def refresh_token_context(conn: Connection) -> SecretContext:
    return SecretContext(
        "amazon-ads-refresh-token", conn.team_id, conn.region, conn.enterprise_id, row=f"connection {conn.id}"
    )


def is_selectable(profile: Profile) -> tuple[bool, str | None]:
    """Agency and view-only profiles are listed but not synced; says why."""
    if profile.account_type == "agency":
        return False, "Agency profiles manage other accounts; connect those accounts directly."
    if profile.view_only:
        return False, "View-only access: Hilal needs campaign management rights to sync it."
    return True, None


def store_connection(
    services: Services,
    *,
    team_id: str,
    enterprise_id: str,
    region: str,
    user_id: str,
    refresh_token: str,
    profiles: Sequence[AmazonProfile],
) -> tuple[int, bool]:
    """Save a fresh grant and the region's profiles; returns (connection id, was it a reconnect)."""
    now = services.now()
    with session_scope(services.engine) as session:
        conn = get_connection(session, team_id=team_id, region=region)
        reconnect = conn is not None and conn.connected_at is not None
        if conn is None:
            conn = Connection(team_id=team_id, enterprise_id=enterprise_id, region=region)
            session.add(conn)
            session.flush()
        conn.enterprise_id = enterprise_id
        conn.refresh_token_enc = services.cipher.encrypt(refresh_token, refresh_token_context(conn))
        conn.access_token_enc, conn.access_token_expires_at = None, None
        conn.status, conn.connected_by, conn.connected_at = ConnectionStatus.CONNECTED, user_id, now
        conn.disconnected_at = conn.reconnect_notified_at = None
        conn.last_error = conn.warning = None
        conn.selection_confirmed = False
        conn.next_active_sync_at = conn.next_archived_sync_at = conn.next_report_sync_at = None
        conn.updated_at = now
        _merge_profiles(session, conn, profiles)
        add_audit(
            session,
            team_id=team_id,
            actor=user_id,
            action="region.connected",
            now=now,
            region=region,
            reconnect=reconnect,
            profiles=len(profiles),
        )
        assert conn.id is not None
        return conn.id, reconnect


def _merge_profiles(session: Session, conn: Connection, profiles: Sequence[AmazonProfile]) -> None:
    now = conn.updated_at
    existing = {
        p.profile_id: p for p in list_profiles(session, connection_id=conn.id or 0, include_removed=True)
    }
    for item in profiles:
        country = normalize_country(item.country_code)  # the code the filter and the digest compare
        row = existing.pop(item.profile_id, None) or Profile(
            connection_id=conn.id or 0,
            team_id=conn.team_id,
            region=conn.region,
            profile_id=item.profile_id,
            country_code=country,
            currency_code=item.currency_code,
            timezone=item.timezone,
        )
        row.country_code, row.currency_code, row.timezone = (
            country,
            item.currency_code,
            item.timezone,
        )
        row.marketplace_id = item.marketplace_id or ""
        row.account_id = item.account_id or ""
        row.account_name = item.account_name or item.account_id or country
        row.account_type = (item.account_type or "seller").lower()
        row.view_only, row.removed_at, row.updated_at = item.view_only, None, now
        session.add(row)
    for gone in existing.values():
        if gone.removed_at is None:
            gone.removed_at = now
            session.add(gone)


def save_selection(
    services: Services, *, team_id: str, region: str, profile_ids: Collection[str], user_id: str
) -> int:
    """Persist the ticked marketplaces; returns the connection id (the caller starts the sync).

    Raises:
        NotConnected: the region has no live connection.
        UsageError: nothing ticked, or a profile that cannot be synced or does not belong to the region.
    """
    with session_scope(services.engine) as session:
        return apply_selection(
            session,
            team_id=team_id,
            region=region,
            profile_ids=profile_ids,
            user_id=user_id,
            now=services.now(),
        )


def apply_selection(
    session: Session, *, team_id: str, region: str, profile_ids: Collection[str], user_id: str, now: datetime
) -> int:
    """`save_selection` inside the caller's transaction (so a picker's Save is one transaction).

    Raises:
        NotConnected: the region has no live connection.
        UsageError: nothing ticked, or a profile that cannot be synced or does not belong to the region.
    """
    wanted = set(profile_ids)
    conn = get_connection(session, team_id=team_id, region=region)
    if conn is None or conn.status != ConnectionStatus.CONNECTED:
        raise NotConnected(
            f"{region.upper()} is not connected.", hint=f"Run `/hilal connect {region}` first."
        )
    profiles = {p.profile_id: p for p in list_profiles(session, connection_id=conn.id or 0)}
    _check_wanted(wanted, profiles, region)
    for p in profiles.values():
        p.selected = p.profile_id in wanted
        session.add(p)
    conn.selection_confirmed = True
    conn.updated_at = now
    session.add(conn)
    add_audit(
        session,
        team_id=team_id,
        actor=user_id,
        action="region.marketplaces",
        now=now,
        region=region,
        selected=sorted(wanted),
    )
    return conn.id or 0


def _check_wanted(wanted: set[str], profiles: dict[str, Profile], region: str) -> None:
    if wanted - profiles.keys():
        raise UsageError(
            "Some of the ticked marketplaces are no longer available.",
            hint=f"Run `/hilal marketplaces {region}` for a fresh list.",
        )
    blocked = [p for pid in wanted if not is_selectable(p := profiles[pid])[0]]
    if blocked:
        raise UsageError(
            f"{blocked[0].country_code} · {blocked[0].account_name} cannot be synced: "
            f"{is_selectable(blocked[0])[1]}"
        )
    if not wanted:
        raise UsageError(
            "Tick at least one marketplace to sync.",
            hint="You can change the selection later with Edit marketplaces.",
        )


def disconnect_region(services: Services, *, team_id: str, region: str, user_id: str) -> None:
    """Best-effort revoke, erase tokens, stop syncing; every record is kept.

    Raises:
        NotConnected: there is nothing to disconnect.
    """
    with session_scope(services.engine) as session:
        conn = get_connection(session, team_id=team_id, region=region)
        if conn is None or conn.status == ConnectionStatus.DISCONNECTED:
            raise NotConnected(f"{region.upper()} is not connected, so there is nothing to disconnect.")
        token_enc = conn.refresh_token_enc
        context = refresh_token_context(conn)
        now = services.now()
        conn.status, conn.disconnected_at, conn.updated_at = ConnectionStatus.DISCONNECTED, now, now
        conn.refresh_token_enc = conn.access_token_enc = conn.access_token_expires_at = None
        conn.next_active_sync_at = conn.next_archived_sync_at = conn.next_report_sync_at = None
        add_audit(
            session, team_id=team_id, actor=user_id, action="region.disconnected", now=now, region=region
        )
    revoke_url = services.amazon.revoke_url
    if revoke_url and token_enc:
        services.amazon.lwa.revoke(revoke_url, refresh_token=services.cipher.decrypt(token_enc, context))
