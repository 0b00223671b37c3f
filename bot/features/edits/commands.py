"""Live edits from the command line: `/hilal pause|enable|budget|bid|history`, `/hilal readonly` and
`/hilal audit-channel`.

An edit command answers with a preview (nothing is sent to Amazon before Confirm). CAMPAIGN resolves as
for tags and notes (id, exact name, unique prefix); several matches ask "which one?" in a modal.
"""

from __future__ import annotations

import re

from slack_sdk.errors import SlackApiError

from bot.blocks.edits import render_history
from bot.blocks.format import channel_mention, mrkdwn_format
from bot.blocks.ids import CallbackId
from bot.blocks.modals import render_choose_campaign
from bot.errors import NotFound, UsageError
from bot.features.base import CommandContext, CommandSpec, Feature
from bot.features.edits.actions import register
from bot.features.edits.modals import pending_targets
from bot.features.edits.ui import plan_preview
from bot.listeners.permission import require_edit_role, require_manager
from bot.services.campaigns import AmbiguousCampaign, resolve_campaign
from bot.services.edits import campaign_history, history_vm, set_audit_channel, set_read_only
from storage.db import session_scope
from storage.repositories.connections import add_audit

__all__ = ["FEATURE"]

PAUSE_EXAMPLE = '/hilal pause "SP - Trail Shoes"'
BUDGET_EXAMPLE = '/hilal budget "SP - Trail Shoes" 80'
BID_EXAMPLE = '/hilal bid "SP - Trail Shoes" "trail shoes" 0.60'
_CHANNEL = re.compile(r"^<#([CG][A-Z0-9]+)(?:\|[^>]*)?>$|^#?([CG][A-Z0-9]{2,})$")
_REGIONS = ("na", "eu", "fe")


def _ask_which(ctx: CommandContext, error: AmbiguousCampaign, pending: dict[str, object]) -> None:
    try:
        view = render_choose_campaign(
            error.matches,
            query=error.query,
            pending={**pending, "channel": ctx.channel_id},
            callback_id=CallbackId.EDIT_CHOOSE_CAMPAIGN,
        )
        ctx.client.views_open(trigger_id=ctx.trigger_id, view=view)
    except (SlackApiError, ValueError):
        raise error from None


def _campaign_pk(ctx: CommandContext, name: str, pending: dict[str, object]) -> int | None:
    with session_scope(ctx.services.engine, readonly=True) as session:
        try:
            return resolve_campaign(session, team_id=ctx.team_id, text=name).id
        except AmbiguousCampaign as error:
            ambiguous = error
    _ask_which(ctx, ambiguous, pending)
    return None


def _edit(ctx: CommandContext, *, name: str, pending: dict[str, object]) -> None:
    manager = require_edit_role(ctx.services, ctx.client, team_id=ctx.team_id, user_id=ctx.user_id)
    pk = _campaign_pk(ctx, name, pending)
    if pk is None:
        return  # the "which campaign?" modal carries on
    kind, targets, value = pending_targets(ctx.services, team_id=ctx.team_id, campaign_pk=pk, pending=pending)
    ctx.reply(
        plan_preview(
            ctx.services,
            ctx.client,
            team_id=ctx.team_id,
            user_id=ctx.user_id,
            kind=kind,
            targets=targets,
            value=value,
            manager=manager,
        )
    )


def _state(ctx: CommandContext, kind: str) -> None:
    if not ctx.args:
        raise UsageError(
            f"Which campaign should Hilal {kind}?", hint=f'Example: `/hilal {kind} "SP - Trail Shoes"`'
        )
    _edit(ctx, name=" ".join(ctx.args), pending={"op": kind})


def handle_pause(ctx: CommandContext) -> None:
    _state(ctx, "pause")


def handle_enable(ctx: CommandContext) -> None:
    _state(ctx, "enable")


def handle_budget(ctx: CommandContext) -> None:
    if len(ctx.args) < 2:
        raise UsageError(
            "`budget` needs a campaign and the new daily budget.", hint=f"Example: `{BUDGET_EXAMPLE}`"
        )
    _edit(ctx, name=" ".join(ctx.args[:-1]), pending={"op": "budget", "value": ctx.args[-1]})


def handle_bid(ctx: CommandContext) -> None:
    if len(ctx.args) < 3:
        raise UsageError(
            "`bid` needs a campaign, the keyword in quotes and the new bid.", hint=f"Example: `{BID_EXAMPLE}`"
        )
    pending: dict[str, object] = {"op": "bid", "value": ctx.args[-1], "keyword": ctx.args[-2]}
    _edit(ctx, name=" ".join(ctx.args[:-2]), pending=pending)


