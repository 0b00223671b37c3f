"""Buttons and menus of live edits: Confirm, Cancel, Undo; Pause / Enable and the amount modal from the
campaign list and Details; "Pause all N shown…" on a filtered list.

Every edit entry requires the edit role (`may_edit`): a member without it gets the polite refusal on
the surface they clicked, and nothing is planned. Cancel is for the person who asked for the preview,
or anyone with the edit role: someone else's click (a forged one, or a preview seen in a shared DM) is
refused and the preview stays.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.blocks.common import message
from bot.blocks.edits import render_amount_modal, render_confirm_word_modal
from bot.blocks.errors import render_user_error
from bot.blocks.ids import (
    OPTION_META_MAX_LENGTH,
    PRIVATE_METADATA_MAX_LENGTH,
    ActionId,
    CampaignOp,
    encode_meta,
)
from bot.errors import UserFacingError
from bot.features.campaigns.ui import (
    UnreadableRequest,
    campaign_pk_of,
    first_action,
    read_meta,
    trigger_of,
)
from bot.features.edits.modals import register_modals
from bot.features.edits.ui import (
    batch_of,
    check_team,
    confirm_and_render,
    outcome_message,
    plan_preview,
    preview_message,
    send_message,
)
from bot.listeners.context import request_ids, services_of
from bot.listeners.permission import is_manager, may_edit, require_edit_role
from bot.services.campaigns import load_user_filter
from bot.services.edits import (
    EditNotAllowed,
    EditTarget,
    bulk_targets,
    cancel_edit,
    current_amount,
    plan_undo,
)
from bot.viewmodels import AmountFormVM, ConfirmWordVM
from storage.db import session_scope
from storage.repositories.edits import get_batch

if TYPE_CHECKING:
    from bot.listeners.registry import Listeners
    from bot.wiring import Services

__all__ = ["open_amount_modal", "register", "start_from_overflow"]

Body = dict[str, Any]
_STATE_KINDS = ("pause", "enable")


def _url(body: Body) -> str:
    url = body.get("response_url")
    return url if isinstance(url, str) else ""


def handle_confirm(ack: Ack, body: Body, client: WebClient, respond: Any, context: BoltContext) -> None:
    """Confirm: apply once and replace the preview; a big change first asks for its word in a modal."""
    ack()
    services, ids = services_of(context), request_ids(context)
    value = first_action(body).get("value")
    batch_id = batch_of(value)
    meta = read_meta(value, limit=2000)
    if meta.get("w"):
        check_team(services, team_id=ids.team_id, batch_id=batch_id)
        _open_word_modal(services, client, body, batch_id=batch_id)
        return
    msg = confirm_and_render(
        services, client, team_id=ids.team_id, user_id=ids.user_id, batch_id=batch_id, typed=None
    )
    respond(text=msg["text"], blocks=msg["blocks"], replace_original=True)


def _open_word_modal(services: Services, client: WebClient, body: Body, *, batch_id: int) -> None:
    with session_scope(services.engine, readonly=True) as session:
        batch = get_batch(session, batch_id=batch_id)
        word = batch.confirm_word if batch is not None else None
    if not word:
        raise UnreadableRequest("This button")
    metadata = encode_meta({"b": str(batch_id), "url": _url(body)}, limit=PRIVATE_METADATA_MAX_LENGTH)
    vm = ConfirmWordVM(word=word, title="Confirm this change at Amazon", metadata=metadata)
    client.views_open(trigger_id=trigger_of(body), view=render_confirm_word_modal(vm))


def handle_cancel(ack: Ack, body: Body, client: WebClient, respond: Any, context: BoltContext) -> None:
    """Cancel: drop the preview ("Cancelled — nothing was sent to Amazon"), or show what already happened.

    Only the preview's creator or an editor (a manager or a named editor) may cancel it.
    """
    ack()
    services, ids = services_of(context), request_ids(context)
    batch_id = batch_of(first_action(body).get("value"))
    creator = check_team(services, team_id=ids.team_id, batch_id=batch_id)
    if creator != ids.user_id:
        try:
            require_edit_role(services, client, team_id=ids.team_id, user_id=ids.user_id)
        except EditNotAllowed:
            raise EditNotAllowed(
                "Only the person who asked for this preview, or an editor, can cancel it.",
                hint="Nothing was changed: the preview stays as it was.",
            ) from None
    cancel_edit(services, batch_id=batch_id, now=services.now())
    msg = outcome_message(services, batch_id=batch_id)
    respond(text=msg["text"], blocks=msg["blocks"], replace_original=True)


def handle_undo(ack: Ack, body: Body, client: WebClient, respond: Any, context: BoltContext) -> None:
    """Undo (within 15 minutes): a new preview restoring the previous values, through every guard."""
    ack()
    services, ids = services_of(context), request_ids(context)
    batch_id = batch_of(first_action(body).get("value"))
    check_team(services, team_id=ids.team_id, batch_id=batch_id)
    preview = plan_undo(
        services,
        batch_id=batch_id,
        user_id=ids.user_id,
        now=services.now(),
        is_manager=is_manager(services, client, team_id=ids.team_id, user_id=ids.user_id),
    )
    send_message(client, preview_message(preview), user_id=ids.user_id, respond=respond)


def _preview_to_user(
    context: BoltContext,
    client: WebClient,
    body: Body,
    *,
    kind: str,
    target: EditTarget,
    respond: Any,
    manager: bool | None = None,
) -> None:
    services, ids = services_of(context), request_ids(context)
    msg = plan_preview(
        services,
        client,
        team_id=ids.team_id,
        user_id=ids.user_id,
        kind=kind,
        targets=[target],
        manager=manager,
    )
    send_message(client, msg, user_id=ids.user_id, respond=respond if _url(body) else None)


def open_amount_modal(
    services: Services, client: WebClient, body: Body, *, kind: str, target: EditTarget, push: bool
) -> None:
    """The small modal asking for a new budget or bid (pushed over Details, else opened)."""
    with session_scope(services.engine, readonly=True) as session:
        name, current, currency = current_amount(session, entity_type=target.entity_type, pk=target.pk)
    meta = {"k": kind, "t": target.entity_type, "id": str(target.pk), "url": _url(body)}
    vm = AmountFormVM(
        kind=kind,
        target_name=name,
        current=current,
        currency=currency,
        metadata=encode_meta(meta, limit=PRIVATE_METADATA_MAX_LENGTH),
    )
    view = render_amount_modal(vm)
    if push:
        client.views_push(trigger_id=trigger_of(body), view=view)
    else:
        client.views_open(trigger_id=trigger_of(body), view=view)


def start_from_overflow(
    context: BoltContext, client: WebClient, body: Body, *, op: str, campaign_pk: int, respond: Any
) -> None:
    """A campaign row's Pause… / Enable… / Change daily budget… (called by the campaign list's menu)."""
    services, ids = services_of(context), request_ids(context)
    manager = require_edit_role(services, client, team_id=ids.team_id, user_id=ids.user_id)
    target = EditTarget("campaign", campaign_pk)
    if op == CampaignOp.BUDGET:
        open_amount_modal(services, client, body, kind="budget", target=target, push=False)
        return
    _preview_to_user(context, client, body, kind=op, target=target, respond=respond, manager=manager)


def handle_detail_state(ack: Ack, body: Body, client: WebClient, respond: Any, context: BoltContext) -> None:
    """Details' Pause… / Enable… button: the preview arrives as a direct message."""
    ack()
    meta = read_meta(first_action(body).get("value"), limit=2000, what="This button")
    kind, entity = meta.get("k"), meta.get("t")
    if kind not in _STATE_KINDS or entity not in ("campaign", "keyword"):
        raise UnreadableRequest("This button")
    target = EditTarget("campaign" if entity == "campaign" else "keyword", campaign_pk_of(meta.get("id")))
    _preview_to_user(context, client, body, kind=str(kind), target=target, respond=respond)


