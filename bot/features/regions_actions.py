"""Region card and marketplace picker buttons; the picker DM sent after a successful consent.

Who may do what: connecting, disconnecting and everything in the marketplace picker (ticks, pages,
Save, Edit marketplaces) need `can_manage`, checked on every action because a button's payload can be
forged (they are registered with `may_manage()`); ticks, pages, Select all and Clear change only the
picker's pending selection, Save makes it the synced one. A tick re-renders the picker in place so its
"Selected: N of M" count follows.
Sync now (and `/hilal sync REGION`) is open to anyone in the workspace: it changes nothing the team
configured, is read-only towards Amazon, and the connection's lease keeps it to one sync at a time.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.blocks.common import Message
from bot.blocks.ids import ActionId, decode_meta, meta_int, meta_str
from bot.blocks.marketplaces import picker_ref, render_marketplace_picker
from bot.blocks.region_card import render_region_cards_message
from bot.errors import NotConnected, ReconnectRequired, UsageError
from bot.features.home import publish_home
from bot.listeners.context import request_ids, services_of
from bot.listeners.permission import may_manage
from bot.services.connections import (
    OpenPicker,
    build_picker_vm,
    build_region_cards,
    disconnect_region,
    fill_picker,
    open_picker,
    picker_action_is_latest,
    save_picker,
    update_picker,
)
from bot.services.sync import start_sync
from storage.db import session_scope
from storage.models import ConnectionStatus
from storage.repositories.connections import add_audit, get_connection

if TYPE_CHECKING:
    from bot.listeners.registry import Listeners
    from bot.wiring import Services

__all__ = [
    "SYNC_NEEDS_RECONNECT",
    "MarketplacesNotChosen",
    "RegionNeedsReconnect",
    "open_picker_message",
    "register",
    "send_picker_dm",
    "start_region_sync",
]

logger = logging.getLogger(__name__)
Body = dict[str, Any]

SYNC_TEXTS = {
    "started": "Syncing {code} now. The region card shows the result when it is done.",
    "already_running": "{code} is already syncing; this sync carries on, no second one was started.",
    "not_connected": "{code} is not connected. Connect it with `/hilal connect {region}`.",
}
SYNC_NEEDS_MARKETPLACES = (
    "Sync now needs the marketplaces first: press Choose marketplaces, tick them and Save. "
    "The first sync starts on Save."
)

SYNC_NEEDS_RECONNECT = (
    "No sync started: {code} needs a reconnect first. A manager presses Reconnect; everything is kept."
)


class MarketplacesNotChosen(UsageError):
    """The region is connected, but its marketplaces are not chosen (saved) yet, so nothing can sync."""


class RegionNeedsReconnect(ReconnectRequired):
    """Amazon no longer honours the region's grant: nothing can sync until someone reconnects it."""


def start_region_sync(
    services: Services, *, team_id: str, region: str, user_id: str, progress: tuple[str, str] | None = None
) -> str:
    """Start a manual sync of a region; returns what to tell the user.

    The one door for Sync now and `/hilal sync REGION`, so both follow the same rule: anyone in the
    workspace may start a sync of a connected region whose marketplaces are chosen (it changes nothing
    the team configured and only reads from Amazon; the lease keeps it to one at a time). Who started a
    sync is recorded in the audit log.

    Raises:
        RegionNeedsReconnect: the region's connection needs a reconnect.
        NotConnected: the region has no live connection.
        MarketplacesNotChosen: the marketplaces are not chosen yet.
    """
    with session_scope(services.engine, readonly=True) as session:
        conn = get_connection(session, team_id=team_id, region=region)
    if conn is not None and conn.status == ConnectionStatus.RECONNECT_NEEDED:
        raise RegionNeedsReconnect(
            f"{region.upper()} needs a reconnect.",
            hint=f"Reconnect it with `/hilal connect {region}`; everything is kept.",
        )
    if conn is None or conn.status != ConnectionStatus.CONNECTED or conn.id is None:
        raise NotConnected(
            f"{region.upper()} is not connected.", hint=f"Connect it with `/hilal connect {region}`."
        )
    if not conn.selection_confirmed:
        raise MarketplacesNotChosen(
            f"Choose the marketplaces of {region.upper()} first.", hint=f"Run `/hilal marketplaces {region}`."
        )
    result = start_sync(services, connection_id=conn.id, kind="manual", progress=progress)
    if result == "started":
        with session_scope(services.engine) as session:
            add_audit(
                session,
                team_id=team_id,
                actor=user_id,
                action="region.sync_started",
                now=services.now(),
                region=region,
            )
    return SYNC_TEXTS.get(result, SYNC_TEXTS["started"]).format(code=region.upper(), region=region)


