"""Region cards and the marketplace picker: view-models, and the picker's pending selection.

Each rendered picker has its own pending selection (`storage.models.PendingSelection`): ticks and page
changes update only that, and Save turns it into `Profile.selected` (what the sync reads) in one
transaction. A picker opened fresh starts from the saved selection; an expired one changes nothing.

A card shown as an ephemeral reply (`/hilal connect`, `/hilal regions`) seals that reply's response_url
into its Connect link (`bot.services.connections.card_reply`), so the consent callback can replace the card
in place.
"""

from __future__ import annotations

from collections.abc import Collection
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Literal, cast

from bot.errors import NotConnected, NotFound
from bot.services.connections.card_reply import CardReply, seal_card_reply
from bot.services.connections.links import connect_url
from bot.services.connections.store import apply_selection, is_selectable
from bot.viewmodels import (
    ALL_REGIONS,
    REGION_NAMES,
    MarketplaceOptionVM,
    MarketplacePickerVM,
    Region,
    RegionCardVM,
    RegionState,
)
from bot.viewmodels.regions import page_options
from storage.db import session_scope
from storage.models import Connection, ConnectionStatus, PendingSelection, Profile, ReportJob
from storage.repositories.connections import get_connection, list_connections, list_profiles
from storage.repositories.pending_selections import (
    claim_action,
    create_pending,
    delete_expired,
    delete_pending,
    get_pending,
    is_latest_action,
    pending_ids,
    set_pending_ids,
)
from storage.repositories.report_jobs import open_report_jobs

if TYPE_CHECKING:
    from sqlmodel import Session

    from bot.wiring import Services

__all__ = [
    "PICKER_TTL",
    "OpenPicker",
    "build_picker_vm",
    "build_region_cards",
    "fill_picker",
    "open_picker",
    "save_picker",
    "update_picker",
]

PICKER_TTL = timedelta(hours=24)  # an open picker's unsaved ticks are kept this long


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


def marketplace_label(p: Profile) -> tuple[str, str]:
    """A selected marketplace as the region card shows it: (country code, account name)."""
    return p.country_code, p.account_name


def _card(
    services: Services,
    conn: Connection | None,
    profiles: list[Profile],
    loading: list[ReportJob],
    *,
    team_id: str,
    enterprise_id: str,
    user_id: str,
    region: Region,
    render_key: str,
    reply: CardReply | None = None,
) -> RegionCardVM:
    state = _state(conn, services.now())
    link = None
    if state in ("not_connected", "reconnect_needed", "disconnected"):
        sealed = ""
        if reply is not None:
            sealed = seal_card_reply(
                services,
                team_id=team_id,
                enterprise_id=enterprise_id,
                user_id=user_id,
                region=region,
                reply=reply,
            )
        link = connect_url(
            services,
            team_id=team_id,
            enterprise_id=enterprise_id,
            user_id=user_id,
            region=region,
            reply=sealed,
        )
    warning = None
    if conn is not None:
        warning = conn.warning or (conn.last_error if state == "reconnect_needed" else None)
    return RegionCardVM(
        region=region,
        region_name=REGION_NAMES[Region(region)],
        state=state,
        connect_url=link,
        marketplaces=[marketplace_label(p) for p in profiles if p.selected],
        last_sync=conn.last_success_at if conn else None,
        next_sync=conn.next_active_sync_at if conn and state in ("connected", "syncing") else None,
        reports_loading=len(loading),
        loading_since=min((job.created_at for job in loading), default=None),
        warning=warning,
        render_key=render_key,
        needs_marketplaces=state == "connected" and conn is not None and not conn.selection_confirmed,
        read_only=conn is not None and conn.read_only,
    )