def handle_detail_budget(ack: Ack, body: Body, client: WebClient, context: BoltContext) -> None:
    """Details' Change daily budget… button: the amount modal, pushed over Details."""
    ack()
    meta = read_meta(first_action(body).get("value"), limit=2000, what="This button")
    target = EditTarget("campaign", campaign_pk_of(meta.get("id"), what="This button"))
    open_amount_modal(services_of(context), client, body, kind="budget", target=target, push=True)


def handle_keyword_menu(ack: Ack, body: Body, client: WebClient, respond: Any, context: BoltContext) -> None:
    """A keyword's menu in Details: Change bid… (amount modal) or Pause… / Enable… (a preview)."""
    ack()
    option = first_action(body).get("selected_option")
    value = option.get("value") if isinstance(option, Mapping) else None
    meta = read_meta(value, limit=OPTION_META_MAX_LENGTH, what="This menu")
    op, target = meta.get("op"), EditTarget("keyword", campaign_pk_of(meta.get("id"), what="This menu"))
    if op == "bid":
        open_amount_modal(services_of(context), client, body, kind="bid", target=target, push=True)
    elif op in _STATE_KINDS:
        _preview_to_user(context, client, body, kind=str(op), target=target, respond=respond)
    else:
        raise UnreadableRequest("This menu")


