"""Block Kit limits, as the checker sees them and as a WebClient caller sees them."""

from __future__ import annotations

from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from sandbox.slack import SlackStandIn, check_message, check_view


def section(text: str, **extra) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}, **extra}


def option(value: str, text: str | None = None) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": text or value}, "value": value}


def checkboxes(n: int, **extra) -> dict[str, Any]:
    return {
        "type": "checkboxes",
        "action_id": "pick",
        "options": [option(f"v{i}") for i in range(n)],
        **extra,
    }


def messages_of(blocks: list[Any], text: str = "fallback") -> list[str]:
    return check_message(text=text, blocks=blocks).messages


def test_a_valid_message_passes() -> None:
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": "EU region"}},
        section(
            "Connected",
            accessory={"type": "button", "action_id": "a", "text": {"type": "plain_text", "text": "Go"}},
        ),
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "last sync 5 min ago"}]},
        {"type": "divider"},
        {"type": "actions", "elements": [checkboxes(10)]},
    ]
    verdict = check_message(text="EU region", blocks=blocks)

    assert verdict.ok and verdict.warnings == ()


def test_fifty_blocks_per_message_hundred_per_view() -> None:
    assert messages_of([{"type": "divider"}] * 51) == [
        "[ERROR] no more than 50 items allowed [json-pointer:/blocks]"
    ]
    assert check_message(text="x", blocks=[{"type": "divider"}] * 50).ok
    assert check_view({"type": "home", "blocks": [{"type": "divider"}] * 100}).ok
    verdict = check_view({"type": "home", "blocks": [{"type": "divider"}] * 101})
    assert (verdict.error, verdict.messages) == (
        "invalid_arguments",
        ["[ERROR] no more than 100 items allowed [json-pointer:/view/blocks]"],
    )


@pytest.mark.parametrize(
    ("block", "expected"),
    [
        (section("x" * 3001), "[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]"),
        ({"type": "section"}, "[ERROR] must define either `text` or `fields` [json-pointer:/blocks/0/type]"),
        (
            {"type": "section", "fields": [{"type": "mrkdwn", "text": "f"}] * 11},
            "[ERROR] no more than 10 items allowed [json-pointer:/blocks/0/fields]",
        ),
        (
            {"type": "section", "fields": [{"type": "mrkdwn", "text": "f" * 2001}]},
            "[ERROR] must be less than 2001 characters [json-pointer:/blocks/0/fields/0/text]",
        ),
        (
            {"type": "header", "text": {"type": "plain_text", "text": "h" * 151}},
            "[ERROR] must be less than 151 characters [json-pointer:/blocks/0/text/text]",
        ),
        (
            {"type": "header", "text": {"type": "mrkdwn", "text": "h"}},
            "[ERROR] must be a valid enum value [json-pointer:/blocks/0/text/type]",
        ),
        (
            {"type": "context", "elements": [{"type": "plain_text", "text": "c"}] * 11},
            "[ERROR] no more than 10 items allowed [json-pointer:/blocks/0/elements]",
        ),
        (
            {"type": "actions", "elements": [checkboxes(11)]},
            "[ERROR] no more than 10 items allowed [json-pointer:/blocks/0/elements/0/options]",
        ),
        (
            {
                "type": "actions",
                "elements": [{"type": "overflow", "action_id": "o", "options": [option("v")] * 6}],
            },
            "[ERROR] no more than 5 items allowed [json-pointer:/blocks/0/elements/0/options]",
        ),
        (
            {"type": "actions", "elements": [checkboxes(1, options=[option("v" * 151, "t")])]},
            "[ERROR] must be less than 151 characters [json-pointer:/blocks/0/elements/0/options/0/value]",
        ),
        (
            {"type": "actions", "elements": [checkboxes(1, options=[option("v", "t" * 76)])]},
            "[ERROR] must be less than 76 characters [json-pointer:/blocks/0/elements/0/options/0/text/text]",
        ),
        (
            {"type": "actions", "elements": [checkboxes(2, initial_options=[option("zz")])]},
            "[ERROR] must match one of the provided options"
            " [json-pointer:/blocks/0/elements/0/initial_options/0]",
        ),
        (
            {
                "type": "actions",
                "elements": [
                    {"type": "button", "action_id": "b", "text": {"type": "plain_text", "text": "b" * 76}}
                ],
            },
            "[ERROR] must be less than 76 characters [json-pointer:/blocks/0/elements/0/text/text]",
        ),
        (
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "action_id": "b",
                        "text": {"type": "plain_text", "text": "b"},
                        "value": "v" * 2001,
                    }
                ],
            },
            "[ERROR] must be less than 2001 characters [json-pointer:/blocks/0/elements/0/value]",
        ),
        (
            {"type": "actions", "elements": [{"type": "datepicker", "action_id": "d"}] * 2},
            "[ERROR] duplicate action_id: 'd' [json-pointer:/blocks/0/elements/1/action_id]",
        ),
        ({"type": "carousel"}, "[ERROR] failed to match all allowed schemas [json-pointer:/blocks/0]"),
        (
            {"type": "section", "text": {"type": "mrkdwn", "text": "x"}, "block_id": "b" * 256},
            "[ERROR] must be less than 256 characters [json-pointer:/blocks/0/block_id]",
        ),
    ],
)
def test_per_block_and_element_limits(block: dict[str, Any], expected: str) -> None:
    verdict = check_message(text="fallback", blocks=[block])

    assert verdict.error == "invalid_blocks"
    assert verdict.messages == [expected]


