"""A batch read back as an `EditOutcome` (what the preview message is replaced with)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlmodel import Session

from bot.services.edits.model import EditOutcome, ItemOutcome
from storage.models import EditBatch, EditBatchStatus
from storage.repositories.edits import StoredItem, batch_items

__all__ = ["UNDO_WINDOW", "outcome_of", "stored_outcome"]

UNDO_WINDOW = timedelta(minutes=15)
_DONE = (EditBatchStatus.APPLIED, EditBatchStatus.PARTIAL)


def _item(item: StoredItem, ok: bool | None, message: str | None) -> ItemOutcome:
    """An item's outcome from its stored columns."""
    return ItemOutcome(
        entity_type=item.entity_type,
        entity_id=item.entity_id,
        entity_name=item.entity_name,
        field=item.field,
        before=item.before,
        after=item.after,
        currency=item.currency,
        ok=ok,
        message=message,
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
        _item(row, {"applied": True, "failed": False}.get(row.status), row.error)
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
    outcomes: Sequence[tuple[StoredItem, bool, str | None]],
) -> EditOutcome:
    """The outcome the caller that applied a batch has just stored, without reading it back: the same
    value `outcome_of` gives for the batch (items in preview order, each applied or failed)."""
    items = tuple(_item(item, ok, message) for item, ok, message in outcomes)
    return _outcome(batch, status=status, applied_by=applied_by, applied_at=applied_at, items=items)
