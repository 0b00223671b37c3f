"""Subscribing a channel to budget alerts from a form: the modal, and the button that opens it when the
command could not open it by itself.

The modal's inputs use fixed ``BlockId`` / ``ActionId`` pairs (``BlockId.ALERTS_KIND`` …), so its
submission is read from ``view.state.values`` and problems go back keyed by those block ids. As in the
digest form, the channel picker starts on the conversation the modal was opened from
(``default_to_current_conversation``) and asks Slack for a ``response_url`` into the picked channel
(``response_url_enabled``), where the answer goes.
"""

from __future__ import annotations

from typing import Any

from bot.blocks.channel_picker import channel_picker_input, open_form_message, subscribe_modal
from bot.blocks.common import (
    Block,
    Message,
    View,
    input_block,
    multi_static_select,
    option,
    region_choices,
    region_name,
)
from bot.blocks.format import flag
from bot.blocks.ids import ActionId, BlockId, CallbackId
from bot.blocks.limits import MAX_OPTION_VALUE, MAX_SELECT_OPTIONS
from bot.viewmodels.pacing import AlertFormVM

__all__ = [
    "AT_RISK",
    "OUT_OF_BUDGET",
    "render_alerts_modal",
    "render_open_alerts",
]

OUT_OF_BUDGET = "out_of_budget"
AT_RISK = "at_risk"
TITLE = "Budget alerts"
KIND_LABEL = "Alert when a campaign"
KIND_OUT = "Runs out of budget"
KIND_AT_RISK = "Reaches the percentage below, and when it runs out"
THRESHOLD_LABEL = "At risk from (% of today's budget)"
THRESHOLD_HINT = "Used only for “reaches the percentage”: a whole number from 1 to 99."
REGIONS_LABEL = "Regions"
REGIONS_HINT = "Leave all unticked for every connected region."
MARKETPLACES_LABEL = "Marketplaces"
MARKETPLACES_HINT = "Leave empty for every marketplace of the regions above."
OPEN_TEXT = "Set up budget alerts: pick the channel, when to alert and where."
OPEN_BUTTON = "Set up alerts…"


def _kind_input() -> Block:
    choices = [option(KIND_OUT, OUT_OF_BUDGET), option(KIND_AT_RISK, AT_RISK)]
    element = {
        "type": "radio_buttons",
        "action_id": ActionId.ALERTS_KIND.value,
        "options": choices,
        "initial_option": choices[0],
    }
    return input_block(KIND_LABEL, element, block_id=BlockId.ALERTS_KIND)


def _threshold_input(threshold: int) -> Block:
    element = {
        "type": "number_input",
        "action_id": ActionId.ALERTS_THRESHOLD.value,
        "is_decimal_allowed": False,
        "initial_value": str(min(max(threshold, 1), 99)),
        "min_value": "1",
        "max_value": "99",
    }
    return input_block(
        THRESHOLD_LABEL, element, block_id=BlockId.ALERTS_THRESHOLD, optional=True, hint=THRESHOLD_HINT
    )


def _regions_input() -> Block:
    element = {
        "type": "checkboxes",
        "action_id": ActionId.ALERTS_REGIONS.value,
        "options": [option(label, code) for code, label in region_choices()],
    }
    return input_block(
        REGIONS_LABEL, element, block_id=BlockId.ALERTS_REGIONS, optional=True, hint=REGIONS_HINT
    )


def _marketplaces_input(marketplaces: tuple[tuple[str, str], ...]) -> Block | None:
    offered: dict[str, dict[str, Any]] = {}
    for region, country in marketplaces:
        if 0 < len(country) <= MAX_OPTION_VALUE and country not in offered:
            offered[country] = option(f"{flag(country)} {country} · {region_name(region)}", country)
    if not offered:
        return None
    element = multi_static_select(
        ActionId.ALERTS_MARKETPLACES,
        placeholder="Every marketplace",
        options=list(offered.values())[:MAX_SELECT_OPTIONS],
    )
    return input_block(
        MARKETPLACES_LABEL,
        element,
        block_id=BlockId.ALERTS_MARKETPLACES,
        optional=True,
        hint=MARKETPLACES_HINT,
    )


def render_alerts_modal(vm: AlertFormVM) -> View:
    """The alerts form: channel (current one first), kind, threshold, regions, marketplaces.

    Args:
        vm: The marketplaces to offer (none: no marketplace input) and the threshold filled in.

    Returns:
        The modal (``CallbackId.ALERTS_SUBSCRIBE``).
    """
    blocks = [
        channel_picker_input(BlockId.ALERTS_CHANNEL, ActionId.ALERTS_CHANNEL),
        _kind_input(),
        _threshold_input(vm.threshold),
        _regions_input(),
    ]
    markets = _marketplaces_input(vm.marketplaces)
    if markets is not None:
        blocks.append(markets)
    return subscribe_modal(CallbackId.ALERTS_SUBSCRIBE, TITLE, blocks)


def render_open_alerts() -> Message:
    """A message with a button opening the alerts form (when the command could not open it itself)."""
    return open_form_message(OPEN_TEXT, OPEN_BUTTON, ActionId.ALERTS_OPEN)