def _with_services(context: BoltContext) -> tuple[Services, str, str, str]:
    """(services, team id, enterprise id, user id) of an interaction, as the request middleware read them."""
    ids = request_ids(context)
    return services_of(context), ids.team_id, ids.enterprise_id, ids.user_id


def _meta(body: Body) -> dict[str, object]:
    return decode_meta(str(body["actions"][0].get("value") or "{}"))


def _refresh_surface(
    services: Services,
    client: WebClient,
    body: Body,
    respond: Any,
    *,
    team: str,
    enterprise: str,
    user: str,
    region: str | None = None,
    note: str | None = None,
) -> None:
    """Re-render the cards where the click came from (message or App Home); `note` goes on `region`'s card
    (a message only: App Home shows the card's own state)."""
    if (body.get("container") or {}).get("type") == "view" or not body.get("response_url"):
        publish_home(services, client, team_id=team, user_id=user, enterprise_id=enterprise)
        return
    cards = build_region_cards(
        services,
        team_id=team,
        enterprise_id=enterprise,
        user_id=user,
        only=None if _cards_shown(body) > 1 else region,
        render_key=str(int(services.now().timestamp())),
    )
    if note:
        cards = [replace(card, warning=note) if card.region == region else card for card in cards]
    msg = render_region_cards_message(cards)
    respond(text=msg["text"], blocks=msg["blocks"], replace_original=True)


def _cards_shown(body: Body) -> int:
    """How many region cards the clicked message holds (`/hilal regions` shows three)."""
    blocks = (body.get("message") or {}).get("blocks") or []
    return sum(1 for b in blocks if str(b.get("block_id") or "").startswith("region.card#"))


def _tell(client: WebClient, body: Body, respond: Any, text: str) -> None:
    if body.get("response_url"):
        respond(text=text, response_type="ephemeral", replace_original=False)
    else:
        client.chat_postMessage(channel=str(body["user"]["id"]), text=text)


def handle_link_button(ack: Ack) -> None:
    """Link buttons open their URL in the browser; Slack still sends the click, which we acknowledge."""
    ack()


def handle_sync_now(ack: Ack, body: Body, client: WebClient, respond: Any, context: BoltContext) -> None:
    """Start a sync; a card whose marketplaces are not chosen yet is answered in place with what to do."""
    ack()
    services, team, enterprise, user = _with_services(context)
    region = meta_str(_meta(body), "region")
    try:
        text = start_region_sync(services, team_id=team, region=region, user_id=user)
    except (MarketplacesNotChosen, RegionNeedsReconnect) as exc:
        note = (
            SYNC_NEEDS_MARKETPLACES
            if isinstance(exc, MarketplacesNotChosen)
            else SYNC_NEEDS_RECONNECT.format(code=region.upper())
        )
        _refresh_surface(
            services,
            client,
            body,
            respond,
            team=team,
            enterprise=enterprise,
            user=user,
            region=region,
            note=note,
        )
        return
    _tell(client, body, respond, text)


def handle_disconnect(ack: Ack, body: Body, client: WebClient, respond: Any, context: BoltContext) -> None:
    ack()
    services, team, enterprise, user = _with_services(context)
    region = meta_str(_meta(body), "region")
    disconnect_region(services, team_id=team, region=region, user_id=user)
    _refresh_surface(
        services, client, body, respond, team=team, enterprise=enterprise, user=user, region=region
    )
    if body.get("response_url"):  # the message was updated above; keep App Home in step too
        publish_home(services, client, team_id=team, user_id=user, enterprise_id=enterprise)
    _tell(
        client,
        body,
        respond,
        f"{region.upper()} is disconnected. Campaigns, history, tags, notes and views are "
        "kept. You can also remove Hilal at https://amazon.com/ap/adam.",
    )


def handle_disconnect_cancel(ack: Ack, respond: Any) -> None:
    ack()
    respond(text="Nothing was changed.", replace_original=True)


