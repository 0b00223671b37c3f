"""Signed requests from the stand-in to an app, and how the app's answers are applied."""

from __future__ import annotations

import json
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from sandbox.slack import ManualClock, SlackStandIn

from .fake_app import FakeApp, Received


def option(value: str) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": value.upper()}, "value": value}


PICKER: list[dict[str, Any]] = [
    {
        "type": "section",
        "block_id": "markets",
        "text": {"type": "mrkdwn", "text": "Pick marketplaces"},
        "accessory": {
            "type": "checkboxes",
            "action_id": "marketplaces.select",
            "options": [option("de"), option("fr"), option("it")],
            "initial_options": [option("de")],
        },
    },
    {
        "type": "actions",
        "block_id": "buttons",
        "elements": [
            {
                "type": "button",
                "action_id": "marketplaces.save",
                "text": {"type": "plain_text", "text": "Save"},
                "value": "eu",
            }
        ],
    },
]


def test_slash_command_is_signed_and_its_ack_shown_as_ephemeral(slack: SlackStandIn, app: FakeApp) -> None:
    app.handler = lambda r: (
        200,
        json.dumps({"text": "Regions", "blocks": [{"type": "divider", "block_id": "d"}]}),
    )

    status, body, response_url = slack.send_command(
        team_id="T0DEMO", user_id="U0ADMIN", channel_id="#ppc", text="regions"
    )

    assert status == 200 and json.loads(body)["text"] == "Regions"
    command = app.last("command").body
    assert {k: command[k] for k in ("team_id", "user_id", "channel_id", "command", "text")} == {
        "team_id": "T0DEMO",
        "user_id": "U0ADMIN",
        "channel_id": "C0PPC",
        "command": "/hilal",
        "text": "regions",
    }
    assert response_url is not None and response_url.startswith(slack.base_url)
    assert command["response_url"] == response_url
    assert command["trigger_id"]
    [reply] = slack.ephemerals("U0ADMIN")
    assert (reply.text, reply.channel, reply.blocks) == (
        "Regions",
        "C0PPC",
        [{"type": "divider", "block_id": "d"}],
    )
    assert app.rejected == 0


def test_plain_text_ack_and_empty_ack(slack: SlackStandIn, app: FakeApp) -> None:
    app.handler = lambda r: (200, "Working on it")
    slack.send_command(team_id="T0DEMO", user_id="U0MEMBER", channel_id="C0GENERAL", text="sync eu")
    app.handler = lambda r: (200, "")
    slack.send_command(team_id="T0DEMO", user_id="U0MEMBER", channel_id="C0GENERAL", text="help")

    assert [m.text for m in slack.ephemerals("U0MEMBER")] == ["Working on it"]


def test_wrong_signing_secret_is_rejected_by_the_app(slack: SlackStandIn, app: FakeApp) -> None:
    slack.configure_app(app.url, "not-the-secret")

    status, _, _ = slack.send_command(team_id="T0DEMO", user_id="U0ADMIN", channel_id="C0PPC", text="help")

    assert (status, app.rejected) == (401, 1)
    [notice] = slack.notices()
    assert (notice.error, notice.title) == ("dispatch_failed", "/hilal failed")


def test_stale_timestamp_is_rejected(slack: SlackStandIn, app: FakeApp, clock: ManualClock) -> None:
    assert slack.post_to_app("command=%2Fhilal", timestamp=int(clock.now()) - 600).status == 401
    assert slack.post_to_app("command=%2Fhilal", headers={"X-Slack-Signature": "v0=forged"}).status == 401
    assert slack.post_to_app("command=%2Fhilal").status == 200


def test_command_trigger_opens_a_modal_within_three_seconds(
    slack: SlackStandIn, app: FakeApp, client: WebClient, clock: ManualClock
) -> None:
    slack.send_command(team_id="T0DEMO", user_id="U0ADMIN", channel_id="C0PPC", text="digest subscribe")
    trigger_id = app.last("command").body["trigger_id"]
    modal = {"type": "modal", "title": {"type": "plain_text", "text": "Digest"}, "blocks": []}
    clock.advance(3.01)

    with pytest.raises(SlackApiError) as info:
        client.views_open(trigger_id=trigger_id, view=modal)

    assert info.value.response["error"] == "expired_trigger_id"


