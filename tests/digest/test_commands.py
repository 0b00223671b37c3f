"""`/hilal digest subscribe|list|unsubscribe|preview` against the Slack stand-in."""

from __future__ import annotations

import shlex
from datetime import UTC, datetime
from typing import Any

import pytest
from slack_sdk import WebClient
from sqlmodel import select

from bot.errors import NotAllowed, NotFound, UsageError
from bot.features.base import CommandContext
from bot.features.digest import BotNotInChannel, handle_digest
from bot.services.digest import SubscribeRequest, parse_subscribe_args
from bot.wiring import Services
from sandbox.slack import DEMO_ADMIN, DEMO_BOT_TOKEN, DEMO_MEMBER, SlackStandIn
from storage.db import session_scope
from storage.models import DigestSubscription, SavedView

from . import seed


class Replies(list[dict[str, Any]]):
    def __call__(self, **kwargs: Any) -> None:
        self.append(kwargs)


def run(
    services: Services, slack: SlackStandIn, text: str, *, user: str = DEMO_ADMIN, channel: str = "C0PPC"
) -> Replies:
    replies = Replies()
    ctx = CommandContext(
        services=services,
        team_id=seed.TEAM,
        enterprise_id="",
        user_id=user,
        channel_id=channel,
        command="digest",
        args=shlex.split(text),  # as the /hilal listener splits it
        text=f"digest {text}",
        trigger_id="",
        client=WebClient(token=DEMO_BOT_TOKEN, base_url=slack.api_url),
        respond=replies,
    )
    handle_digest(ctx)
    return replies


def subscriptions(services: Services) -> list[DigestSubscription]:
    with session_scope(services.engine, readonly=True) as session:
        return list(session.exec(select(DigestSubscription)).all())


def test_subscribe_with_defaults(services: Services, slack: SlackStandIn) -> None:
    replies = run(services, slack, "subscribe <#C0PPC|ppc>")
    (row,) = subscriptions(services)
    assert (row.channel_id, row.local_time, row.timezone, row.regions, row.chart) == (
        "C0PPC",
        "09:00",
        "Europe/Berlin",
        "na,eu,fe",
        False,
    )  # Ada's Slack time zone
    assert row.next_due_at == datetime(2025, 5, 14, 7, 0, tzinfo=UTC)  # the clock says 07:00 UTC = 09:00 CEST
    assert "<#C0PPC>" in replies[0]["text"] and replies[0]["response_type"] == "ephemeral"


def test_subscribe_with_everything(services: Services, slack: SlackStandIn) -> None:
    run(services, slack, "subscribe <#C0GENERAL|general> at 7:30 America/Los_Angeles region EU,fe chart")
    (row,) = subscriptions(services)
    assert (row.channel_id, row.local_time, row.timezone, row.regions, row.chart) == (
        "C0GENERAL",
        "07:30",
        "America/Los_Angeles",
        "eu,fe",
        True,
    )
    assert row.subscriber_id == DEMO_ADMIN


