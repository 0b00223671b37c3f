""" "May manage": the one check for changing what the team configured, and the listener option using it.

Buttons register with it instead of checking by hand; the refusal (`NotAllowed`, saying who can) is
answered like any user error, on the surface the user clicked, and the listener never runs:

    listeners.action(ActionId.REGION_DISCONNECT, requires=may_manage())(handle_disconnect)

Slash sub-commands call `require_manager` where their arguments have been read, so a usage error is
still answered before the permission.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from bot.blocks.format import mrkdwn_format
from bot.errors import NotAllowed
from bot.listeners.context import request_ids, services_of
from bot.services.edits import EditNotAllowed, can_edit
from bot.services.permissions import can_manage, who_can_manage_text
from bot.slack import WebClientWorkspace
from storage.db import session_scope

if TYPE_CHECKING:
    from slack_sdk import WebClient

    from bot.wiring import Services

__all__ = [
    "Requirement",
    "is_manager",
    "may_edit",
    "may_manage",
    "require_edit_role",
    "require_manager",
    "viewer_can_edit",
]

Requirement = Callable[[Mapping[str, Any], "WebClient"], None]
"""A listener's precondition: given the request's context and client, raises a user error to refuse."""


def require_manager(
    services: Services, client: WebClient, *, team_id: str, user_id: str, doing: str = "do this"
) -> None:
    """Raises `NotAllowed` ("Only people who manage Hilal can {doing}.", with who can) unless allowed."""
    if not can_manage(services, WebClientWorkspace(client), team_id=team_id, user_id=user_id):
        raise NotAllowed(
            f"Only people who manage Hilal can {doing}.", hint=who_can_manage_text(services, team_id=team_id)
        )


def may_manage(doing: str = "do this") -> Requirement:
    """The requirement "the user may manage Hilal" for `Listeners(..., requires=...)`."""

    def check(context: Mapping[str, Any], client: WebClient) -> None:
        ids = request_ids(context)
        require_manager(services_of(context), client, team_id=ids.team_id, user_id=ids.user_id, doing=doing)

    return check


def is_manager(services: Services, client: WebClient, *, team_id: str, user_id: str) -> bool:
    """True for a workspace admin or owner, or a Hilal admin (what the edit services call `is_manager`)."""
    return can_manage(services, WebClientWorkspace(client), team_id=team_id, user_id=user_id)


def viewer_can_edit(services: Services, client: WebClient | None, *, team_id: str, user_id: str) -> bool:
    """True when the user may make live edits (a named editor, or a manager when `client` can tell)."""
    with session_scope(services.engine, readonly=True) as session:
        if can_edit(session, team_id=team_id, user_id=user_id, is_manager=False):
            return True
    return client is not None and is_manager(services, client, team_id=team_id, user_id=user_id)


def require_edit_role(services: Services, client: WebClient, *, team_id: str, user_id: str) -> bool:
    """Refuse politely unless the user may make live edits; returns whether they are a manager.

    Raises:
        EditNotAllowed: Neither a manager nor a named editor.
    """
    manager = is_manager(services, client, team_id=team_id, user_id=user_id)
    with session_scope(services.engine, readonly=True) as session:
        allowed = can_edit(session, team_id=team_id, user_id=user_id, is_manager=manager)
    if not allowed:
        raise EditNotAllowed(
            "Only managers and the people an admin named as editors can change campaigns from Slack.",
            hint=mrkdwn_format(
                "Ask a workspace admin or Hilal admin to add you with `/hilal admins editor add @you`."
            ),
        )
    return manager


def may_edit() -> Requirement:
    """The requirement "the user may make live edits" for `Listeners(..., requires=...)`."""

    def check(context: Mapping[str, Any], client: WebClient) -> None:
        ids = request_ids(context)
        require_edit_role(services_of(context), client, team_id=ids.team_id, user_id=ids.user_id)

    return check
