"""Recording a confirmed batch: each item's outcome, the local copy of what Amazon applied, one audit event
per item, and the batch's final status.

The threads that send hand over Amazon's answers as they are (`Answers`, item id → applied, message);
everything per item after that is set-based SQL: a handful of statements per (profile, entity type)
group, whatever the number of items, and one statement for the audit events, whose details the database
writes from the recorded items.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlmodel import Session

from bot.services.edits.model import EditOutcome
from bot.services.edits.outcome import item_outcome, stored_outcome
from storage.models import EditBatch, EditBatchStatus
from storage.repositories import edits as repo
from storage.repositories.edits import StoredItem

__all__ = ["NO_ANSWER", "Answers", "Recorder"]

Answers = Mapping[int, tuple[bool, str | None]]
"""Item id → (applied, Amazon's message)."""

NO_ANSWER = "Hilal stopped before Amazon answered; check before retrying"
"""What an item is recorded with when no answer came back for it (Hilal failed before or while sending)."""

_UNANSWERED = (False, NO_ANSWER)


class Recorder:
    """Stores a confirmed batch: group by group as Amazon answers each (`write`, in the caller's
    transaction), then the items left without an answer, the audit events and the final status
    (`finish`).

    A group's items are recorded together: their outcomes (failed ones with Amazon's message, the rest
    applied) and the local copy of what Amazon applied. `finish` records every item not written yet as
    failed with `NO_ANSWER`, so each item is recorded exactly once however the sending ended, then one
    audit event per item. Meant for one transaction: `write`s and `finish` commit (or roll back)
    together.
    """

    def __init__(self, batch: EditBatch, items: Sequence[StoredItem], *, user_id: str, now: datetime) -> None:
        assert batch.id is not None
        self._batch = batch
        self._batch_id = batch.id
        self._items = items
        self._user_id = user_id
        self._now = now
        self._answers: dict[int, tuple[bool, str | None]] = {}

    def write(self, session: Session, items: Sequence[StoredItem], answers: Answers) -> None:
        """Record `items` from Amazon's `answers` (an item missing from them failed with `NO_ANSWER`):
        whole (profile, entity type) groups, or items that all failed."""
        got = {item.id: answers.get(item.id, _UNANSWERED) for item in items}
        applied = [item for item in items if got[item.id][0]]
        failed = [(item_id, message) for item_id, (ok, message) in got.items() if not ok]
        groups = dict.fromkeys((item.profile_pk, item.entity_type) for item in applied)
        repo.set_item_results(session, batch_id=self._batch_id, failed=failed, applied=groups)
        changes = dict.fromkeys(
            (item.entity_type, item.profile_pk, item.field, item.after) for item in applied
        )
        repo.apply_local_edits(
            session,
            batch_id=self._batch_id,
            edits=[repo.LocalEdit(*change) for change in changes],
            user_id=self._user_id,
            now=self._now,
        )
        self._answers.update(got)

    def finish(self, session: Session) -> EditOutcome:
        """Record the items not written yet (no answer came for them), the audit events and the batch's
        status; returns the outcome as stored (what `edit_outcome` reads back), items in the preview's
        order."""
        missing = [item for item in self._items if item.id not in self._answers]
        if missing:
            self.write(session, missing, {})
        repo.add_edit_audits(session, batch=self._batch, actor=self._user_id, now=self._now)
        outcomes = tuple(item_outcome(item, *self._answers[item.id]) for item in self._items)
        failed = sum(not ok for ok, _message in self._answers.values())
        summary = {"applied": len(outcomes) - failed, "failed": failed}
        status = _status(**summary)
        repo.finish_batch(session, batch_id=self._batch_id, status=status, summary=summary)
        return stored_outcome(
            self._batch, status=status, applied_by=self._user_id, applied_at=self._now, items=outcomes
        )


def _status(*, applied: int, failed: int) -> str:
    if not failed:
        return EditBatchStatus.APPLIED
    return EditBatchStatus.FAILED if not applied else EditBatchStatus.PARTIAL
