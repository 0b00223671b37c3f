"""Shared steps of the live-edit flow: plan a preview, deliver it, confirm, render the outcome.

A preview goes where the user asked: the command's or button's response_url (ephemeral, a new message),
else an ephemeral message in the channel, else a direct message. Confirm, Cancel and Undo answer through
the clicked message's response_url: the outcome replaces the preview in place (``replace_original``),
for an ephemeral preview and for a bot message alike. Both clicks of a double click get the same outcome:
`confirm_edit` applies the batch once and returns the stored outcome to everyone after.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from bot.blocks.common import Message
from bot.blocks.edits import render_edit_outcome, render_edit_preview
from bot.blocks.ids import MalformedMeta, decode_meta, meta_int
from bot.errors import NotFound
from bot.listeners.permission import is_manager
from bot.services.edits import (
    EditPreview,
    EditTarget,
    announce_edit,
    check_edit,
    confirm_edit,
    edit_outcome,
    outcome_vm,
    plan_edit,
    preview_vm,
)
from bot.slack import WebClientWorkspace
from storage.db import session_scope
from storage.repositories.edits import get_batch

if TYPE_CHECKING:
    from slack_sdk import WebClient

    from bot.wiring import Services

__all__ = [
    "batch_of",
    "check_preview",
    "check_team",
    "confirm_and_render",
    "outcome_message",
    "plan_preview",
    "preview_message",
    "send_message",
]

logger = logging.getLogger(__name__)


def batch_of(value: object, *, limit: int = 2000) -> int:
    """The batch id a button value carries (``{"b": "42"}``).

    Raises:
        MalformedMeta: Not metadata Hilal wrote.
    """
    if not isinstance(value, str):
        raise MalformedMeta("no value")
    meta = decode_meta(value, limit=limit)
    raw = meta.get("b")
    if isinstance(raw, str) and raw.isascii() and raw.isdigit() and len(raw) < 19:
        return int(raw)
    return meta_int(meta, "b")


def check_team(services: Services, *, team_id: str, batch_id: int) -> str:
    """Refuse a batch of another workspace as unknown (nothing is read or sent); who previewed it."""
    with session_scope(services.engine, readonly=True) as session:
        batch = get_batch(session, batch_id=batch_id)
        if batch is None or batch.team_id != team_id:
            raise NotFound("That change preview no longer exists.", hint="Preview the change again.")
        return batch.created_by


def preview_message(preview: EditPreview) -> Message:
    """The preview as a message."""
    return render_edit_preview(preview_vm(preview))


def outcome_message(services: Services, *, batch_id: int) -> Message:
    """The batch's outcome as it stands, as a message."""
    return render_edit_outcome(outcome_vm(edit_outcome(services, batch_id=batch_id), now=services.now()))


def check_preview(
    services: Services,
    client: WebClient,
    *,
    team_id: str,
    user_id: str,
    kind: str,
    targets: Sequence[EditTarget],
    value: str | None = None,
) -> bool:
    """The guards a preview needs that read no Amazon data (a form answers with them before its ack);
    returns whether the user is a manager, for `plan_preview`."""
    manager = is_manager(services, client, team_id=team_id, user_id=user_id)
    check_edit(
        services,
        team_id=team_id,
        user_id=user_id,
        kind=kind,
        targets=targets,
        value=value,
        is_manager=manager,
    )
    return manager


def plan_preview(
    services: Services,
    client: WebClient,
    *,
    team_id: str,
    user_id: str,
    kind: str,
    targets: Sequence[EditTarget],
    value: str | None = None,
    manager: bool | None = None,
) -> Message:
    """Check every guard, read Amazon's values, store the preview; the preview message (nothing sent).
    `manager` is what `check_preview` found (else Slack is asked)."""
    if manager is None:
        manager = is_manager(services, client, team_id=team_id, user_id=user_id)
    preview = plan_edit(
        services,
        team_id=team_id,
        user_id=user_id,
        kind=kind,
        targets=targets,
        value=value,
        now=services.now(),
        is_manager=manager,
    )
    return preview_message(preview)


def confirm_and_render(
    services: Services, client: WebClient, *, team_id: str, user_id: str, batch_id: int, typed: str | None
) -> Message:
    """Confirm once (a repeat gets the stored outcome), tell the audit channel once, render the outcome."""
    check_team(services, team_id=team_id, batch_id=batch_id)
    now = services.now()
    outcome = confirm_edit(
        services,
        batch_id=batch_id,
        user_id=user_id,
        typed=typed,
        now=now,
        is_manager=is_manager(services, client, team_id=team_id, user_id=user_id),
    )
    if outcome.applied and outcome.applied_by == user_id and outcome.applied_at == now:  # this call applied
        announce_edit(services, WebClientWorkspace(client), team_id=team_id, batch_id=batch_id)
    return render_edit_outcome(outcome_vm(outcome, now=services.now()))


def send_message(
    client: WebClient,
    message: Message,
    *,
    user_id: str,
    respond: Callable[..., Any] | None = None,
    response_url: str = "",
    channel: str = "",
) -> None:
    """Post a new ephemeral message where the user is (response_url, else the channel), else a DM."""
    text, blocks = message["text"], message["blocks"]
    if respond is not None:
        respond(text=text, blocks=blocks, response_type="ephemeral", replace_original=False)
        return
    if response_url:
        WebhookClient(response_url).send(
            text=text, blocks=blocks, response_type="ephemeral", replace_original=False
        )
        return
    if channel:
        try:
            client.chat_postEphemeral(channel=channel, user=user_id, text=text, blocks=blocks)
            return
        except SlackApiError as exc:
            logger.info("edits.ephemeral_failed", extra={"error": exc.response.get("error")})
    client.chat_postMessage(channel=user_id, text=text, blocks=blocks)
