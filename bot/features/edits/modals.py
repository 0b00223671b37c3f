"""Modal submissions of live edits: the amount (→ a preview), the typed confirmation word (→ the outcome in
place of the preview), and "which campaign?" for an edit command whose name matched several.

A refusal before ``ack()`` (a malformed amount, out of bounds, a wrong word) is shown in the modal by the
registry; the modal stays open and nothing is sent to Amazon. Slack waits 3 seconds for the ack, so a form
that previews checks only Hilal's own data before it; Amazon's current values are read after it (the
form closes, and the preview follows where the user was; a refusal found then arrives as a message).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient
from slack_sdk.webhook import WebhookClient

from bot.blocks.ids import PRIVATE_METADATA_MAX_LENGTH, ActionId, CallbackId
from bot.errors import UsageError
from bot.features.campaigns.ui import UnreadableRequest, campaign_pk_of, read_meta
from bot.features.edits.ui import (
    batch_of,
    check_preview,
    check_team,
    confirm_and_render,
    plan_preview,
    send_message,
)
from bot.listeners.context import request_ids, services_of
from bot.services.campaigns import get_campaign
from bot.services.edits import ConfirmWordMismatch, EditTarget, resolve_keyword
from storage.db import session_scope
from storage.repositories.edits import get_batch

if TYPE_CHECKING:
    from bot.listeners.registry import Listeners
    from bot.wiring import Services

__all__ = ["pending_targets", "register_modals"]

Body = dict[str, Any]
_FORM = "This form"
_KINDS = ("pause", "enable", "budget", "bid")


def _meta(view: Mapping[str, Any]) -> dict[str, object]:
    return read_meta(view.get("private_metadata"), limit=PRIVATE_METADATA_MAX_LENGTH, what=_FORM)


def _typed(view: Mapping[str, Any], action: ActionId) -> str:
    state = view.get("state")
    values = state.get("values") if isinstance(state, Mapping) else None
    for block in values.values() if isinstance(values, Mapping) else ():
        element = block.get(action.value) if isinstance(block, Mapping) else None
        if isinstance(element, Mapping):
            value = element.get("value")
            return value if isinstance(value, str) else ""
    return ""


def _answer(url: str, msg: Mapping[str, Any], *, replace: bool) -> None:
    WebhookClient(url).send(
        text=msg["text"], blocks=msg["blocks"], response_type="ephemeral", replace_original=replace
    )


def handle_amount_submit(ack: Ack, view: Body, client: WebClient, context: BoltContext) -> None:
    """A new budget or bid: checked at once (a refusal is shown in the form), acknowledged, then previewed
    with Amazon's value; the preview goes where the user was."""
    services, ids = services_of(context), request_ids(context)
    meta = _meta(view)
    kind, entity = meta.get("k"), meta.get("t")
    if kind not in ("budget", "bid") or entity not in ("campaign", "keyword"):
        raise UnreadableRequest(_FORM)
    target = EditTarget(
        "campaign" if entity == "campaign" else "keyword", campaign_pk_of(meta.get("id"), what=_FORM)
    )
    amount = _typed(view, ActionId.EDIT_AMOUNT)
    team_id, user_id = ids.team_id, ids.user_id
    manager = check_preview(
        services, client, team_id=team_id, user_id=user_id, kind=str(kind), targets=[target], value=amount
    )
    ack()  # before Amazon is read: Slack gives a form 3 seconds
    msg = plan_preview(
        services,
        client,
        team_id=team_id,
        user_id=user_id,
        kind=str(kind),
        targets=[target],
        value=amount,
        manager=manager,
    )
    url = meta.get("url")
    send_message(client, msg, user_id=ids.user_id, response_url=url if isinstance(url, str) else "")


def _check_word(services: Services, batch_id: int, typed: str) -> None:
    """The word, checked before ``ack()`` so a wrong one is answered in the modal (nothing is sent)."""
    with session_scope(services.engine, readonly=True) as session:
        batch = get_batch(session, batch_id=batch_id)
        word = batch.confirm_word if batch is not None else None
    if word and " ".join(typed.split()).upper() != word:
        raise ConfirmWordMismatch(
            f"This is a big change: type {word} to confirm it.",
            hint="Nothing was changed. Type the word exactly, or close this form to leave it.",
        )


