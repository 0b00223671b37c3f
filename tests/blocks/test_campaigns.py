from __future__ import annotations

from decimal import Decimal

import pytest

from bot.blocks.campaigns import (
    HOME_PAGE_SIZE,
    MESSAGE_PAGE_SIZE,
    render_campaign_details,
    render_campaign_list,
    render_campaign_message,
    summarize_filter,
)
from bot.blocks.ids import ActionId, CampaignOp, decode_meta
from bot.blocks.limits import check_blocks, total_text_length
from bot.viewmodels import (
    AdGroupVM,
    CampaignDetailVM,
    CampaignFilterVM,
    CampaignPageVM,
    KeywordVM,
    Money,
    NoteVM,
)
from bot.viewmodels.campaigns import acos
from tests.blocks.factories import EVIL, SYNCED_AT, eur, long_row, page, row
from tests.blocks.helpers import assert_valid_message, assert_valid_view, elements, joined


def block_ids(blocks: list[dict[str, object]]) -> list[str]:
    return [str(b.get("block_id", "")) for b in blocks]


def test_region_filter_is_the_first_block_and_a_section_multi_select() -> None:
    msg = render_campaign_message(page(3, regions=["eu", "na"]))
    assert_valid_message(msg)
    first = msg["blocks"][1]
    assert first["block_id"].startswith("campaigns.filter.region")
    select = first["accessory"]
    assert select["type"] == "multi_static_select"
    assert select["action_id"] == ActionId.CAMPAIGNS_FILTER_REGION
    assert [o["value"] for o in select["options"]] == ["na", "eu", "fe"]
    assert [o["value"] for o in select["initial_options"]] == ["na", "eu"]


def test_filters_show_current_selection_and_actions() -> None:
    blocks = render_campaign_list(page(2, marketplaces=["DE"], states=["paused"], tags=["brand"], search="x"))
    by_action = {
        e["action_id"]: e
        for kind in ("multi_static_select", "static_select", "button")
        for e in elements(blocks, kind)
    }
    assert [o["value"] for o in by_action[ActionId.CAMPAIGNS_FILTER_MARKETPLACE]["initial_options"]] == ["DE"]
    assert [o["value"] for o in by_action[ActionId.CAMPAIGNS_FILTER_STATE]["initial_options"]] == ["paused"]
    assert [o["value"] for o in by_action[ActionId.CAMPAIGNS_FILTER_TAG]["initial_options"]] == ["brand"]
    assert by_action[ActionId.CAMPAIGNS_FILTER_SORT]["initial_option"]["value"] == "spend"
    assert by_action[ActionId.CAMPAIGNS_FILTER_SEARCH]["text"]["text"] == "🔍 “x”"
    assert ActionId.CAMPAIGNS_FILTER_CLEAR in by_action
    assert ActionId.CAMPAIGNS_SAVE_VIEW in by_action


def test_unknown_filter_values_are_not_preselected() -> None:
    blocks = render_campaign_list(page(1, marketplaces=["fe:JP"], tags=["gone"]))
    assert check_blocks(blocks) == []
    for select in elements(blocks, "multi_static_select"):
        assert "initial_options" not in select


def test_each_row_shows_the_campaign_and_an_overflow() -> None:
    blocks = render_campaign_list(page(2))
    rows = [b for b in blocks if str(b.get("block_id", "")).startswith("campaigns.row")]
    assert len(rows) == 2
    text = rows[1]["text"]["text"]
    for part in (
        "*Brand exact 2*",
        "🇩🇪 DE",
        "SP",
        "enabled",
        "Budget €50.00 / day",
        "spend €123.40",
        "sales €456.00",
        "ACOS 27.1%",
        "🏷 brand",
        "📝 note",
    ):
        assert part in text
    overflow = rows[1]["accessory"]
    assert overflow["action_id"] == ActionId.CAMPAIGNS_OVERFLOW
    assert [decode_meta(o["value"]) for o in overflow["options"]] == [
        {"op": op, "id": "c00002"} for op in (CampaignOp.TAG, CampaignOp.NOTE, CampaignOp.DETAILS)
    ]


def test_stale_rows_say_as_of_last_sync() -> None:
    blocks = render_campaign_list(_with_rows([row(1, stale=True)]))
    assert "as of last sync" in joined(blocks)


