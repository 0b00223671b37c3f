from __future__ import annotations

from typing import Any

from bot.blocks.ids import ActionId, BlockId, CallbackId, decode_meta
from bot.blocks.modals import (
    render_choose_campaign,
    render_disconnect_confirm,
    render_note_modal,
    render_save_view_modal,
    render_search_modal,
    render_tag_modal,
)
from bot.viewmodels import CampaignMatchVM
from tests.blocks.factories import EVIL
from tests.blocks.helpers import assert_valid_message, assert_valid_view, elements, joined


def inputs(view: Any) -> dict[str, Any]:
    return {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}


def test_tag_modal_adds_and_removes() -> None:
    view = render_tag_modal(EVIL, "c1", ["brand", "q4"])
    assert_valid_view(view)
    assert view["callback_id"] == CallbackId.TAG
    assert decode_meta(view["private_metadata"]) == {"id": "c1"}
    fields = inputs(view)
    assert fields[BlockId.TAG_ADD]["element"]["action_id"] == ActionId.TAG_ADD
    assert fields[BlockId.TAG_ADD]["optional"] is True
    remove = fields[BlockId.TAG_REMOVE]["element"]
    assert [o["value"] for o in remove["options"]] == ["brand", "q4"]
    assert "<!channel>" not in joined(view["blocks"])


def test_tag_modal_without_tags_requires_a_new_one() -> None:
    view = render_tag_modal("Camp", "c1")
    assert_valid_view(view)
    assert set(inputs(view)) == {BlockId.TAG_ADD}
    assert "optional" not in inputs(view)[BlockId.TAG_ADD]


def test_note_modal() -> None:
    view = render_note_modal("Camp", "c9", initial_text="draft " * 1000)
    assert_valid_view(view)
    element = inputs(view)[BlockId.NOTE_TEXT]["element"]
    assert element["multiline"] is True and len(element["initial_value"]) <= element["max_length"]


def test_search_modal_keeps_current_and_metadata() -> None:
    view = render_search_modal("brand", metadata={"surface": "home"})
    assert_valid_view(view)
    assert inputs(view)[BlockId.SEARCH_TEXT]["element"]["initial_value"] == "brand"
    assert decode_meta(view["private_metadata"]) == {"surface": "home"}
    empty = render_search_modal(None)
    assert_valid_view(empty)
    assert "private_metadata" not in empty


def test_save_view_modal() -> None:
    view = render_save_view_modal("EU · " + EVIL)
    assert_valid_view(view)
    fields = inputs(view)
    assert set(fields) == {BlockId.SAVE_VIEW_NAME, BlockId.SAVE_VIEW_SHARED}
    assert fields[BlockId.SAVE_VIEW_SHARED]["element"]["type"] == "checkboxes"
    assert "Filter: EU · &lt;!channel&gt;" in joined(view["blocks"])


def match(i: int) -> CampaignMatchVM:
    return CampaignMatchVM(f"c{i}", f"Brand {i}", "eu", "DE", "SP", "enabled")


def test_choose_campaign_offers_matches_and_keeps_the_pending_operation() -> None:
    view = render_choose_campaign([match(1), match(2)], query="brand", pending={"op": "tag", "tag": "q4"})
    assert_valid_view(view)
    select = inputs(view)[BlockId.CHOOSE_CAMPAIGN]["element"]
    assert [o["value"] for o in select["options"]] == ["c1", "c2"]
    assert select["options"][0]["description"]["text"] == "🇩🇪 DE · SP · enabled"
    assert decode_meta(view["private_metadata"]) == {"op": "tag", "tag": "q4"}
    assert "Several campaigns match “brand”" in joined(view["blocks"])


def test_choose_campaign_caps_at_100() -> None:
    view = render_choose_campaign([match(i) for i in range(130)])
    assert_valid_view(view)
    assert "first 100 of 130" in joined(view["blocks"])


def test_disconnect_confirm_message() -> None:
    msg = render_disconnect_confirm("eu")
    assert_valid_message(msg)
    buttons = {b["action_id"]: b for b in elements(msg["blocks"], "button")}
    assert buttons[ActionId.REGION_DISCONNECT]["style"] == "danger"
    assert decode_meta(buttons[ActionId.REGION_DISCONNECT]["value"]) == {"region": "eu"}
    assert ActionId.REGION_DISCONNECT_CANCEL in buttons
    assert "Disconnect Europe (EU)?" in msg["text"] and "tags, notes" in msg["text"]
