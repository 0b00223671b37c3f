"""The budget alerts form and its "Set up alerts…" button, checked against Slack's limits."""

from __future__ import annotations

from typing import Any

from bot.blocks.alerts import render_alerts_subscribed
from bot.blocks.alerts_subscribe import render_alerts_modal, render_open_alerts
from bot.blocks.ids import ActionId, BlockId, CallbackId
from bot.viewmodels.pacing import AlertFormVM, AlertSubscriptionVM
from tests.blocks.factories import EVIL
from tests.blocks.helpers import assert_valid_message, assert_valid_view, joined


def inputs(view: Any) -> dict[str, Any]:
    return {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}


def test_the_form_starts_on_this_channel_out_of_budget_with_80_ready() -> None:
    view = render_alerts_modal(AlertFormVM(marketplaces=(("eu", "DE"), ("na", "US"), ("eu", "DE"))))

    assert_valid_view(view)
    assert view["callback_id"] == CallbackId.ALERTS_SUBSCRIBE and "private_metadata" not in view
    fields = inputs(view)
    assert list(fields) == [
        BlockId.ALERTS_CHANNEL,
        BlockId.ALERTS_KIND,
        BlockId.ALERTS_THRESHOLD,
        BlockId.ALERTS_REGIONS,
        BlockId.ALERTS_MARKETPLACES,
    ]
    channel = fields[BlockId.ALERTS_CHANNEL]["element"]
    assert channel["type"] == "conversations_select" and channel["action_id"] == ActionId.ALERTS_CHANNEL
    assert channel["default_to_current_conversation"] is True and channel["response_url_enabled"] is True
    kind = fields[BlockId.ALERTS_KIND]["element"]
    assert [o["value"] for o in kind["options"]] == ["out_of_budget", "at_risk"]
    assert kind["initial_option"]["value"] == "out_of_budget"
    threshold = fields[BlockId.ALERTS_THRESHOLD]["element"]
    assert (threshold["type"], threshold["initial_value"], threshold["is_decimal_allowed"]) == (
        "number_input",
        "80",
        False,
    )
    assert [o["value"] for o in fields[BlockId.ALERTS_REGIONS]["element"]["options"]] == ["na", "eu", "fe"]
    markets = fields[BlockId.ALERTS_MARKETPLACES]["element"]
    assert [o["value"] for o in markets["options"]] == ["DE", "US"]  # each once
    assert "initial_options" not in markets
    for optional in (BlockId.ALERTS_THRESHOLD, BlockId.ALERTS_REGIONS, BlockId.ALERTS_MARKETPLACES):
        assert fields[optional]["optional"] is True


def test_without_selected_marketplaces_there_is_no_marketplace_input() -> None:
    view = render_alerts_modal(AlertFormVM())

    assert_valid_view(view)
    assert BlockId.ALERTS_MARKETPLACES not in inputs(view)


def test_hostile_and_oversized_marketplaces_stay_within_slacks_limits() -> None:
    hostile = (*(("eu", f"{EVIL} {i}") for i in range(150)), ("xx", "Z" * 151), ("", ""))

    view = render_alerts_modal(AlertFormVM(marketplaces=hostile, threshold=250))

    assert_valid_view(view)
    options = inputs(view)[BlockId.ALERTS_MARKETPLACES]["element"]["options"]
    assert len(options) == 100 and all(len(o["text"]["text"]) <= 75 for o in options)
    assert "Z" * 151 not in joined(view)
    assert inputs(view)[BlockId.ALERTS_THRESHOLD]["element"]["initial_value"] == "99"


def test_the_button_that_opens_the_form() -> None:
    msg = render_open_alerts()

    assert_valid_message(msg)
    (button,) = msg["blocks"][1]["elements"]
    assert (button["action_id"], button["text"]["text"]) == (ActionId.ALERTS_OPEN, "Set up alerts…")


def test_the_answer_says_what_it_replaced() -> None:
    old = AlertSubscriptionVM("C0PPC", 100, (), (), f"channel {EVIL}")
    new = AlertSubscriptionVM("C0PPC", 80, ("eu",), ("DE",), None)

    msg = render_alerts_subscribed(new, replaced=old)

    assert_valid_message(msg)
    assert msg["text"] == (
        "Budget alerts on in <#C0PPC>: a message when an enabled campaign "
        "(Sponsored Products, Brands or Display) reaches 80 % "
        "or runs out of budget (EU, DE), once per campaign per marketplace day.\n"
        "They replace the alerts this channel had: out of budget · all regions · all marketplaces · "
        "*paused*: channel &lt;!channel&gt; &amp; &lt;https://evil.example|click&gt; *bold*."
    )
    assert "replace" not in render_alerts_subscribed(new, replaced=None)["text"]
