"""What the subscribe forms (digest, budget alerts) share: the channel picker, a ``conversations_select``
that starts on the conversation the modal was opened from (``default_to_current_conversation``) and asks
Slack for a ``response_url`` into the picked channel (``response_url_enabled``), where the form's answer
goes; the modal around the inputs; and the message with the button that opens the form when a command
could not open it by itself."""

from __future__ import annotations

from collections.abc import Sequence

from bot.blocks.common import Block, Message, View, actions, button, input_block, message, plain, section
from bot.blocks.ids import ActionId, BlockId, CallbackId

__all__ = ["CHANNEL_HINT", "CHANNEL_LABEL", "channel_picker_input", "open_form_message", "subscribe_modal"]

CHANNEL_LABEL = "Channel"
CHANNEL_HINT = "Private channel? Invite Hilal there first with /invite @Hilal."
SUBMIT = "Subscribe"
CANCEL = "Cancel"


def channel_picker_input(block_id: BlockId, action_id: ActionId) -> Block:
    """The picker input block (public and private channels, no bot users)."""
    element = {
        "type": "conversations_select",
        "action_id": action_id.value,
        "placeholder": plain("Choose a channel"),
        "default_to_current_conversation": True,
        "response_url_enabled": True,
        "filter": {"include": ["public", "private"], "exclude_bot_users": True},
    }
    return input_block(CHANNEL_LABEL, element, block_id=block_id, hint=CHANNEL_HINT)


def subscribe_modal(callback_id: CallbackId, title: str, blocks: Sequence[Block]) -> View:
    """A subscribe form's modal: ``title``, Subscribe and Cancel, the ``blocks``."""
    return {
        "type": "modal",
        "callback_id": callback_id.value,
        "title": plain(title),
        "submit": plain(SUBMIT),
        "close": plain(CANCEL),
        "blocks": list(blocks),
    }


def open_form_message(text: str, label: str, action_id: ActionId) -> Message:
    """``text`` with a primary button (``label``) that opens the form."""
    return message(text, [section(text), actions([button(label, action_id, style="primary")])])
