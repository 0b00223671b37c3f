"""The limits checker catches each rule, including those slack_sdk does not check."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from bot.blocks.common import button, context, header, input_block, option, plain, section
from bot.blocks.limits import (
    BlockKitLimitError,
    assert_valid_message,
    assert_valid_view,
    check_blocks,
    check_message,
    check_view,
    total_text_length,
)


def opts(count: int, prefix: str = "o") -> list[dict[str, Any]]:
    return [option(f"{prefix}{i}", f"{prefix}{i}") for i in range(count)]


def msg(*blocks: dict[str, Any], text: str = "fallback") -> dict[str, Any]:
    return {"text": text, "blocks": list(blocks)}


def modal(*blocks: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"type": "modal", "title": plain("Title"), "blocks": list(blocks), **extra}


def accessory(element: dict[str, Any], block_id: str | None = None) -> dict[str, Any]:
    return section("pick", accessory=element, block_id=block_id)


def checkboxes(count: int, initial: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "checkboxes", "action_id": "a", "options": opts(count)}
    if initial is not None:
        element["initial_options"] = initial
    return element


def multi(**kw: Any) -> dict[str, Any]:
    return {"type": "multi_static_select", "action_id": "m", "placeholder": plain("p"), **kw}


def test_a_valid_message_has_no_problems() -> None:
    good = msg(header("Hi"), section("text", accessory=checkboxes(10, opts(10)[:2])))
    assert check_message(good) == []
    assert_valid_message(good)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (msg(*[section(str(i)) for i in range(51)]), "no more than 50 blocks"),
        (
            msg({"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}),
            "/blocks/0/text/text: must be at most 3000",
        ),
        (msg(section("x" * 2900), section("y" * 2900), section("z" * 2900), section("w" * 1400)), "budget"),
        (msg(section("x"), text=""), "fallback is required"),
        ({"blocks": [section("x")]}, "fallback is required"),
        (msg(text="x" * 40_001), "/text: must be at most 40000"),
        (msg(section("a", block_id="same"), section("b", block_id="same")), "duplicate block_id"),
        (msg(section("a", block_id="x" * 256)), "block_id: must be at most 255"),
        (msg(accessory(checkboxes(11))), "must hold 1 to 10 options (got 11)"),
        (msg(accessory(checkboxes(3, [option("zz", "zz")]))), "does not match any entry of options"),
        (msg(accessory(multi(options=opts(101)))), "must hold 1 to 100 options"),
        (
            msg(accessory(multi(options=opts(2), option_groups=[]))),
            "exactly one of options and option_groups",
        ),
        (msg(accessory(multi())), "exactly one of options and option_groups"),
        (msg(accessory(multi(options=opts(2), initial_options=[option("x", "x")]))), "does not match"),
        (msg(accessory({"type": "overflow", "action_id": "o", "options": opts(6)})), "1 to 5 options"),
        (msg(accessory({"type": "overflow", "action_id": "o", "options": []})), "1 to 5 options"),
        (msg(section("b", accessory=button("x", "a" * 256))), "action_id: must be at most 255"),
        (msg(section("b", accessory=button("x", "a", value="v" * 2001))), "value: must be at most 2000"),
        (msg(section("b", accessory=button("x", "a", url="u" * 3001))), "url: must be at most 3000"),
        (msg(section("b", accessory={**button("x", "a"), "text": plain("t" * 76)})), "at most 75"),
        (msg(section("b", accessory={**button("x", "a"), "style": "loud"})), "primary or danger"),
        (
            msg(accessory(multi(options=[{"text": plain("t" * 76), "value": "v"}]))),
            "text/text: must be at most 75",
        ),
        (
            msg(accessory(multi(options=[{"text": plain("t"), "value": "v" * 151}]))),
            "value: must be at most 150",
        ),
        (msg(accessory(multi(options=opts(2), max_selected_items=0))), "must be at least 1"),
        (msg({"type": "header", "text": plain("h" * 151)}), "must be at most 150"),
        (msg({"type": "header", "text": {"type": "mrkdwn", "text": "h"}}), "must be plain_text"),
        (msg({"type": "section", "fields": [plain("f")] * 11}), "1 to 10 fields"),
        (msg({"type": "section", "fields": [plain("f" * 2001)]}), "at most 2000"),
        (msg({"type": "section"}), "either text or fields"),
        (msg({"type": "section", "text": plain("")}), "non-empty"),
        (msg(context(*["c"] * 10) | {"elements": [plain("c")] * 11}), "1 to 10 elements"),
        (msg({"type": "actions", "elements": [button("b", f"a{i}") for i in range(26)]}), "1 to 25 elements"),
        (msg({"type": "actions", "elements": [button("b", "a"), button("c", "a")]}), "duplicate action_id"),
        (msg({"type": "table"}), "unknown block type"),
        (msg({"type": "image", "image_url": "https://x"}), "alt_text: is required"),
        (
            msg(section("b", accessory={**button("x", "a"), "confirm": {"title": plain("t")}})),
            "confirm/text: must be a text object",
        ),
        (
            msg(section("b", accessory={"type": "plain_text_input", "action_id": "a", "max_length": 3001})),
            "max_length: must be 1 to 3000",
        ),
    ],
)
def test_check_message_catches(body: dict[str, Any], expected: str) -> None:
    problems = check_message(body)
    assert any(expected in problem for problem in problems), problems
    with pytest.raises(BlockKitLimitError, match=r"."):
        assert_valid_message(body)


def grouped(block_id: str | None) -> dict[str, Any]:
    groups: list[dict[str, Any]] = [
        {"label": plain("A"), "options": opts(2, "a")},
        {"label": plain("B"), "options": opts(2, "b")},
    ]
    initial = [groups[0]["options"][0], groups[1]["options"][1]]
    return accessory(multi(option_groups=groups, initial_options=initial), block_id=block_id)


def test_initial_options_from_several_groups_need_a_fresh_block_id() -> None:
    assert any("per-render block_id" in p for p in check_message(msg(grouped(None))))
    assert any("per-render block_id" in p for p in check_message(msg(grouped("marketplaces.select"))))
    assert check_message(msg(grouped("marketplaces.select#k1"))) == []


def test_option_groups_limits() -> None:
    many = [{"label": plain(f"g{i}"), "options": opts(1, f"g{i}-")} for i in range(101)]
    assert any("1 to 100 groups" in p for p in check_message(msg(accessory(multi(option_groups=many)))))
    long_label = [{"label": plain("L" * 76), "options": opts(1)}]
    assert any("label/text" in p for p in check_message(msg(accessory(multi(option_groups=long_label)))))


def test_multi_select_in_actions_block_is_refused_in_views_only() -> None:
    block = {"type": "actions", "elements": [multi(options=opts(2))]}
    assert check_blocks([block], surface="message") == []
    assert any("actions block" in p for p in check_blocks([block], surface="home"))
    assert any("actions block" in p for p in check_view(modal(block)))


def test_a_valid_view_has_no_problems() -> None:
    field = input_block("Name", {"type": "plain_text_input", "action_id": "n"}, block_id="n")
    good = modal(field, submit=plain("Save"), callback_id="c", private_metadata="{}")
    assert check_view(good) == []
    assert_valid_view(good)
    assert check_view({"type": "home", "blocks": [section(str(i)) for i in range(100)]}) == []


@pytest.mark.parametrize(
    ("view", "expected"),
    [
        ({"type": "home", "blocks": [section(str(i)) for i in range(101)]}, "1 to 100 blocks"),
        (modal(), "1 to 100 blocks"),
        ({"type": "page", "blocks": [section("x")]}, "must be modal or home"),
        (modal(section("x"), title=plain("t" * 25)), "/title/text: must be at most 24"),
        ({"type": "modal", "blocks": [section("x")]}, "/title: must be a text object"),
        (modal(section("x"), submit=plain("s" * 25)), "/submit/text: must be at most 24"),
        (modal(section("x"), close=plain("s" * 25)), "/close/text: must be at most 24"),
        (modal(section("x"), callback_id="c" * 256), "callback_id: must be at most 255"),
        (modal(section("x"), private_metadata="p" * 3001), "private_metadata: must be at most 3000"),
        (
            modal(input_block("L", {"type": "plain_text_input", "action_id": "a"}, block_id="b")),
            "submit: is required",
        ),
        (modal({"type": "input", "label": plain("L"), "block_id": "b"}), "element: is required"),
        (
            {"type": "home", "blocks": [section("x" * 2900, block_id=f"b{i}") for i in range(90)]},
            "bytes, more than",
        ),
    ],
)
def test_check_view_catches(view: dict[str, Any], expected: str) -> None:
    problems = check_view(view)
    assert any(expected in problem for problem in problems), problems
    with pytest.raises(BlockKitLimitError):
        assert_valid_view(view)


def test_total_text_counts_every_text_object() -> None:
    block = section("abc", accessory=multi(options=[option("de", "v")], initial_options=[option("de", "v")]))
    assert total_text_length([block]) == 3 + 1 + 2 + 2
    assert total_text_length([{"type": "divider"}]) == 0


def test_checker_survives_garbage() -> None:
    garbage = msg("not a block", {"type": "section", "text": "raw"}, {"type": "actions", "elements": "x"})  # type: ignore[arg-type]
    assert len(check_message(garbage)) >= 3
    assert check_message({"text": "t", "blocks": copy.deepcopy([{"type": "divider"}])}) == []
