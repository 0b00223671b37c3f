"""Region cards and the marketplace picker as view-models (what the renderers draw)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Literal, cast

from bot.blocks.common import region_name
from bot.blocks.format import flag
from bot.services.connect_links import connect_url
from bot.services.connections import is_selectable
from bot.viewmodels import MarketplaceOptionVM, MarketplacePickerVM, RegionCardVM, RegionCode, RegionState
from storage.db import session_scope
from storage.models import Connection, ConnectionStatus, Profile
from storage.repositories.connections import get_connection, list_connections, list_profiles

if TYPE_CHECKING:
    from bot.wiring import Services

__all__ = ["REGION_CODES", "build_picker_vm", "build_region_cards", "slack_time"]

REGION_CODES: tuple[RegionCode, ...] = ("na", "eu", "fe")


def slack_time(when: datetime | None) -> str | None:
    """A Slack date token: shown in each reader's own time zone, with a UTC fallback."""
    if when is None:
        return None
    fallback = when.strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{int(when.timestamp())}^{{date_short_pretty}} {{time}}|{fallback}>"


def _state(conn: Connection | None, now: datetime) -> RegionState:
    if conn is None:
        return "not_connected"
    if conn.status == ConnectionStatus.RECONNECT_NEEDED:
        return "reconnect_needed"
    if conn.status == ConnectionStatus.DISCONNECTED:
        return "disconnected"
    if conn.lease_owner and conn.lease_expires_at and conn.lease_expires_at > now:
        return "syncing"
    return "connected"


def marketplace_label(p: Profile) -> str:
    return f"{flag(p.country_code)} {p.country_code} · {p.account_name}"


def _card(
    services: Services,
    conn: Connection | None,
    profiles: list[Profile],
    *,
    team_id: str,
    enterprise_id: str,
    user_id: str,
    region: RegionCode,
    render_key: str,
) -> RegionCardVM:
    state = _state(conn, services.now())
    link = None
    if state in ("not_connected", "reconnect_needed", "disconnected"):
        link = connect_url(
            services, team_id=team_id, enterprise_id=enterprise_id, user_id=user_id, region=region
        )
    warning = None
    if conn is not None:
        warning = conn.warning or (conn.last_error if state == "reconnect_needed" else None)
        if state == "connected" and not conn.selection_confirmed:
            warning = "Choose the marketplaces to sync with Edit marketplaces."
    return RegionCardVM(
        region=region,
        region_name=region_name(region),
        state=state,
        connect_url=link,
        marketplaces=[marketplace_label(p) for p in profiles if p.selected],
        last_sync=slack_time(conn.last_success_at) if conn else None,
        next_sync=slack_time(conn.next_active_sync_at)
        if conn and state in ("connected", "syncing")
        else None,
        warning=warning,
        render_key=render_key,
    )


def build_region_cards(
    services: Services,
    *,
    team_id: str,
    enterprise_id: str,
    user_id: str,
    only: str | None = None,
    render_key: str = "",
) -> list[RegionCardVM]:
    """The cards of every region (or just `only`), in NA, EU, FE order."""
    with session_scope(services.engine, readonly=True) as session:
        conns = {c.region: c for c in list_connections(session, team_id=team_id)}
        profiles = {r: list(list_profiles(session, connection_id=c.id or 0)) for r, c in conns.items()}
    return [
        _card(
            services,
            conns.get(r),
            profiles.get(r, []),
            team_id=team_id,
            enterprise_id=enterprise_id,
            user_id=user_id,
            region=r,
            render_key=render_key,
        )
        for r in REGION_CODES
        if only in (None, r)
    ]


def build_picker_vm(
    services: Services,
    *,
    team_id: str,
    region: str,
    page: int = 0,
    render_key: str = "",
    reconnect: bool = False,
) -> MarketplacePickerVM | None:
    """The picker for `region`, or None when the region has no live connection."""
    with session_scope(services.engine, readonly=True) as session:
        conn = get_connection(session, team_id=team_id, region=region)
        if conn is None or conn.status != ConnectionStatus.CONNECTED:
            return None
        profiles = list(list_profiles(session, connection_id=conn.id or 0))
    options = []
    for p in sorted(profiles, key=lambda p: (p.account_name.lower(), p.country_code)):
        selectable, reason = is_selectable(p)
        options.append(
            MarketplaceOptionVM(
                profile_id=p.profile_id,
                country_code=p.country_code,
                flag=flag(p.country_code),
                account_name=p.account_name,
                account_type=cast(Literal["seller", "vendor", "agency"], p.account_type)
                if p.account_type in ("seller", "vendor", "agency")
                else "seller",
                view_only=p.view_only,
                selectable=selectable,
                reason=reason,
            )
        )
    return MarketplacePickerVM(
        region=cast(RegionCode, region),
        options=options,
        selected=frozenset(p.profile_id for p in profiles if p.selected),
        page=page,
        reconnect=reconnect or (not conn.selection_confirmed and any(p.selected for p in profiles)),
        render_key=render_key,
    )
