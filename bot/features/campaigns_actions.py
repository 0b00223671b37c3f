"""Listeners of the campaign list: filters, sort, search, paging, the per-campaign overflow menu, the
"Save as view" button, saved-view Open buttons, and the tag / note / search / save-view / choose modals.

Actions on a message re-render it through ``respond(replace_original=True)``; actions on App Home
re-publish Home. Modals carry ``{"surface", "url"}`` in private_metadata so a submission can refresh the
list it came from. Submission problems go back with ``ack(response_action="errors", ...)``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.blocks.campaigns import render_campaign_details, summarize_filter
from bot.blocks.ids import (
    OPTION_META_MAX_LENGTH,
    PRIVATE_METADATA_MAX_LENGTH,
    ActionId,
    CampaignOp,
    decode_meta,
    encode_meta,
    meta_int,
    meta_str,
)
from bot.blocks.modals import render_note_modal, render_save_view_modal, render_search_modal, render_tag_modal
from bot.errors import NotFound
from bot.features.campaigns_ui import ids_of, refresh, surface_of, update_state
from bot.services import annotations as annotate
from bot.services import saved_views
from bot.services.campaign_filters import CampaignFilter, marketplaces_in
from bot.services.campaigns import build_detail_vm, load_user_state
from storage.db import session_scope
from storage.repositories import campaigns as campaign_repo

if TYPE_CHECKING:
    from bot.listeners.registry import Listeners
    from bot.wiring import Services

__all__ = ["register"]

logger = logging.getLogger(__name__)
Body = dict[str, Any]
_FILTER_FIELDS = {
    ActionId.CAMPAIGNS_FILTER_REGION: "regions",
    ActionId.CAMPAIGNS_FILTER_MARKETPLACE: "marketplaces",
    ActionId.CAMPAIGNS_FILTER_STATE: "states",
    ActionId.CAMPAIGNS_FILTER_TAG: "tags",
}


def _services(context: BoltContext) -> Services:
    return context["services"]  # type: ignore[no-any-return]


def _action(body: Body) -> Mapping[str, Any]:
    return (body.get("actions") or [{}])[0]  # type: ignore[no-any-return]


def _origin(body: Body) -> dict[str, object]:
    """What a modal needs to refresh the list it was opened from."""
    surface = surface_of(body)
    url = str(body.get("response_url") or "")
    return {"surface": surface, "url": url} if surface == "message" and url else {"surface": surface}


def _refresh_from(
    services: Services, client: WebClient, body: Body, respond: Any, *, offset: int = 0
) -> None:
    team, user = ids_of(body, {})
    surface = surface_of(body)
    if surface == "message" and not body.get("response_url"):
        return
    refresh(services, client, team_id=team, user_id=user, surface=surface, respond=respond, offset=offset)


def _change_filter(field: str, values: list[str]) -> Callable[[CampaignFilter], CampaignFilter]:
    def change(old: CampaignFilter) -> CampaignFilter:
        new = old.with_changes(**{field: tuple(values)})
        if field == "regions":  # marketplace options follow the chosen regions
            new = new.with_changes(marketplaces=marketplaces_in(new.regions, new.marketplaces))
        return new

    return change


def handle_filter(ack: Ack, body: Body, client: WebClient, respond: Any, context: BoltContext) -> None:
    """Region, marketplace, state or tag multi-select changed."""
    ack()
    action = _action(body)
    field = _FILTER_FIELDS[ActionId(action["action_id"])]
    values = [str(o.get("value")) for o in action.get("selected_options") or []]
    services = _services(context)
    team, user = ids_of(body, context)
    update_state(services, team_id=team, user_id=user, change=_change_filter(field, values))
    _refresh_from(services, client, body, respond)


def handle_sort(ack: Ack, body: Body, client: WebClient, respond: Any, context: BoltContext) -> None:
    ack()
    sort = str((_action(body).get("selected_option") or {}).get("value") or "spend")
    services = _services(context)
    team, user = ids_of(body, context)
    update_state(services, team_id=team, user_id=user, change=lambda old: old.with_changes(sort=sort))
    _refresh_from(services, client, body, respond)


def handle_clear(ack: Ack, body: Body, client: WebClient, respond: Any, context: BoltContext) -> None:
    ack()
    services = _services(context)
    team, user = ids_of(body, context)
    update_state(services, team_id=team, user_id=user, change=lambda old: CampaignFilter(sort=old.sort))
    _refresh_from(services, client, body, respond)


def handle_page(ack: Ack, body: Body, client: WebClient, respond: Any, context: BoltContext) -> None:
    """Previous / Next: the button value carries the target offset."""
    ack()
    offset = max(meta_int(decode_meta(str(_action(body).get("value") or "{}")), "offset"), 0)
    services = _services(context)
    team, user = ids_of(body, context)
    if surface_of(body) == "home":
        update_state(services, team_id=team, user_id=user, home_offset=offset)
    _refresh_from(services, client, body, respond, offset=offset)


def handle_search_button(ack: Ack, body: Body, client: WebClient, context: BoltContext) -> None:
    ack()
    team, user = ids_of(body, context)
    with session_scope(_services(context).engine, readonly=True) as session:
        current, _ = load_user_state(session, team_id=team, user_id=user)
    client.views_open(
        trigger_id=body["trigger_id"], view=render_search_modal(current.search, metadata=_origin(body))
    )


def handle_save_view_button(ack: Ack, body: Body, client: WebClient, context: BoltContext) -> None:
    ack()
    team, user = ids_of(body, context)
    with session_scope(_services(context).engine, readonly=True) as session:
        current, _ = load_user_state(session, team_id=team, user_id=user)
    view = render_save_view_modal(summarize_filter(current.to_vm()), metadata=_origin(body))
    client.views_open(trigger_id=body["trigger_id"], view=view)


def _with_origin(view: dict[str, Any], campaign_pk: int, body: Body) -> dict[str, Any]:
    meta = {"id": str(campaign_pk), **_origin(body)}
    view["private_metadata"] = encode_meta(meta, limit=PRIVATE_METADATA_MAX_LENGTH)
    return view


def handle_overflow(ack: Ack, body: Body, client: WebClient, context: BoltContext) -> None:
    """Tag, Note or Details of one campaign: each opens a modal."""
    ack()
    services = _services(context)
    team, _user = ids_of(body, context)
    meta = decode_meta(
        str((_action(body).get("selected_option") or {}).get("value") or "{}"), limit=OPTION_META_MAX_LENGTH
    )
    op, pk = meta_str(meta, "op"), int(meta_str(meta, "id"))
    with session_scope(services.engine, readonly=True) as session:
        if op == CampaignOp.DETAILS:
            detail = build_detail_vm(session, team_id=team, campaign_pk=pk, now=services.now())
            if detail is None:
                raise NotFound("That campaign does not exist (any more).")
            view = render_campaign_details(detail)
        else:
            campaign = annotate.get_campaign(session, team_id=team, campaign_pk=pk)
            if op == CampaignOp.TAG:
                tags = campaign_repo.tags_of(session, team_id=team, campaign_pks=[pk]).get(pk, [])
                view = _with_origin(render_tag_modal(campaign.name, str(pk), tags), pk, body)
            else:
                view = _with_origin(render_note_modal(campaign.name, str(pk)), pk, body)
    client.views_open(trigger_id=body["trigger_id"], view=view)


def handle_open_view(ack: Ack, body: Body, client: WebClient, respond: Any, context: BoltContext) -> None:
    """A saved view's Open button (in `/hilal view list` or on App Home)."""
    ack()
    services = _services(context)
    team, user = ids_of(body, context)
    name = meta_str(decode_meta(str(_action(body).get("value") or "{}")), "name")
    with session_scope(services.engine, readonly=True) as session:
        flt = CampaignFilter.from_json(
            saved_views.find_view(session, team_id=team, user_id=user, name=name).filter_json
        )
    update_state(services, team_id=team, user_id=user, change=lambda _old: flt)
    _refresh_from(services, client, body, respond)


def register(app: Listeners) -> None:
    """Wire the campaign list's actions and modal submissions."""
    from bot.features.campaigns_modals import register_modals

    for action_id in _FILTER_FIELDS:
        app.action(action_id.value)(handle_filter)
    app.action(ActionId.CAMPAIGNS_FILTER_SORT.value)(handle_sort)
    app.action(ActionId.CAMPAIGNS_FILTER_CLEAR.value)(handle_clear)
    app.action(ActionId.CAMPAIGNS_FILTER_SEARCH.value)(handle_search_button)
    app.action(ActionId.CAMPAIGNS_PAGE_NEXT.value)(handle_page)
    app.action(ActionId.CAMPAIGNS_PAGE_PREV.value)(handle_page)
    app.action(ActionId.CAMPAIGNS_OVERFLOW.value)(handle_overflow)
    app.action(ActionId.CAMPAIGNS_SAVE_VIEW.value)(handle_save_view_button)
    app.action(ActionId.VIEWS_OPEN.value)(handle_open_view)
    register_modals(app)
