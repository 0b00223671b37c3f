from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.blocks.ids import ActionId, decode_meta
from bot.blocks.region_card import render_region_card, render_region_cards_message
from bot.viewmodels import RegionCardVM, RegionState
from tests.blocks.factories import EVIL
from tests.blocks.helpers import assert_valid_message, elements, joined

URL = "https://hilal.example/amazon/oauth/start?region=eu&t=abc"


def card(state: RegionState, **kw: object) -> RegionCardVM:
    values: dict[str, object] = {
        "region": "eu",
        "region_name": "Europe",
        "state": state,
        "connect_url": URL,
        "marketplaces": (("DE", "Acme GmbH"), ("FR", "Acme GmbH")),
        "last_sync": datetime(2026, 5, 14, 9, 12, tzinfo=UTC),
        "next_sync": datetime(2026, 5, 14, 10, 12, tzinfo=UTC),
    }
    values.update(kw)
    return RegionCardVM(**values)  # type: ignore[arg-type]


def buttons(vm: RegionCardVM) -> dict[str, dict[str, object]]:
    return {b["action_id"]: b for b in elements(render_region_card(vm), "button")}


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("not_connected", {ActionId.REGION_CONNECT}),
        (
            "connected",
            {ActionId.REGION_EDIT_MARKETPLACES, ActionId.REGION_SYNC_NOW, ActionId.REGION_DISCONNECT},
        ),
        ("syncing", {ActionId.REGION_EDIT_MARKETPLACES, ActionId.REGION_DISCONNECT}),
        (
            "reconnect_needed",
            {ActionId.REGION_RECONNECT, ActionId.REGION_EDIT_MARKETPLACES, ActionId.REGION_DISCONNECT},
        ),
        ("disconnected", {ActionId.REGION_RECONNECT}),
    ],
)
def test_buttons_follow_the_state(state: RegionState, expected: set[str]) -> None:
    vm = card(state)
    assert set(buttons(vm)) == expected
    assert_valid_message(render_region_cards_message([vm]))


def test_connect_and_reconnect_are_link_buttons() -> None:
    assert buttons(card("not_connected"))[ActionId.REGION_CONNECT]["url"] == URL
    assert buttons(card("disconnected"))[ActionId.REGION_RECONNECT]["url"] == URL
    assert buttons(card("not_connected", connect_url=None)) == {}


def test_button_values_carry_the_region() -> None:
    for button in buttons(card("connected")).values():
        assert decode_meta(str(button["value"])) == {"region": "eu"}


def test_disconnect_is_danger_with_a_confirm_that_says_what_is_kept() -> None:
    disconnect = buttons(card("connected"))[ActionId.REGION_DISCONNECT]
    assert disconnect["style"] == "danger"
    confirm = joined(disconnect["confirm"])
    for kept in ("history", "campaigns as of the last sync", "tags", "notes", "saved views", "selection"):
        assert kept in confirm


def test_disconnected_card_says_history_is_kept() -> None:
    text = joined(render_region_card(card("disconnected")))
    assert "history kept" in text.lower()
    assert "Next sync" not in text


def test_syncing_card_shows_progress_and_warning() -> None:
    text = joined(
        render_region_card(card("syncing", sync_progress="2 of 3 marketplaces", warning="Slow API"))
    )
    assert "Syncing — 2 of 3 marketplaces" in text
    assert "⚠️ Slow API" in text


def test_many_marketplaces_are_summarised_and_escaped() -> None:
    vm = card("connected", marketplaces=tuple(("DE", f"{EVIL} {i}") for i in range(14)))
    text = joined(render_region_card(vm))
    assert "and 4 more" in text
    assert "<!channel>" not in text and "&lt;!channel&gt;" in text


def test_three_cards_have_unique_block_ids() -> None:
    cards = [card("connected", region=r) for r in ("na", "eu", "fe")]
    msg = render_region_cards_message(cards)
    assert_valid_message(msg)
    assert msg["text"].startswith("Amazon Ads regions:")
    assert "Europe: connected" in msg["text"]


def test_render_key_changes_block_ids() -> None:
    first = render_region_card(card("connected"))
    second = render_region_card(card("connected", render_key="2"))
    assert first[0]["block_id"] != second[0]["block_id"]


def test_sync_times_are_shown_in_each_readers_own_zone() -> None:
    from datetime import UTC, datetime

    last = datetime(2026, 11, 29, 5, 0, tzinfo=UTC)
    text = joined(render_region_card(card("connected", last_sync=last, next_sync=last.replace(hour=6))))
    assert "Last sync: <!date^1795928400^{date_short_pretty} {time}|2026-11-29 05:00 UTC>" in text
    assert "Next sync: <!date^1795932000^{date_short_pretty} {time}|2026-11-29 06:00 UTC>" in text


def test_a_region_whose_reports_are_with_amazon_says_performance_is_still_loading() -> None:
    from datetime import UTC, datetime

    asked = datetime(2026, 11, 29, 14, 5, tzinfo=UTC)
    loading = card("connected", reports_loading=3, loading_since=asked)
    text = joined(render_region_card(loading))
    assert "Performance still loading: Amazon is preparing 3 reports (asked <!date^" in text
    assert "|2026-11-29 14:05 UTC>)" in text
    assert "still loading" not in joined(render_region_card(card("connected")))
    assert "still loading" not in joined(render_region_card(card("disconnected", reports_loading=3)))


def test_connected_without_saved_marketplaces_shows_one_state() -> None:
    vm = card("connected", needs_marketplaces=True)
    msg = render_region_cards_message([vm])
    assert_valid_message(msg)
    text = joined(msg["blocks"])
    assert "🟡 Choose marketplaces" in text and "Connected — marketplaces not chosen yet" in text
    assert "🟢 Connected" not in text and "Previous selection (not saved yet): 🇩🇪 DE" in text
    assert set(buttons(vm)) == {ActionId.REGION_EDIT_MARKETPLACES, ActionId.REGION_DISCONNECT}
    assert buttons(vm)[ActionId.REGION_EDIT_MARKETPLACES]["style"] == "primary"
    assert msg["text"].endswith("Europe: connected — marketplaces not chosen yet")


@pytest.mark.parametrize("state", ["syncing", "reconnect_needed", "disconnected", "not_connected"])
def test_needs_marketplaces_changes_only_a_connected_card(state: RegionState) -> None:
    assert render_region_card(card(state, needs_marketplaces=True)) == render_region_card(card(state))