def _with_rows(rows: list[object], **kw: object) -> CampaignPageVM:
    base = page(0)
    values = {name: getattr(base, name) for name in base.__dataclass_fields__}
    values.update({"rows": tuple(rows), "total": len(rows), **kw})
    return CampaignPageVM(**values)


def paging_buttons(blocks: list[dict[str, object]]) -> dict[str, dict[str, object]]:
    return {
        b["action_id"]: decode_meta(b["value"])
        for b in elements(blocks, "button")
        if b["action_id"] in (ActionId.CAMPAIGNS_PAGE_PREV, ActionId.CAMPAIGNS_PAGE_NEXT)
    }


def test_middle_page_has_count_and_both_directions() -> None:
    msg = render_campaign_message(page(20, total=412, offset=40))
    assert_valid_message(msg)
    assert "41\u201360 of 412" in joined(msg["blocks"])
    assert msg["text"] == "Campaigns 41\u201360 of 412"
    assert paging_buttons(msg["blocks"]) == {
        ActionId.CAMPAIGNS_PAGE_PREV: {"offset": 20},
        ActionId.CAMPAIGNS_PAGE_NEXT: {"offset": 60},
    }


def test_exactly_one_page_has_no_paging() -> None:
    blocks = render_campaign_list(page(20, total=20))
    assert paging_buttons(blocks) == {}
    assert "1\u201320 of 20" in joined(blocks)


def test_last_page_has_only_previous() -> None:
    blocks = render_campaign_list(page(12, total=412, offset=400))
    assert set(paging_buttons(blocks)) == {ActionId.CAMPAIGNS_PAGE_PREV}
    assert "401\u2013412 of 412" in joined(blocks)


def test_zero_results_say_so_and_how_to_widen() -> None:
    msg = render_campaign_message(page(0, regions=["fe"], search="nothing"))
    assert_valid_message(msg)
    text = joined(msg["blocks"])
    assert "No campaigns match these filters" in text and "widening" in text
    assert msg["text"] == "No campaigns match these filters."
    unfiltered = render_campaign_message(page(0))
    assert "No campaigns yet" in joined(unfiltered["blocks"])


@pytest.mark.parametrize("surface", ["message", "home"])
def test_worst_case_page_stays_within_limits(surface: str) -> None:
    size = MESSAGE_PAGE_SIZE if surface == "message" else HOME_PAGE_SIZE
    vm = _with_rows(
        [long_row(i) for i in range(size + 5)],
        total=10_000,
        offset=20,
        marketplace_options=tuple("M" * 72 + f"{i:03d}" for i in range(150)),
        tag_options=tuple("T" * 80 + str(i) for i in range(120)),
        filter=CampaignFilterVM(search="S" * 100, tags=("T" * 80 + "1",)),
    )
    blocks = render_campaign_list(vm, surface=surface)  # type: ignore[arg-type]
    rows = [b for b in blocks if str(b.get("block_id", "")).startswith("campaigns.row")]
    assert len(rows) == size
    if surface == "message":
        msg = render_campaign_message(vm)
        assert_valid_message(msg)
        assert len(msg["blocks"]) <= 50 and total_text_length(msg["blocks"]) <= 10_000
    else:
        assert check_blocks(blocks, surface="home") == []
        assert len(blocks) <= 40


def test_campaign_names_are_escaped() -> None:
    text = joined(render_campaign_list(_with_rows([row(1, name=EVIL, tags=(EVIL,))])))
    assert "<!channel>" not in text and "<https://" not in text
    assert "&lt;!channel&gt; &amp; &lt;https://evil.example|click&gt;" in text


def test_summarize_filter() -> None:
    assert summarize_filter(CampaignFilterVM()) == "All regions · by spend"
    flt = CampaignFilterVM(
        regions=("eu",),
        marketplaces=("eu:DE",),
        states=("enabled",),
        tags=("a", "b"),
        search="x",
        sort="acos",
    )
    assert summarize_filter(flt, {"eu:DE": "🇩🇪 DE"}) == "EU · 🇩🇪 DE · enabled · tag a, b · “x” · by acos"