def _picker_message(services: Services, *, team: str, picker: OpenPicker, page: int = 0) -> Message:
    vm = build_picker_vm(
        services,
        team_id=team,
        region=picker.region,
        page=page,
        selected=picker.selected,
        # A fresh block id on every render, so Slack shows the new ticks rather than keeping the old input
        # state of a select with the same id (several renders can fall in one second).
        render_key=secrets.token_hex(4),
    )
    if vm is None:
        raise NotConnected(
            f"{picker.region.upper()} is not connected.",
            hint=f"Connect it with `/hilal connect {picker.region}`.",
        )
    return render_marketplace_picker(vm, picker_id=picker.picker_id)


def open_picker_message(services: Services, *, team_id: str, region: str, user_id: str) -> Message:
    """A freshly opened picker: its own pending selection, starting from the saved one.

    The caller checks that `user_id` may manage marketplaces.

    Raises:
        NotConnected: the region has no live connection.
    """
    picker = open_picker(services, team_id=team_id, region=region, user_id=user_id)
    if picker is None:
        raise NotConnected(
            f"{region.upper()} is not connected.", hint=f"Connect it with `/hilal connect {region}`."
        )
    return _picker_message(services, team=team_id, picker=picker)


def handle_edit_marketplaces(
    ack: Ack, body: Body, client: WebClient, respond: Any, context: BoltContext
) -> None:
    ack()
    services, team, _enterprise, user = _with_services(context)
    region = meta_str(_meta(body), "region")
    msg = open_picker_message(services, team_id=team, region=region, user_id=user)
    if body.get("response_url"):
        respond(text=msg["text"], blocks=msg["blocks"], response_type="ephemeral", replace_original=False)
    else:
        client.chat_postMessage(channel=user, text=msg["text"], blocks=msg["blocks"])


def _picker_id(meta: dict[str, object]) -> str:
    """The picker a button belongs to ("" for pickers rendered before pickers had ids: treated as expired)."""
    value = meta.get("picker")
    return value if isinstance(value, str) else ""


def _page_ticks(body: Body, picker_id: str) -> tuple[int | None, set[str]]:
    """(page, profile ids ticked on it) from the picker's select in `state.values`; (None, ∅) without one."""
    for key, block in ((body.get("state") or {}).get("values") or {}).items():
        ref = picker_ref(str(key))
        element = block.get(ActionId.MARKETPLACES_SELECT.value)
        if ref is not None and ref[0] == picker_id and element is not None:
            return ref[1], {str(o["value"]) for o in element.get("selected_options") or []}
    return None, set()


def _show_picker(
    services: Services,
    client: WebClient,
    body: Body,
    respond: Any,
    *,
    team: str,
    picker: OpenPicker,
    page: int,
) -> None:
    """Re-render the picker where it is: `chat.update` for a bot message (the DM), else its response_url."""
    _send_picker(client, body, respond, _picker_message(services, team=team, picker=picker, page=page))


def _send_picker(client: WebClient, body: Body, respond: Any, msg: Message) -> None:
    container = body.get("container") or {}
    if (
        container.get("type") == "message"
        and not container.get("is_ephemeral")
        and container.get("message_ts")
    ):
        client.chat_update(
            channel=str(container["channel_id"]),
            ts=str(container["message_ts"]),
            text=msg["text"],
            blocks=msg["blocks"],
        )
    elif body.get("response_url"):
        respond(text=msg["text"], blocks=msg["blocks"], replace_original=True)


def handle_select(ack: Ack, body: Body, client: WebClient, respond: Any, context: BoltContext) -> None:
    """A tick changes only the picker's pending selection (the sync keeps the saved one until Save); the
    picker is re-rendered in place so its count follows."""
    ack()
    services, team, _enterprise, _user = _with_services(context)
    action = body["actions"][0]
    picker_id, page = picker_ref(str(action.get("block_id") or "")) or ("", 0)
    ticked = {str(o["value"]) for o in action.get("selected_options") or []}
    stamp = str(action.get("action_ts") or "")
    picker = update_picker(
        services, team_id=team, picker_id=picker_id, page=page, ticked=ticked, action_ts=stamp
    )
    if picker is None:  # a later tick was applied first: re-rendering this one would undo it on screen
        return
    msg = _picker_message(services, team=team, picker=picker, page=page)
    if picker_action_is_latest(services, team_id=team, picker_id=picker_id, action_ts=stamp):
        _send_picker(client, body, respond, msg)


def handle_fill(ack: Ack, body: Body, client: WebClient, respond: Any, context: BoltContext) -> None:
    """Select all / Clear: every selectable marketplace of the region, or none, in the pending selection."""
    ack()
    services, team, _enterprise, _user = _with_services(context)
    meta = _meta(body)
    everything = body["actions"][0].get("action_id") == ActionId.MARKETPLACES_SELECT_ALL.value
    picker = fill_picker(services, team_id=team, picker_id=_picker_id(meta), everything=everything)
    _show_picker(services, client, body, respond, team=team, picker=picker, page=meta_int(meta, "page"))


