"""What the digest command and the digest form share: who may subscribe, whether Hilal is in the channel,
how a subscription reads, and subscribing with a question first when the channel already has a digest."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from slack_sdk.errors import SlackApiError

from bot.amazon.regions import ALL_REGIONS
from bot.blocks.digest_subscribe import render_replace_prompt
from bot.blocks.format import Mrkdwn, channel_mention, mrkdwn_format
from bot.errors import UsageError, UserFacingError
from bot.features.base import Message
from bot.listeners import permission
from bot.services.campaigns import find_view
from bot.services.digest import (
    SubscribeRequest,
    SubscriptionInfo,
    current_subscription,
    request_meta,
    subscribe,
)
from storage.db import session_scope

if TYPE_CHECKING:
    from slack_sdk import WebClient

    from bot.wiring import Services

__all__ = [
    "INVITE_HINT",
    "MANAGE_DIGESTS",
    "BotNotInChannel",
    "channel_info",
    "describe",
    "describe_request",
    "require_bot_in",
    "require_manager",
    "subscribe_or_ask",
    "user_zone",
]

MANAGE_DIGESTS = "change digest subscriptions"
"""What a refusal says people who manage Hilal can do (commands, the form and its buttons)."""
INVITE_HINT = "Invite it with `/invite @Hilal` in {channel}, then run the command again."
SUBSCRIBED = (
    "✅ Daily digest set up: {subscription}.\n"
    "Each marketplace shows yesterday in its own time zone and currency. "
    "Try it now with `/hilal digest preview`."
)


class BotNotInChannel(UserFacingError):
    title = "Hilal isn't in that channel"


def require_manager(services: Services, client: WebClient, *, team_id: str, user_id: str) -> None:
    """Raises `NotAllowed` unless ``user_id`` may change digest subscriptions."""
    permission.require_manager(services, client, team_id=team_id, user_id=user_id, doing=MANAGE_DIGESTS)


def channel_info(client: WebClient, channel_id: str) -> dict[str, Any]:
    """``conversations.info`` as the bot sees it ({} when the channel is invisible to the bot)."""
    try:
        return dict(client.conversations_info(channel=channel_id).get("channel") or {})
    except SlackApiError as exc:
        if exc.response.get("error") == "channel_not_found":
            return {}
        raise


def require_bot_in(client: WebClient, channel_id: str) -> None:
    """Raises `BotNotInChannel` (saying how to invite Hilal) or `UsageError` (archived channel)."""
    channel = channel_info(client, channel_id)
    hint = mrkdwn_format(INVITE_HINT, channel=channel_mention(channel_id))
    if not channel:
        raise BotNotInChannel(
            "I can't see that channel: it is private and Hilal is not a member, or it doesn't exist.",
            hint=hint,
        )
    if channel.get("is_archived"):
        raise UsageError(
            mrkdwn_format("{channel} is archived.", channel=channel_mention(channel_id)),
            hint="Pick another channel.",
        )
    if not channel.get("is_im") and not channel.get("is_member"):
        raise BotNotInChannel(
            mrkdwn_format("Hilal is not a member of {channel}.", channel=channel_mention(channel_id)),
            hint=hint,
        )


def user_zone(client: WebClient, user_id: str) -> str:
    """The user's time zone from their Slack profile (UTC when unknown)."""
    try:
        user = client.users_info(user=user_id).get("user") or {}
    except SlackApiError:
        return "UTC"
    return str(user.get("tz") or "UTC")


def _scope(regions: tuple[str, ...], view_name: str | None) -> Mrkdwn:
    if view_name:
        return mrkdwn_format("view *{name}*", name=view_name)
    return Mrkdwn(
        "all regions" if len(regions) == len(ALL_REGIONS) else ", ".join(r.upper() for r in regions)
    )


def describe(info: SubscriptionInfo) -> Mrkdwn:
    """One subscription as mrkdwn: the channel as a live link, the view name and the rest escaped."""
    return mrkdwn_format(
        "{channel} · {time} {zone} · {scope}{chart} · {state}{unsure}",
        channel=channel_mention(info.channel_id),
        time=info.local_time,
        zone=info.timezone,
        scope=_scope(info.regions, info.view_name),
        chart=" · with chart" if info.chart else "",
        state=f"paused ({info.paused_reason})" if info.paused_reason else f"next {info.next_due}",
        unsure=(
            f" · ⚠️ the digest of {info.unsure_date} may not have been posted"
            " (Hilal did not get Slack's answer)"
            if info.unsure_date
            else ""
        ),
    )


def describe_request(request: SubscribeRequest, *, timezone: str) -> Mrkdwn:
    """A requested subscription as mrkdwn (time, zone, regions or view, chart)."""
    return mrkdwn_format(
        "{time} {zone} · {scope}{chart}",
        time=request.local_time,
        zone=timezone,
        scope=_scope(request.regions, request.view_name),
        chart=" · with chart" if request.chart else "",
    )


def subscribe_or_ask(
    services: Services,
    *,
    team_id: str,
    user_id: str,
    channel_id: str,
    timezone: str,
    request: SubscribeRequest,
    send: Callable[[Message], None],
    replace: bool = False,
) -> None:
    """Subscribe ``channel_id``, or, when it already has a digest (and not ``replace``), ask first.

    The question is a message with Replace and Keep buttons; Replace carries the whole request.

    Raises:
        NotFound: the named saved view does not exist for this user.
    """
    if request.view_name:  # a view that does not exist is said before any question
        with session_scope(services.engine, readonly=True) as session:
            find_view(session, team_id=team_id, user_id=user_id, name=request.view_name)
    existing = None if replace else current_subscription(services, team_id=team_id, channel_id=channel_id)
    if existing is not None:
        send(
            render_replace_prompt(
                channel=channel_mention(channel_id),
                current=describe(existing),
                wanted=describe_request(request, timezone=timezone),
                request=request_meta(request, channel_id=channel_id, timezone=timezone),
            )
        )
        return
    info = subscribe(
        services,
        team_id=team_id,
        channel_id=channel_id,
        user_id=user_id,
        request=request,
        timezone=timezone,
        now=services.now(),
    )
    send({"text": mrkdwn_format(SUBSCRIBED, subscription=describe(info))})
