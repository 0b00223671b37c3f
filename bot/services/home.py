"""App Home's view-model: the three region cards, the campaign list and the saved views."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.services.campaigns import build_page, list_views
from bot.services.connections import build_region_cards
from bot.viewmodels import CampaignPageVM, HomeVM, SavedViewVM
from storage.db import session_scope
from storage.repositories.connections import list_connections

if TYPE_CHECKING:
    from bot.wiring import Services

__all__ = ["build_home_vm"]


def build_home_vm(
    services: Services, *, team_id: str, user_id: str, enterprise_id: str = "", can_edit: bool = False
) -> HomeVM:
    """Everything App Home shows one user.

    Args:
        services: The wired services.
        team_id: The user's workspace.
        user_id: The user whose Home it is (the campaign filter and saved views are theirs).
        enterprise_id: The Enterprise Grid id, if any.
        can_edit: The user may make live edits: the campaign list offers the same edit entries as in a
            message (Pause… / Enable…, Change daily budget…, and "Pause all N shown…" when filtered).

    Returns:
        The Home tab's view-model.
    """
    cards = build_region_cards(
        services,
        team_id=team_id,
        enterprise_id=enterprise_id,
        user_id=user_id,
        render_key=str(int(services.now().timestamp())),
    )
    return HomeVM(
        cards=cards,
        campaigns=_campaign_section(services, team_id=team_id, user_id=user_id, can_edit=can_edit),
        views=_saved_views(services, team_id=team_id, user_id=user_id),
    )


def _campaign_section(
    services: Services, *, team_id: str, user_id: str, can_edit: bool
) -> CampaignPageVM | None:
    """The user's campaign page for App Home, or None before the team connected any region."""
    with session_scope(services.engine, readonly=True) as session:
        if not list_connections(session, team_id=team_id):
            return None
    return build_page(services, team_id=team_id, user_id=user_id, surface="home", can_edit=can_edit)


def _saved_views(services: Services, *, team_id: str, user_id: str) -> list[SavedViewVM]:
    """The saved views App Home lists for the user (own and shared)."""
    with session_scope(services.engine, readonly=True) as session:
        return list_views(session, team_id=team_id, user_id=user_id)
