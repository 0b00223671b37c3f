"""The alerts form: `/hilal alerts subscribe` alone (or the "Set up alerts…" button) opens a modal with a
channel picker; its submission subscribes the picked channel through the same service as the command.

The submission is checked before ``ack()`` — the permission (as the command checks it), the kind and
threshold, regions and marketplaces (read by the command's own parser) and whether Hilal is in the
channel — and every problem is answered in the modal (``response_action: errors``, plain text). A channel
that already has alerts gets the new ones in their place, as with the command, and the answer says what
they replaced. The answer goes to the picked channel through the ``response_url`` Slack gives for the
picker (ephemeral), else as an ephemeral message there.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks.alerts import render_alerts_subscribed
from bot.blocks.alerts_subscribe import AT_RISK, OUT_OF_BUDGET, render_alerts_modal
from bot.blocks.common import Message
from bot.blocks.ids import ActionId, BlockId, CallbackId
from bot.blocks.modals import modal_error_text
from bot.errors import UserFacingError
from bot.features.forms import (
    FormInvalid,
    answer_sender,
    check_allowed,
    form_state,
    picked_conversation,
    ticked,
)
from bot.listeners import permission
from bot.listeners.context import request_ids, services_of
from bot.services.pacing import AlertRequest, list_alerts, parse_alert_args, subscribe_alerts
from bot.viewmodels.pacing import AlertFormVM
from storage.db import session_scope
from storage.repositories.campaigns import marketplace_choices

if TYPE_CHECKING:
    from bot.listeners.registry import Listeners
    from bot.wiring import Services

__all__ = [
    "MANAGE_ALERTS",
    "alerts_form",
    "open_alerts_form",
    "register",
    "require_alerts_manager",
    "subscribe_and_describe",
]

logger = logging.getLogger(__name__)
Body = dict[str, Any]
MANAGE_ALERTS = "change budget alerts"
"""What a refusal says people who manage Hilal can do (the command, the form and its button)."""


def require_alerts_manager(services: Services, client: WebClient, *, team_id: str, user_id: str) -> None:
    """Raises `NotAllowed` (saying who can) unless ``user_id`` may change budget alerts."""
    permission.require_manager(services, client, team_id=team_id, user_id=user_id, doing=MANAGE_ALERTS)


def subscribe_and_describe(
    services: Services, *, team_id: str, channel_id: str, user_id: str, request: AlertRequest
) -> Message:
    """Subscribe the channel (replacing its alerts, as the command always has); the answer saying so."""
    previous = next((s for s in list_alerts(services, team_id=team_id) if s.channel_id == channel_id), None)
    sub = subscribe_alerts(services, team_id=team_id, channel_id=channel_id, user_id=user_id, request=request)
    return render_alerts_subscribed(sub, replaced=previous)


def alerts_form(services: Services, *, team_id: str) -> dict[str, Any]:
    """The alerts modal, offering the team's selected marketplaces."""
    with session_scope(services.engine, readonly=True) as session:
        markets = marketplace_choices(session, team_id=team_id)
    return render_alerts_modal(AlertFormVM(marketplaces=tuple(markets)))


def open_alerts_form(services: Services, client: WebClient, *, team_id: str, trigger_id: str) -> bool:
    """Open the form; False when Slack refused (no or an expired trigger): offer the button instead."""
    if not trigger_id:
        return False
    try:
        client.views_open(trigger_id=trigger_id, view=alerts_form(services, team_id=team_id))
    except SlackApiError as exc:
        logger.info("alerts.form_not_opened", extra={"error": exc.response.get("error")})
        return False
    return True


def _parsed(block: BlockId, words: list[str]) -> AlertRequest:
    """The command's parser over ``words``; its refusal shown under ``block``."""
    try:
        return parse_alert_args(words)
    except UserFacingError as error:
        raise FormInvalid(block, modal_error_text(error.detail)) from None


def _threshold(view: Mapping[str, Any]) -> int:
    option = form_state(view, BlockId.ALERTS_KIND, ActionId.ALERTS_KIND).get("selected_option")
    kind = option.get("value") if isinstance(option, Mapping) else None
    if kind not in (OUT_OF_BUDGET, AT_RISK):
        raise FormInvalid(BlockId.ALERTS_KIND, "Choose when to alert.")
    if kind == OUT_OF_BUDGET:
        return 100
    raw = str(
        form_state(view, BlockId.ALERTS_THRESHOLD, ActionId.ALERTS_THRESHOLD).get("value") or ""
    ).strip()
    if not raw:
        raise FormInvalid(BlockId.ALERTS_THRESHOLD, "Give the percentage to alert from: 1 to 99.")
    return _parsed(BlockId.ALERTS_THRESHOLD, ["at-risk", raw[:12]]).threshold


def _channel_of(view: Mapping[str, Any]) -> str:
    channel = picked_conversation(view, BlockId.ALERTS_CHANNEL, ActionId.ALERTS_CHANNEL)
    if channel is None:
        raise FormInvalid(BlockId.ALERTS_CHANNEL, "Choose the channel for the alerts.")
    return channel


def _read_form(view: Mapping[str, Any]) -> tuple[str, AlertRequest]:
    """(channel, request) from the submitted form; raises `FormInvalid` for the first problem."""
    channel = _channel_of(view)
    threshold = _threshold(view)
    regions = ticked(view, BlockId.ALERTS_REGIONS, ActionId.ALERTS_REGIONS)
    markets = ticked(view, BlockId.ALERTS_MARKETPLACES, ActionId.ALERTS_MARKETPLACES)
    region_words = ["region", ",".join(v[:10] for v in regions[:10])] if regions else []
    market_words = ["marketplace", ",".join(v[:10] for v in markets[:100])] if markets else []
    scope = (
        _parsed(BlockId.ALERTS_REGIONS, region_words).regions,
        _parsed(BlockId.ALERTS_MARKETPLACES, market_words).marketplaces,
    )
    return channel, AlertRequest(threshold=threshold, regions=scope[0], marketplaces=scope[1])


def handle_submit(ack: Ack, body: Body, view: Body, client: WebClient, context: BoltContext) -> None:
    """The form was submitted: check everything, answer problems in the modal, else subscribe."""
    services, ids = services_of(context), request_ids(context)
    team, user = ids.team_id, ids.user_id
    try:
        check_allowed(
            client,
            require=lambda: require_alerts_manager(services, client, team_id=team, user_id=user),
            channel=_channel_of(view),
            block=BlockId.ALERTS_CHANNEL,
        )
        channel, request = _read_form(view)
    except FormInvalid as bad:
        ack(response_action="errors", errors={bad.block.value: bad.text})
        return
    ack()
    answer = subscribe_and_describe(services, team_id=team, channel_id=channel, user_id=user, request=request)
    send = answer_sender(
        client,
        body,
        block=BlockId.ALERTS_CHANNEL,
        channel=channel,
        user_id=user,
        event="alerts.form_answer_failed",
    )
    send(answer)


def handle_open(ack: Ack, body: Body, client: WebClient, context: BoltContext) -> None:
    """ "Set up alerts…": open the form (registered manager-only, like the command)."""
    ack()
    client.views_open(
        trigger_id=str(body.get("trigger_id") or ""),
        view=alerts_form(services_of(context), team_id=request_ids(context).team_id),
    )


def register(listeners: Listeners) -> None:
    """The form's submission (its permission answered in the form) and the button opening it."""
    listeners.view(CallbackId.ALERTS_SUBSCRIBE)(handle_submit)
    listeners.action(ActionId.ALERTS_OPEN, requires=permission.may_manage(MANAGE_ALERTS))(handle_open)