def test_subscribe_alone_without_a_trigger_offers_the_form_button(
    services: Services, slack: SlackStandIn
) -> None:
    (reply,) = run(services, slack, "subscribe")  # no trigger_id here: the form cannot open by itself

    assert subscriptions(services) == []
    (button,) = [e for b in reply["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert (button["action_id"], button["text"]["text"]) == ("digest.open", "Set up a digest…")


def test_subscribe_again_asks_before_replacing_and_list_shows_the_first(
    services: Services, slack: SlackStandIn
) -> None:
    run(services, slack, "subscribe at 10:15 Asia/Tokyo")
    (question,) = run(services, slack, "subscribe at 08:00 region eu chart")

    (row,) = subscriptions(services)
    assert (row.local_time, row.timezone) == ("10:15", "Asia/Tokyo")  # nothing replaced yet
    assert question["text"] == (
        "<#C0PPC> already gets the daily digest: <#C0PPC> · 10:15 Asia/Tokyo · all regions · "
        "next Thu 15 May 10:15 JST.\nReplace it with 08:00 Europe/Berlin · EU · with chart?"
    )
    buttons = [e for b in question["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [(e["action_id"], e["text"]["text"]) for e in buttons] == [
        ("digest.replace", "Replace"),
        ("digest.keep", "Keep the current one"),
    ]
    listed = run(services, slack, "list", user=DEMO_MEMBER)[0]["text"]
    assert (
        "<#C0PPC> · 10:15 Asia/Tokyo · all regions · next Thu 15 May 10:15 JST" in listed
    )  # 16:00 in Tokyo now


def test_subscribing_again_after_unsubscribing_asks_nothing(services: Services, slack: SlackStandIn) -> None:
    run(services, slack, "subscribe at 10:15")
    run(services, slack, "unsubscribe")
    (reply,) = run(services, slack, "subscribe at 08:00")

    assert reply["text"].startswith("✅ Daily digest set up")
    assert subscriptions(services)[0].local_time == "08:00"


def test_subscribe_with_a_saved_view(services: Services, slack: SlackStandIn) -> None:
    with session_scope(services.engine) as session:
        session.add(
            SavedView(
                team_id=seed.TEAM,
                owner_id=DEMO_MEMBER,
                name="Brand EU",
                shared=True,
                filter_json='{"regions":["eu"]}',
            )
        )
    run(services, slack, 'subscribe view "Brand EU"')
    assert subscriptions(services)[0].view_id is not None
    with pytest.raises(NotFound, match="no view called"):
        run(services, slack, "subscribe view Nope")


def test_members_may_not_change_subscriptions(services: Services, slack: SlackStandIn) -> None:
    with pytest.raises(NotAllowed) as caught:
        run(services, slack, "subscribe", user=DEMO_MEMBER)
    assert "admins" in (caught.value.hint or "")
    assert subscriptions(services) == []


def test_bot_not_in_channel_says_how_to_invite(services: Services, slack: SlackStandIn) -> None:
    with pytest.raises(BotNotInChannel) as caught:
        run(services, slack, "subscribe <#C0RANDOM|random>")
    assert "/invite @Hilal" in (caught.value.hint or "")
    slack.add_channel(
        seed.TEAM, {"id": "G0SECRET", "name": "secret", "is_private": True, "bot_is_member": False}
    )
    with pytest.raises(BotNotInChannel, match="private"):
        run(services, slack, "subscribe <#G0SECRET>")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("subscribe at 25:00", "24-hour HH:MM, e.g. 09:00 or 17:30."),
        ("subscribe at", "needs a time"),
        ("subscribe Mars/Base", "time zone: use an IANA name such as Europe/Berlin."),
        ("subscribe region eu,xx", "not a list of regions"),
        ("subscribe region eu view Brand", "not both"),
        ("subscribe #ppc", "autocomplete"),
        ("subscribe tomorrow", "don't understand"),
        ("frobnicate", "not a digest command"),
        ("", "Which digest command"),
    ],
)
def test_bad_input_says_what_was_wrong_with_an_example(
    services: Services, slack: SlackStandIn, text: str, problem: str
) -> None:
    with pytest.raises(UsageError) as caught:
        run(services, slack, text)
    assert problem in caught.value.detail + (caught.value.hint or "")
    assert "/hilal digest" in (caught.value.hint or "") or text.startswith("subscribe #")


def test_unsubscribe_keeps_history_and_hides_the_row(services: Services, slack: SlackStandIn) -> None:
    run(services, slack, "subscribe <#C0GENERAL|general>")
    run(services, slack, "unsubscribe <#C0GENERAL|general>")
    (row,) = subscriptions(services)
    assert row.paused_at is not None and row.pause_reason == "unsubscribed"
    assert "No digest subscriptions" in run(services, slack, "list")[0]["text"]
    with pytest.raises(NotFound):
        run(services, slack, "unsubscribe <#C0GENERAL|general>")
    run(services, slack, "subscribe <#C0GENERAL|general>")
    assert subscriptions(services)[0].paused_at is None


def test_preview_is_ephemeral_and_now(services: Services, slack: SlackStandIn) -> None:
    eu = seed.connection(services.engine, "eu", last_success_at=datetime(2025, 5, 14, 6, 0, tzinfo=UTC))
    pk = seed.profile(
        services.engine,
        eu,
        region="eu",
        country="DE",
        currency="EUR",
        timezone="Europe/Paris",
        profile_id="1",
    )
    seed.metric(services.engine, pk, "1", datetime(2025, 5, 13).date(), currency="EUR", cost="42.00")
    replies = run(services, slack, "preview", user=DEMO_MEMBER)
    assert all(r["response_type"] == "ephemeral" for r in replies)
    assert "Preview" in replies[0]["text"] and "€42.00" in str(replies[1]["blocks"])
    assert slack.messages("C0PPC") == []


def test_parser_defaults() -> None:
    assert parse_subscribe_args([]) == SubscribeRequest()
    assert parse_subscribe_args(["C0ABCDEFG", "UTC"]) == SubscribeRequest(
        channel_id="C0ABCDEFG", timezone="UTC"
    )
