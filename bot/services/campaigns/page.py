"""The user's campaign page for a surface (a message or App Home), as a view-model."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from bot.services.campaigns.listing import (
    build_campaign_page_vm,
    load_user_state,
    page_query,
    refresh_window_quietly,
    window_state,
)
from bot.services.campaigns.saved_views import view_matching
from bot.viewmodels import CampaignPageVM
from bot.viewmodels.campaigns import Surface, page_size
from storage.db import session_scope
from storage.repositories.campaign_list import editable_counts

if TYPE_CHECKING:
    from bot.wiring import Services

__all__ = ["Surface", "build_page", "render_key"]


def render_key(services: Services) -> str:
    """A per-render block_id suffix (fresh multi-select state after every update)."""
    return str(int(services.now().timestamp() * 1000) % 10**9)


def build_page(
    services: Services,
    *,
    team_id: str,
    user_id: str,
    surface: Surface,
    offset: int | None = None,
    can_edit: bool = False,
) -> CampaignPageVM:
    """The user's current page for a surface (Home uses its remembered offset unless given one); for an
    editor of a filtered list, with how many campaigns a bulk pause or enable would change."""
    today = services.now().date()
    with session_scope(services.engine, readonly=True) as session:
        state = window_state(session, team_id=team_id, today=today)
        flt, home_offset = load_user_state(session, team_id=team_id, user_id=user_id)
        start = offset if offset is not None else (home_offset if surface == "home" else 0)
        vm = build_campaign_page_vm(
            session,
            team_id=team_id,
            filter=flt,
            offset=start,
            limit=page_size(surface),
            now=services.now(),
            render_key=render_key(services),
            state=state,
        )
        vm = replace(vm, view_name=view_matching(session, team_id=team_id, user_id=user_id, filter=flt))
        if can_edit:
            pausable, enablable = (
                editable_counts(session, query=page_query(flt, team_id=team_id, today=today))
                if not flt.is_empty()
                else (0, 0)
            )
            vm = replace(vm, can_edit=True, pausable=pausable, enablable=enablable)
    if not state.fresh:  # after midnight, or a write the sync has not caught up with: this page took
        # the live road; refresh in the background for the next one
        services.background.submit(refresh_window_quietly, services.engine, team_id=team_id, today=today)
    return vm