def test_block_actions_carry_state_and_response_url(
    slack: SlackStandIn, app: FakeApp, client: WebClient
) -> None:
    client.chat_postMessage(channel="C0PPC", text="Pick marketplaces", blocks=PICKER)

    slack.send_block_action(
        team_id="T0DEMO", user_id="U0ADMIN", action_id="marketplaces.select", selected_options=["de", "fr"]
    )
    _, _, response_url = slack.send_block_action(
        team_id="T0DEMO", user_id="U0ADMIN", action_id="marketplaces.save"
    )

    tick, save = [r.body for r in app.received]
    assert tick["actions"][0]["selected_options"] == [option("de"), option("fr")]
    assert save["actions"][0] | {"action_ts": None} == {
        "type": "button",
        "action_id": "marketplaces.save",
        "block_id": "buttons",
        "text": {"type": "plain_text", "text": "Save"},
        "value": "eu",
        "action_ts": None,
    }
    assert save["state"]["values"]["markets"]["marketplaces.select"]["selected_options"] == [
        option("de"),
        option("fr"),
    ]
    assert save["container"]["type"] == "message" and save["channel"]["id"] == "C0PPC"
    assert save["message"]["text"] == "Pick marketplaces"
    assert save["response_url"] == response_url

    client.api_call("chat.postMessage", json={"channel": "C0PPC", "text": "unrelated"})
    from slack_sdk.webhook import WebhookClient

    assert response_url is not None
    WebhookClient(response_url).send(text="Saved: DE, FR", replace_original=True)
    assert [m.text for m in slack.messages("C0PPC")] == ["Saved: DE, FR", "unrelated"]


def test_state_is_per_user(slack: SlackStandIn, app: FakeApp, client: WebClient) -> None:
    client.chat_postMessage(channel="C0PPC", text="Pick", blocks=PICKER)
    slack.send_block_action(
        team_id="T0DEMO", user_id="U0ADMIN", action_id="marketplaces.select", selected_options=[]
    )

    slack.send_block_action(team_id="T0DEMO", user_id="U0MEMBER", action_id="marketplaces.save")

    values = app.last("block_actions").body["state"]["values"]
    assert values["markets"]["marketplaces.select"]["selected_options"] == [option("de")]


def test_home_actions_use_the_view_container(slack: SlackStandIn, app: FakeApp, client: WebClient) -> None:
    client.views_publish(user_id="U0ADMIN", view={"type": "home", "blocks": PICKER})

    _, _, response_url = slack.send_block_action(
        team_id="T0DEMO", user_id="U0ADMIN", action_id="marketplaces.save"
    )

    body = app.last("block_actions").body
    home = slack.home("U0ADMIN")
    assert home is not None and response_url is None and "response_url" not in body
    assert body["container"] == {"type": "view", "view_id": home.id}
    assert body["view"]["type"] == "home"


def test_unknown_action_is_a_lookup_error(slack: SlackStandIn, app: FakeApp) -> None:
    with pytest.raises(LookupError, match=r"nothing\.here"):
        slack.send_block_action(team_id="T0DEMO", user_id="U0ADMIN", action_id="nothing.here")


def open_subscribe_modal(slack: SlackStandIn, client: WebClient) -> str:
    view = {
        "type": "modal",
        "callback_id": "digest.subscribe",
        "title": {"type": "plain_text", "text": "Subscribe"},
        "submit": {"type": "plain_text", "text": "Save"},
        "blocks": [
            {
                "type": "input",
                "block_id": "time",
                "label": {"type": "plain_text", "text": "Time"},
                "element": {"type": "plain_text_input", "action_id": "value"},
            },
            {
                "type": "input",
                "block_id": "region",
                "label": {"type": "plain_text", "text": "Region"},
                "element": {
                    "type": "static_select",
                    "action_id": "value",
                    "options": [option("eu"), option("na")],
                },
            },
        ],
    }
    trigger = slack.issue_trigger(team_id="T0DEMO", user_id="U0ADMIN")
    return str(client.views_open(trigger_id=trigger, view=view)["view"]["id"])


