"""Region cards: one per Amazon Ads region (NA, EU, FE), with the buttons its state allows."""

from __future__ import annotations

from collections.abc import Sequence

from bot.blocks.common import (
    Block,
    Message,
    actions,
    button,
    confirm_dialog,
    context,
    divider,
    message,
    region_name,
    safe,
    section,
)
from bot.blocks.format import flag, slack_date
from bot.blocks.ids import ActionId, BlockId, block_id, encode_meta
from bot.viewmodels import ReconnectNoticeVM, RegionCardVM

__all__ = [
    "CHOOSE_MARKETPLACES_LABEL",
    "DISCONNECTED_NOTE",
    "DISCONNECT_CONFIRM_TEXT",
    "STATE_LABELS",
    "disconnect_confirm",
    "render_reconnect_notice",
    "render_region_card",
    "render_region_cards_message",
]

STATE_LABELS = {
    "not_connected": "⚪ Not connected",
    "connected": "🟢 Connected",
    "syncing": "🔄 Syncing",
    "reconnect_needed": "🟠 Reconnect needed",
    "disconnected": "⚫ Disconnected — history kept",
}
NOT_CONNECTED_NOTE = (
    "Connect your Amazon Ads account for {name}, then tick the marketplaces Hilal should manage."
)
PERFORMANCE_LOADING = "⏳ Performance still loading: Amazon is preparing {count} {noun}{since}."
RECONNECT_NOTE = "Amazon no longer accepts Hilal's access for {name}. Syncs are paused; all data is kept."
DISCONNECTED_NOTE = (
    "History kept: reports, campaigns as of the last sync, tags, notes, saved views and the marketplace "
    "selection. Reconnect to resume with the same records."
)
NO_MARKETPLACES = "No marketplaces selected yet."
# Connected, marketplaces not saved yet (first connect, or a reconnect before Save): nothing syncs.
CHOOSE_MARKETPLACES_LABEL = "🟡 Choose marketplaces"
CHOOSE_MARKETPLACES_NOTE = (
    "Connected — marketplaces not chosen yet. Press *Choose marketplaces*, tick the ones Hilal should "
    "manage and *Save*: syncing starts then."
)
CHOOSE_FALLBACK = "connected — marketplaces not chosen yet"
PREVIOUS_MARKETPLACES = "Previous selection (not saved yet): "
DISCONNECT_TITLE = "Disconnect {name}?"
DISCONNECT_CONFIRM_TEXT = (
    "Hilal stops syncing {code}, revokes its Amazon access and erases the tokens. Kept: history, "
    "campaigns as of the last sync, tags, notes, saved views and your marketplace selection."
)
CONNECT = "Connect"
RECONNECT = "Reconnect"
EDIT_MARKETPLACES = "Edit marketplaces"
CHOOSE_MARKETPLACES = "Choose marketplaces"
SYNC_NOW = "Sync now"
DISCONNECT = "Disconnect"
FALLBACK_TITLE = "Amazon Ads regions"
_MAX_MARKETPLACES_SHOWN = 10


def disconnect_confirm(region: str, name: str = "") -> dict[str, object]:
    """The confirm dialog of a Disconnect button: says what is kept."""
    return confirm_dialog(
        DISCONNECT_TITLE.format(name=region_name(region, name)),
        DISCONNECT_CONFIRM_TEXT.format(code=region.upper()),
        confirm=DISCONNECT,
        style="danger",
    )


def _choosing(vm: RegionCardVM) -> bool:
    """Connected but with no saved marketplaces: the card's one state is "choose marketplaces"."""
    return vm.needs_marketplaces and vm.state == "connected"


READ_ONLY_NOTE = "🔒 Read-only: live edits are refused"


def _status_lines(vm: RegionCardVM) -> list[str]:
    name = region_name(vm.region, vm.region_name)
    status = CHOOSE_MARKETPLACES_LABEL if _choosing(vm) else STATE_LABELS[vm.state]
    if vm.state == "syncing" and vm.sync_progress:
        status = f"{status} — {safe(vm.sync_progress, 200)}"
    lines = [f"*{safe(name, 100)} ({vm.region.upper()})* · {status}"]
    if vm.state == "not_connected":
        lines.append(NOT_CONNECTED_NOTE.format(name=safe(name, 100)))
        return lines
    if vm.state == "reconnect_needed":
        lines.append(RECONNECT_NOTE.format(name=safe(name, 100)))
    if _choosing(vm):
        lines.append(CHOOSE_MARKETPLACES_NOTE)
    listed = vm.marketplaces[:_MAX_MARKETPLACES_SHOWN]
    shown = [safe(f"{flag(country)} {country} · {account}", 150) for country, account in listed]
    more = len(vm.marketplaces) - len(shown)
    if shown:
        lead = PREVIOUS_MARKETPLACES if _choosing(vm) else "Marketplaces: "
        lines.append(lead + ", ".join(shown) + (f" and {more} more" if more > 0 else ""))
    elif not _choosing(vm):  # the choose note already says none are chosen
        lines.append(NO_MARKETPLACES)
    lines += _time_lines(vm)
    return lines


