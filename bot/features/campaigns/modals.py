"""Modal submissions of the campaign feature: tag, note, search, save view, and "which campaign?".

Validation problems go back synchronously with ``ack(response_action="errors", errors={block_id: …})``
(reference §2.5); after a successful submission the list the modal came from is refreshed. Everything a
submission carries is read and checked before ``ack()`` — inputs by the services that store them, ids and
metadata by `ui` — so a malformed value (a number for a tag, a campaign id that is not one, NUL
characters in a note) is answered in the modal and nothing is written.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from bot.blocks.format import Mrkdwn, join_mrkdwn, mrkdwn_format
from bot.blocks.ids import PRIVATE_METADATA_MAX_LENGTH, ActionId, BlockId, CallbackId
from bot.blocks.modals import modal_error_text
from bot.errors import UsageError, UserFacingError
from bot.features.campaigns.ui import (
    UnreadableRequest,
    campaign_pk_of,
    read_meta,
    refresh,
    update_state,
)
from bot.listeners.context import RequestIds, request_ids, services_of
from bot.services.campaigns import (
    SEARCH_MAX_LENGTH,
    Surface,
    add_note,
    clean_note,
    clean_tags,
    get_campaign,
    load_user_state,
    parse_tags,
    quoted_view_name,
    require_text,
    save_view,
    tag_campaign,
    untag_campaign,
)
from storage.db import session_scope

if TYPE_CHECKING:
    from bot.listeners.registry import Listeners
    from bot.wiring import Services

__all__ = ["apply_op", "register_modals"]

logger = logging.getLogger(__name__)
Body = dict[str, Any]
T = TypeVar("T")
_FORM = "This form"
_OPS = ("tag", "untag", "note")


def _tag_list(tags: list[str]) -> Mrkdwn:
    return join_mrkdwn(", ", tags)


def _run_op(
    services: Services, *, team_id: str, user_id: str, campaign_pk: int, kind: str, value: object
) -> Mrkdwn:
    now = services.now()
    if kind == "note":
        body = clean_note(value)
        with session_scope(services.engine) as session:
            campaign = get_campaign(session, team_id=team_id, campaign_pk=campaign_pk)
            add_note(session, team_id=team_id, user_id=user_id, campaign_pk=campaign_pk, text=body, now=now)
            return mrkdwn_format("Added your note to “{name}”.", name=campaign.name)
    tags = parse_tags(value)
    if not tags:
        raise UsageError("Which tag? None was given.", hint="Example: `launch` or `q4-brand`.")
    with session_scope(services.engine) as session:
        campaign = get_campaign(session, team_id=team_id, campaign_pk=campaign_pk)
        if kind == "untag":
            removed = untag_campaign(session, team_id=team_id, campaign_pk=campaign_pk, tags=tags)
            if not removed:
                return mrkdwn_format("“{name}” had no tag {tags}.", name=campaign.name, tags=_tag_list(tags))
            return mrkdwn_format(
                "Removed tag {tags} from “{name}”.", tags=_tag_list(removed), name=campaign.name
            )
        added = tag_campaign(
            session, team_id=team_id, user_id=user_id, campaign_pk=campaign_pk, tags=tags, now=now
        )
        if not added:
            return mrkdwn_format("“{name}” already has tag {tags}.", name=campaign.name, tags=_tag_list(tags))
        return mrkdwn_format("Tagged “{name}” with {tags}.", name=campaign.name, tags=_tag_list(added))


def apply_op(
    services: Services, *, team_id: str, user_id: str, campaign_pk: int, op: Mapping[str, object]
) -> Mrkdwn:
    """Run a tag / untag / note operation ``{"op", "value"}`` on a campaign; returns the confirmation.

    The value is checked before anything is written; names and tags in the confirmation are escaped.

    Raises:
        UnreadableRequest: ``op`` is not "tag", "untag" or "note".
        UsageError: The value is not valid for it (not text, a bad tag, no tag, an empty note, NUL).
        NotFound: Not one of the team's campaigns.
    """
    kind = op.get("op")
    if not isinstance(kind, str) or kind not in _OPS:
        raise UnreadableRequest(_FORM)
    value = op.get("value")
    return _run_op(
        services, team_id=team_id, user_id=user_id, campaign_pk=campaign_pk, kind=kind, value=value
    )


class _Invalid(Exception):
    """A submission that cannot be accepted: answered in the modal, under ``block``."""

    def __init__(self, block: BlockId, error: UserFacingError) -> None:
        super().__init__(error.detail)
        self.block, self.error = block, error

    def answer(self, ack: Ack) -> None:
        text = modal_error_text(self.error.detail, self.error.hint or "")
        ack(response_action="errors", errors={self.block.value: text})


def _under(block: BlockId, read: Callable[[], T]) -> T:
    """``read()``; a `UserFacingError` it raises is shown under ``block`` (see `_Invalid`)."""
    try:
        return read()
    except UserFacingError as error:
        raise _Invalid(block, error) from error


def _values(view: Mapping[str, Any]) -> Mapping[str, Any]:
    state = view.get("state")
    values = state.get("values") if isinstance(state, Mapping) else None
    flat: dict[str, Any] = {}
    for block_values in values.values() if isinstance(values, Mapping) else ():
        if isinstance(block_values, Mapping):
            flat.update(block_values)
    return flat


def _element(view: Mapping[str, Any], action: ActionId) -> Mapping[str, Any]:
    element = _values(view).get(action.value)
    if element is None:
        return {}
    if not isinstance(element, Mapping):
        raise UnreadableRequest(_FORM)
    return element


def _input(view: Mapping[str, Any], action: ActionId) -> object:
    """A text input's value as sent (an empty input is ""; anything but text is left for the check)."""
    value = _element(view, action).get("value")
    return "" if value is None else value


