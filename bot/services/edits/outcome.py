"""A batch read back as an `EditOutcome` (what the preview message is replaced with)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session

from bot.services.edits.model import EditOutcome, ItemOutcome
from storage.models import EditBatch, EditBatchStatus
from storage.repositories.edits import StoredItem, batch_items

__all__ = ["UNDO_WINDOW", "item_outcome", "outcome_of", "stored_outcome"]

UNDO_WINDOW = timedelta(minutes=15)
_DONE = (EditBatchStatus.APPLIED, EditBatchStatus.PARTIAL)


def item_outcome(item: StoredItem, ok: bool | None, message: str | None) -> ItemOutcome:
    """An item's outcome from its stored columns and what became of it."""
    return ItemOutcome(
        item.entity_type,
        item.entity_id,
        item.entity_name,
        item.field,
        item.before,
        item.after,
        item.currency,
        ok,
        message,
    )


def _outcome(
    batch: EditBatch,
    *,
    status: str,
    applied_by: str | None,
    applied_at: datetime | None,
    items: tuple[ItemOutcome, ...],
) -> EditOutcome:
    assert batch.id is not None
    done = status in _DONE and applied_at is not None
    return EditOutcome(
        batch_id=batch.id,
        kind=batch.kind,
        status=status,
        applied_by=applied_by,
        applied_at=applied_at,
        undo_until=applied_at + UNDO_WINDOW if done and applied_at else None,
        items=items,
    )


def outcome_of(session: Session, batch: EditBatch) -> EditOutcome:
    """The batch and each item's status as stored."""
    assert batch.id is not None
    items = tuple(
        item_outcome(row, {"applied": True, "failed": False}.get(row.status), row.error)
        for row in batch_items(session, batch_id=batch.id)
    )
    return _outcome(
        batch, status=batch.status, applied_by=batch.applied_by, applied_at=batch.applied_at, items=items
    )


def stored_outcome(
    batch: EditBatch,
    *,
    status: str,
    applied_by: str,
    applied_at: datetime,
    items: tuple[ItemOutcome, ...],
) -> EditOutcome:
    """The outcome the caller that applied a batch has just stored, without reading it back: the same
    value `outcome_of` gives for the batch (`items` in preview order, each applied or failed)."""
    return _outcome(batch, status=status, applied_by=applied_by, applied_at=applied_at, items=items)
