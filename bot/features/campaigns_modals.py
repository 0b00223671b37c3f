"""Modal submissions of the campaign feature: tag, note, search, save view, and "which campaign?".

Validation problems go back synchronously with ``ack(response_action="errors", errors={block_id: …})``
(reference §2.5); after a successful submission the list the modal came from is refreshed.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from bot.blocks.ids import ActionId, BlockId, CallbackId, decode_meta
from bot.errors import UserFacingError
from bot.features.campaigns_ui import Surface, ids_of, refresh, update_state
from bot.services import annotations as annotate
from bot.services import saved_views
from bot.services.campaign_filters import SEARCH_MAX_LENGTH
from bot.services.campaigns import load_user_state
from storage.db import session_scope

if TYPE_CHECKING:
    from bot.listeners.registry import Listeners
    from bot.wiring import Services

__all__ = ["apply_op", "register_modals"]

logger = logging.getLogger(__name__)
Body = dict[str, Any]


def apply_op(
    services: Services, *, team_id: str, user_id: str, campaign_pk: int, op: Mapping[str, object]
) -> str:
    """Run a tag / untag / note operation ``{"op", "value"}`` on a campaign; returns the confirmation."""
    now = services.now()
    kind, value = str(op.get("op")), str(op.get("value") or "")
    with session_scope(services.engine) as session:
        campaign = annotate.get_campaign(session, team_id=team_id, campaign_pk=campaign_pk)
        if kind == "note":
            annotate.add_note(
                session, team_id=team_id, user_id=user_id, campaign_pk=campaign_pk, text=value, now=now
            )
            return f"Added your note to “{campaign.name}”."
        tags = annotate.parse_tags(value)
        if kind == "untag":
            removed = annotate.untag_campaign(session, team_id=team_id, campaign_pk=campaign_pk, tags=tags)
            if not removed:
                return f"“{campaign.name}” had no tag {', '.join(tags)}."
            return f"Removed tag {', '.join(removed)} from “{campaign.name}”."
        added = annotate.tag_campaign(
            session, team_id=team_id, user_id=user_id, campaign_pk=campaign_pk, tags=tags, now=now
        )
        if not added:
            return f"“{campaign.name}” already has tag {', '.join(tags)}."
        return f"Tagged “{campaign.name}” with {', '.join(added)}."


def _values(view: Mapping[str, Any]) -> Mapping[str, Any]:
    values = (view.get("state") or {}).get("values") or {}
    flat: dict[str, Any] = {}
    for block_values in values.values():
        flat.update(block_values)
    return flat


def _text(view: Mapping[str, Any], action: ActionId) -> str:
    return str((_values(view).get(action.value) or {}).get("value") or "")


def _selected(view: Mapping[str, Any], action: ActionId) -> list[str]:
    element = _values(view).get(action.value) or {}
    options = element.get("selected_options") or (
        [element["selected_option"]] if element.get("selected_option") else []
    )
    return [str(o.get("value")) for o in options]


def _meta(view: Mapping[str, Any]) -> dict[str, object]:
    try:
        return decode_meta(str(view.get("private_metadata") or "{}"))
    except ValueError:
        return {}


def _services(context: BoltContext) -> Services:
    return context["services"]  # type: ignore[no-any-return]


def _errors(ack: Ack, block: BlockId, error: UserFacingError) -> None:
    text = f"{error.detail} {error.hint or ''}".strip()
    ack(response_action="errors", errors={block.value: text[:2000]})


def _after(
    services: Services, client: WebClient, body: Body, meta: Mapping[str, object], note: str | None = None
) -> None:
    """Refresh the list the modal came from; optionally tell the user something on the message surface."""
    team, user = ids_of(body, {})
    surface: Surface = "home" if meta.get("surface") == "home" else "message"
    url = str(meta.get("url") or "")
    try:
        if surface == "home" or url:
            refresh(services, client, team_id=team, user_id=user, surface=surface, response_url=url or None)
        if note and url:
            WebhookClient(url).send(text=note, response_type="ephemeral", replace_original=False)
    except (SlackApiError, OSError) as exc:
        logger.warning("campaigns.refresh_failed", extra={"error": type(exc).__name__})


def handle_tag_submit(ack: Ack, body: Body, view: Body, client: WebClient, context: BoltContext) -> None:
    services, meta = _services(context), _meta(view)
    team, user = ids_of(body, context)
    try:
        add = annotate.parse_tags(_text(view, ActionId.TAG_ADD))
    except UserFacingError as error:
        _errors(ack, BlockId.TAG_ADD, error)
        return
    remove = annotate.parse_tags(" ".join(_selected(view, ActionId.TAG_REMOVE)))
    ack()
    pk = int(str(meta.get("id")))
    with session_scope(services.engine) as session:
        annotate.tag_campaign(
            session, team_id=team, user_id=user, campaign_pk=pk, tags=add, now=services.now()
        )
        annotate.untag_campaign(session, team_id=team, campaign_pk=pk, tags=remove)
    _after(services, client, body, meta)


def handle_note_submit(ack: Ack, body: Body, view: Body, client: WebClient, context: BoltContext) -> None:
    services, meta = _services(context), _meta(view)
    team, user = ids_of(body, context)
    text = _text(view, ActionId.NOTE_TEXT)
    if not text.strip() or len(text.strip()) > annotate.NOTE_MAX_LENGTH:
        _errors(ack, BlockId.NOTE_TEXT, UserFacingError("Write a note of 1 to 2,900 characters."))
        return
    ack()
    pk = int(str(meta.get("id")))
    with session_scope(services.engine) as session:
        annotate.add_note(session, team_id=team, user_id=user, campaign_pk=pk, text=text, now=services.now())
    _after(services, client, body, meta)


def handle_search_submit(ack: Ack, body: Body, view: Body, client: WebClient, context: BoltContext) -> None:
    services, meta = _services(context), _meta(view)
    team, user = ids_of(body, context)
    text = _text(view, ActionId.SEARCH_TEXT).strip()
    if len(text) > SEARCH_MAX_LENGTH:
        _errors(
            ack, BlockId.SEARCH_TEXT, UserFacingError(f"Search for at most {SEARCH_MAX_LENGTH} characters.")
        )
        return
    ack()
    update_state(
        services, team_id=team, user_id=user, change=lambda old: old.with_changes(search=text or None)
    )
    _after(services, client, body, meta)


def handle_save_view_submit(
    ack: Ack, body: Body, view: Body, client: WebClient, context: BoltContext
) -> None:
    services, meta = _services(context), _meta(view)
    team, user = ids_of(body, context)
    shared = bool(_selected(view, ActionId.SAVE_VIEW_SHARED))
    try:
        with session_scope(services.engine) as session:
            flt, _offset = load_user_state(session, team_id=team, user_id=user)
            saved, created = saved_views.save_view(
                session,
                team_id=team,
                user_id=user,
                name=_text(view, ActionId.SAVE_VIEW_NAME),
                shared=shared,
                filter=flt,
                now=services.now(),
            )
            name = saved.name
    except UserFacingError as error:
        _errors(ack, BlockId.SAVE_VIEW_NAME, error)
        return
    ack()
    verb = "Saved" if created else "Updated"
    _after(services, client, body, meta, note=f"{verb} view “{name}”. Open it with `/hilal view {name}`.")


def handle_choose_submit(ack: Ack, body: Body, view: Body, client: WebClient, context: BoltContext) -> None:
    """The user picked one of several matching campaigns: run the pending tag / untag / note."""
    services, pending = _services(context), _meta(view)
    team, user = ids_of(body, context)
    chosen = _selected(view, ActionId.CHOOSE_CAMPAIGN)
    if not chosen:
        _errors(ack, BlockId.CHOOSE_CAMPAIGN, UserFacingError("Choose a campaign."))
        return
    try:
        text = apply_op(services, team_id=team, user_id=user, campaign_pk=int(chosen[0]), op=pending)
    except UserFacingError as error:
        _errors(ack, BlockId.CHOOSE_CAMPAIGN, error)
        return
    ack()
    channel = str(pending.get("channel") or "")
    try:
        if channel:
            client.chat_postEphemeral(channel=channel, user=user, text=text)
        else:
            client.chat_postMessage(channel=user, text=text)
    except SlackApiError:
        client.chat_postMessage(channel=user, text=text)


def register_modals(app: Listeners) -> None:
    """Wire the modal submissions (the details modal has no submit)."""
    app.view(CallbackId.TAG.value)(handle_tag_submit)
    app.view(CallbackId.NOTE.value)(handle_note_submit)
    app.view(CallbackId.SEARCH.value)(handle_search_submit)
    app.view(CallbackId.SAVE_VIEW.value)(handle_save_view_submit)
    app.view(CallbackId.CHOOSE_CAMPAIGN.value)(handle_choose_submit)