def build_region_cards(
    services: Services,
    *,
    team_id: str,
    enterprise_id: str,
    user_id: str,
    only: str | None = None,
    render_key: str = "",
    reply_url: str = "",
) -> list[RegionCardVM]:
    """The cards of every region (or just `only`), in NA, EU, FE order.

    `reply_url` is the response_url of the ephemeral reply the cards are shown in (a slash command's):
    their Connect links carry it sealed, so the consent callback can replace this reply in place.
    """
    reply = CardReply(reply_url, only is None) if reply_url else None
    with session_scope(services.engine, readonly=True) as session:
        conns = {c.region: c for c in list_connections(session, team_id=team_id)}
        profiles = {r: list(list_profiles(session, connection_id=c.id or 0)) for r, c in conns.items()}
        loading = {r: open_report_jobs(session, connection_id=c.id or 0) for r, c in conns.items()}
    return [
        _card(
            services,
            conns.get(r),
            profiles.get(r, []),
            loading.get(r, []),
            team_id=team_id,
            enterprise_id=enterprise_id,
            user_id=user_id,
            region=r,
            render_key=render_key,
            reply=reply,
        )
        for r in ALL_REGIONS
        if only in (None, r)
    ]


def _options(profiles: list[Profile]) -> list[MarketplaceOptionVM]:
    """Every profile as a picker option, in display order (the order pages are cut from)."""
    options = []
    for p in sorted(profiles, key=lambda p: (p.account_name.lower(), p.country_code)):
        selectable, reason = is_selectable(p)
        options.append(
            MarketplaceOptionVM(
                profile_id=p.profile_id,
                country_code=p.country_code,
                account_name=p.account_name,
                account_type=cast(Literal["seller", "vendor", "agency"], p.account_type)
                if p.account_type in ("seller", "vendor", "agency")
                else "seller",
                view_only=p.view_only,
                selectable=selectable,
                reason=reason,
            )
        )
    return options


def build_picker_vm(
    services: Services,
    *,
    team_id: str,
    region: str,
    page: int = 0,
    render_key: str = "",
    reconnect: bool = False,
    selected: AbstractSet[str] | None = None,
) -> MarketplacePickerVM | None:
    """The picker for `region`, or None when the region has no live connection.

    `selected` is what the picker shows ticked (an open picker's pending selection); the saved
    selection when None.
    """
    with session_scope(services.engine, readonly=True) as session:
        conn = get_connection(session, team_id=team_id, region=region)
        if conn is None or conn.status != ConnectionStatus.CONNECTED:
            return None
        profiles = list(list_profiles(session, connection_id=conn.id or 0))
    saved = frozenset(p.profile_id for p in profiles if p.selected)
    return MarketplacePickerVM(
        region=Region(region),
        options=_options(profiles),
        selected=saved if selected is None else frozenset(selected),
        page=page,
        reconnect=reconnect or (not conn.selection_confirmed and bool(saved)),
        render_key=render_key,
    )


@dataclass(frozen=True)
class OpenPicker:
    """An open marketplace picker: its id, its region and its pending (unsaved) selection."""

    picker_id: str
    region: str
    selected: frozenset[str]


def open_picker(services: Services, *, team_id: str, region: str, user_id: str) -> OpenPicker | None:
    """A new picker whose pending selection starts from the saved one (None: region not live).

    Expired pickers of every team are deleted on the way.
    """
    now = services.now()
    with session_scope(services.engine) as session:
        delete_expired(session, now=now)
        conn = get_connection(session, team_id=team_id, region=region)
        if conn is None or conn.status != ConnectionStatus.CONNECTED:
            return None
        profiles = list_profiles(session, connection_id=conn.id or 0)
        saved = frozenset(p.profile_id for p in profiles if p.selected and is_selectable(p)[0])
        row = create_pending(
            session,
            team_id=team_id,
            region=region,
            opened_by=user_id,
            selected=saved,
            now=now,
            expires_at=now + PICKER_TTL,
        )
        return OpenPicker(row.picker_id, region, saved)


def update_picker(
    services: Services,
    *,
    team_id: str,
    picker_id: str,
    page: int | None,
    ticked: Collection[str] = (),
    action_ts: str = "",
) -> OpenPicker | None:
    """Replace `page`'s share of the picker's pending selection with `ticked` (just read it when None).

    Only the pending selection changes; `Profile.selected`, which the sync reads, waits for Save. With
    Slack's `action_ts`, a tick older than one already applied changes nothing and returns None.

    Raises:
        NotFound: the picker expired, was saved already, or belongs to another team.
        NotConnected: the region is no longer connected.
    """
    with session_scope(services.engine) as session:
        row = _live_picker(session, services, team_id=team_id, picker_id=picker_id)
        if not claim_action(session, row=row, action_ts=action_ts):
            return None
        chosen = pending_ids(row)
        if page is not None:
            chosen = _merge_page(session, row, chosen, page=page, ticked=ticked)
            set_pending_ids(session, row=row, ids=chosen)
        return OpenPicker(row.picker_id, row.region, chosen)


