"""response_url: replace / delete original, response_type, 5 uses, 30 minutes."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.webhook import WebhookClient

from sandbox.slack import ManualClock, SlackStandIn


def command_url(slack: SlackStandIn, channel: str = "C0PPC") -> str:
    return slack.issue_response_url(team_id="T0DEMO", user_id="U0ADMIN", channel_id=channel, is_command=True)


def test_default_reply_is_ephemeral_then_replaced_then_deleted(slack: SlackStandIn) -> None:
    hook = WebhookClient(command_url(slack))

    assert hook.send(text="Syncing… 10%").status_code == 200
    assert hook.send(text="Syncing… 60%", replace_original=True).status_code == 200
    [message] = slack.ephemerals("U0ADMIN")
    assert (message.text, message.channel, message.edited_ts is not None) == ("Syncing… 60%", "C0PPC", True)

    assert hook.send_dict({"delete_original": True}).status_code == 200
    assert slack.ephemerals("U0ADMIN") == []
    assert [p.body.get("text") for p in slack.webhook_posts(hook.url)] == [
        "Syncing… 10%",
        "Syncing… 60%",
        None,
    ]


def test_in_channel_reply_is_visible_to_everyone(slack: SlackStandIn) -> None:
    hook = WebhookClient(command_url(slack))

    hook.send(text="Digest subscribed", response_type="in_channel")

    assert [m.text for m in slack.messages("#ppc")] == ["Digest subscribed"]
    assert slack.ephemerals("U0ADMIN") == []


def test_replace_original_of_a_clicked_message(slack: SlackStandIn, client: WebClient) -> None:
    posted = client.chat_postMessage(channel="C0PPC", text="card v1")
    url = slack.issue_response_url(
        team_id="T0DEMO", user_id="U0ADMIN", message={"channel": "C0PPC", "ts": posted["ts"]}
    )

    WebhookClient(url).send(text="card v2", replace_original=True)

    assert [m.text for m in slack.messages("C0PPC")] == ["card v2"]


def test_five_uses_then_used_url(slack: SlackStandIn) -> None:
    hook = WebhookClient(command_url(slack))

    statuses = [hook.send(text=f"update {i}").status_code for i in range(6)]

    assert statuses == [200] * 5 + [404]
    assert slack.webhook_posts(hook.url)[-1].answer == "used_url"
    assert len(slack.ephemerals("U0ADMIN")) == 5


def test_thirty_minutes_then_expired_url(slack: SlackStandIn, clock: ManualClock) -> None:
    hook = WebhookClient(command_url(slack))
    clock.advance(30 * 60 + 1)

    answer = hook.send(text="too late")

    assert (answer.status_code, answer.body) == (404, "expired_url")


def test_invalid_blocks_are_refused_and_noticed(slack: SlackStandIn) -> None:
    hook = WebhookClient(command_url(slack))

    answer = hook.send(text="x", blocks=[{"type": "divider"}] * 51)

    assert (answer.status_code, answer.body) == (400, "invalid_blocks")
    assert slack.ephemerals("U0ADMIN") == []
    [notice] = slack.notices()
    assert notice.details == ("[ERROR] no more than 50 items allowed [json-pointer:/blocks]",)


def test_unknown_url(slack: SlackStandIn) -> None:
    assert WebhookClient(f"{slack.base_url}/webhook/nope").send(text="x").status_code == 404
