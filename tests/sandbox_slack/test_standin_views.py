"""Modals, trigger ids (3 s, single use) and the Home tab."""

from __future__ import annotations

from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from sandbox.slack import ManualClock, SlackStandIn


def modal(title: str = "Subscribe", **extra) -> dict[str, Any]:
    return {"type": "modal", "title": {"type": "plain_text", "text": title}, "blocks": [], **extra}


def error_of(call) -> str:
    with pytest.raises(SlackApiError) as info:
        call()
    return str(info.value.response["error"])


def test_trigger_ids_work_once_within_three_seconds(
    slack: SlackStandIn, client: WebClient, clock: ManualClock
) -> None:
    trigger = slack.issue_trigger(team_id="T0DEMO", user_id="U0ADMIN")
    clock.advance(2.9)

    opened = client.views_open(trigger_id=trigger, view=modal())

    assert [v.id for v in slack.open_views("U0ADMIN")] == [opened["view"]["id"]]
    assert error_of(lambda: client.views_open(trigger_id=trigger, view=modal())) == "exchanged_trigger_id"


def test_expired_and_unknown_triggers(slack: SlackStandIn, client: WebClient, clock: ManualClock) -> None:
    trigger = slack.issue_trigger(team_id="T0DEMO", user_id="U0ADMIN")
    clock.advance(3.5)

    assert error_of(lambda: client.views_open(trigger_id=trigger, view=modal())) == "expired_trigger_id"
    assert error_of(lambda: client.views_open(trigger_id="1.2.3", view=modal())) == "invalid_trigger_id"
    assert slack.open_views("U0ADMIN") == []


def test_invalid_view_answers_invalid_arguments(slack: SlackStandIn, client: WebClient) -> None:
    trigger = slack.issue_trigger(team_id="T0DEMO", user_id="U0ADMIN")

    with pytest.raises(SlackApiError) as info:
        client.views_open(trigger_id=trigger, view=modal(title="A title that is far too long"))

    assert info.value.response["error"] == "invalid_arguments"
    assert info.value.response["response_metadata"]["messages"] == [
        "[ERROR] must be less than 25 characters [json-pointer:/view/title/text]"
    ]
    # the trigger was not spent on a refused view
    assert client.views_open(trigger_id=trigger, view=modal())["ok"]


def test_push_stack_is_three_deep(slack: SlackStandIn, client: WebClient) -> None:
    def trigger() -> str:
        return slack.issue_trigger(team_id="T0DEMO", user_id="U0ADMIN")

    root = client.views_open(trigger_id=trigger(), view=modal("One"))["view"]
    second = client.views_push(trigger_id=trigger(), view=modal("Two"))["view"]
    client.views_push(trigger_id=trigger(), view=modal("Three"))

    assert (second["root_view_id"], second["previous_view_id"]) == (root["id"], root["id"])
    assert (
        error_of(lambda: client.views_push(trigger_id=trigger(), view=modal("Four"))) == "push_limit_reached"
    )
    assert [v.payload["title"]["text"] for v in slack.open_views("U0ADMIN")] == ["One", "Two", "Three"]


def test_update_by_id_and_external_id_with_hash(slack: SlackStandIn, client: WebClient) -> None:
    trigger = slack.issue_trigger(team_id="T0DEMO", user_id="U0ADMIN")
    opened = client.views_open(trigger_id=trigger, view=modal("Loading…", external_id="sync-1"))["view"]

    updated = client.views_update(view_id=opened["id"], hash=opened["hash"], view=modal("Ready"))["view"]
    assert updated["id"] == opened["id"] and updated["hash"] != opened["hash"]
    assert (
        error_of(lambda: client.views_update(view_id=opened["id"], hash=opened["hash"], view=modal("x")))
        == "hash_conflict"
    )
    assert client.views_update(external_id="sync-1", view=modal("Again"))["ok"]
    assert error_of(lambda: client.views_update(view_id="V404", view=modal())) == "not_found"
    assert slack.open_views("U0ADMIN")[0].payload["title"]["text"] == "Again"


def test_input_values_survive_an_update_when_ids_match(slack: SlackStandIn, client: WebClient) -> None:
    field = {
        "type": "input",
        "block_id": "time",
        "label": {"type": "plain_text", "text": "Time"},
        "element": {"type": "plain_text_input", "action_id": "value", "initial_value": "09:00"},
    }
    trigger = slack.issue_trigger(team_id="T0DEMO", user_id="U0ADMIN")
    opened = client.views_open(
        trigger_id=trigger, view=modal(blocks=[field], submit={"type": "plain_text", "text": "Save"})
    )

    assert opened["view"]["state"]["values"] == {
        "time": {"value": {"type": "plain_text_input", "value": "09:00"}}
    }


def test_home_tab_publish(slack: SlackStandIn, client: WebClient) -> None:
    first = client.views_publish(user_id="U0MEMBER", view={"type": "home", "blocks": [{"type": "divider"}]})[
        "view"
    ]
    second = client.views_publish(
        user_id="U0MEMBER", view={"type": "home", "blocks": []}, hash=first["hash"]
    )["view"]

    assert first["id"] == second["id"]
    home = slack.home("U0MEMBER")
    assert home is not None and home.blocks == []
    assert (
        error_of(
            lambda: client.views_publish(
                user_id="U0MEMBER", view={"type": "home", "blocks": []}, hash="stale"
            )
        )
        == "hash_conflict"
    )
    assert error_of(lambda: client.views_publish(user_id="U0MEMBER", view=modal())) == "invalid_arguments"
    assert (
        error_of(lambda: client.views_publish(user_id="U0NOBODY", view={"type": "home", "blocks": []}))
        == "user_not_found"
    )


def test_home_tab_disabled(slack: SlackStandIn, client: WebClient) -> None:
    slack.workspace("T0DEMO").home_tab_enabled = False

    assert (
        error_of(lambda: client.views_publish(user_id="U0ADMIN", view={"type": "home", "blocks": []}))
        == "not_enabled"
    )