def handle_page(ack: Ack, body: Body, respond: Any, context: BoltContext) -> None:
    """Keep the current page's ticks in the pending selection, then show the requested page."""
    ack()
    services, team, _enterprise, _user = _with_services(context)
    meta = _meta(body)
    picker_id = _picker_id(meta)
    page, ticked = _page_ticks(body, picker_id)
    stamp = str(body["actions"][0].get("action_ts") or "")
    picker = update_picker(
        services, team_id=team, picker_id=picker_id, page=page, ticked=ticked, action_ts=stamp
    )
    if picker is None:  # a later click on this picker was applied first
        return
    msg = _picker_message(services, team=team, picker=picker, page=meta_int(meta, "page"))
    respond(text=msg["text"], blocks=msg["blocks"], replace_original=True)


def handle_save(ack: Ack, body: Body, client: WebClient, respond: Any, context: BoltContext) -> None:
    """The pending selection plus this page's ticks become what is synced; the first sync starts."""
    ack()
    services, team, enterprise, user = _with_services(context)
    picker_id = _picker_id(_meta(body))
    page, ticked = _page_ticks(body, picker_id)
    picker, connection_id = save_picker(
        services, team_id=team, picker_id=picker_id, page=page, ticked=ticked, user_id=user
    )
    progress = _progress_target(client, body, user)
    if body.get("response_url") and (body.get("container") or {}).get("is_ephemeral"):
        respond(
            text=f"Saved {len(picker.selected)} marketplaces. The first sync has started: "
            "I'll post its progress in our DM.",
            replace_original=True,
        )
    start_sync(services, connection_id=connection_id, kind="initial", progress=progress)
    publish_home(services, client, team_id=team, user_id=user, enterprise_id=enterprise)


def _progress_target(client: WebClient, body: Body, user: str) -> tuple[str, str]:
    """Where the sync reports progress: the picker itself when it is a bot message, else a new DM."""
    container = body.get("container") or {}
    if (
        container.get("type") == "message"
        and not container.get("is_ephemeral")
        and container.get("message_ts")
    ):
        return str(container["channel_id"]), str(container["message_ts"])
    channel = client.conversations_open(users=user)["channel"]["id"]
    posted = client.chat_postMessage(channel=channel, text="Starting the first sync…")
    return str(channel), str(posted["ts"])


def send_picker_dm(
    services: Services, *, team_id: str, enterprise_id: str, user_id: str, region: str
) -> None:
    """After consent: the marketplace picker in a DM with the user who connected."""
    client = services.slack.client_for(team_id, enterprise_id)
    msg = open_picker_message(services, team_id=team_id, region=region, user_id=user_id)
    channel = client.conversations_open(users=user_id)["channel"]["id"]
    client.chat_postMessage(channel=channel, text=msg["text"], blocks=msg["blocks"])


def register(app: Listeners) -> None:
    for link in (ActionId.REGION_CONNECT, ActionId.REGION_RECONNECT, ActionId.DIGEST_RECONNECT):
        app.action(link.value)(handle_link_button)
    app.action(ActionId.REGION_SYNC_NOW.value)(handle_sync_now)
    app.action(ActionId.REGION_DISCONNECT_CANCEL.value)(handle_disconnect_cancel)
    # Everything that changes what the team configured: only people who manage Hilal.
    manager = may_manage()
    app.action(ActionId.REGION_DISCONNECT.value, requires=manager)(handle_disconnect)
    app.action(ActionId.REGION_EDIT_MARKETPLACES.value, requires=manager)(handle_edit_marketplaces)
    app.action(ActionId.MARKETPLACES_SELECT.value, requires=manager)(handle_select)
    app.action(ActionId.MARKETPLACES_SELECT_ALL.value, requires=manager)(handle_fill)
    app.action(ActionId.MARKETPLACES_CLEAR.value, requires=manager)(handle_fill)
    app.action(ActionId.MARKETPLACES_PAGE_NEXT.value, requires=manager)(handle_page)
    app.action(ActionId.MARKETPLACES_PAGE_PREV.value, requires=manager)(handle_page)
    app.action(ActionId.MARKETPLACES_SAVE.value, requires=manager)(handle_save)
