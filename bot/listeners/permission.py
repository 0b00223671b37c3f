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

from bot.errors import NotAllowed
from bot.listeners.context import request_ids, services_of
from bot.services.permissions import can_manage, who_can_manage_text
from bot.slack import WebClientWorkspace

if TYPE_CHECKING:
    from slack_sdk import WebClient

    from bot.wiring import Services

__all__ = ["Requirement", "may_manage", "require_manager"]

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