def test_view_submission_errors_then_update_push_and_clear(
    slack: SlackStandIn, app: FakeApp, client: WebClient
) -> None:
    open_subscribe_modal(slack, client)
    app.handler = lambda r: (200, json.dumps({"response_action": "errors", "errors": {"time": "Use HH:MM"}}))

    slack.send_view_submission(
        team_id="T0DEMO", user_id="U0ADMIN", values={"time": {"value": "9am"}, "region": {"value": "eu"}}
    )

    submitted = app.last("view_submission").body["view"]
    assert submitted["callback_id"] == "digest.subscribe"
    assert submitted["state"]["values"] == {
        "time": {"value": {"type": "plain_text_input", "value": "9am"}},
        "region": {"value": {"type": "static_select", "selected_option": option("eu")}},
    }
    assert slack.open_views("U0ADMIN")[0].errors == {"time": "Use HH:MM"}

    done = {"type": "modal", "title": {"type": "plain_text", "text": "Done"}, "blocks": []}
    app.handler = lambda r: (200, json.dumps({"response_action": "push", "view": done}))
    slack.send_view_submission(team_id="T0DEMO", user_id="U0ADMIN", values={"time": {"value": "09:00"}})
    assert [v.payload["title"]["text"] for v in slack.open_views("U0ADMIN")] == ["Subscribe", "Done"]

    app.handler = lambda r: (
        200,
        json.dumps(
            {
                "response_action": "update",
                "view": {**done, "title": {"type": "plain_text", "text": "Really done"}},
            }
        ),
    )
    slack.send_view_submission(team_id="T0DEMO", user_id="U0ADMIN")
    assert [v.payload["title"]["text"] for v in slack.open_views("U0ADMIN")] == ["Subscribe", "Really done"]

    app.handler = lambda r: (200, "")
    slack.send_view_submission(team_id="T0DEMO", user_id="U0ADMIN")
    assert [v.payload["title"]["text"] for v in slack.open_views("U0ADMIN")] == ["Subscribe"]

    app.handler = lambda r: (200, json.dumps({"response_action": "clear"}))
    slack.send_view_submission(team_id="T0DEMO", user_id="U0ADMIN")
    assert slack.open_views("U0ADMIN") == []


def test_submission_answer_with_a_bad_view_is_noticed(
    slack: SlackStandIn, app: FakeApp, client: WebClient
) -> None:
    open_subscribe_modal(slack, client)
    bad = {"type": "modal", "title": {"type": "plain_text", "text": "x" * 30}, "blocks": []}
    app.handler = lambda r: (200, json.dumps({"response_action": "update", "view": bad}))

    slack.send_view_submission(team_id="T0DEMO", user_id="U0ADMIN")

    [notice] = slack.notices()
    assert notice.error == "invalid_arguments"
    assert slack.open_views("U0ADMIN")[0].payload["title"]["text"] == "Subscribe"


def test_view_closed_only_with_notify_on_close(slack: SlackStandIn, app: FakeApp, client: WebClient) -> None:
    view = {
        "type": "modal",
        "title": {"type": "plain_text", "text": "x"},
        "blocks": [],
        "notify_on_close": True,
    }
    client.views_open(trigger_id=slack.issue_trigger(team_id="T0DEMO", user_id="U0ADMIN"), view=view)

    reply = slack.send_view_closed(team_id="T0DEMO", user_id="U0ADMIN")

    assert reply is not None and reply.status == 200
    assert app.last("view_closed").body["is_cleared"] is False
    assert slack.open_views("U0ADMIN") == []


def test_app_home_opened_event(slack: SlackStandIn, app: FakeApp, client: WebClient) -> None:
    slack.open_home(team_id="T0DEMO", user_id="U0MEMBER")
    client.views_publish(user_id="U0MEMBER", view={"type": "home", "blocks": []})
    slack.open_home(team_id="T0DEMO", user_id="U0MEMBER")

    first, second = [r.body for r in app.received]
    assert first["type"] == "event_callback" and first["team_id"] == "T0DEMO"
    assert first["event"] | {"event_ts": None} == {
        "type": "app_home_opened",
        "user": "U0MEMBER",
        "channel": "D0MEMBER",
        "tab": "home",
        "event_ts": None,
    }
    home = slack.home("U0MEMBER")
    assert home is not None and second["event"]["view"]["id"] == home.id
    assert first["event_id"] != second["event_id"]


def test_options_request(slack: SlackStandIn, app: FakeApp) -> None:
    app.handler = lambda r: (200, json.dumps({"options": [option("de")]}))

    reply = slack.send_options_request(team_id="T0DEMO", user_id="U0ADMIN", action_id="profiles", value="ger")

    assert reply.json() == {"options": [option("de")]}
    body: Received = app.last("block_suggestion")
    assert (body.body["action_id"], body.body["value"]) == ("profiles", "ger")


def test_unreachable_app_is_a_notice(slack: SlackStandIn) -> None:
    slack.configure_app("http://127.0.0.1:9/slack/events", "secret", timeout=2)

    status, _, _ = slack.send_command(team_id="T0DEMO", user_id="U0ADMIN", channel_id="C0PPC", text="help")

    assert status == 0
    assert slack.notices()[0].error == "dispatch_failed"
