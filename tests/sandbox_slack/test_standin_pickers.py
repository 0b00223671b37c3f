"""Conversation pickers in modals: `default_to_current_conversation` and `response_url_enabled`."""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient
from slack_sdk.webhook import WebhookClient

from sandbox.slack import SlackStandIn

from .fake_app import FakeApp

PICKER: dict[str, Any] = {
    "type": "modal",
    "title": {"type": "plain_text", "text": "Digest"},
    "submit": {"type": "plain_text", "text": "Subscribe"},
    "blocks": [
        {
            "type": "input",
            "block_id": "where",
            "label": {"type": "plain_text", "text": "Channel"},
            "element": {
                "type": "conversations_select",
                "action_id": "channel",
                "default_to_current_conversation": True,
                "response_url_enabled": True,
            },
        }
    ],
}


def _trigger_from_command(slack: SlackStandIn, app: FakeApp, channel: str) -> str:
    slack.send_command(team_id="T0DEMO", user_id="U0ADMIN", channel_id=channel, text="digest subscribe")
    return str(app.last("command").body["trigger_id"])


def test_the_picker_starts_on_the_channel_the_command_ran_in(
    slack: SlackStandIn, app: FakeApp, client: WebClient
) -> None:
    client.views_open(trigger_id=_trigger_from_command(slack, app, "C0PPC"), view=PICKER)

    (modal,) = slack.open_views("U0ADMIN")
    assert modal.state["where"]["channel"]["selected_conversation"] == "C0PPC"


def test_a_submission_carries_a_response_url_into_the_picked_channel(
    slack: SlackStandIn, app: FakeApp, client: WebClient
) -> None:
    client.views_open(trigger_id=_trigger_from_command(slack, app, "C0PPC"), view=PICKER)

    slack.send_view_submission(team_id="T0DEMO", user_id="U0ADMIN", values={"where": {"channel": "C0RANDOM"}})

    (url,) = app.last("view_submission").body["response_urls"]
    assert (url["block_id"], url["action_id"], url["channel_id"]) == ("where", "channel", "C0RANDOM")
    WebhookClient(url["response_url"]).send(text="Subscribed", response_type="ephemeral")
    assert [m.text for m in slack.ephemerals("U0ADMIN", channel="C0RANDOM")] == ["Subscribed"]


def test_without_the_flags_nothing_is_picked_and_no_url_is_sent(
    slack: SlackStandIn, app: FakeApp, client: WebClient
) -> None:
    plain = {
        **PICKER,
        "blocks": [
            {**PICKER["blocks"][0], "element": {"type": "conversations_select", "action_id": "channel"}}
        ],
    }
    client.views_open(trigger_id=_trigger_from_command(slack, app, "C0PPC"), view=plain)
    assert slack.open_views("U0ADMIN")[0].state["where"]["channel"]["selected_conversation"] is None

    slack.send_view_submission(team_id="T0DEMO", user_id="U0ADMIN", values={"where": {"channel": "C0RANDOM"}})

    assert app.last("view_submission").body["response_urls"] == []
