"""Listeners of the campaign list: filters, sort, search, paging, the per-campaign overflow menu, the
"Save as view" button, saved-view Open buttons, and the tag / note / search / save-view / choose modals.

Actions on a message re-render it through ``respond(replace_original=True)``; actions on App Home
re-publish Home. Modals carry ``{"surface", "url"}`` in private_metadata so a submission can refresh the
list it came from. Submission problems go back with ``ack(response_action="errors", ...)``.

Every listener acks first, then reads the payload: anything malformed (a value that is not JSON, an id
that is not a number, options that are not a list of options) raises `UnreadableRequest`, which the
shared error handler shows as a message on the surface the user clicked.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.blocks.campaign_details import DETAILS_TITLE
from bot.blocks.campaigns import AT_RISK_VALUE, render_campaign_details, summarize_filter
from bot.blocks.ids import (
    META_MAX_LENGTH,
    OPTION_META_MAX_LENGTH,
    PRIVATE_METADATA_MAX_LENGTH,
    ActionId,
    CampaignOp,
    encode_meta,
)
from bot.blocks.modals import (
    NOTE_TITLE,
    TAG_TITLE,
    render_note_modal,
    render_save_view_modal,
    render_search_modal,
    render_tag_modal,
)
from bot.errors import NotFound
from bot.features.campaigns.modals import register_modals
from bot.features.campaigns.ui import (
    UnreadableRequest,
    campaign_pk_of,
    change_state,
    first_action,
    read_meta,
    refresh,
    surface_of,
    trigger_of,
    update_state,
)
from bot.features.edits.actions import start_from_overflow
from bot.listeners.context import request_ids, services_of, unit_of_work
from bot.listeners.modals import open_then_fill
from bot.listeners.permission import viewer_can_edit
from bot.services.campaigns import (
    CampaignFilter,
    build_detail_vm,
    find_view,
    get_campaign,
    load_user_state,
    marketplaces_in,
)
from storage.db import session_scope
from storage.repositories import campaigns as campaign_repo

if TYPE_CHECKING:
    from bot.listeners.registry import Listeners

__all__ = ["register"]

logger = logging.getLogger(__name__)
Body = dict[str, Any]
_MAX_OFFSET = 10_000_000  # far beyond any list; a larger offset did not come from our Next button
_FILTER_FIELDS = {
    ActionId.CAMPAIGNS_FILTER_REGION: "regions",
    ActionId.CAMPAIGNS_FILTER_MARKETPLACE: "marketplaces",
    ActionId.CAMPAIGNS_FILTER_STATE: "states",
    ActionId.CAMPAIGNS_FILTER_TAG: "tags",
}


def _option_value(option: object) -> str:
    value = option.get("value") if isinstance(option, Mapping) else None
    if not isinstance(value, str):
        raise UnreadableRequest("This menu")
    return value


def _selected_values(action: Mapping[str, Any]) -> list[str]:
    """The option values of a multi-select (an empty selection is an empty list)."""
    options = action.get("selected_options")
    if options is None:
        return []
    if not isinstance(options, list):
        raise UnreadableRequest("This menu")
    return [_option_value(option) for option in options]


def _chosen_value(action: Mapping[str, Any], *, default: str) -> str:
    """The option value of a single select or overflow menu (``default`` when nothing is chosen)."""
    option = action.get("selected_option")
    return default if option is None else _option_value(option)


def _origin(body: Body) -> dict[str, object]:
    """What a modal needs to refresh the list it was opened from."""
    surface = surface_of(body)
    url = str(body.get("response_url") or "")
    return {"surface": surface, "url": url} if surface == "message" and url else {"surface": surface}


def _refresh_from(
    context: BoltContext, client: WebClient, body: Body, respond: Any, *, offset: int = 0
) -> None:
    ids = request_ids(context)
    surface = surface_of(body)
    if surface == "message" and not body.get("response_url"):
        return
    refresh(
        services_of(context),
        client,
        team_id=ids.team_id,
        user_id=ids.user_id,
        surface=surface,
        respond=respond,
        offset=offset,
    )


def _change_filter(field: str, values: list[str]) -> Callable[[CampaignFilter], CampaignFilter]:
    def change(old: CampaignFilter) -> CampaignFilter:
        new = old.with_changes(**{field: tuple(values)})
        if field == "regions":  # marketplace options follow the chosen regions
            new = new.with_changes(marketplaces=marketplaces_in(new.regions, new.marketplaces))
        return new

    return change


def _restate(
    context: BoltContext,
    client: WebClient,
    body: Body,
    respond: Any,
    change: Callable[[CampaignFilter], CampaignFilter],
) -> None:
    """Apply ``change`` to the user's filter and re-render the list where the click came from."""
    ids = request_ids(context)
    update_state(services_of(context), team_id=ids.team_id, user_id=ids.user_id, change=change)
    _refresh_from(context, client, body, respond)


