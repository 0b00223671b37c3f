"""A batch read back as an `EditOutcome` (what the preview message is replaced with)."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from bot.services.edits.model import EditOutcome, ItemOutcome
from storage.models import EditBatch, EditBatchStatus
from storage.repositories.edits import item_rows

__all__ = ["UNDO_WINDOW", "outcome_of"]

UNDO_WINDOW = timedelta(minutes=15)
_DONE = (EditBatchStatus.APPLIED, EditBatchStatus.PARTIAL)


def outcome_of(session: Session, batch: EditBatch) -> EditOutcome:
    """The batch and each item's status as stored."""
    assert batch.id is not None
    items = tuple(
        ItemOutcome(
            entity_type=item.entity_type,
            entity_id=item.entity_id,
            entity_name=item.entity_name,
            field=item.field,
            before=item.before,
            after=item.after,
            currency=item.currency,
            ok=True if item.status == "applied" else False if item.status == "failed" else None,
            message=item.error,
        )
        for item in item_rows(session, batch_id=batch.id)
    )
    done = batch.status in _DONE and batch.applied_at is not None
    return EditOutcome(
        batch_id=batch.id,
        kind=batch.kind,
        status=batch.status,
        applied_by=batch.applied_by,
        applied_at=batch.applied_at,
        undo_until=batch.applied_at + UNDO_WINDOW if done and batch.applied_at else None,
        items=items,
    )
