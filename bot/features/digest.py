"""Daily digest commands: `/hilal digest subscribe|list|unsubscribe|preview`.

Changing subscriptions needs the same permission as connecting a region; listing and previewing are
open to everyone. Subscribing checks that Hilal is in the channel and says how to invite it if not.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from slack_sdk.errors import SlackApiError

from bot.blocks.digest import render_digest
from bot.blocks.format import Mrkdwn, channel_mention, mrkdwn_format
from bot.errors import NotAllowed, UsageError, UserFacingError
from bot.features.base import CommandContext, CommandSpec, Feature
from bot.services.digest_subscriptions import (
    EXAMPLE,
    SubscriptionInfo,
    list_subscriptions,
    parse_channel,
    parse_subscribe_args,
    scope_of,
    subscribe,
    unsubscribe,
)
from bot.services.digests import DigestScope, build_digest
from bot.services.permissions import can_manage, who_can_manage_text
from storage.db import session_scope
from storage.repositories import digests as repo

if TYPE_CHECKING:
    from slack_sdk import WebClient

__all__ = ["FEATURE", "BotNotInChannel", "handle_digest"]

USAGE = "digest subscribe|list|unsubscribe|preview"
SUBCOMMANDS = "Use `subscribe`, `list`, `unsubscribe` or `preview`."
INVITE_HINT = "Invite it with `/invite @Hilal` in {channel}, then run the command again."
PREVIEW_NOTE = "Preview, only visible to you. The chart is attached to the scheduled digest only."
MAX_PREVIEW_PARTS = 4  # a response_url takes 5 posts: the note plus up to 4 parts


class BotNotInChannel(UserFacingError):
    title = "Hilal isn't in that channel"


def _require_manager(ctx: CommandContext) -> None:
    if not can_manage(ctx.services, ctx.client, team_id=ctx.team_id, user_id=ctx.user_id):
        raise NotAllowed(
            "Only people who manage Hilal can change digest subscriptions.",
            hint=who_can_manage_text(ctx.services, team_id=ctx.team_id),
        )


def _require_bot_in(client: WebClient, channel_id: str) -> None:
    try:
        channel: dict[str, Any] = client.conversations_info(channel=channel_id).get("channel") or {}
    except SlackApiError as exc:
        if exc.response.get("error") == "channel_not_found":
            raise BotNotInChannel(
                "I can't see that channel: it is private and Hilal is not a member, or it doesn't exist.",
                hint=mrkdwn_format(INVITE_HINT, channel=channel_mention(channel_id)),
            ) from None
        raise
    if channel.get("is_archived"):
        raise UsageError(
            mrkdwn_format("{channel} is archived.", channel=channel_mention(channel_id)),
            hint="Pick another channel.",
        )
    if not channel.get("is_im") and not channel.get("is_member"):
        raise BotNotInChannel(
            mrkdwn_format("Hilal is not a member of {channel}.", channel=channel_mention(channel_id)),
            hint=mrkdwn_format(INVITE_HINT, channel=channel_mention(channel_id)),
        )


def _user_zone(client: WebClient, user_id: str) -> str:
    try:
        user = client.users_info(user=user_id).get("user") or {}
    except SlackApiError:
        return "UTC"
    return str(user.get("tz") or "UTC")


def _describe(info: SubscriptionInfo) -> Mrkdwn:
    """One subscription as mrkdwn: the channel as a live link, the view name and the rest escaped."""
    scope = (
        mrkdwn_format("view *{name}*", name=info.view_name)
        if info.view_name
        else ("all regions" if len(info.regions) == 3 else ", ".join(r.upper() for r in info.regions))
    )
    return mrkdwn_format(
        "{channel} · {time} {zone} · {scope}{chart} · {state}",
        channel=channel_mention(info.channel_id),
        time=info.local_time,
        zone=info.timezone,
        scope=scope,
        chart=" · with chart" if info.chart else "",
        state=f"paused ({info.paused_reason})" if info.paused_reason else f"next {info.next_due}",
    )


def _subscribe(ctx: CommandContext) -> None:
    request = parse_subscribe_args(ctx.args[1:])
    _require_manager(ctx)
    channel = request.channel_id or ctx.channel_id
    _require_bot_in(ctx.client, channel)
    zone = request.timezone or _user_zone(ctx.client, ctx.user_id)
    info = subscribe(
        ctx.services,
        team_id=ctx.team_id,
        channel_id=channel,
        user_id=ctx.user_id,
        request=request,
        timezone=zone,
        now=ctx.services.now(),
    )
    text = mrkdwn_format(
        "✅ Daily digest set up: {subscription}.\n"
        "Each marketplace shows yesterday in its own time zone and currency. "
        "Try it now with `/hilal digest preview`.",
        subscription=_describe(info),
    )
    ctx.reply({"text": text})


def _list(ctx: CommandContext) -> None:
    infos = list_subscriptions(ctx.services, team_id=ctx.team_id)
    if not infos:
        ctx.reply({"text": f"No digest subscriptions yet. Subscribe a channel with `{EXAMPLE}`."})
        return
    lines = [f"• {_describe(info)}" for info in infos[:50]]
    more = [f"… and {len(infos) - 50} more"] if len(infos) > 50 else []
    ctx.reply({"text": "*Daily digests*\n" + "\n".join(lines + more)})


def _unsubscribe(ctx: CommandContext) -> None:
    if len(ctx.args) > 2:
        raise UsageError(
            "`unsubscribe` takes at most one channel.", hint="Example: `/hilal digest unsubscribe #ppc`"
        )
    channel = ctx.channel_id
    if len(ctx.args) == 2:
        found = parse_channel(ctx.args[1])
        if found is None:
            raise UsageError(
                f"`{ctx.args[1][:40]}` is not a channel.", hint="Example: `/hilal digest unsubscribe #ppc`"
            )
        channel = found
    _require_manager(ctx)
    unsubscribe(ctx.services, team_id=ctx.team_id, channel_id=channel, now=ctx.services.now())
    text = mrkdwn_format(
        "Done: {channel} will no longer get the daily digest.", channel=channel_mention(channel)
    )
    ctx.reply({"text": text})


def _preview(ctx: CommandContext) -> None:
    if len(ctx.args) > 1:
        raise UsageError(
            "`preview` takes no arguments.", hint="Run it in a subscribed channel: `/hilal digest preview`"
        )
    with session_scope(ctx.services.engine, readonly=True) as session:
        row = repo.get_subscription(session, team_id=ctx.team_id, channel_id=ctx.channel_id)
    if row is not None and row.pause_reason != "unsubscribed":
        scope = scope_of(row, enterprise_id=ctx.enterprise_id)
    else:
        scope = DigestScope(
            team_id=ctx.team_id,
            enterprise_id=ctx.enterprise_id,
            timezone=_user_zone(ctx.client, ctx.user_id),
            subscriber_id=ctx.user_id,
        )
    built = build_digest(ctx.services, scope=scope, now=ctx.services.now())
    messages = render_digest(built.vm)
    ctx.reply({"text": PREVIEW_NOTE})
    for part in messages[:MAX_PREVIEW_PARTS]:
        ctx.reply(dict(part))


_HANDLERS = {"subscribe": _subscribe, "list": _list, "unsubscribe": _unsubscribe, "preview": _preview}


def handle_digest(ctx: CommandContext) -> None:
    """`/hilal digest …`: dispatch to the sub-command."""
    if not ctx.args:
        raise UsageError("Which digest command?", hint=f"{SUBCOMMANDS} Example: `{EXAMPLE}`")
    handler = _HANDLERS.get(ctx.args[0].lower())
    if handler is None:
        raise UsageError(
            f"`{ctx.args[0][:30]}` is not a digest command.", hint=f"{SUBCOMMANDS} Example: `{EXAMPLE}`"
        )
    handler(ctx)


FEATURE = Feature(
    name="digest",
    commands=[
        CommandSpec(
            "digest",
            "digest subscribe [#channel] [at HH:MM] [TIMEZONE] [region eu,fe | view NAME] [chart]",
            "Daily digest in a channel; also `digest list`, `digest unsubscribe [#channel]`, "
            "`digest preview`",
            EXAMPLE,
            handle_digest,
        )
    ],
)
