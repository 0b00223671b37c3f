"""`/hilal alerts subscribe [out-of-budget|at-risk N] [region …] [marketplace …]`, `alerts list`,
`alerts unsubscribe`: budget alerts in the channel the command is run in.

Changing subscriptions needs the manager permission (as digests); listing is open to everyone.
Subscribing checks that Hilal is in the channel and says how to invite it if not.
"""

from __future__ import annotations

from bot.blocks.alerts import render_alert_list
from bot.blocks.format import channel_mention
from bot.errors import UsageError
from bot.features.alerts.actions import register
from bot.features.base import CommandContext, CommandSpec, Feature
from bot.features.digest_common import require_bot_in, require_manager
from bot.services.pacing import (
    ALERTS_EXAMPLE,
    list_alerts,
    parse_alert_args,
    subscribe_alerts,
    unsubscribe_alerts,
)

__all__ = ["FEATURE", "handle_alerts"]

SUBCOMMANDS = "Use `subscribe`, `list` or `unsubscribe`."


def _manager(ctx: CommandContext) -> None:
    require_manager(ctx.services, ctx.client, team_id=ctx.team_id, user_id=ctx.user_id)


def _subscribe(ctx: CommandContext) -> None:
    request = parse_alert_args(ctx.args[1:])
    _manager(ctx)
    require_bot_in(ctx.client, ctx.channel_id)
    sub = subscribe_alerts(
        ctx.services, team_id=ctx.team_id, channel_id=ctx.channel_id, user_id=ctx.user_id, request=request
    )
    what = (
        "runs out of budget" if sub.threshold >= 100 else f"reaches {sub.threshold} % or runs out of budget"
    )
    scope = ", ".join([r.upper() for r in sub.regions] + list(sub.marketplaces)) or "every connected region"
    text = (
        f"Budget alerts on in {channel_mention(ctx.channel_id)}: a message when an enabled Sponsored "
        f"Products campaign {what} ({scope}), once per campaign per marketplace day."
    )
    ctx.reply({"text": text})


def _list(ctx: CommandContext) -> None:
    ctx.reply(render_alert_list(list_alerts(ctx.services, team_id=ctx.team_id)))


def _unsubscribe(ctx: CommandContext) -> None:
    if len(ctx.args) > 1:
        raise UsageError("`alerts unsubscribe` takes nothing else.", hint="Run it in the channel to stop.")
    _manager(ctx)
    stopped = unsubscribe_alerts(ctx.services, team_id=ctx.team_id, channel_id=ctx.channel_id)
    where = channel_mention(ctx.channel_id)
    ctx.reply({"text": f"Budget alerts stopped in {where}." if stopped else f"{where} had no budget alerts."})


_HANDLERS = {"subscribe": _subscribe, "list": _list, "unsubscribe": _unsubscribe}


def handle_alerts(ctx: CommandContext) -> None:
    """`/hilal alerts …`: dispatch to the sub-command."""
    handler = _HANDLERS.get(ctx.args[0].lower()) if ctx.args else None
    if handler is None:
        said = f"`{ctx.args[0][:30]}` is not an alerts command." if ctx.args else "Which alerts command?"
        raise UsageError(said, hint=f"{SUBCOMMANDS} Example: `{ALERTS_EXAMPLE}`")
    handler(ctx)


FEATURE = Feature(
    name="alerts",
    commands=[
        CommandSpec(
            "alerts",
            "alerts subscribe [out-of-budget | at-risk N] [region na,eu] [marketplace de,fr]",
            "Budget alerts in this channel when campaigns run out of budget (or reach N %); also "
            "`alerts list`, `alerts unsubscribe`",
            ALERTS_EXAMPLE,
            handle_alerts,
        )
    ],
    register=register,
)
