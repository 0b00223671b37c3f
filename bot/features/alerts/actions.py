"""The buttons of a budget alert: **Raise budget +20 %** (the live-edit preview, through every edit
guard; editors only) and **Mute for today** (that campaign, that channel, that marketplace day).

A grouped alert offers both in each campaign's overflow menu (`alerts.menu`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.blocks.alerts import ALERT_MENU, ALERT_MUTE, ALERT_RAISE
from bot.blocks.format import escape_mrkdwn
from bot.features.campaigns.ui import UnreadableRequest, first_action
from bot.features.edits.ui import plan_preview, send_message
from bot.listeners.context import request_ids, services_of
from bot.listeners.permission import may_edit, require_edit_role
from bot.services.edits import EditTarget
from bot.services.pacing import mute_for_today

if TYPE_CHECKING:
    from bot.listeners.registry import Listeners

__all__ = ["RAISE_BY", "register"]

Body = dict[str, Any]
RAISE_BY = "+20%"


def _pk(text: object) -> int:
    if not isinstance(text, str) or not text.isascii() or not text.isdigit() or len(text) > 18:
        raise UnreadableRequest("This button")
    return int(text)


def _channel(body: Body) -> str:
    channel = body.get("channel")
    found = channel.get("id") if isinstance(channel, Mapping) else None
    if not isinstance(found, str) or not found:
        raise UnreadableRequest("This button")
    return found


def _raise(context: BoltContext, client: WebClient, respond: Any, campaign_pk: int) -> None:
    services, ids = services_of(context), request_ids(context)
    manager = require_edit_role(services, client, team_id=ids.team_id, user_id=ids.user_id)
    msg = plan_preview(
        services,
        client,
        team_id=ids.team_id,
        user_id=ids.user_id,
        kind="budget",
        targets=[EditTarget("campaign", campaign_pk)],
        value=RAISE_BY,
        manager=manager,
    )
    send_message(client, msg, user_id=ids.user_id, respond=respond)


def _mute(context: BoltContext, body: Body, respond: Any, campaign_pk: int) -> None:
    services, ids = services_of(context), request_ids(context)
    channel = _channel(body)
    name = mute_for_today(
        services, team_id=ids.team_id, channel_id=channel, campaign_pk=campaign_pk, user_id=ids.user_id
    )
    text = f"Muted *{escape_mrkdwn(name)}* in this channel for the rest of its marketplace's day."
    respond(text=text, response_type="ephemeral", replace_original=False)


def handle_raise(ack: Ack, body: Body, client: WebClient, respond: Any, context: BoltContext) -> None:
    """Raise budget +20 %: the live-edit preview (Confirm applies it), to the clicker only."""
    ack()
    _raise(context, client, respond, _pk(first_action(body).get("value")))


def handle_mute(ack: Ack, body: Body, respond: Any, context: BoltContext) -> None:
    """Mute for today: no more alerts for this campaign here until its marketplace's midnight."""
    ack()
    _mute(context, body, respond, _pk(first_action(body).get("value")))


def handle_menu(ack: Ack, body: Body, client: WebClient, respond: Any, context: BoltContext) -> None:
    """A grouped alert's campaign menu: `raise:PK` or `mute:PK`."""
    ack()
    option = first_action(body).get("selected_option")
    value = option.get("value") if isinstance(option, Mapping) else None
    op, _, pk = str(value or "").partition(":")
    if op == "raise":
        _raise(context, client, respond, _pk(pk))
    elif op == "mute":
        _mute(context, body, respond, _pk(pk))
    else:
        raise UnreadableRequest("This menu")


def register(app: Listeners) -> None:
    """Wire the alert buttons (raising a budget needs the edit role; the guards run in the preview)."""
    app.action(ALERT_RAISE, requires=may_edit())(handle_raise)
    app.action(ALERT_MUTE, requires=may_edit())(handle_mute)
    app.action(ALERT_MENU, requires=may_edit())(handle_menu)