def handle_word_submit(ack: Ack, view: Body, client: WebClient, context: BoltContext) -> None:
    """The typed word of a big change: confirm, and replace the preview with the outcome."""
    services, ids = services_of(context), request_ids(context)
    meta = _meta(view)
    batch_id = batch_of(view.get("private_metadata"), limit=PRIVATE_METADATA_MAX_LENGTH)
    check_team(services, team_id=ids.team_id, batch_id=batch_id)
    typed = _typed(view, ActionId.EDIT_WORD)
    _check_word(services, batch_id, typed)
    ack()
    msg = confirm_and_render(
        services, client, team_id=ids.team_id, user_id=ids.user_id, batch_id=batch_id, typed=typed
    )
    url = meta.get("url")
    if isinstance(url, str) and url:
        _answer(url, msg, replace=True)
    else:
        send_message(client, msg, user_id=ids.user_id)


def pending_targets(
    services: Services, *, team_id: str, campaign_pk: int, pending: Mapping[str, object]
) -> tuple[str, list[EditTarget], str | None]:
    """(kind, targets, value) of a pending edit command once its campaign is known.

    Raises:
        UnreadableRequest: Not a pending edit Hilal wrote.
        NotFound: The campaign or the keyword is unknown.
    """
    kind, value, keyword = pending.get("op"), pending.get("value"), pending.get("keyword")
    if kind not in _KINDS or not (value is None or isinstance(value, str)):
        raise UnreadableRequest(_FORM)
    if kind != "bid":
        return str(kind), [EditTarget("campaign", campaign_pk)], value
    if not isinstance(keyword, str):
        raise UnreadableRequest(_FORM)
    with session_scope(services.engine, readonly=True) as session:
        campaign = get_campaign(session, team_id=team_id, campaign_pk=campaign_pk)
        found = resolve_keyword(session, campaign=campaign, text=keyword)
    return "bid", [EditTarget("keyword", found.id or 0)], value


def handle_choose_submit(ack: Ack, view: Body, client: WebClient, context: BoltContext) -> None:
    """The user picked one of several matching campaigns: check the pending edit at once, acknowledge,
    then preview it with Amazon's values."""
    services, ids = services_of(context), request_ids(context)
    pending = _meta(view)
    chosen = ""
    state = view.get("state")
    values = state.get("values") if isinstance(state, Mapping) else None
    for block in values.values() if isinstance(values, Mapping) else ():
        element = block.get(ActionId.CHOOSE_CAMPAIGN.value) if isinstance(block, Mapping) else None
        option = element.get("selected_option") if isinstance(element, Mapping) else None
        chosen = option.get("value", "") if isinstance(option, Mapping) else ""
    if not chosen:
        raise UsageError("Choose a campaign.")
    pk = campaign_pk_of(chosen, what=_FORM)
    kind, targets, value = pending_targets(services, team_id=ids.team_id, campaign_pk=pk, pending=pending)
    team_id, user_id = ids.team_id, ids.user_id
    manager = check_preview(
        services, client, team_id=team_id, user_id=user_id, kind=kind, targets=targets, value=value
    )
    ack()  # before Amazon is read: Slack gives a form 3 seconds
    msg = plan_preview(
        services,
        client,
        team_id=team_id,
        user_id=user_id,
        kind=kind,
        targets=targets,
        value=value,
        manager=manager,
    )
    channel = pending.get("channel")
    send_message(client, msg, user_id=ids.user_id, channel=channel if isinstance(channel, str) else "")


def register_modals(app: Listeners) -> None:
    """Wire the edit modals' submissions."""
    app.view(CallbackId.EDIT_AMOUNT)(handle_amount_submit)
    app.view(CallbackId.EDIT_CONFIRM_WORD)(handle_word_submit)
    app.view(CallbackId.EDIT_CHOOSE_CAMPAIGN)(handle_choose_submit)