def _time_lines(vm: RegionCardVM) -> list[str]:
    """Last and next sync in the reader's own zone, and performance Amazon is still preparing."""
    times = []
    if vm.last_sync:
        times.append(f"Last sync: {slack_date(vm.last_sync)}")
    if vm.next_sync and vm.state in ("connected", "syncing"):
        times.append(f"Next sync: {slack_date(vm.next_sync)}")
    lines = [" · ".join(times)] if times else []
    if vm.reports_loading and vm.state in ("connected", "syncing"):
        since = f" (asked {slack_date(vm.loading_since, '{time}')})" if vm.loading_since else ""
        noun = "report" if vm.reports_loading == 1 else "reports"
        lines.append(PERFORMANCE_LOADING.format(count=vm.reports_loading, noun=noun, since=since))
    return lines


def _buttons(vm: RegionCardVM) -> list[dict[str, object]]:
    value = encode_meta({"region": vm.region})
    out: list[dict[str, object]] = []
    if vm.state == "not_connected" and vm.connect_url:
        out.append(button(CONNECT, ActionId.REGION_CONNECT, url=vm.connect_url, value=value, style="primary"))
    if vm.state in ("reconnect_needed", "disconnected") and vm.connect_url:
        out.append(
            button(RECONNECT, ActionId.REGION_RECONNECT, url=vm.connect_url, value=value, style="primary")
        )
    if _choosing(vm):
        out.append(
            button(CHOOSE_MARKETPLACES, ActionId.REGION_EDIT_MARKETPLACES, value=value, style="primary")
        )
    elif vm.state in ("connected", "syncing", "reconnect_needed"):
        out.append(button(EDIT_MARKETPLACES, ActionId.REGION_EDIT_MARKETPLACES, value=value))
    if vm.state == "connected" and not _choosing(vm):
        out.append(button(SYNC_NOW, ActionId.REGION_SYNC_NOW, value=value))
    if vm.state in ("connected", "syncing", "reconnect_needed"):
        confirm = disconnect_confirm(vm.region, vm.region_name)
        out.append(
            button(DISCONNECT, ActionId.REGION_DISCONNECT, value=value, style="danger", confirm=confirm)
        )
    return out


def render_region_card(vm: RegionCardVM) -> list[Block]:
    """The blocks of one region card: status section, optional notes, buttons.

    Args:
        vm: The card.

    Returns:
        Two to four blocks.
    """
    suffix = f"{vm.region}.{vm.render_key}" if vm.render_key else vm.region
    blocks: list[Block] = [
        section("\n".join(_status_lines(vm)), block_id=block_id(BlockId.REGION_CARD, suffix))
    ]
    notes = []
    if vm.warning:
        notes.append(f"⚠️ {safe(vm.warning, 500)}")
    if vm.state == "disconnected":
        notes.append(DISCONNECTED_NOTE)
    if vm.read_only and vm.state != "not_connected":
        notes.append(READ_ONLY_NOTE)
    if notes:
        blocks.append(context(*notes))
    elements = _buttons(vm)
    if elements:
        blocks.append(actions(elements, block_id=block_id(BlockId.REGION_ACTIONS, suffix)))
    return blocks


def _fallback_line(vm: RegionCardVM) -> str:
    label = CHOOSE_FALLBACK if _choosing(vm) else STATE_LABELS[vm.state].split(" ", 1)[1].lower()
    return f"{safe(region_name(vm.region, vm.region_name), 100)}: {label}"


def render_region_cards_message(cards: Sequence[RegionCardVM]) -> Message:
    """A message with the given region cards separated by dividers (`/hilal regions`, `/hilal connect`).

    Args:
        cards: The cards, in display order (at most 3).

    Returns:
        The message.
    """
    blocks: list[Block] = []
    for index, card in enumerate(cards):
        if index:
            blocks.append(divider())
        blocks.extend(render_region_card(card))
    text = (
        f"{FALLBACK_TITLE}: " + "; ".join(_fallback_line(card) for card in cards) if cards else FALLBACK_TITLE
    )
    return message(text, blocks)


RECONNECT_NOTICE = (
    "🟠 *Amazon Ads {name} ({code}) needs to be reconnected.* Amazon no longer accepts Hilal's access "
    "(the app was removed or the grant expired). Syncs are paused; every campaign, tag and note is kept."
)
RECONNECT_HOW = "Reconnect with the same Amazon account to resume where it stopped."


def render_reconnect_notice(vm: ReconnectNoticeVM) -> Message:
    """The notice that a region must be reconnected, with its Reconnect link button."""
    region, url = vm.region, vm.reconnect_url
    name, code = region_name(region), region.upper()
    text = RECONNECT_NOTICE.format(name=name, code=code)
    blocks = [
        section(text),
        context(RECONNECT_HOW),
        actions(
            [
                button(
                    "Reconnect",
                    ActionId.REGION_RECONNECT,
                    url=url,
                    value=encode_meta({"region": region}),
                    style="primary",
                )
            ]
        ),
    ]
    return message(text.replace("*", ""), blocks)
