"""The digest form: `/hilal digest subscribe` alone (or the "Set up a digest…" button) opens a modal with a
channel picker; its submission subscribes the picked channel, asking first when it already has a digest.

The submission is checked before ``ack()`` — time, time zone, regions, the saved view, the permission (as
the command checks it) and whether Hilal is in the channel — and every problem is answered in the modal
(``response_action: errors``, plain text). The answer goes to the picked channel through the
``response_url`` Slack gives for the picker (ephemeral), else as an ephemeral message there.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.amazon.regions import ALL_REGIONS
from bot.blocks.digest_subscribe import render_subscribe_modal
from bot.blocks.format import channel_mention, mrkdwn_format
from bot.blocks.ids import META_MAX_LENGTH, ActionId, BlockId, CallbackId, decode_meta
from bot.blocks.modals import modal_error_text
from bot.errors import NotFound, UsageError
from bot.features.base import Message
from bot.features.digest_common import (
    MANAGE_DIGESTS,
    require_bot_in,
    require_manager,
    subscribe_or_ask,
    user_zone,
)
from bot.features.forms import (
    FormInvalid,
    answer_sender,
    check_allowed,
    form_state,
    picked_conversation,
    ticked,
)
from bot.listeners.context import request_ids, services_of
from bot.listeners.permission import may_manage
from bot.services.campaigns import find_view, list_views
from bot.services.digest import SubscribeRequest, parse_local_time, parse_zone, request_from_meta
from storage.db import session_scope

if TYPE_CHECKING:
    from bot.listeners.registry import Listeners
    from bot.wiring import Services

__all__ = ["open_subscribe_form", "register", "subscribe_form"]

logger = logging.getLogger(__name__)
Body = dict[str, Any]
UNREADABLE = "This button sent something Hilal could not read, so nothing was changed."
AGAIN = "Run `/hilal digest subscribe` again."


def subscribe_form(services: Services, client: WebClient, *, team_id: str, user_id: str) -> dict[str, Any]:
    """The subscribe modal for ``user_id``: their time zone filled in, their saved views offered."""
    with session_scope(services.engine, readonly=True) as session:
        views = list_views(session, team_id=team_id, user_id=user_id)
    return render_subscribe_modal(timezone=user_zone(client, user_id), views=[v.name for v in views])


def open_subscribe_form(
    services: Services, client: WebClient, *, team_id: str, user_id: str, trigger_id: str
) -> bool:
    """Open the form; False when Slack refused (no or an expired trigger): offer the button instead."""
    if not trigger_id:
        return False
    view = subscribe_form(services, client, team_id=team_id, user_id=user_id)
    try:
        client.views_open(trigger_id=trigger_id, view=view)
    except SlackApiError as exc:
        logger.info("digest.form_not_opened", extra={"error": exc.response.get("error")})
        return False
    return True


def _checked(block: BlockId, read: Callable[[], str]) -> str:
    try:
        return read()
    except ValueError as exc:
        raise FormInvalid(block, modal_error_text(str(exc))) from None


def _read_form(view: Mapping[str, Any]) -> tuple[str, SubscribeRequest]:
    """(channel, request) from the submitted form; raises `FormInvalid` for the first problem."""
    channel = picked_conversation(view, BlockId.DIGEST_CHANNEL, ActionId.DIGEST_CHANNEL)
    if channel is None:
        raise FormInvalid(BlockId.DIGEST_CHANNEL, "Choose the channel for the digest.")
    raw_time = form_state(view, BlockId.DIGEST_TIME, ActionId.DIGEST_TIME).get("selected_time")
    local_time = _checked(BlockId.DIGEST_TIME, lambda: parse_local_time(str(raw_time or "")))
    raw_zone = str(form_state(view, BlockId.DIGEST_ZONE, ActionId.DIGEST_ZONE).get("value") or "").strip()
    zone = _checked(
        BlockId.DIGEST_ZONE, lambda: parse_zone("UTC" if raw_zone.upper() == "UTC" else raw_zone).key
    )
    option = form_state(view, BlockId.DIGEST_VIEW, ActionId.DIGEST_VIEW).get("selected_option")
    view_name = str(option.get("value")) if isinstance(option, Mapping) and option.get("value") else None
    regions = tuple(
        r for r in ALL_REGIONS if r in ticked(view, BlockId.DIGEST_REGIONS, ActionId.DIGEST_REGIONS)
    )
    if not regions and view_name is None:
        raise FormInvalid(BlockId.DIGEST_REGIONS, "Tick at least one region, or choose a saved view.")
    request = SubscribeRequest(
        channel_id=channel,
        local_time=local_time,
        timezone=zone,
        regions=regions if view_name is None else ALL_REGIONS,
        view_name=view_name,
        chart="chart" in ticked(view, BlockId.DIGEST_CHART, ActionId.DIGEST_CHART),
    )
    return channel, request


def _check_view(services: Services, *, team_id: str, user_id: str, name: str | None) -> None:
    if name is None:
        return
    with session_scope(services.engine, readonly=True) as session:
        try:
            find_view(session, team_id=team_id, user_id=user_id, name=name)
        except NotFound as error:
            raise FormInvalid(BlockId.DIGEST_VIEW, modal_error_text(error.detail)) from None


def _ids(context: BoltContext) -> tuple[str, str]:
    ids = request_ids(context)
    return ids.team_id, ids.user_id


def handle_submit(ack: Ack, body: Body, view: Body, client: WebClient, context: BoltContext) -> None:
    """The form was submitted: check everything, answer problems in the modal, else subscribe or ask."""
    services = services_of(context)
    team, user = _ids(context)
    try:
        channel, request = _read_form(view)
        _check_view(services, team_id=team, user_id=user, name=request.view_name)
        check_allowed(
            client,
            require=lambda: require_manager(services, client, team_id=team, user_id=user),
            channel=channel,
            block=BlockId.DIGEST_CHANNEL,
        )
    except FormInvalid as bad:
        ack(response_action="errors", errors={bad.block.value: bad.text})
        return
    ack()
    subscribe_or_ask(
        services,
        team_id=team,
        user_id=user,
        channel_id=channel,
        timezone=str(request.timezone),
        request=request,
        send=answer_sender(
            client,
            body,
            block=BlockId.DIGEST_CHANNEL,
            channel=channel,
            user_id=user,
            event="digest.form_answer_failed",
        ),
    )


def handle_open(ack: Ack, body: Body, client: WebClient, context: BoltContext) -> None:
    """ "Set up a digest…": open the form (registered manager-only, like the command)."""
    ack()
    services = services_of(context)
    team, user = _ids(context)
    client.views_open(
        trigger_id=str(body.get("trigger_id") or ""),
        view=subscribe_form(services, client, team_id=team, user_id=user),
    )


def _button_meta(body: Body) -> dict[str, object]:
    actions = body.get("actions") or [{}]
    try:
        return decode_meta(str(actions[0].get("value") or ""), limit=META_MAX_LENGTH)
    except ValueError:
        raise UsageError(UNREADABLE, hint=AGAIN) from None


def handle_replace(ack: Ack, body: Body, client: WebClient, respond: Respond, context: BoltContext) -> None:
    """Replace: subscribe as asked (registered manager-only; membership checked again), in place of the
    question."""
    ack()
    services = services_of(context)
    team, user = _ids(context)
    try:
        request = request_from_meta(_button_meta(body))
    except ValueError:
        raise UsageError(UNREADABLE, hint=AGAIN) from None
    channel = str(request.channel_id)
    require_bot_in(client, channel)
    subscribe_or_ask(
        services,
        team_id=team,
        user_id=user,
        channel_id=channel,
        timezone=str(request.timezone),
        request=request,
        send=lambda message: _replace_with(respond, message),
        replace=True,
    )


def _replace_with(respond: Respond, message: Message) -> None:
    respond(text=message.get("text", ""), blocks=message.get("blocks"), replace_original=True)


def handle_keep(ack: Ack, body: Body, respond: Respond) -> None:
    """Keep: the channel's digest stays as it was; the question says so."""
    ack()
    channel = str(_button_meta(body).get("channel") or "")
    text = mrkdwn_format(
        "Kept the current digest of {channel}; nothing changed.", channel=channel_mention(channel)
    )
    respond(text=text, replace_original=True)


def register(listeners: Listeners) -> None:
    """The form's submission and its buttons."""
    listeners.view(CallbackId.DIGEST_SUBSCRIBE)(handle_submit)
    manager = may_manage(MANAGE_DIGESTS)
    listeners.action(ActionId.DIGEST_OPEN, requires=manager)(handle_open)
    listeners.action(ActionId.DIGEST_REPLACE, requires=manager)(handle_replace)
    listeners.action(ActionId.DIGEST_KEEP)(handle_keep)