def handle_history(ctx: CommandContext) -> None:
    if not ctx.args:
        raise UsageError(
            "Whose history? Give a campaign.", hint='Example: `/hilal history "SP - Trail Shoes"`'
        )
    with session_scope(ctx.services.engine, readonly=True) as session:
        campaign = resolve_campaign(session, team_id=ctx.team_id, text=" ".join(ctx.args))
        entries = campaign_history(session, team_id=ctx.team_id, campaign_pk=campaign.id or 0, limit=15)
        name = campaign.name
    ctx.reply(render_history(history_vm(name, entries)))


def handle_readonly(ctx: CommandContext) -> None:
    words = [a.lower() for a in ctx.args]
    if len(words) != 2 or words[0] not in _REGIONS or words[1] not in ("on", "off"):
        raise UsageError(
            "Use `readonly REGION on` or `readonly REGION off`.", hint="Example: `/hilal readonly eu on`"
        )
    require_manager(
        ctx.services,
        ctx.client,
        team_id=ctx.team_id,
        user_id=ctx.user_id,
        doing="switch live edits off or on",
    )
    region, on = words[0], words[1] == "on"
    with session_scope(ctx.services.engine) as session:
        if not set_read_only(session, team_id=ctx.team_id, region=region, read_only=on):
            raise NotFound(
                f"{region.upper()} is not connected.", hint=f"Connect it with `/hilal connect {region}`."
            )
        add_audit(
            session,
            team_id=ctx.team_id,
            actor=ctx.user_id,
            action=f"edits.read_only_{words[1]}",
            now=ctx.services.now(),
            region=region,
        )
    text = (
        f"🔒 {region.upper()} is read-only: live edits there are refused "
        f"until `/hilal readonly {region} off`."
        if on
        else f"{region.upper()} accepts live edits again (previewed and confirmed as usual)."
    )
    ctx.reply({"text": text})


def handle_audit_channel(ctx: CommandContext) -> None:
    word = ctx.args[0] if len(ctx.args) == 1 else ""
    match = _CHANNEL.match(word)
    if word.lower() != "off" and not match:
        raise UsageError("Name one channel, or `off`.", hint="Example: `/hilal audit-channel #ppc-changes`")
    require_manager(
        ctx.services, ctx.client, team_id=ctx.team_id, user_id=ctx.user_id, doing="choose the audit channel"
    )
    channel = (match.group(1) or match.group(2)) if match else None
    with session_scope(ctx.services.engine) as session:
        set_audit_channel(session, team_id=ctx.team_id, channel=channel)
        add_audit(
            session,
            team_id=ctx.team_id,
            actor=ctx.user_id,
            action="edits.audit_channel",
            now=ctx.services.now(),
            channel=channel or "off",
        )
    if channel is None:
        ctx.reply(
            {"text": "Live edits are no longer posted to an audit channel (they stay in `/hilal history`)."}
        )
        return
    text = mrkdwn_format(
        "Every live edit now posts one line per change to {channel}. Invite Hilal there if it is private.",
        channel=channel_mention(channel),
    )
    ctx.reply({"text": text})


FEATURE = Feature(
    name="edits",
    commands=[
        CommandSpec(
            "pause",
            "pause CAMPAIGN",
            "Pause a campaign at Amazon (previewed, then confirmed)",
            PAUSE_EXAMPLE,
            handle_pause,
        ),
        CommandSpec(
            "enable",
            "enable CAMPAIGN",
            "Enable a paused campaign at Amazon (previewed)",
            '/hilal enable "SP - Trail Shoes"',
            handle_enable,
        ),
        CommandSpec(
            "budget",
            "budget CAMPAIGN AMOUNT",
            "Change a daily budget: 80, 80,50 or +20% (previewed)",
            BUDGET_EXAMPLE,
            handle_budget,
        ),
        CommandSpec(
            "bid",
            'bid CAMPAIGN "KEYWORD" AMOUNT',
            "Change a keyword's bid (previewed)",
            BID_EXAMPLE,
            handle_bid,
        ),
        CommandSpec(
            "history",
            "history CAMPAIGN",
            "The latest live edits of a campaign",
            '/hilal history "SP - Trail Shoes"',
            handle_history,
        ),
        CommandSpec(
            "readonly",
            "readonly REGION on|off",
            "Refuse every live edit in a region (managers)",
            "/hilal readonly eu on",
            handle_readonly,
        ),
        CommandSpec(
            "audit-channel",
            "audit-channel #channel|off",
            "Post one line per live edit to a channel (managers)",
            "/hilal audit-channel #ppc-changes",
            handle_audit_channel,
        ),
    ],
    register=register,
)