def _selected(view: Mapping[str, Any], action: ActionId) -> list[object]:
    """The option values of a select, checkboxes or multi-select, as sent."""
    element = _element(view, action)
    options = element.get("selected_options")
    if options is None:
        single = element.get("selected_option")
        options = [] if single is None else [single]
    if not isinstance(options, list) or not all(isinstance(o, Mapping) for o in options):
        raise UnreadableRequest(_FORM)
    return [o.get("value") for o in options]


def _meta(view: Mapping[str, Any]) -> dict[str, object]:
    """The modal's private_metadata (``{}`` when there is none)."""
    raw = view.get("private_metadata")
    return read_meta(raw, limit=PRIVATE_METADATA_MAX_LENGTH, what=_FORM) if raw else {}


def _after(
    context: BoltContext, client: WebClient, meta: Mapping[str, object], note: str | None = None
) -> None:
    """Refresh the list the modal came from; optionally tell the user something on the message surface."""
    services, ids = services_of(context), request_ids(context)
    team, user = ids.team_id, ids.user_id
    surface: Surface = "home" if meta.get("surface") == "home" else "message"
    url = str(meta.get("url") or "")
    try:
        if surface == "home" or url:
            refresh(services, client, team_id=team, user_id=user, surface=surface, response_url=url or None)
        if note and url:
            WebhookClient(url).send(text=note, response_type="ephemeral", replace_original=False)
    except (SlackApiError, OSError) as exc:
        logger.warning("campaigns.refresh_failed", extra={"error": type(exc).__name__})


def _team_and_user(ids: RequestIds) -> tuple[str, str]:
    return ids.team_id, ids.user_id


def _campaign_pk(view: Mapping[str, Any]) -> int:
    return campaign_pk_of(_meta(view).get("id"), what=_FORM)


def handle_tag_submit(ack: Ack, view: Body, client: WebClient, context: BoltContext) -> None:
    services, (team, user) = services_of(context), _team_and_user(request_ids(context))
    try:
        meta, pk = _under(BlockId.TAG_ADD, lambda: (_meta(view), _campaign_pk(view)))
        add = _under(BlockId.TAG_ADD, lambda: parse_tags(_input(view, ActionId.TAG_ADD)))
        remove = _under(BlockId.TAG_REMOVE, lambda: clean_tags(_selected(view, ActionId.TAG_REMOVE)))
        _under(BlockId.TAG_ADD, lambda: _retag(services, team=team, user=user, pk=pk, add=add, remove=remove))
    except _Invalid as invalid:
        invalid.answer(ack)
        return
    ack()
    _after(context, client, meta)


def _retag(services: Services, *, team: str, user: str, pk: int, add: list[str], remove: list[str]) -> None:
    with session_scope(services.engine) as session:
        tag_campaign(session, team_id=team, user_id=user, campaign_pk=pk, tags=add, now=services.now())
        untag_campaign(session, team_id=team, campaign_pk=pk, tags=remove)


