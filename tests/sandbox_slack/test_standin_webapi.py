"""The Web API subset, driven by a real slack_sdk WebClient."""

from __future__ import annotations

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from sandbox.slack import DEMO_BOT_TOKEN, Channel, SlackStandIn


def error_of(call) -> str:
    with pytest.raises(SlackApiError) as info:
        call()
    return str(info.value.response["error"])


def test_auth_test_names_the_bot_and_team(slack: SlackStandIn, client: WebClient) -> None:
    answer = client.auth_test()

    assert answer["team_id"] == "T0DEMO"
    assert answer["team"] == "Demo Co"
    assert answer["user_id"] == slack.workspace("T0DEMO").bot_user_id
    assert "chat:write" in answer.headers["X-OAuth-Scopes"]


def test_missing_and_unknown_tokens_are_refused(slack: SlackStandIn) -> None:
    assert error_of(WebClient(base_url=slack.api_url).auth_test) == "not_authed"
    assert error_of(WebClient(token="xoxb-nope", base_url=slack.api_url).auth_test) == "invalid_auth"


def test_revoked_token(slack: SlackStandIn, client: WebClient) -> None:
    slack.revoke_token(DEMO_BOT_TOKEN)

    assert error_of(client.auth_test) == "token_revoked"


def test_post_message_json_body_is_recorded(slack: SlackStandIn, client: WebClient) -> None:
    blocks = [{"type": "section", "block_id": "intro", "text": {"type": "mrkdwn", "text": "*Hello*"}}]

    answer = client.chat_postMessage(channel="C0PPC", text="Hello", blocks=blocks)

    [message] = slack.messages("#ppc")
    assert (message.ts, message.text, message.blocks) == (answer["ts"], "Hello", blocks)
    [call] = slack.calls("chat.postMessage")
    assert call.args["blocks"] == blocks
    assert call.token == DEMO_BOT_TOKEN


def test_post_message_form_body_decodes_blocks(slack: SlackStandIn, client: WebClient) -> None:
    client.api_call(
        "chat.postMessage",
        params={"channel": "C0GENERAL", "text": "form", "blocks": '[{"type": "divider", "block_id": "d"}]'},
    )

    assert slack.messages("C0GENERAL")[0].blocks == [{"type": "divider", "block_id": "d"}]


def test_blocks_without_ids_get_generated_ids_like_slack(slack: SlackStandIn, client: WebClient) -> None:
    client.chat_postMessage(
        channel="C0PPC",
        text="x",
        blocks=[
            {
                "type": "actions",
                "elements": [{"type": "button", "text": {"type": "plain_text", "text": "Go"}}],
            }
        ],
    )

    block = slack.messages("C0PPC")[0].blocks[0]
    assert block["block_id"]
    assert block["elements"][0]["action_id"]


def test_posting_to_a_user_id_lands_in_the_dm(slack: SlackStandIn, client: WebClient) -> None:
    answer = client.chat_postMessage(channel="U0MEMBER", text="psst")

    assert answer["channel"] == "D0MEMBER"
    assert [m.text for m in slack.messages("D0MEMBER")] == ["psst"]


def test_channel_rules(slack: SlackStandIn, client: WebClient) -> None:
    slack.add_channel("T0DEMO", Channel(id="C0SECRET", name="secret", is_private=True, bot_is_member=False))
    slack.add_channel("T0DEMO", Channel(id="C0OLD", name="old", is_archived=True))

    assert error_of(lambda: client.chat_postMessage(channel="C0NOPE", text="x")) == "channel_not_found"
    assert error_of(lambda: client.chat_postMessage(channel="C0SECRET", text="x")) == "channel_not_found"
    assert error_of(lambda: client.chat_postMessage(channel="C0OLD", text="x")) == "is_archived"
    # chat:write.public lets the bot post in public channels it has not joined
    assert client.chat_postMessage(channel="C0RANDOM", text="x")["ok"]


def test_not_in_channel_without_chat_write_public(slack: SlackStandIn) -> None:
    slack.add_workspace(
        team_id="T1",
        name="Acme",
        bot_token="xoxb-test-T1",
        users=[{"id": "U1", "name": "una"}],
        channels=[{"id": "C1", "name": "ops", "bot_is_member": False}],
        scopes=("commands", "chat:write"),
    )
    acme = WebClient(token="xoxb-test-T1", base_url=slack.api_url)

    assert error_of(lambda: acme.chat_postMessage(channel="C1", text="x")) == "not_in_channel"
    acme.conversations_join(channel="C1")
    assert acme.chat_postMessage(channel="C1", text="x")["ok"]
    assert slack.calls(team_id="T1")[-1].method == "chat.postMessage"


