"""The marketplace picker: checkboxes up to 10 profiles, a grouped multi-select up to 100, pages beyond.

The selection lives server-side: each change fires ``marketplaces.select`` with the options of the
CURRENT page; the listener replaces that page's share of the picker's pending selection (``page_options``
tells which profiles the page holds) and Save confirms. A picker rendered with a ``picker_id`` carries it
in its button values and, with the page, in the select's block id (``picker_ref`` reads it back).
Non-selectable profiles (agency, view-only) are listed with the reason but never offered. Each option
names country, account and profile id ("🇯🇵 JP · Acme Japan KK (1234567890)"); the account name gives way
first when the label must be shortened. Select all / Clear change the whole region's pending selection.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from bot.blocks.common import (
    Block,
    Message,
    actions,
    button,
    context,
    message,
    multi_static_select,
    option,
    plain,
    region_name,
    safe,
    section,
    sections_from_lines,
    truncate,
)
from bot.blocks.format import flag
from bot.blocks.ids import ActionId, BlockId, base_block_id, block_id, encode_meta
from bot.blocks.limits import MAX_MESSAGE_TEXT_BUDGET, total_text_length
from bot.viewmodels import MarketplaceOptionVM, MarketplacePickerVM
from bot.viewmodels.regions import PICKER_PAGE_SIZE as PAGE_SIZE
from bot.viewmodels.regions import page_options

__all__ = [
    "CHECKBOX_MAX",
    "PAGE_SIZE",
    "RECONNECT_NOTE",
    "page_options",
    "picker_ref",
    "render_marketplace_picker",
]

CHECKBOX_MAX = 10
TITLE = "*Choose the marketplaces Hilal manages in {name} ({code})*"
SUBTITLE = "One option per Amazon Ads profile: country, account and type. You can change this later."
RECONNECT_NOTE = (
    "🔁 You reconnected {name}. Your previous selection is ticked: check it and press *Save* to resume "
    "syncing."
)
SELECTED_SUMMARY = "Selected: {selected} of {total} marketplaces"
PAGE_SUMMARY = "Page {page} of {pages} · profiles {first}–{last} of {total}"  # noqa: RUF001
NONE_SELECTABLE = "No Amazon Ads profile in {name} can be managed by Hilal with this login."
NOT_SELECTABLE_TITLE = "*Shown but not selectable*"
REASONS = {
    "agency": "agency account: connect with the advertiser's own login to manage it",
    "view_only": "view-only access: Hilal needs permission to manage campaigns",
    "other": "not available to Hilal",
}
TYPE_LABELS = {"seller": "Seller", "vendor": "Vendor", "agency": "Agency"}
PLACEHOLDER = "Choose marketplaces"
SAVE = "Save"
SELECT_ALL = "Select all"
CLEAR = "Clear"
NEXT = "Next →"
PREVIOUS = "← Previous"
FALLBACK = "Choose the marketplaces Hilal manages in {name}: {count} profiles available."
_MAX_UNSELECTABLE_SHOWN = 10
_LABEL_WIDTHS = (60, 40, 30, 22, 16)


def _label(opt: MarketplaceOptionVM, width: int) -> str:
    """ "🇯🇵 JP · Acme Japan KK (1234567890)" in at most `width` characters: the name is cut first."""
    head, tail = f"{flag(opt.country_code)} {opt.country_code}", f" ({opt.profile_id})"
    room, name = width - len(head) - len(" · ") - len(tail), opt.account_name
    if name and (room >= 4 or 0 < len(name) <= room):
        return f"{head} · {truncate(name, room)}{tail}"
    short = f"{head}{tail}" if len(head) + len(tail) <= width else f"{opt.country_code}{tail}"
    return truncate(short, width)


def _type_label(opt: MarketplaceOptionVM) -> str:
    return TYPE_LABELS[opt.account_type] + (" · view only" if opt.view_only else "")


def _checkboxes(vm: MarketplacePickerVM, opts: Sequence[MarketplaceOptionVM]) -> Block:
    choices = [option(_label(o, 75), o.profile_id, description=_type_label(o)) for o in opts]
    element: dict[str, Any] = {
        "type": "checkboxes",
        "action_id": ActionId.MARKETPLACES_SELECT.value,
        "options": choices,
    }
    initial = [c for c, o in zip(choices, opts, strict=True) if o.profile_id in vm.selected]
    if initial:
        element["initial_options"] = initial
    return actions([element], block_id=block_id(BlockId.MARKETPLACES_SELECT, vm.render_key))


def _grouped_select(
    vm: MarketplacePickerVM, opts: Sequence[MarketplaceOptionVM], width: int, note: str
) -> Block:
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    initial: list[dict[str, Any]] = []
    for opt in opts:
        choice = option(_label(opt, width), opt.profile_id)
        groups.setdefault((opt.account_name, _type_label(opt)), []).append(choice)
        if opt.profile_id in vm.selected:
            initial.append(choice)
    option_groups = [
        {"label": plain(truncate(f"{name} · {kind}", width)), "options": choices}
        for (name, kind), choices in groups.items()
    ]
    element = multi_static_select(
        ActionId.MARKETPLACES_SELECT, placeholder=PLACEHOLDER, option_groups=option_groups, initial=initial
    )
    return section(note, block_id=block_id(BlockId.MARKETPLACES_SELECT, vm.render_key), accessory=element)


def _unselectable(options: Sequence[MarketplaceOptionVM]) -> list[Block]:
    blocked = [opt for opt in options if not opt.selectable]
    if not blocked:
        return []
    lines = [NOT_SELECTABLE_TITLE]
    for opt in blocked[:_MAX_UNSELECTABLE_SHOWN]:
        kind = "agency" if opt.account_type == "agency" else "view_only" if opt.view_only else "other"
        reason = safe(opt.reason, 200) if opt.reason else REASONS[kind]
        name = truncate(f"{flag(opt.country_code)} {opt.country_code} · {opt.account_name}", 75)
        lines.append(f"• {safe(name, 120)} ({_type_label(opt)}): {reason}")
    if len(blocked) > _MAX_UNSELECTABLE_SHOWN:
        lines.append(f"… and {len(blocked) - _MAX_UNSELECTABLE_SHOWN} more")
    return sections_from_lines(lines)


def _buttons(
    vm: MarketplacePickerVM, page: int, pages: int, has_options: bool, picker_id: str = ""
) -> list[Block]:
    elements = []
    picker = {"picker": picker_id} if picker_id else {}
    if page > 0:
        meta = encode_meta({"region": vm.region, "page": page - 1, **picker})
        elements.append(button(PREVIOUS, ActionId.MARKETPLACES_PAGE_PREV, value=meta))
    if page < pages - 1:
        meta = encode_meta({"region": vm.region, "page": page + 1, **picker})
        elements.append(button(NEXT, ActionId.MARKETPLACES_PAGE_NEXT, value=meta))
    if has_options:
        meta = encode_meta({"region": vm.region, "page": page, **picker})
        elements.append(button(SELECT_ALL, ActionId.MARKETPLACES_SELECT_ALL, value=meta))
        elements.append(button(CLEAR, ActionId.MARKETPLACES_CLEAR, value=meta))
        elements.append(button(SAVE, ActionId.MARKETPLACES_SAVE, value=meta, style="primary"))
    return (
        [actions(elements, block_id=block_id(BlockId.MARKETPLACES_ACTIONS, vm.render_key))]
        if elements
        else []
    )


def _blocks(vm: MarketplacePickerVM, width: int, picker_id: str = "") -> list[Block]:
    name = region_name(vm.region, vm.region_name)
    opts, page, pages = page_options(vm.options, vm.page)
    total = sum(1 for opt in vm.options if opt.selectable)
    blocks: list[Block] = [
        section(TITLE.format(name=safe(name, 100), code=vm.region.upper()) + "\n" + SUBTITLE)
    ]
    if vm.reconnect:
        blocks.append(context(RECONNECT_NOTE.format(name=safe(name, 100))))
    selected = sum(1 for opt in vm.options if opt.selectable and opt.profile_id in vm.selected)
    summary = SELECTED_SUMMARY.format(selected=selected, total=total)
    if not opts:
        blocks.append(section(NONE_SELECTABLE.format(name=safe(name, 100))))
    elif total <= CHECKBOX_MAX:
        blocks.append(_checkboxes(vm, opts))
        blocks.append(context(summary))
    else:
        if pages > 1:
            first = page * PAGE_SIZE + 1
            page_note = PAGE_SUMMARY.format(
                page=page + 1, pages=pages, first=first, last=first + len(opts) - 1, total=total
            )
            summary = f"{summary}\n{page_note}"
        blocks.append(_grouped_select(vm, opts, width, summary))
    blocks.extend(_unselectable(vm.options))
    blocks.extend(_buttons(vm, page, pages, bool(opts), picker_id))
    return blocks


def picker_ref(value: str) -> tuple[str, int] | None:
    """(picker id, page) carried by the block id of a picker's select; None for any other block id.

    Args:
        value: A ``block_id`` from an action or from ``state.values``.

    Returns:
        The picker and page the select was rendered for, or None (another block, or an old picker).
    """
    if base_block_id(value) != BlockId.MARKETPLACES_SELECT.value or "#" not in value:
        return None
    parts = value.split("#", 1)[1].split(".", 2)
    if len(parts) < 3 or not parts[0] or not parts[1].isdigit():
        return None
    return parts[0], int(parts[1])


def render_marketplace_picker(vm: MarketplacePickerVM, *, picker_id: str = "") -> Message:
    """The picker message for one region (≤ 10 checkboxes; grouped multi-select; pages of 100).

    Labels are shortened when needed so the message stays within the 10,000-character text budget.

    Args:
        vm: The picker; pass a fresh ``render_key`` on every render (multi-select bug, reference §1.4).
        picker_id: The open picker's id (its pending selection), carried in the button values and,
            with the page, in the select's block id (see ``picker_ref``).

    Returns:
        The message.
    """
    if picker_id:
        vm = replace(vm, render_key=f"{picker_id}.{page_options(vm.options, vm.page)[1]}.{vm.render_key}")
    blocks: list[Block] = []
    for width in _LABEL_WIDTHS:
        blocks = _blocks(vm, width, picker_id)
        if total_text_length(blocks) <= MAX_MESSAGE_TEXT_BUDGET:
            break
    name = region_name(vm.region, vm.region_name)
    count = sum(1 for opt in vm.options if opt.selectable)
    return message(FALLBACK.format(name=safe(name, 100), count=count), blocks)
