"""The campaign list grouped by currency: a header per group, "continued" mid-group, the rule, limits."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from bot.blocks.campaigns import CURRENCY_RULE, render_campaign_list, render_campaign_message
from bot.blocks.format import slack_date
from bot.blocks.home import render_home
from bot.blocks.limits import MAX_BLOCKS_MESSAGE, MAX_BLOCKS_VIEW
from bot.viewmodels import CurrencyGroupVM, HomeVM
from tests.blocks.factories import EVIL, SYNCED_AT, long_row, page
from tests.blocks.helpers import assert_valid_message, assert_valid_view, joined
from tests.blocks.test_messages import cards


def _texts(blocks: list[dict[str, Any]]) -> list[str]:
    """Context lines as they read; rows as ROW."""
    out = []
    for block in blocks:
        if block["type"] == "context":
            out.append(" ".join(e["text"] for e in block["elements"]))
        elif str(block.get("block_id", "")).startswith("campaigns.row"):
            out.append("ROW")
    return out


def test_each_group_gets_a_header_before_its_first_row_and_the_rule_sits_under_the_filters() -> None:
    vm = replace(
        page(5, total=40, offset=20),
        groups=(CurrencyGroupVM("JPY", 22, 0, continued=True), CurrencyGroupVM("AUD", 1, 2)),
    )
    msg = render_campaign_message(vm)
    assert_valid_message(msg)
    assert _texts(msg["blocks"]) == [
        f"*21–25 of 40* · sorted by spend · synced {slack_date(SYNCED_AT)}\n{CURRENCY_RULE}",  # noqa: RUF001
        "*JPY · 22 campaigns* · continued",
        "ROW",
        "ROW",
        "*AUD · 1 campaign*",
        "ROW",
        "ROW",
        "ROW",
        "21–25 of 40",  # noqa: RUF001
    ]


def test_no_groups_no_headers_and_no_rule() -> None:
    text = joined(render_campaign_list(page(3)))
    assert CURRENCY_RULE not in text and "campaigns*" not in text


def test_groups_beyond_the_shown_rows_are_ignored_and_counts_are_formatted() -> None:
    vm = replace(page(2), groups=(CurrencyGroupVM("EUR", 12_345, 0), CurrencyGroupVM("USD", 3, 7)))
    texts = _texts(render_campaign_list(vm))
    assert "*EUR · 12,345 campaigns*" in texts and not any("USD" in t for t in texts)


def test_a_hostile_currency_code_is_escaped() -> None:
    vm = replace(page(1), groups=(CurrencyGroupVM(EVIL, 2, 0),))
    text = joined(render_campaign_list(vm))
    assert "<!channel>" not in text and "*&lt;!chan" in text  # escaped, cut to a code's width


def test_a_group_per_row_still_fits_a_message() -> None:
    worst = replace(
        page(0, total=900, offset=20, regions=["eu"], tags=["t"], search="x" * 100),
        rows=tuple(long_row(i) for i in range(20)),
        groups=tuple(CurrencyGroupVM(f"C{i:02d}", 1000 + i, i, continued=i == 0) for i in range(20)),
    )
    msg = render_campaign_message(worst)
    assert_valid_message(msg)
    assert len(msg["blocks"]) == MAX_BLOCKS_MESSAGE
    assert sum("campaigns*" in t for t in _texts(msg["blocks"])) == 20


def test_a_group_per_row_still_fits_app_home() -> None:
    worst = replace(
        page(0, total=900, offset=25),
        rows=tuple(long_row(i) for i in range(25)),
        groups=tuple(CurrencyGroupVM(f"C{i:02d}", 1000 + i, i) for i in range(25)),
    )
    view = render_home(HomeVM(cards(), worst, ()))
    assert_valid_view(view)
    assert len(view["blocks"]) <= MAX_BLOCKS_VIEW
    assert sum("campaigns*" in t for t in _texts(view["blocks"])) == 25