def detail(**kw: object) -> CampaignDetailVM:
    values: dict[str, object] = {
        "campaign": row(1, stale=True, tags=("brand", "q4")),
        "ad_groups": tuple(AdGroupVM(f"Group {i}", "enabled", eur("0.50"), eur("1.00")) for i in range(20)),
        "ad_groups_total": 42,
        "top_keywords": tuple(
            KeywordVM(f"kw {i}", "exact", eur("0.40"), eur("2.00"), eur("9.00")) for i in range(12)
        ),
        "notes": tuple(NoteVM("U0123", f"2025-05-{i + 1:02d}", f"Note {i} {EVIL}") for i in range(12)),
        "amazon_campaign_id": "1234567890",
        "synced_at": SYNCED_AT,
    }
    values.update(kw)
    return CampaignDetailVM(**values)  # type: ignore[arg-type]


def test_details_modal() -> None:
    view = render_campaign_details(detail())
    assert_valid_view(view)
    assert view["callback_id"] == "campaigns.details" and "submit" not in view
    assert decode_meta(view["private_metadata"]) == {"id": "c00001"}
    text = joined(view["blocks"])
    for part in (
        "Ad groups* (15 of 42)",
        "kw 9",
        "<@U0123> · 2025-05-01",
        "as of the last sync",
        "older notes",
        "brand, q4",
        "`1234567890`",
    ):
        assert part in text
    assert "kw 10" not in text and "<!channel>" not in text


def test_details_modal_empty_and_long() -> None:
    empty = render_campaign_details(
        detail(ad_groups=(), top_keywords=(), notes=(), synced_at=None, campaign=row(1, name="N" * 400))
    )
    assert_valid_view(empty)
    assert "No notes yet" in joined(empty["blocks"]) and "None synced" in joined(empty["blocks"])
    huge = render_campaign_details(detail(notes=tuple(NoteVM("U1", "d", "x" * 3000) for _ in range(10))))
    assert_valid_view(huge)


def test_the_at_risk_filter_is_a_checkbox_next_to_sort_and_in_the_summary() -> None:
    for at_risk in (False, True):
        msg = render_campaign_message(page(3, at_risk=at_risk))
        assert_valid_message(msg)
        (box,) = elements(msg["blocks"], "checkboxes")
        assert box["action_id"] == ActionId.CAMPAIGNS_FILTER_AT_RISK
        assert [o["value"] for o in box["options"]] == ["at_risk"]
        assert "≥ 80 %" in box["options"][0]["text"]["text"]
        assert [o["value"] for o in box.get("initial_options", [])] == (["at_risk"] if at_risk else [])
        actions = next(b for b in msg["blocks"] if b["type"] == "actions")
        assert box in actions["elements"]  # shares the sort's actions block: no block added
        clear = [
            e for e in elements(msg["blocks"], "button") if e["action_id"] == ActionId.CAMPAIGNS_FILTER_CLEAR
        ]
        assert bool(clear) is at_risk  # ticking it is a filter the Clear button clears
    assert summarize_filter(CampaignFilterVM(at_risk=True)) == "All regions · at risk (≥ 80 %) · by spend"


@pytest.mark.parametrize("surface", ["message", "home"])
def test_the_at_risk_filter_keeps_a_full_editable_page_within_slack_limits(surface: str) -> None:
    size = MESSAGE_PAGE_SIZE if surface == "message" else HOME_PAGE_SIZE
    vm = CampaignPageVM(
        filter=CampaignFilterVM(search="S" * 100, tags=("T" * 80 + "1",), at_risk=True, sort="usage"),
        rows=[long_row(i) for i in range(size + 5)],
        total=10_000,
        offset=20,
        marketplace_options=tuple("M" * 72 + f"{i:03d}" for i in range(150)),
        tag_options=tuple("T" * 80 + str(i) for i in range(120)),
        can_edit=True,
        pausable=9_999,
        enablable=9_999,
    )
    if surface == "message":
        msg = render_campaign_message(vm)
        assert_valid_message(msg)
        assert len(msg["blocks"]) <= 50 and total_text_length(msg["blocks"]) <= 10_000
        blocks = msg["blocks"]
    else:
        blocks = render_campaign_list(vm, surface="home")
        assert check_blocks(blocks, surface="home") == []
    actions = next(b for b in blocks if b["type"] == "actions")
    assert len(actions["elements"]) <= 25
    assert any(e["type"] == "checkboxes" for e in actions["elements"])


def test_acos_is_a_ratio_within_one_currency_and_refuses_to_mix_two() -> None:
    assert acos(eur("30"), eur("120")) == Decimal("0.25")
    assert acos(eur("30"), eur("0")) is None
    with pytest.raises(ValueError, match="EUR spend over GBP sales"):
        acos(eur("30"), Money(Decimal("120"), "GBP"))
