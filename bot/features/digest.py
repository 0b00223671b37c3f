"""Daily digest commands: `/hilal digest subscribe|list|unsubscribe|preview`.

Changing subscriptions needs the same permission as connecting a region; listing and previewing are
open to everyone. Subscribing checks that Hilal is in the channel and says how to invite it if not, and
asks before replacing a channel's digest. `subscribe` with nothing else opens the form (`digest_form`).
"""

from __future__ import annotations

import logging
from dataclasses import replace

from slack_sdk.errors import SlackApiError

from bot.blocks.common import Message
from bot.blocks.digest import render_digest, without_chart
from bot.blocks.digest_subscribe import render_open_subscribe
from bot.blocks.format import channel_mention, format_money, mrkdwn_format
from bot.errors import UsageError
from bot.features.base import CommandContext, CommandSpec, Feature
from bot.features.digest_common import (
    BotNotInChannel,
    describe,
    require_bot_in,
    require_manager,
    subscribe_or_ask,
    user_zone,
)
from bot.features.digest_form import open_subscribe_form, register
from bot.services.digest import (
    CHART_ALT_TEXT,
    CHART_TITLE,
    EXAMPLE,
    DigestBuild,
    DigestScope,
    build_digest,
    list_subscriptions,
    parse_channel,
    parse_subscribe_args,
    render_chart_png,
    scope_of,
    unsubscribe,
)
from storage.db import session_scope
from storage.repositories import digests as repo

__all__ = ["FEATURE", "BotNotInChannel", "handle_digest"]

USAGE = "digest subscribe|list|unsubscribe|preview"
SUBCOMMANDS = "Use `subscribe`, `list`, `unsubscribe` or `preview`."
PREVIEW_NOTE = "Preview, only visible to you."
MAX_PREVIEW_PARTS = 4  # a response_url takes 5 posts: the note plus up to 4 parts


logger = logging.getLogger(__name__)


def _require_manager(ctx: CommandContext) -> None:
    require_manager(ctx.services, ctx.client, team_id=ctx.team_id, user_id=ctx.user_id)


def _subscribe(ctx: CommandContext) -> None:
    if not ctx.args[1:]:  # no details at all: the form, with the channel picker on this channel
        _require_manager(ctx)
        if not open_subscribe_form(
            ctx.services, ctx.client, team_id=ctx.team_id, user_id=ctx.user_id, trigger_id=ctx.trigger_id
        ):
            ctx.reply(render_open_subscribe())
        return
    request = parse_subscribe_args(ctx.args[1:])
    _require_manager(ctx)
    channel = request.channel_id or ctx.channel_id
    require_bot_in(ctx.client, channel)
    subscribe_or_ask(
        ctx.services,
        team_id=ctx.team_id,
        user_id=ctx.user_id,
        channel_id=channel,
        timezone=request.timezone or user_zone(ctx.client, ctx.user_id),
        request=request,
        send=ctx.reply,
    )


def _list(ctx: CommandContext) -> None:
    infos = list_subscriptions(ctx.services, team_id=ctx.team_id)
    if not infos:
        ctx.reply({"text": f"No digest subscriptions yet. Subscribe a channel with `{EXAMPLE}`."})
        return
    lines = [f"• {describe(info)}" for info in infos[:50]]
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
            timezone=user_zone(ctx.client, ctx.user_id),
            subscriber_id=ctx.user_id,
        )
    built = build_digest(ctx.services, scope=scope, now=ctx.services.now())
    file_id = _preview_chart(ctx, built) if row is None or row.chart else None
    messages = render_digest(replace(built.vm, chart_file_id=file_id))
    ctx.reply({"text": PREVIEW_NOTE})
    _reply_with_chart(ctx, messages[0])
    for part in messages[1:MAX_PREVIEW_PARTS]:
        ctx.reply(part)


def _preview_chart(ctx: CommandContext, built: DigestBuild) -> str | None:
    """Upload the chart privately (files upload v2, no channel) for the preview's image block."""
    try:
        response = ctx.client.files_upload_v2(
            content=render_chart_png(built.chart, money=format_money),
            filename="hilal-digest-preview.png",
            title=CHART_TITLE,
            alt_txt=CHART_ALT_TEXT,
        )
    except SlackApiError as exc:  # the preview still shows the figures
        logger.warning("digest.preview_chart_failed", extra={"error": exc.response.get("error")})
        return None
    return str((response.get("file") or {}).get("id") or "") or None


def _reply_with_chart(ctx: CommandContext, first: Message) -> None:
    """Send the first part; if Slack refuses the just-uploaded chart, send it without the chart."""
    answer = ctx.respond(text=first["text"], blocks=first["blocks"], response_type="ephemeral")
    if getattr(answer, "status_code", 200) != 200:
        logger.info("digest.preview_chart_refused", extra={"status": getattr(answer, "status_code", None)})
        ctx.reply(without_chart(first))


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
            "Daily digest in a channel (`digest subscribe` alone opens a form); also `digest list`, "
            "`digest unsubscribe [#channel]`, `digest preview`",
            EXAMPLE,
            handle_digest,
        )
    ],
    register=register,
)