def handle_note_submit(ack: Ack, view: Body, client: WebClient, context: BoltContext) -> None:
    services, (team, user) = services_of(context), _team_and_user(request_ids(context))
    try:
        meta, pk = _under(BlockId.NOTE_TEXT, lambda: (_meta(view), _campaign_pk(view)))
        text = _under(BlockId.NOTE_TEXT, lambda: clean_note(_input(view, ActionId.NOTE_TEXT)))
        _under(BlockId.NOTE_TEXT, lambda: _add_note(services, team=team, user=user, pk=pk, text=text))
    except _Invalid as invalid:
        invalid.answer(ack)
        return
    ack()
    _after(context, client, meta)


def _add_note(services: Services, *, team: str, user: str, pk: int, text: str) -> None:
    with session_scope(services.engine) as session:
        add_note(session, team_id=team, user_id=user, campaign_pk=pk, text=text, now=services.now())


def _search_text(value: object) -> str:
    text = require_text(value, what="Searches").strip()
    if len(text) > SEARCH_MAX_LENGTH:
        raise UsageError(f"Search for at most {SEARCH_MAX_LENGTH} characters.")
    return text


def handle_search_submit(ack: Ack, view: Body, client: WebClient, context: BoltContext) -> None:
    services, (team, user) = services_of(context), _team_and_user(request_ids(context))
    try:
        meta = _under(BlockId.SEARCH_TEXT, lambda: _meta(view))
        text = _under(BlockId.SEARCH_TEXT, lambda: _search_text(_input(view, ActionId.SEARCH_TEXT)))
    except _Invalid as invalid:
        invalid.answer(ack)
        return
    ack()
    update_state(
        services, team_id=team, user_id=user, change=lambda old: old.with_changes(search=text or None)
    )
    _after(context, client, meta)


def _save_view(services: Services, *, team: str, user: str, name: object, shared: bool) -> tuple[str, bool]:
    with session_scope(services.engine) as session:
        flt, _offset = load_user_state(session, team_id=team, user_id=user)
        saved, created = save_view(
            session,
            team_id=team,
            user_id=user,
            name=require_text(name, what="View names"),
            shared=shared,
            filter=flt,
            now=services.now(),
        )
        return saved.name, created


def handle_save_view_submit(ack: Ack, view: Body, client: WebClient, context: BoltContext) -> None:
    services, (team, user) = services_of(context), _team_and_user(request_ids(context))
    try:
        meta = _under(BlockId.SAVE_VIEW_NAME, lambda: _meta(view))
        shared = _under(BlockId.SAVE_VIEW_SHARED, lambda: bool(_selected(view, ActionId.SAVE_VIEW_SHARED)))
        name, created = _under(
            BlockId.SAVE_VIEW_NAME,
            lambda: _save_view(
                services, team=team, user=user, name=_input(view, ActionId.SAVE_VIEW_NAME), shared=shared
            ),
        )
    except _Invalid as invalid:
        invalid.answer(ack)
        return
    ack()
    note = mrkdwn_format(
        "{verb} view “{name}”. Open it with `/hilal view {typed}`.",
        verb="Saved" if created else "Updated",
        name=name,
        typed=quoted_view_name(name),
    )
    _after(context, client, meta, note=note)


def _choice(view: Mapping[str, Any]) -> int:
    chosen = _selected(view, ActionId.CHOOSE_CAMPAIGN)
    if not chosen:
        raise UsageError("Choose a campaign.")
    return campaign_pk_of(chosen[0], what=_FORM)


def handle_choose_submit(ack: Ack, view: Body, client: WebClient, context: BoltContext) -> None:
    """The user picked one of several matching campaigns: run the pending tag / untag / note."""
    services, (team, user) = services_of(context), _team_and_user(request_ids(context))
    try:
        pending = _under(BlockId.CHOOSE_CAMPAIGN, lambda: _meta(view))
        pk = _under(BlockId.CHOOSE_CAMPAIGN, lambda: _choice(view))
        text = _under(
            BlockId.CHOOSE_CAMPAIGN,
            lambda: apply_op(services, team_id=team, user_id=user, campaign_pk=pk, op=pending),
        )
    except _Invalid as invalid:
        invalid.answer(ack)
        return
    ack()
    channel = pending.get("channel")
    try:
        if isinstance(channel, str) and channel:
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