def test_select_options_and_groups() -> None:
    def select(**extra) -> dict[str, Any]:
        return {
            "type": "section",
            "text": {"type": "mrkdwn", "text": "pick"},
            "accessory": {"type": "multi_static_select", "action_id": "m", **extra},
        }

    groups = [
        {"label": {"type": "plain_text", "text": f"g{i}"}, "options": [option(f"{i}-{j}") for j in range(3)]}
        for i in range(2)
    ]
    assert check_message(text="x", blocks=[select(option_groups=groups, initial_options=[option("1-2")])]).ok
    assert messages_of([select(options=[option("a")] * 101)]) == [
        "[ERROR] no more than 100 items allowed [json-pointer:/blocks/0/accessory/options]"
    ]
    assert messages_of([select(options=[option("a")], option_groups=groups)]) == [
        "[ERROR] must provide either `options` or `option_groups`, not both"
        " [json-pointer:/blocks/0/accessory]"
    ]
    assert messages_of([select(options=[option("a")], max_selected_items=0)]) == [
        "[ERROR] must be greater than or equal to 1 [json-pointer:/blocks/0/accessory/max_selected_items]"
    ]


def test_block_ids_must_be_unique() -> None:
    assert messages_of([section("a", block_id="same"), section("b", block_id="same")]) == [
        "[ERROR] duplicate block_id: 'same' [json-pointer:/blocks/1/block_id]"
    ]


def test_total_text_budget() -> None:
    blocks = [section("x" * 2500) for _ in range(5)]

    assert check_message(text="x", blocks=blocks).error == "msg_blocks_too_long"
    assert check_message(text="x", blocks=blocks[:4]).ok


def test_text_rules() -> None:
    assert check_message(text="", blocks=[]).error == "no_text"
    assert check_message(text="x" * 40_001).error == "msg_too_long"
    assert check_message(text=None, blocks=[{"type": "divider"}]).warnings == ("missing_text_fallback",)
    assert check_message(text="x", blocks="not json").error == "invalid_blocks_format"


def test_view_rules() -> None:
    modal = {"type": "modal", "title": {"type": "plain_text", "text": "t" * 25}, "blocks": []}
    assert check_view(modal).messages == [
        "[ERROR] must be less than 25 characters [json-pointer:/view/title/text]"
    ]
    assert check_view({"type": "page", "blocks": []}).messages == [
        "[ERROR] must be a valid enum value [json-pointer:/view/type]"
    ]
    no_submit = {
        "type": "modal",
        "title": {"type": "plain_text", "text": "t"},
        "blocks": [
            {
                "type": "input",
                "label": {"type": "plain_text", "text": "l"},
                "element": {"type": "plain_text_input"},
            }
        ],
    }
    assert check_view(no_submit).messages == [
        "[ERROR] must provide `submit` when the view contains input blocks [json-pointer:/view]"
    ]
    assert (
        check_view({"type": "home", "blocks": [], "private_metadata": "m" * 3001}).error
        == "invalid_arguments"
    )
    assert check_view({"type": "home", "blocks": [section("x" * 3000)] * 90}).error == "view_too_large"


def test_web_client_sees_slack_style_errors(slack: SlackStandIn, client: WebClient) -> None:
    with pytest.raises(SlackApiError) as info:
        client.chat_postMessage(
            channel="C0PPC", text="x", blocks=[{"type": "actions", "elements": [checkboxes(11)]}]
        )

    body = info.value.response.data
    expected = ["[ERROR] no more than 10 items allowed [json-pointer:/blocks/0/elements/0/options]"]
    assert body == {
        "ok": False,
        "error": "invalid_blocks",
        "errors": expected,
        "response_metadata": {"messages": expected},
    }
    [notice] = slack.notices()
    assert (notice.error, notice.channel, notice.details) == ("invalid_blocks", "C0PPC", tuple(expected))
    assert slack.messages("C0PPC") == []


def test_missing_fallback_text_is_accepted_with_a_warning(slack: SlackStandIn, client: WebClient) -> None:
    with pytest.warns(UserWarning):  # slack_sdk's own client-side warning
        answer = client.chat_postMessage(channel="C0PPC", blocks=[{"type": "divider"}])

    assert answer["response_metadata"]["warnings"] == ["missing_text_fallback"]
    assert slack.messages("C0PPC")[0].warnings == ["missing_text_fallback"]


def test_update_is_checked_too(client: WebClient) -> None:
    posted = client.chat_postMessage(channel="C0PPC", text="x")

    with pytest.raises(SlackApiError) as info:
        client.chat_update(channel="C0PPC", ts=posted["ts"], text="x", blocks=[{"type": "divider"}] * 51)
    assert info.value.response["error"] == "invalid_blocks"
