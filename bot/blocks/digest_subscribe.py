"""Subscribing a channel to the daily digest from a form: the modal, the "replace it?" question, the
button that opens the modal when it could not open by itself.

The modal's inputs use fixed ``BlockId`` / ``ActionId`` pairs (``BlockId.DIGEST_TIME`` …), so its
submission is read from ``view.state.values`` and problems go back keyed by those block ids. The channel
picker starts on the conversation the modal was opened from (``default_to_current_conversation``) and
asks Slack for a ``response_url`` into the picked channel (``response_url_enabled``), where the answer goes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bot.blocks.channel_picker import channel_picker_input, open_form_message, subscribe_modal
from bot.blocks.common import (
    Block,
    Message,
    View,
    actions,
    button,
    input_block,
    message,
    option,
    region_choices,
    section,
    static_select,
)
from bot.blocks.format import mrkdwn_format
from bot.blocks.ids import ActionId, BlockId, CallbackId, encode_meta
from bot.blocks.limits import MAX_OPTION_VALUE, MAX_SELECT_OPTIONS

__all__ = [
    "REGION_CHOICES",
    "render_open_subscribe",
    "render_replace_prompt",
    "render_subscribe_modal",
]

REGION_CHOICES = region_choices()
TITLE = "Daily digest"
TIME_LABEL = "Time"
ZONE_LABEL = "Time zone"
ZONE_HINT = "An IANA name such as Europe/Berlin, America/New_York or UTC."
REGIONS_LABEL = "Regions"
REGIONS_HINT = "Ignored when a saved view is chosen: the view has its own regions."
VIEW_LABEL = "Saved view"
VIEW_HINT = "Optional: the digest then follows that view's filter."
CHART_LABEL = "Chart"
CHART_OPTION = "Attach the 14-day spend and sales chart"
OPEN_TEXT = "Set up a daily digest: pick the channel, time and regions."
OPEN_BUTTON = "Set up a digest…"
REPLACE_QUESTION = "{channel} already gets the daily digest: {current}.\nReplace it with {wanted}?"
REPLACE = "Replace"
KEEP = "Keep the current one"


def _checkboxes(
    action_id: ActionId, choices: Sequence[tuple[str, str]], ticked: Sequence[str]
) -> dict[str, Any]:
    opts = [option(label, value) for value, label in choices]
    element: dict[str, Any] = {"type": "checkboxes", "action_id": action_id.value, "options": opts}
    initial = [o for o in opts if o["value"] in ticked]
    if initial:
        element["initial_options"] = initial
    return element


def _view_input(views: Sequence[str]) -> Block | None:
    usable = [name for name in views if 0 < len(name) <= MAX_OPTION_VALUE][:MAX_SELECT_OPTIONS]
    if not usable:
        return None
    element = static_select(
        ActionId.DIGEST_VIEW, [option(name, name) for name in usable], placeholder="All campaigns"
    )
    return input_block(VIEW_LABEL, element, block_id=BlockId.DIGEST_VIEW, optional=True, hint=VIEW_HINT)


def render_subscribe_modal(*, timezone: str, views: Sequence[str], local_time: str = "09:00") -> View:
    """The subscribe form: channel (current one first), time, time zone, regions, saved view, chart.

    Args:
        timezone: The zone filled in (the user's own, from their Slack profile).
        views: Names of the saved views the user may use (up to 100 are offered).
        local_time: The time filled in, ``HH:MM``.

    Returns:
        The modal (``CallbackId.DIGEST_SUBSCRIBE``).
    """
    time_element = {"type": "timepicker", "action_id": ActionId.DIGEST_TIME.value, "initial_time": local_time}
    zone_element = {
        "type": "plain_text_input",
        "action_id": ActionId.DIGEST_ZONE.value,
        "initial_value": timezone,
        "max_length": 64,
    }
    blocks: list[Block] = [
        channel_picker_input(BlockId.DIGEST_CHANNEL, ActionId.DIGEST_CHANNEL),
        input_block(TIME_LABEL, time_element, block_id=BlockId.DIGEST_TIME),
        input_block(ZONE_LABEL, zone_element, block_id=BlockId.DIGEST_ZONE, hint=ZONE_HINT),
        input_block(
            REGIONS_LABEL,
            _checkboxes(ActionId.DIGEST_REGIONS, REGION_CHOICES, [code for code, _ in REGION_CHOICES]),
            block_id=BlockId.DIGEST_REGIONS,
            optional=True,
            hint=REGIONS_HINT,
        ),
    ]
    view_block = _view_input(views)
    if view_block is not None:
        blocks.append(view_block)
    chart = _checkboxes(ActionId.DIGEST_CHART, [("chart", CHART_OPTION)], [])
    blocks.append(input_block(CHART_LABEL, chart, block_id=BlockId.DIGEST_CHART, optional=True))
    return subscribe_modal(CallbackId.DIGEST_SUBSCRIBE, TITLE, blocks)


def render_open_subscribe() -> Message:
    """A message with a button opening the subscribe form (when a command could not open it itself)."""
    return open_form_message(OPEN_TEXT, OPEN_BUTTON, ActionId.DIGEST_OPEN)


def render_replace_prompt(
    *, channel: str, current: str, wanted: str, request: Mapping[str, object]
) -> Message:
    """Ask before replacing a channel's digest: Replace (carries ``request``) or keep the current one.

    Args:
        channel: The channel, as mrkdwn (a mention).
        current: The current subscription, as mrkdwn.
        wanted: The new one, as mrkdwn.
        request: What Replace subscribes (``bot.services.digest.request_meta``), ≤ 2000 characters encoded.

    Returns:
        The message.
    """
    text = mrkdwn_format(REPLACE_QUESTION, channel=channel, current=current, wanted=wanted)
    buttons = [
        button(REPLACE, ActionId.DIGEST_REPLACE, value=encode_meta(request), style="primary"),
        button(KEEP, ActionId.DIGEST_KEEP, value=encode_meta({"channel": request.get("channel")})),
    ]
    return message(text, [section(text), actions(buttons)])
