"""Modals (tag, note, search, save view, choose a campaign) and the disconnect confirmation message.

Modal inputs use fixed ``BlockId`` / ``ActionId`` pairs so a listener reads
``view["state"]["values"][BlockId.X][ActionId.X]`` and answers validation errors keyed by ``BlockId.X``.
``metadata`` arguments become ``private_metadata`` (compact JSON, ≤ 3000 characters): use them to carry
what the submission needs (e.g. the response_url or the surface to refresh).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from bot.blocks.common import (
    Block,
    Message,
    View,
    actions,
    button,
    context,
    input_block,
    message,
    multi_static_select,
    option,
    plain,
    region_name,
    safe,
    section,
    static_select,
    truncate,
)
from bot.blocks.format import Mrkdwn, flag, unescape_mrkdwn
from bot.blocks.ids import PRIVATE_METADATA_MAX_LENGTH, ActionId, BlockId, CallbackId, encode_meta
from bot.blocks.limits import MAX_OPTION_VALUE, MAX_SELECT_OPTIONS
from bot.blocks.region_card import DISCONNECT_CONFIRM_TEXT
from bot.viewmodels import CampaignMatchVM

__all__ = [
    "LOADING_TEXT",
    "NOTE_MAX_LENGTH",
    "NOTE_TITLE",
    "TAG_MAX_LENGTH",
    "TAG_TITLE",
    "VIEW_NAME_MAX_LENGTH",
    "modal_error_text",
    "render_choose_campaign",
    "render_disconnect_confirm",
    "render_loading_modal",
    "render_note_modal",
    "render_notice_modal",
    "render_save_view_modal",
    "render_search_modal",
    "render_tag_modal",
]

NOTE_MAX_LENGTH = 2900
TAG_MAX_LENGTH = 300
VIEW_NAME_MAX_LENGTH = 80
SEARCH_MAX_LENGTH = 100
DISCONNECT_QUESTION = "*Disconnect {name} ({code})?*"
DISCONNECT = "Disconnect"
CANCEL = "Cancel"
TAG_TITLE = "Tag campaign"
TAG_ADD_LABEL = "Add tags"
TAG_ADD_HINT = "Separate several tags with commas. Tags belong to your team and survive reconnects."
TAG_REMOVE_LABEL = "Remove tags"
NOTE_TITLE = "Add a note"
NOTE_LABEL = "Note"
NOTE_HINT = "Visible to your whole team, with your name and the date."
SEARCH_TITLE = "Search campaigns"
SEARCH_LABEL = "Campaign name contains"
SEARCH_HINT = "Leave empty to clear the search."
SAVE_VIEW_TITLE = "Save as view"
SAVE_VIEW_NAME_LABEL = "Name"
SAVE_VIEW_SHARED_LABEL = "Sharing"
SAVE_VIEW_SHARED_OPTION = "Share with the workspace"
SAVE_VIEW_FILTER = "Filter: {summary}"
CHOOSE_TITLE = "Which campaign?"
CHOOSE_QUESTION = "Several campaigns match{query}. Which one did you mean?"
CHOOSE_LABEL = "Campaign"
CHOOSE_MORE = "Showing the first {shown} of {total} matches: type more of the name to narrow them."
SAVE = "Save"
CONTINUE = "Continue"


_MENTION = re.compile(r"<([#@])([A-Z0-9]+)(?:\|([^>]*))?>")
MODAL_ERROR_MAX_LENGTH = 2000


def modal_error_text(*parts: str, names: Mapping[str, str] | None = None) -> str:
    """One plain-text modal error from mrkdwn parts (a modal shows errors as plain text).

    Entities are turned back, backticks dropped (`/hilal x` reads /hilal x), and channel or user mentions
    replaced by ``names[id]`` (else their own label, else "that channel" / "someone").

    Args:
        *parts: Detail, hint …; empty parts are skipped.
        names: Display names by channel or user id, e.g. ``{"C0PPC": "#ppc"}``.

    Returns:
        The text, at most 2000 characters.
    """
    known = names or {}

    def name(match: re.Match[str]) -> str:
        fallback = "that channel" if match.group(1) == "#" else "someone"
        label = f"{match.group(1)}{match.group(3)}" if match.group(3) else fallback
        return known.get(match.group(2), label)

    texts = []
    for part in parts:
        if not part:
            continue
        named = _MENTION.sub(name, str(part))
        plain_text = unescape_mrkdwn(Mrkdwn(named)) if isinstance(part, Mrkdwn) else named
        texts.append(plain_text.replace("`", ""))
    return truncate(" ".join(texts), MODAL_ERROR_MAX_LENGTH)


def _modal(
    callback_id: CallbackId,
    title: str,
    blocks: list[Block],
    *,
    submit: str,
    metadata: Mapping[str, object] | None,
) -> View:
    view: View = {
        "type": "modal",
        "callback_id": callback_id.value,
        "title": plain(truncate(title, 24)),
        "submit": plain(submit),
        "close": plain(CANCEL),
        "blocks": blocks,
    }
    if metadata:
        view["private_metadata"] = encode_meta(metadata, limit=PRIVATE_METADATA_MAX_LENGTH)
    return view


LOADING_TEXT = "⏳ Loading…"


def render_loading_modal(title: str) -> View:
    """A modal opened at once (Slack's trigger lasts 3 s), filled by ``views.update`` when ready."""
    return {
        "type": "modal",
        "title": plain(truncate(title, 24)),
        "close": plain("Close"),
        "blocks": [section(LOADING_TEXT)],
    }


def render_notice_modal(title: str, notice: Message) -> View:
    """A modal showing a message (e.g. a user-facing error) with only a Close button."""
    return {
        "type": "modal",
        "title": plain(truncate(title, 24)),
        "close": plain("Close"),
        "blocks": list(notice["blocks"]),
    }


def _text_input(action_id: ActionId, *, max_length: int, **extra: Any) -> dict[str, Any]:
    element = {"type": "plain_text_input", "action_id": action_id.value, "max_length": max_length}
    element.update({key: value for key, value in extra.items() if value is not None})
    return element


def render_disconnect_confirm(region: str, *, name: str = "") -> Message:
    """`/hilal disconnect REGION`: what disconnecting does and keeps, with Disconnect and Cancel buttons.

    Args:
        region: "na", "eu" or "fe".
        name: Display name; derived from ``region`` when empty.

    Returns:
        The message (the Disconnect button carries ``{"region"}``).
    """
    full = region_name(region, name)
    question = DISCONNECT_QUESTION.format(name=safe(full, 100), code=region.upper())
    detail = DISCONNECT_CONFIRM_TEXT.format(code=region.upper())
    value = encode_meta({"region": region})
    buttons = [
        button(DISCONNECT, ActionId.REGION_DISCONNECT, value=value, style="danger"),
        button(CANCEL, ActionId.REGION_DISCONNECT_CANCEL, value=value),
    ]
    return message(
        f"Disconnect {safe(full, 100)} ({region.upper()})? {detail}",
        [section(f"{question}\n{detail}"), actions(buttons)],
    )


def render_tag_modal(campaign_name: str, campaign_id: str, existing_tags: Sequence[str] = ()) -> View:
    """Add tags (comma-separated) and remove existing ones; private_metadata is ``{"id": campaign_id}``."""
    blocks: list[Block] = [
        section(f"*{safe(campaign_name, 200)}*"),
        input_block(
            TAG_ADD_LABEL,
            _text_input(ActionId.TAG_ADD, max_length=TAG_MAX_LENGTH, placeholder=plain("e.g. brand, launch")),
            block_id=BlockId.TAG_ADD,
            optional=bool(existing_tags),
            hint=TAG_ADD_HINT,
        ),
    ]
    removable = [option(tag, tag) for tag in existing_tags if len(tag) <= MAX_OPTION_VALUE][
        :MAX_SELECT_OPTIONS
    ]
    if removable:
        element = multi_static_select(
            ActionId.TAG_REMOVE, placeholder="Choose tags to remove", options=removable
        )
        blocks.append(input_block(TAG_REMOVE_LABEL, element, block_id=BlockId.TAG_REMOVE, optional=True))
    return _modal(CallbackId.TAG, TAG_TITLE, blocks, submit=SAVE, metadata={"id": campaign_id})


def render_note_modal(campaign_name: str, campaign_id: str, *, initial_text: str | None = None) -> View:
    """A multiline note input (≤ 2900 characters); ``private_metadata`` is ``{"id": campaign_id}``."""
    element = _text_input(
        ActionId.NOTE_TEXT,
        max_length=NOTE_MAX_LENGTH,
        multiline=True,
        initial_value=truncate(initial_text, NOTE_MAX_LENGTH) if initial_text else None,
    )
    blocks: list[Block] = [
        section(f"*{safe(campaign_name, 200)}*"),
        input_block(NOTE_LABEL, element, block_id=BlockId.NOTE_TEXT, hint=NOTE_HINT),
    ]
    return _modal(CallbackId.NOTE, NOTE_TITLE, blocks, submit=SAVE, metadata={"id": campaign_id})


def render_search_modal(current: str | None, *, metadata: Mapping[str, object] | None = None) -> View:
    """The text search of the campaign list; an empty submission clears the search."""
    element = _text_input(
        ActionId.SEARCH_TEXT,
        max_length=SEARCH_MAX_LENGTH,
        initial_value=truncate(current, SEARCH_MAX_LENGTH) if current else None,
    )
    block = input_block(SEARCH_LABEL, element, block_id=BlockId.SEARCH_TEXT, optional=True, hint=SEARCH_HINT)
    return _modal(CallbackId.SEARCH, SEARCH_TITLE, [block], submit="Search", metadata=metadata)


def render_save_view_modal(filter_summary: str, *, metadata: Mapping[str, object] | None = None) -> View:
    """Name the current filter and choose whether the view is shared with the workspace."""
    name = _text_input(
        ActionId.SAVE_VIEW_NAME, max_length=VIEW_NAME_MAX_LENGTH, placeholder=plain("e.g. EU brand")
    )
    shared = {
        "type": "checkboxes",
        "action_id": ActionId.SAVE_VIEW_SHARED.value,
        "options": [option(SAVE_VIEW_SHARED_OPTION, "shared")],
    }
    blocks: list[Block] = [
        context(SAVE_VIEW_FILTER.format(summary=safe(filter_summary, 2000))),
        input_block(SAVE_VIEW_NAME_LABEL, name, block_id=BlockId.SAVE_VIEW_NAME),
        input_block(SAVE_VIEW_SHARED_LABEL, shared, block_id=BlockId.SAVE_VIEW_SHARED, optional=True),
    ]
    return _modal(CallbackId.SAVE_VIEW, SAVE_VIEW_TITLE, blocks, submit=SAVE, metadata=metadata)


def render_choose_campaign(
    matches: Sequence[CampaignMatchVM],
    *,
    query: str | None = None,
    pending: Mapping[str, object] | None = None,
    callback_id: CallbackId = CallbackId.CHOOSE_CAMPAIGN,
) -> View:
    """Several campaigns match a name given in a command: ask which one (a select of up to 100).

    Args:
        matches: The candidates, best first.
        query: The name the user typed, shown in the question.
        pending: What to do once chosen (e.g. ``{"op": "tag", "tag": "brand"}``), kept in private_metadata.
        callback_id: Whose submission handler runs (tags and notes, or live edits).

    Returns:
        The modal; the chosen option's value is the campaign id.
    """
    shown = [m for m in matches if len(m.campaign_id) <= MAX_OPTION_VALUE][:MAX_SELECT_OPTIONS]
    opts = [
        option(
            m.name,
            m.campaign_id,
            description=f"{flag(m.marketplace)} {m.marketplace} · {m.ad_type} · {m.state}",
        )
        for m in shown
    ]
    quoted = f" “{safe(query, 100)}”" if query else ""
    blocks: list[Block] = [section(CHOOSE_QUESTION.format(query=quoted))]
    if opts:
        element = static_select(ActionId.CHOOSE_CAMPAIGN, opts, placeholder="Choose a campaign")
        blocks.append(input_block(CHOOSE_LABEL, element, block_id=BlockId.CHOOSE_CAMPAIGN))
    if len(matches) > len(shown):
        blocks.append(context(CHOOSE_MORE.format(shown=len(shown), total=len(matches))))
    return _modal(callback_id, CHOOSE_TITLE, blocks, submit=CONTINUE, metadata=pending)