def handle_bulk(ack: Ack, body: Body, client: WebClient, respond: Any, context: BoltContext) -> None:
    """ "Pause all N shown…" / "Enable all N shown…": one preview per region the filter spans."""
    ack()
    services, ids = services_of(context), request_ids(context)
    kind = "pause" if first_action(body).get("action_id") == ActionId.EDIT_BULK_PAUSE else "enable"
    with session_scope(services.engine, readonly=True) as session:
        flt = load_user_filter(session, team_id=ids.team_id, user_id=ids.user_id)
        groups = bulk_targets(session, team_id=ids.team_id, flt=flt, today=services.now().date(), kind=kind)
    reply = respond if _url(body) else None
    if not groups:
        state = "enabled" if kind == "pause" else "paused"
        text = f"No campaign in this list can be {kind}d: none is a {state} Sponsored Products campaign."
        send_message(client, message(text, []), user_id=ids.user_id, respond=reply)
        return
    if len(groups) > 1:
        text = f"This list spans {len(groups)} regions: one preview per region, each confirmed on its own."
        send_message(client, message(text, []), user_id=ids.user_id, respond=reply)
    for group in groups:
        try:
            msg = plan_preview(
                services, client, team_id=ids.team_id, user_id=ids.user_id, kind=kind, targets=group.targets
            )
        except UserFacingError as error:
            msg = render_user_error(error.title, error.detail, hint=error.hint)
        send_message(client, msg, user_id=ids.user_id, respond=reply)


def register(app: Listeners) -> None:
    """Wire the edit buttons, menus and modals."""
    app.action(ActionId.EDIT_CONFIRM, requires=may_edit())(handle_confirm)
    app.action(ActionId.EDIT_CANCEL)(handle_cancel)  # the creator or an editor: checked in the handler
    app.action(ActionId.EDIT_UNDO, requires=may_edit())(handle_undo)
    app.action(ActionId.EDIT_STATE, requires=may_edit())(handle_detail_state)
    app.action(ActionId.EDIT_BUDGET, requires=may_edit())(handle_detail_budget)
    app.action(ActionId.EDIT_KEYWORD, requires=may_edit())(handle_keyword_menu)
    app.action(ActionId.EDIT_BULK_PAUSE, requires=may_edit())(handle_bulk)
    app.action(ActionId.EDIT_BULK_ENABLE, requires=may_edit())(handle_bulk)
    register_modals(app)
