"""Who may make live edits, and the per-region read-only switch.

Editors are the managers (workspace admins and owners, Hilal admins; the caller knows, from Slack,
whether the user is a workspace admin and says so with `is_manager`) plus the people an admin named
with `add_editor`. A region's read-only switch refuses every write, whoever asks.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlmodel import Session, select

from bot.services.edits.errors import EditNotAllowed
from storage.models import AdminUser
from storage.repositories import edits as repo

if TYPE_CHECKING:
    from bot.wiring import Services

__all__ = [
    "add_editor",
    "can_edit",
    "list_editors",
    "remove_editor",
    "require_editor",
    "set_read_only",
]


def can_edit(session: Session, *, team_id: str, user_id: str, is_manager: bool) -> bool:
    """True when `user_id` may make live edits in `team_id`.

    Args:
        session: An open session.
        team_id: The workspace.
        user_id: Who asks.
        is_manager: The caller found the user to be a manager (workspace admin or owner, Hilal admin).
    """
    return is_manager or repo.is_editor(session, team_id=team_id, user_id=user_id)


def require_editor(
    services: Services, session: Session, *, team_id: str, user_id: str, is_manager: bool
) -> None:
    """Refuse unless the user is an editor; Hilal admins (added or configured) count as managers.

    Raises:
        EditNotAllowed: The user may not edit.
    """
    admin = user_id in services.settings.admin_user_ids or (
        session.exec(
            select(AdminUser.id).where(AdminUser.team_id == team_id, AdminUser.user_id == user_id)
        ).first()
        is not None
    )
    if not can_edit(session, team_id=team_id, user_id=user_id, is_manager=is_manager or admin):
        raise EditNotAllowed(
            "Only managers and the people an admin named as editors can change campaigns from Slack.",
            hint="Ask a workspace admin to add you as an editor.",
        )


def add_editor(session: Session, *, team_id: str, user_id: str, added_by: str, now: datetime) -> bool:
    """Name `user_id` an editor of `team_id`; False when they already were one."""
    return repo.add_editor(session, team_id=team_id, user_id=user_id, added_by=added_by, now=now)


def remove_editor(session: Session, *, team_id: str, user_id: str) -> bool:
    """Take editing away from `user_id`; False when they were not an editor."""
    return repo.remove_editor(session, team_id=team_id, user_id=user_id)


def list_editors(session: Session, *, team_id: str) -> list[str]:
    """The named editors of `team_id` (managers not included), sorted."""
    return repo.list_editors(session, team_id=team_id)


def set_read_only(session: Session, *, team_id: str, region: str, read_only: bool) -> bool:
    """Turn the region's read-only switch on or off; False when the team has no such region."""
    return repo.set_read_only(session, team_id=team_id, region=region, read_only=read_only)
