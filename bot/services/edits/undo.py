"""Undo: within 15 minutes of a change, a new preview restoring what each applied entity was before."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from sqlmodel import Session

from bot.errors import NotFound
from bot.services.edits.errors import UndoUnavailable
from bot.services.edits.model import EditPreview, EditTarget, EntityType
from bot.services.edits.outcome import UNDO_WINDOW
from bot.services.edits.plan import plan_edit
from storage.db import session_scope
from storage.models import EditBatchStatus
from storage.repositories.edits import StoredItem, batch_items, entity_pks, get_batch

if TYPE_CHECKING:
    from bot.wiring import Services

__all__ = ["plan_undo"]

_REVERSE = {"pause": "enable", "enable": "pause"}
_ENTITY_TYPES: Mapping[str, EntityType] = {
    "campaign": "campaign",
    "ad_group": "ad_group",
    "keyword": "keyword",
}


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
        targets = _targets(session, applied, restore=batch.kind not in _REVERSE)
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


def _targets(session: Session, items: Sequence[StoredItem], *, restore: bool) -> list[EditTarget]:
    """The entities of the items as targets, each carrying its `before` value for amounts (one query per
    entity type and profile)."""
    groups: dict[tuple[str, int], list[str]] = {}
    for item in items:
        groups.setdefault((item.entity_type, item.profile_pk), []).append(item.entity_id)
    pks = {
        key: entity_pks(session, entity_type=key[0], profile_pk=key[1], entity_ids=ids)
        for key, ids in groups.items()
    }
    targets: list[EditTarget] = []
    for item in items:
        pk = pks[(item.entity_type, item.profile_pk)].get(item.entity_id)
        if pk is None:
            raise NotFound(f"Hilal does not know “{item.entity_name}” any more.")
        targets.append(EditTarget(_ENTITY_TYPES[item.entity_type], pk, item.before if restore else None))
    return targets
