"""Commands typed in the console: `/invite @hilal` (Slack's own, the stand-in answers it), channel links."""

from __future__ import annotations

from slack_sdk import WebClient

from sandbox.slack import SlackStandIn

from .fake_app import FakeApp
from .test_standin_console import post, timeline


def test_invite_adds_the_bot_and_says_it_joined(slack: SlackStandIn, app: FakeApp, client: WebClient) -> None:
    assert client.conversations_info(channel="C0RANDOM")["channel"]["is_member"] is False

    answer = post(slack, "/console/command", {"channel": "C0RANDOM", "text": "/invite @Hilal"})

    assert answer["ok"] is True
    assert client.conversations_info(channel="C0RANDOM")["channel"]["is_member"] is True
    assert app.received == []  # Slack answers /invite itself
    (joined,) = slack.messages("C0RANDOM")
    assert joined.text == f"<@{slack.workspace('T0DEMO').bot_user_id}> has joined the channel"
    kinds = [(item["kind"], item["author"]["name"]) for item in timeline(slack, "C0RANDOM")]
    assert kinds == [("command", "Ada Admin"), ("system", "hilal")]


def test_invite_works_without_an_app_and_twice_says_already_here(slack: SlackStandIn) -> None:
    post(slack, "/console/command", {"channel": "C0RANDOM", "text": "/invite <@U0BOTT0DEMO>"})
    post(slack, "/console/command", {"channel": "C0RANDOM", "text": "/invite @hilal"})

    assert len(slack.messages("C0RANDOM")) == 1
    (note,) = slack.ephemerals("U0ADMIN", channel="C0RANDOM")
    assert note.text == "hilal is already here."
    assert timeline(slack, "C0RANDOM")[-1]["author"]["name"] == "Slackbot"


def test_invite_of_someone_unknown_or_in_a_dm_is_answered_by_slackbot(slack: SlackStandIn) -> None:
    post(slack, "/console/command", {"channel": "C0RANDOM", "text": "/invite @nobody"})
    post(slack, "/console/command", {"channel": "D0ADMIN", "text": "/invite @hilal"})

    assert [m.text for m in slack.ephemerals("U0ADMIN")] == [
        "There is no one called @nobody here.",
        "You can't invite anyone to a direct message.",
    ]
    assert slack.messages("C0RANDOM") == []


def test_a_channel_typed_in_a_command_arrives_as_a_link(slack: SlackStandIn, app: FakeApp) -> None:
    text = "/hilal digest subscribe #random at 09:00 #nosuch"

    assert post(slack, "/console/command", {"channel": "C0PPC", "text": text})["status"] == 200

    # the manifest escapes: Slack sends channels as links, which is how Hilal knows which one is meant
    assert app.last("command").body["text"] == "digest subscribe <#C0RANDOM|random> at 09:00 #nosuch"
