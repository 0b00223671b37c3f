"""Undo: within 15 minutes of a change, a new preview restoring what each applied entity was before."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlmodel import Session, select

from bot.errors import NotFound
from bot.services.edits.errors import UndoUnavailable
from bot.services.edits.model import EditPreview, EditTarget, EntityType
from bot.services.edits.outcome import UNDO_WINDOW
from bot.services.edits.plan import plan_edit
from storage.db import session_scope
from storage.models import AdGroup, Campaign, EditBatchStatus, Keyword
from storage.repositories.edits import StoredItem, batch_items, get_batch

if TYPE_CHECKING:
    from bot.wiring import Services

__all__ = ["plan_undo"]

_REVERSE = {"pause": "enable", "enable": "pause"}


def plan_undo(
    services: Services, *, batch_id: int, user_id: str, now: datetime, is_manager: bool = False
) -> EditPreview:
    """Preview restoring the `before` values of a batch's applied entities (through every guard).

    Raises:
        NotFound: No such batch.
        UndoUnavailable: The batch was not applied, or was applied more than 15 minutes ago.
        UserFacingError: A guard of `plan_edit` refused.
    """
    with session_scope(services.engine, readonly=True) as session:
        batch = get_batch(session, batch_id=batch_id)
        if batch is None:
            raise NotFound("That change no longer exists.")
        if batch.status not in (EditBatchStatus.APPLIED, EditBatchStatus.PARTIAL) or batch.applied_at is None:
            raise UndoUnavailable("Only a change Amazon applied can be undone.")
        if now > batch.applied_at + UNDO_WINDOW:
            raise UndoUnavailable(
                "Undo is available for 15 minutes after a change; this one is older.",
                hint="Make the opposite change instead (it is previewed as usual).",
            )
        applied = [item for item in batch_items(session, batch_id=batch_id) if item.status == "applied"]
        targets = [_target(session, item, restore=batch.kind not in _REVERSE) for item in applied]
        team_id, kind = batch.team_id, _REVERSE.get(batch.kind, batch.kind)
    return plan_edit(
        services,
        team_id=team_id,
        user_id=user_id,
        kind=kind,
        targets=targets,
        now=now,
        is_manager=is_manager,
        undo_of=batch_id,
    )


def _target(session: Session, item: StoredItem, *, restore: bool) -> EditTarget:
    """The entity of an item as a target, carrying its `before` value for amounts."""
    model: type[Campaign] | type[AdGroup] | type[Keyword]
    if item.entity_type == "campaign":
        model, column = Campaign, Campaign.campaign_id
    elif item.entity_type == "ad_group":
        model, column = AdGroup, AdGroup.ad_group_id
    else:
        model, column = Keyword, Keyword.keyword_id
    pk = session.exec(
        select(model.id).where(model.profile_pk == item.profile_pk, column == item.entity_id)
    ).first()
    if pk is None:
        raise NotFound(f"Hilal does not know “{item.entity_name}” any more.")
    entity_type: EntityType = (
        "campaign" if model is Campaign else "ad_group" if model is AdGroup else "keyword"
    )
    return EditTarget(entity_type, pk, item.before if restore else None)
