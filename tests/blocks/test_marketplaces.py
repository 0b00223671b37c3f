from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from bot.blocks.ids import ActionId, decode_meta
from bot.blocks.limits import total_text_length
from bot.blocks.marketplaces import page_options, render_marketplace_picker
from bot.viewmodels import MarketplaceOptionVM, MarketplacePickerVM, Region
from tests.blocks.factories import EVIL, profiles
from tests.blocks.helpers import assert_valid_message, elements, joined


def picker(count: int, *, selected_every: int = 0, blocked: int = 0, **kw: object) -> MarketplacePickerVM:
    opts = profiles(count, blocked=blocked)
    selected = {o.profile_id for o in opts[::selected_every]} if selected_every else set()
    return MarketplacePickerVM(region="eu", options=opts, selected=selected, render_key="k7", **kw)  # type: ignore[arg-type]


def select_element(msg: Any) -> Any:
    found = elements(msg["blocks"], "checkboxes") + elements(msg["blocks"], "multi_static_select")
    assert len(found) == 1
    return found[0]


def option_values(element: dict[str, object]) -> list[str]:
    if "options" in element:
        return [o["value"] for o in element["options"]]  # type: ignore[attr-defined]
    return [o["value"] for g in element["option_groups"] for o in g["options"]]  # type: ignore[attr-defined]


@pytest.mark.parametrize("count", [1, 10])
def test_up_to_ten_profiles_are_checkboxes(count: int) -> None:
    msg = render_marketplace_picker(picker(count, selected_every=2))
    assert_valid_message(msg)
    element = select_element(msg)
    assert element["type"] == "checkboxes"
    assert element["action_id"] == ActionId.MARKETPLACES_SELECT
    assert len(option_values(element)) == count
    assert len(element["initial_options"]) == len(range(0, count, 2))


def test_eleven_profiles_become_a_grouped_multi_select_in_a_section() -> None:
    msg = render_marketplace_picker(picker(11, selected_every=3))
    assert_valid_message(msg)
    element = select_element(msg)
    assert element["type"] == "multi_static_select"
    holder = next(b for b in msg["blocks"] if b.get("accessory") is element)
    assert holder["type"] == "section" and holder["block_id"].endswith("#k7")
    assert [g["label"]["text"] for g in element["option_groups"]] == [
        "Account 0 · Vendor",
        "Account 1 · Seller",
        "Account 2 · Vendor",
        "Account 0 · Seller",
        "Account 1 · Vendor",
        "Account 2 · Seller",
    ]
    assert len(option_values(element)) == 11
    assert not elements(msg["blocks"], "button")[0]["action_id"].endswith("page_next")


def test_three_hundred_profiles_are_paged_with_selection_kept_server_side() -> None:
    vm = picker(300, selected_every=7, blocked=25)
    pages = [render_marketplace_picker(replace(vm, page=p)) for p in range(3)]
    seen: list[str] = []
    for index, msg in enumerate(pages):
        assert_valid_message(msg)
        element = select_element(msg)
        values = option_values(element)
        assert len(values) == 100
        seen += values
        initial = {o["value"] for o in element.get("initial_options", [])}
        assert initial == {v for v in values if v in vm.selected}
        actions = {b["action_id"]: decode_meta(b["value"]) for b in elements(msg["blocks"], "button")}
        assert (ActionId.MARKETPLACES_PAGE_PREV in actions) == (index > 0)
        assert (ActionId.MARKETPLACES_PAGE_NEXT in actions) == (index < 2)
        assert actions[ActionId.MARKETPLACES_SAVE] == {"region": "eu", "page": index}
        assert f"Page {index + 1} of 3" in joined(msg["blocks"])
        assert "Selected: 43 of 300 marketplaces" in joined(msg["blocks"])
    assert len(set(seen)) == 300
    assert page_options(vm.options, 99)[1:] == (2, 3)
    assert page_options(vm.options, -4)[1:] == (0, 3)


def test_non_selectable_profiles_are_explained_not_offered() -> None:
    opts = [
        *profiles(3),
        MarketplaceOptionVM("9", "US", "Big Agency", "agency", selectable=False),
        MarketplaceOptionVM("8", "CA", "Viewer", "seller", view_only=True, selectable=False),
        MarketplaceOptionVM("7", "MX", EVIL, "seller", selectable=False, reason=EVIL),
    ]
    msg = render_marketplace_picker(MarketplacePickerVM(region=Region.NA, options=opts))
    assert_valid_message(msg)
    assert set(option_values(select_element(msg))) == {o.profile_id for o in opts[:3]}
    text = joined(msg["blocks"])
    assert "Shown but not selectable" in text
    assert "Big Agency (Agency): agency account" in text
    assert "Viewer (Seller · view only): view-only access" in text
    assert "<!channel>" not in text


def test_reconnect_pre_ticks_and_asks_to_confirm() -> None:
    msg = render_marketplace_picker(picker(4, selected_every=1, reconnect=True))
    assert "previous selection is ticked" in joined(msg["blocks"])
    assert len(select_element(msg)["initial_options"]) == 4


def test_nothing_selectable() -> None:
    msg = render_marketplace_picker(picker(0, blocked=2))
    assert_valid_message(msg)
    assert "can be managed by Hilal" in joined(msg["blocks"])
    assert elements(msg["blocks"], "button") == []


def test_long_account_names_shrink_to_stay_within_the_text_budget() -> None:
    opts = [
        MarketplaceOptionVM(str(i), "DE", f"{i} " + "Very long account name " * 5, "seller")
        for i in range(100)
    ]
    msg = render_marketplace_picker(
        MarketplacePickerVM(
            region=Region.EU, options=opts, selected={o.profile_id for o in opts}, render_key="x"
        )
    )
    assert_valid_message(msg)
    assert total_text_length(msg["blocks"]) <= 10_000


def test_options_name_country_account_and_profile_id_within_75_chars() -> None:
    opts = [
        MarketplaceOptionVM("1234567890", "JP", "Acme Japan KK", "seller"),
        MarketplaceOptionVM("98765432109876", "DE", "A" * 200, "vendor"),
    ]
    msg = render_marketplace_picker(MarketplacePickerVM(region=Region.FE, options=opts))
    assert_valid_message(msg)
    labels = [o["text"]["text"] for o in select_element(msg)["options"]]
    assert labels[0] == "🇯🇵 JP · Acme Japan KK (1234567890)"
    assert labels[1].startswith("🇩🇪 DE · AAA") and labels[1].endswith("… (98765432109876)")
    assert all(len(label) <= 75 for label in labels)


def test_grouped_options_keep_the_profile_id_when_labels_shrink() -> None:
    opts = [replace(o, account_name="&<>" * 60) for o in profiles(100)]
    msg = render_marketplace_picker(MarketplacePickerVM(region=Region.EU, options=opts))
    assert_valid_message(msg)
    shown = [o for g in select_element(msg)["option_groups"] for o in g["options"]]
    assert len(shown) == 100
    assert all(o["text"]["text"].endswith(f"({o['value']})") for o in shown)


def test_select_all_and_clear_carry_the_picker() -> None:
    msg = render_marketplace_picker(picker(4), picker_id="p1")
    found = {b["action_id"]: decode_meta(b["value"]) for b in elements(msg["blocks"], "button")}
    for action in (ActionId.MARKETPLACES_SELECT_ALL, ActionId.MARKETPLACES_CLEAR):
        assert found[action] == {"region": "eu", "page": 0, "picker": "p1"}