def handle_filter(ack: Ack, body: Body, client: WebClient, respond: Any, context: BoltContext) -> None:
    """Region, marketplace, state or tag multi-select changed."""
    ack()
    action = first_action(body)
    field = _FILTER_FIELDS[ActionId(action["action_id"])]
    _restate(context, client, body, respond, _change_filter(field, _selected_values(action)))


def handle_at_risk(ack: Ack, body: Body, client: WebClient, respond: Any, context: BoltContext) -> None:
    """The "at risk" checkbox ticked or cleared."""
    ack()
    at_risk = AT_RISK_VALUE in _selected_values(first_action(body))
    _restate(context, client, body, respond, lambda old: old.with_changes(at_risk=at_risk))


def handle_sort(ack: Ack, body: Body, client: WebClient, respond: Any, context: BoltContext) -> None:
    ack()
    sort = _chosen_value(first_action(body), default="spend")
    _restate(context, client, body, respond, lambda old: old.with_changes(sort=sort))


def handle_clear(ack: Ack, body: Body, client: WebClient, respond: Any, context: BoltContext) -> None:
    ack()
    _restate(context, client, body, respond, lambda old: CampaignFilter(sort=old.sort))


def handle_page(ack: Ack, body: Body, client: WebClient, respond: Any, context: BoltContext) -> None:
    """Previous / Next: the button value carries the target offset."""
    ack()
    offset = read_meta(first_action(body).get("value"), limit=META_MAX_LENGTH).get("offset")
    if not isinstance(offset, int) or isinstance(offset, bool) or offset > _MAX_OFFSET:
        raise UnreadableRequest("This button")
    offset = max(offset, 0)
    services, ids = services_of(context), request_ids(context)
    team, user = ids.team_id, ids.user_id
    if surface_of(body) == "home":
        update_state(services, team_id=team, user_id=user, home_offset=offset)
    _refresh_from(context, client, body, respond, offset=offset)


def handle_search_button(ack: Ack, body: Body, client: WebClient, context: BoltContext) -> None:
    ack()
    ids = request_ids(context)
    team, user = ids.team_id, ids.user_id
    with session_scope(services_of(context).engine, readonly=True) as session:
        current, _ = load_user_state(session, team_id=team, user_id=user)
    client.views_open(
        trigger_id=trigger_of(body), view=render_search_modal(current.search, metadata=_origin(body))
    )


def handle_save_view_button(ack: Ack, body: Body, client: WebClient, context: BoltContext) -> None:
    ack()
    ids = request_ids(context)
    team, user = ids.team_id, ids.user_id
    with session_scope(services_of(context).engine, readonly=True) as session:
        current, _ = load_user_state(session, team_id=team, user_id=user)
    view = render_save_view_modal(summarize_filter(current.to_vm()), metadata=_origin(body))
    client.views_open(trigger_id=trigger_of(body), view=view)


def _with_origin(view: dict[str, Any], campaign_pk: int, body: Body) -> dict[str, Any]:
    meta = {"id": str(campaign_pk), **_origin(body)}
    view["private_metadata"] = encode_meta(meta, limit=PRIVATE_METADATA_MAX_LENGTH)
    return view


_EDIT_OPS = (CampaignOp.PAUSE, CampaignOp.ENABLE, CampaignOp.BUDGET)


