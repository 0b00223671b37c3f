"""The channel picker the subscribe forms (digest, budget alerts) share: a ``conversations_select`` that
starts on the conversation the modal was opened from (``default_to_current_conversation``) and asks Slack
for a ``response_url`` into the picked channel (``response_url_enabled``), where the form's answer goes."""

from __future__ import annotations

from bot.blocks.common import Block, input_block, plain
from bot.blocks.ids import ActionId, BlockId

__all__ = ["CHANNEL_HINT", "CHANNEL_LABEL", "channel_picker_input"]

CHANNEL_LABEL = "Channel"
CHANNEL_HINT = "Private channel? Invite Hilal there first with /invite @Hilal."


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
