"""`/hilal alerts subscribe [out-of-budget|at-risk N] [region …] [marketplace …]`, `alerts list`,
`alerts unsubscribe`: budget alerts in the channel the command is run in.

Changing subscriptions needs the manager permission (as digests); listing is open to everyone.
Subscribing checks that Hilal is in the channel and says how to invite it if not; subscribing a channel
that has alerts replaces them, and the answer says so. `subscribe` with nothing else opens the form
(`form`), whose channel picker starts on this channel.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.blocks.alerts import render_alert_list
from bot.blocks.alerts_subscribe import render_open_alerts
from bot.blocks.format import channel_mention
from bot.errors import UsageError
from bot.features.alerts import actions, form
from bot.features.alerts.form import open_alerts_form, require_alerts_manager, subscribe_and_describe
from bot.features.base import CommandContext, CommandSpec, Feature
from bot.features.digest_common import require_bot_in
from bot.services.pacing import ALERTS_EXAMPLE, list_alerts, parse_alert_args, unsubscribe_alerts

if TYPE_CHECKING:
    from bot.listeners.registry import Listeners

__all__ = ["FEATURE", "handle_alerts"]

SUBCOMMANDS = "Use `subscribe`, `list` or `unsubscribe`."


def _manager(ctx: CommandContext) -> None:
    require_alerts_manager(ctx.services, ctx.client, team_id=ctx.team_id, user_id=ctx.user_id)


def _subscribe(ctx: CommandContext) -> None:
    if not ctx.args[1:]:  # no details at all: the form, with the channel picker on this channel
        _manager(ctx)
        if not open_alerts_form(ctx.services, ctx.client, team_id=ctx.team_id, trigger_id=ctx.trigger_id):
            ctx.reply(render_open_alerts())
        return
    request = parse_alert_args(ctx.args[1:])
    _manager(ctx)
    require_bot_in(ctx.client, ctx.channel_id)
    ctx.reply(
        subscribe_and_describe(
            ctx.services, team_id=ctx.team_id, channel_id=ctx.channel_id, user_id=ctx.user_id, request=request
        )
    )


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


def register(listeners: Listeners) -> None:
    """The alert buttons, the form's submission and its opening button."""
    actions.register(listeners)
    form.register(listeners)


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
            "Budget alerts in this channel when campaigns run out of budget (or reach N %); "
            "`alerts subscribe` alone opens a form with a channel picker; also `alerts list`, "
            "`alerts unsubscribe`",
            ALERTS_EXAMPLE,
            handle_alerts,
        )
    ],
    register=register,
)
