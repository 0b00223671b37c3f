"""Who may connect, disconnect, edit marketplaces and change digest subscriptions.

Allowed: workspace admins and owners (from `users.info`), users in HILAL_ADMIN_USER_IDS, and users added
with `/hilal admins add`. Everyone else is told who can.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from sqlmodel import select

from bot.services.slack_ports import SlackCallError, WorkspaceDirectory
from bot.viewmodels.text import Mrkdwn, join_mrkdwn, mrkdwn_format, user_mention
from storage.db import session_scope
from storage.models import AdminUser

if TYPE_CHECKING:
    from bot.wiring import Services

__all__ = ["can_manage", "list_admins", "who_can_manage_text"]

logger = logging.getLogger(__name__)


def list_admins(services: Services, *, team_id: str) -> list[str]:
    """User ids added with `/hilal admins add` plus HILAL_ADMIN_USER_IDS, sorted."""
    with session_scope(services.engine, readonly=True) as session:
        added = session.exec(select(AdminUser.user_id).where(AdminUser.team_id == team_id)).all()
    return sorted(set(added) | services.settings.admin_user_ids)


def _is_workspace_admin(directory: WorkspaceDirectory, user_id: str) -> bool:
    try:
        return directory.is_admin(user_id)
    except SlackCallError as exc:
        logger.warning("slack.users_info_failed", extra={"user": user_id, "error": exc.error})
        return False


def can_manage(services: Services, directory: WorkspaceDirectory, *, team_id: str, user_id: str) -> bool:
    """True when `user_id` may connect regions and change subscriptions in `team_id`.

    Args:
        services: Shared services.
        directory: The workspace's directory (`bot.slack.WebClientWorkspace` over the request's client).
        team_id: The workspace.
        user_id: Who asks.
    """
    if user_id in list_admins(services, team_id=team_id):
        return True
    return _is_workspace_admin(directory, user_id)


def who_can_manage_text(services: Services, *, team_id: str) -> Mrkdwn:
    """A sentence naming who can do it, for the "not allowed" answer (the admins as live mentions)."""
    admins = list_admins(services, team_id=team_id)
    named = join_mrkdwn(", ", (user_mention(u) for u in admins[:10]))
    extra = mrkdwn_format(" and Hilal admins ({named})", named=named) if named else Mrkdwn("")
    return mrkdwn_format(
        "Workspace admins and owners{extra} can do this. "
        "Ask one of them to do it, or to add you with `/hilal admins add @you`.",
        extra=extra,
    )