def handle_overflow(ack: Ack, body: Body, client: WebClient, respond: Any, context: BoltContext) -> None:
    """Tag, Note or Details of one campaign open a modal; Pause, Enable and Change budget start an edit."""
    ack()
    meta = read_meta(
        _chosen_value(first_action(body), default=""), limit=OPTION_META_MAX_LENGTH, what="This menu"
    )
    op, pk = meta.get("op"), campaign_pk_of(meta.get("id"), what="This menu")
    if not isinstance(op, str) or op not in set(CampaignOp):
        raise UnreadableRequest("This menu")
    if op in _EDIT_OPS:
        start_from_overflow(context, client, body, op=op, campaign_pk=pk, respond=respond)
        return
    if op == CampaignOp.DETAILS:
        build = partial(_details_view, context, client, campaign_pk=pk)
    else:
        build = partial(_annotation_view, context, body, op=op, campaign_pk=pk)
    open_then_fill(client, trigger_of(body), title=_MODAL_TITLES[CampaignOp(op)], build=build)


_MODAL_TITLES = {CampaignOp.DETAILS: DETAILS_TITLE, CampaignOp.TAG: TAG_TITLE, CampaignOp.NOTE: NOTE_TITLE}


def _details_view(context: BoltContext, client: WebClient, *, campaign_pk: int) -> dict[str, Any]:
    services, ids = services_of(context), request_ids(context)
    with session_scope(services.engine, readonly=True) as session:
        detail = build_detail_vm(session, team_id=ids.team_id, campaign_pk=campaign_pk, now=services.now())
    if detail is None:
        raise NotFound("That campaign does not exist (any more).")
    # may ask Slack (users.info): outside the transaction
    editor = viewer_can_edit(services, client, team_id=ids.team_id, user_id=ids.user_id)
    return render_campaign_details(replace(detail, can_edit=editor))


def _annotation_view(context: BoltContext, body: Body, *, op: str, campaign_pk: int) -> dict[str, Any]:
    """The Tag or Note modal of one campaign."""
    services, team = services_of(context), request_ids(context).team_id
    with session_scope(services.engine, readonly=True) as session:
        campaign = get_campaign(session, team_id=team, campaign_pk=campaign_pk)
        if op == CampaignOp.TAG:
            tags = campaign_repo.tags_of(session, team_id=team, campaign_pks=[campaign_pk]).get(
                campaign_pk, []
            )
            view = render_tag_modal(campaign.name, str(campaign_pk), tags)
        else:
            view = render_note_modal(campaign.name, str(campaign_pk))
    return _with_origin(view, campaign_pk, body)


def handle_open_view(ack: Ack, body: Body, client: WebClient, respond: Any, context: BoltContext) -> None:
    """A saved view's Open button (in `/hilal view list` or on App Home)."""
    ack()
    services, ids = services_of(context), request_ids(context)
    team, user = ids.team_id, ids.user_id
    name = read_meta(first_action(body).get("value"), limit=META_MAX_LENGTH, what="This button").get("name")
    if not isinstance(name, str):
        raise UnreadableRequest("This button")
    # One transaction for reading the view and making it the user's filter, committed before the list
    # is re-rendered (which reads the filter in its own transaction).
    uow = unit_of_work(context)
    flt = CampaignFilter.from_json(find_view(uow.session, team_id=team, user_id=user, name=name).filter_json)
    change_state(uow.session, team_id=team, user_id=user, now=services.now(), change=lambda _old: flt)
    uow.commit()
    _refresh_from(context, client, body, respond)


def register(app: Listeners) -> None:
    """Wire the campaign list's actions and modal submissions."""

    for action_id in _FILTER_FIELDS:
        app.action(action_id.value)(handle_filter)
    app.action(ActionId.CAMPAIGNS_FILTER_SORT.value)(handle_sort)
    app.action(ActionId.CAMPAIGNS_FILTER_AT_RISK.value)(handle_at_risk)
    app.action(ActionId.CAMPAIGNS_FILTER_CLEAR.value)(handle_clear)
    app.action(ActionId.CAMPAIGNS_FILTER_SEARCH.value)(handle_search_button)
    app.action(ActionId.CAMPAIGNS_PAGE_NEXT.value)(handle_page)
    app.action(ActionId.CAMPAIGNS_PAGE_PREV.value)(handle_page)
    app.action(ActionId.CAMPAIGNS_OVERFLOW.value)(handle_overflow)
    app.action(ActionId.CAMPAIGNS_SAVE_VIEW.value)(handle_save_view_button)
    app.action(ActionId.VIEWS_OPEN.value)(handle_open_view)
    register_modals(app)