def picker_action_is_latest(services: Services, *, team_id: str, picker_id: str, action_ts: str) -> bool:
    """False once a later tick than `action_ts` was applied (or the picker is gone): skip re-rendering."""
    with session_scope(services.engine, readonly=True) as session:
        row = get_pending(session, picker_id=picker_id, team_id=team_id, now=services.now())
        return row is not None and is_latest_action(row, action_ts)


def save_picker(
    services: Services,
    *,
    team_id: str,
    picker_id: str,
    page: int | None,
    ticked: Collection[str],
    user_id: str,
) -> tuple[OpenPicker, int]:
    """Save: the pending selection plus `page`'s ticks become the synced selection, in one transaction.

    The picker is forgotten afterwards. Returns the saved picker and the connection id.

    Raises:
        NotFound: the picker expired, was saved already, or belongs to another team.
        NotConnected: the region is no longer connected.
        UsageError: nothing ticked, or a marketplace that cannot be synced (see `apply_selection`).
    """
    with session_scope(services.engine) as session:
        row = _live_picker(session, services, team_id=team_id, picker_id=picker_id)
        chosen = pending_ids(row)
        if page is not None:
            chosen = _merge_page(session, row, chosen, page=page, ticked=ticked)
        connection_id = apply_selection(
            session,
            team_id=team_id,
            region=row.region,
            profile_ids=chosen,
            user_id=user_id,
            now=services.now(),
        )
        delete_pending(session, picker_id=picker_id)
        return OpenPicker(picker_id, row.region, chosen), connection_id


def fill_picker(services: Services, *, team_id: str, picker_id: str, everything: bool) -> OpenPicker:
    """Select all of the region's selectable marketplaces (`everything`) or none, in the pending selection.

    Like ticks, this never touches `Profile.selected`; Save does.

    Raises:
        NotFound: the picker expired, was saved already, or belongs to another team.
        NotConnected: the region is no longer connected.
    """
    with session_scope(services.engine) as session:
        row = _live_picker(session, services, team_id=team_id, picker_id=picker_id)
        options = _live_options(session, row)
        chosen = frozenset(o.profile_id for o in options if o.selectable) if everything else frozenset()
        set_pending_ids(session, row=row, ids=chosen)
        return OpenPicker(row.picker_id, row.region, chosen)


def _live_picker(session: Session, services: Services, *, team_id: str, picker_id: str) -> PendingSelection:
    row = (
        get_pending(session, picker_id=picker_id, team_id=team_id, now=services.now()) if picker_id else None
    )
    if row is None:
        raise NotFound(
            "This marketplace picker has expired or was already saved, so nothing was changed.",
            hint="Open a fresh one with Edit marketplaces, or `/hilal marketplaces REGION` (na, eu or fe).",
            title="Picker expired",
        )
    return row


def _merge_page(
    session: Session, row: PendingSelection, chosen: frozenset[str], *, page: int, ticked: Collection[str]
) -> frozenset[str]:
    """`chosen` with the profiles shown on `page` replaced by those of them in `ticked`."""
    options = _live_options(session, row)
    on_page = {o.profile_id for o in page_options(options, page)[0]}
    return frozenset((chosen - on_page) | (set(ticked) & on_page))


def _live_options(session: Session, row: PendingSelection) -> list[MarketplaceOptionVM]:
    """The picker's options, in display order; raises NotConnected when the region is no longer live."""
    conn = get_connection(session, team_id=row.team_id, region=row.region)
    if conn is None or conn.status != ConnectionStatus.CONNECTED:
        raise NotConnected(
            f"{row.region.upper()} is not connected.", hint=f"Connect it with `/hilal connect {row.region}`."
        )
    return _options(list(list_profiles(session, connection_id=conn.id or 0)))
