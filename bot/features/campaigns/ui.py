"""Shared pieces of the campaign feature: the user's list state, re-rendering where the click came from.

A user has one campaign filter (remembered in `UserFilterState`) shared by the message list and App
Home; App Home also remembers its page offset, since Home has no response_url to carry it.

Payloads are signed but not trusted to be well formed: an old message, a client bug or a forged request
can send a value that is not JSON, an id that is not a number or a list where an object belongs. The
readers here turn that into `UnreadableRequest` (a `UserFacingError`), never a crash.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from slack_sdk.webhook import WebhookClient

from bot.blocks.campaigns import render_campaign_message
from bot.blocks.common import Message
from bot.blocks.ids import decode_meta
from bot.errors import UserFacingError
from bot.features.home import publish_home
from bot.listeners.permission import viewer_can_edit
from bot.services.campaigns import (
    CampaignFilter,
    Surface,
    build_page,
    load_user_state,
    remember_filter,
)
from storage.db import session_scope

if TYPE_CHECKING:
    from datetime import datetime

    from slack_sdk import WebClient
    from sqlmodel import Session

    from bot.wiring import Services

__all__ = [
    "UnreadableRequest",
    "campaign_message",
    "campaign_pk_of",
    "change_state",
    "first_action",
    "read_meta",
    "refresh",
    "surface_of",
    "trigger_of",
    "update_state",
]

Body = Mapping[str, Any]
_MAX_PK_DIGITS = 18


class UnreadableRequest(UserFacingError):
    """A button, menu or form sent something Hilal cannot read; nothing was changed."""

    title = "That request could not be read"

    def __init__(self, what: str = "This button or menu") -> None:
        super().__init__(
            f"{what} sent something Hilal could not read, so nothing was changed. "
            "It may come from an old message.",
            hint="Run `/hilal campaigns` for a fresh list and try again.",
        )


def first_action(body: Body) -> Mapping[str, Any]:
    """The one action of a block_actions payload.

    Raises:
        UnreadableRequest: No action, or not an object.
    """
    actions = body.get("actions")
    first = actions[0] if isinstance(actions, list) and actions else None
    if not isinstance(first, Mapping):
        raise UnreadableRequest()
    return first


def trigger_of(body: Body) -> str:
    """The payload's trigger_id (to open a modal).

    Raises:
        UnreadableRequest: Missing or not a string.
    """
    trigger = body.get("trigger_id")
    if not isinstance(trigger, str) or not trigger:
        raise UnreadableRequest()
    return trigger


def read_meta(value: object, *, limit: int, what: str = "This button or menu") -> dict[str, object]:
    """The JSON object carried in a button value, option value or private_metadata.

    Raises:
        UnreadableRequest: Not a string, not JSON, too long or not a JSON object.
    """
    if not isinstance(value, str):
        raise UnreadableRequest(what)
    try:
        return decode_meta(value, limit=limit)
    except ValueError:
        raise UnreadableRequest(what) from None


def campaign_pk_of(value: object, *, what: str = "This button or menu") -> int:
    """Hilal's campaign id carried as a string of digits (how renderers write it).

    Raises:
        UnreadableRequest: Missing, not a string, or not a plain decimal number.
    """
    if not isinstance(value, str) or not (value.isascii() and value.isdigit()) or len(value) > _MAX_PK_DIGITS:
        raise UnreadableRequest(what)
    return int(value)


def surface_of(body: Body) -> Surface:
    """Where an action came from: App Home (a view container, no response_url) or a message."""
    container, view = body.get("container"), body.get("view")
    if isinstance(container, Mapping) and container.get("type") == "view":
        return "home"
    if isinstance(view, Mapping) and view.get("type") == "home":
        return "home"
    return "message"


def update_state(
    services: Services,
    *,
    team_id: str,
    user_id: str,
    change: Callable[[CampaignFilter], CampaignFilter] | None = None,
    home_offset: int | None = None,
) -> CampaignFilter:
    """Apply ``change`` to the user's filter (a changed filter sends Home back to page one) and save."""
    with session_scope(services.engine) as session:
        return change_state(
            session,
            team_id=team_id,
            user_id=user_id,
            now=services.now(),
            change=change,
            home_offset=home_offset,
        )


def change_state(
    session: Session,
    *,
    team_id: str,
    user_id: str,
    now: datetime,
    change: Callable[[CampaignFilter], CampaignFilter] | None = None,
    home_offset: int | None = None,
) -> CampaignFilter:
    """`update_state` inside the caller's transaction (a request's unit of work)."""
    current, offset = load_user_state(session, team_id=team_id, user_id=user_id)
    new = change(current) if change else current
    if new != current:
        offset = 0
    if home_offset is not None:
        offset = home_offset
    remember_filter(session, team_id=team_id, user_id=user_id, filter=new, now=now, home_offset=offset)
    return new


def campaign_message(
    services: Services, *, team_id: str, user_id: str, offset: int = 0, client: WebClient | None = None
) -> Message:
    """The campaign list message for the user's current filter (edit entries for an editor).

    With ``client``, workspace admins count as editors (Slack says who they are); without, only named
    editors and Hilal admins do.
    """
    editor = viewer_can_edit(services, client, team_id=team_id, user_id=user_id)
    page = build_page(
        services, team_id=team_id, user_id=user_id, surface="message", offset=offset, can_edit=editor
    )
    return render_campaign_message(page)


def refresh(
    services: Services,
    client: WebClient,
    *,
    team_id: str,
    user_id: str,
    surface: Surface,
    respond: Callable[..., Any] | None = None,
    response_url: str | None = None,
    offset: int = 0,
) -> None:
    """Re-render the list where the user is: re-publish App Home, or replace the list message."""
    if surface == "home":
        publish_home(services, client, team_id=team_id, user_id=user_id)
        return
    msg = campaign_message(services, team_id=team_id, user_id=user_id, offset=offset, client=client)
    if respond is not None:
        respond(text=msg["text"], blocks=msg["blocks"], replace_original=True)
    elif response_url:
        WebhookClient(response_url).send(text=msg["text"], blocks=msg["blocks"], replace_original=True)
