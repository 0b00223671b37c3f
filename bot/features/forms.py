"""What the subscribe forms (digest, budget alerts) share: reading submitted values from
``view.state.values``, the permission and bot-in-channel checks answered under the channel picker, and
where the answer goes (the picker's ``response_url``, else an ephemeral message in the picked channel)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from slack_sdk import WebClient
from slack_sdk.webhook import WebhookClient

from bot.blocks.format import Mrkdwn
from bot.blocks.ids import ActionId, BlockId
from bot.blocks.modals import modal_error_text
from bot.errors import UserFacingError
from bot.features.base import Message
from bot.features.digest_common import channel_info, require_bot_in

__all__ = [
    "FormInvalid",
    "answer_sender",
    "bot_in_channel_problem",
    "check_allowed",
    "form_state",
    "picked_conversation",
    "ticked",
]

logger = logging.getLogger(__name__)
WHO_CAN = "Ask a workspace admin or owner, or a Hilal admin."


class FormInvalid(Exception):
    """A submission answered in the modal, under ``block``."""

    def __init__(self, block: BlockId, text: str) -> None:
        super().__init__(text)
        self.block, self.text = block, text


def form_state(view: Mapping[str, Any], block: BlockId, action: ActionId) -> Mapping[str, Any]:
    """One input's submitted state (empty when absent or malformed)."""
    values = (view.get("state") or {}).get("values") or {}
    element = (values.get(block.value) or {}).get(action.value) if isinstance(values, Mapping) else None
    return element if isinstance(element, Mapping) else {}


def ticked(view: Mapping[str, Any], block: BlockId, action: ActionId) -> list[str]:
    """The values of a checkboxes / multi-select input's chosen options."""
    chosen = form_state(view, block, action).get("selected_options") or []
    return [str(o.get("value")) for o in chosen if isinstance(o, Mapping)]


def picked_conversation(view: Mapping[str, Any], block: BlockId, action: ActionId) -> str | None:
    """The channel picked in a ``conversations_select``; None when none was."""
    channel = form_state(view, block, action).get("selected_conversation")
    return channel if isinstance(channel, str) and channel else None


def bot_in_channel_problem(client: WebClient, channel: str) -> str | None:
    """None when Hilal is in ``channel``; else the modal error text saying so (for the channel picker)."""
    try:
        require_bot_in(client, channel)
    except UserFacingError as error:
        name = channel_info(client, channel).get("name")
        names = {channel: f"#{name}" if name else "that channel"}
        hint = Mrkdwn((error.hint or "").replace("then run the command again", "then submit again"))
        return modal_error_text(error.detail, hint, names=names)
    return None


def check_allowed(client: WebClient, *, require: Callable[[], None], channel: str, block: BlockId) -> None:
    """``require()`` (the permission), then Hilal's membership of ``channel``; raises `FormInvalid` under
    ``block`` (the channel picker) for the first problem."""
    try:
        require()
    except UserFacingError as error:
        raise FormInvalid(block, modal_error_text(error.detail, WHO_CAN)) from None
    problem = bot_in_channel_problem(client, channel)
    if problem is not None:
        raise FormInvalid(block, problem)


def answer_sender(
    client: WebClient, body: Mapping[str, Any], *, block: BlockId, channel: str, user_id: str, event: str
) -> Callable[[Message], None]:
    """Where a form's answer goes: the picker's (``block``) response_url, else an ephemeral message in
    the channel. ``event`` is logged when the response_url is unreachable."""
    urls = [u for u in body.get("response_urls") or [] if isinstance(u, Mapping)]
    url = next((str(u.get("response_url")) for u in urls if u.get("block_id") == block), "")

    def send(message: Message) -> None:
        text, blocks = message.get("text", ""), message.get("blocks")
        if url:
            try:
                answer = WebhookClient(url).send(text=text, blocks=blocks, response_type="ephemeral")
            except OSError as exc:  # unreachable: say it in the channel instead
                logger.warning(event, extra={"error": type(exc).__name__})
            else:
                if answer.status_code == 200:
                    return
        client.chat_postEphemeral(channel=channel, user=user_id, text=text, blocks=blocks)

    return send