def test_ephemeral_update_and_delete(slack: SlackStandIn, client: WebClient) -> None:
    client.chat_postEphemeral(channel="C0PPC", user="U0MEMBER", text="only you")
    posted = client.chat_postMessage(
        channel="C0PPC", text="v1", blocks=[{"type": "divider", "block_id": "a"}]
    )

    client.chat_update(channel="C0PPC", ts=posted["ts"], text="v2")
    [message] = slack.messages("C0PPC")
    assert (message.text, message.blocks, message.edited_ts is not None) == (
        "v2",
        [{"type": "divider", "block_id": "a"}],
        True,
    )

    client.chat_delete(channel="C0PPC", ts=posted["ts"])
    assert slack.messages("C0PPC") == []
    assert [m.text for m in slack.ephemerals("U0MEMBER")] == ["only you"]
    assert error_of(lambda: client.chat_update(channel="C0PPC", ts="1.2", text="x")) == "message_not_found"


def test_ephemeral_to_a_stranger_is_refused(slack: SlackStandIn, client: WebClient) -> None:
    slack.add_channel("T0DEMO", Channel(id="C0SMALL", name="small", members=["U0ADMIN"]))

    assert (
        error_of(lambda: client.chat_postEphemeral(channel="C0SMALL", user="U0MEMBER", text="x"))
        == "user_not_in_channel"
    )
    assert (
        error_of(lambda: client.chat_postEphemeral(channel="C0SMALL", user="U0NOBODY", text="x"))
        == "user_not_found"
    )


def test_users_info_has_time_zone_and_roles(client: WebClient) -> None:
    admin = client.users_info(user="U0ADMIN")["user"]
    member = client.users_info(user="U0MEMBER")["user"]

    assert (admin["tz"], admin["is_admin"], admin["is_owner"]) == ("Europe/Berlin", True, True)
    assert admin["tz_label"] in ("CET", "CEST")
    assert (member["tz"], member["is_admin"], member["is_owner"]) == ("America/Los_Angeles", False, False)
    assert member["tz_offset"] in (-8 * 3600, -7 * 3600)


def test_conversations_info_and_open(client: WebClient) -> None:
    info = client.conversations_info(channel="C0RANDOM")["channel"]
    assert (info["name"], info["is_member"], info["is_private"]) == ("random", False, False)

    first = client.conversations_open(users="U0MEMBER")
    again = client.conversations_open(users="U0MEMBER")
    assert first["channel"]["id"] == again["channel"]["id"] == "D0MEMBER"
    assert again["already_open"] is True


def test_schedule_message_is_delivered_when_due(slack: SlackStandIn, client: WebClient, clock) -> None:
    post_at = int(clock.now()) + 60
    client.chat_scheduleMessage(channel="C0PPC", post_at=post_at, text="later")

    assert slack.deliver_scheduled() == []
    clock.advance(61)
    assert [m.text for m in slack.deliver_scheduled()] == ["later"]
    assert [m.text for m in slack.messages("#ppc")] == ["later"]
    assert (
        error_of(lambda: client.chat_scheduleMessage(channel="C0PPC", post_at=1, text="x")) == "time_in_past"
    )


def test_rate_limit_answers_429_with_retry_after(slack: SlackStandIn, client: WebClient) -> None:
    slack.rate_limit("chat.postMessage", retry_after=7, times=1)

    with pytest.raises(SlackApiError) as info:
        client.chat_postMessage(channel="C0PPC", text="x")

    assert info.value.response.status_code == 429
    assert info.value.response.headers["Retry-After"] == "7"
    assert info.value.response["error"] == "ratelimited"
    assert client.chat_postMessage(channel="C0PPC", text="x")["ok"]


def test_injected_failure(slack: SlackStandIn, client: WebClient) -> None:
    slack.fail("views.publish", error="not_enabled", times=2)

    assert (
        error_of(lambda: client.views_publish(user_id="U0ADMIN", view={"type": "home", "blocks": []}))
        == "not_enabled"
    )
    assert (
        error_of(lambda: client.views_publish(user_id="U0ADMIN", view={"type": "home", "blocks": []}))
        == "not_enabled"
    )
    assert client.views_publish(user_id="U0ADMIN", view={"type": "home", "blocks": []})["ok"]


def test_channel_pacing(clock) -> None:
    with SlackStandIn.with_demo_workspace(clock=clock, channel_pacing=1.0) as slack:
        client = WebClient(token=DEMO_BOT_TOKEN, base_url=slack.api_url)
        client.chat_postMessage(channel="C0PPC", text="1")
        client.chat_postMessage(channel="C0GENERAL", text="other channel is fine")

        with pytest.raises(SlackApiError) as info:
            client.chat_postMessage(channel="C0PPC", text="2")
        assert info.value.response.status_code == 429

        clock.advance(1.1)
        assert client.chat_postMessage(channel="C0PPC", text="2")["ok"]


def test_wait_for_calls_made_by_another_thread(slack: SlackStandIn, client: WebClient) -> None:
    import threading

    threading.Thread(target=lambda: client.chat_postMessage(channel="C0PPC", text="bg")).start()

    [call] = slack.wait_for_calls("chat.postMessage", timeout=5)
    assert call.args["text"] == "bg"
    with pytest.raises(TimeoutError):
        slack.wait_for_calls("chat.update", timeout=0.01)


def test_unknown_method(client: WebClient) -> None:
    assert error_of(lambda: client.api_call("pins.add")) == "unknown_method"
