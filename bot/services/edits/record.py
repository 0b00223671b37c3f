"""Recording a confirmed batch: each item's outcome, the local copy of what Amazon applied, one audit event
per item, and the batch's final status.

An item's record is made ready (`Done`: its outcome for the message and its audit detail as JSON) by the
thread that sent its group, as soon as Amazon answers, while the other groups are still on their way.
What is left for the database is a handful of statements per group (see the repository), whatever the
number of items, and the batch's status.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import NamedTuple

from sqlmodel import Session

from bot.services.edits.model import EditOutcome, ItemOutcome
from bot.services.edits.outcome import item_outcome, stored_outcome
from storage.models import EditBatch, EditBatchStatus
from storage.repositories import edits as repo
from storage.repositories.edits import StoredItem

__all__ = ["NO_ANSWER", "Answers", "Done", "Recorder", "make_ready"]

Answers = Mapping[int, tuple[bool, str | None]]
"""Item id → (applied, Amazon's message)."""

NO_ANSWER = "Hilal stopped before Amazon answered; check before retrying"
"""What an item is recorded with when no answer came back for it (Hilal failed before or while sending)."""


class Done(NamedTuple):
    """One item, ready to store: whether Amazon applied it, the outcome shown, its audit detail (JSON)."""

    ok: bool
    outcome: ItemOutcome
    audit: str


def make_ready(batch: EditBatch, items: Sequence[StoredItem], answers: Answers) -> dict[int, Done]:
    """The records of `items` by item id; an item missing from `answers` failed with `NO_ANSWER`."""
    assert batch.id is not None
    detail = repo.EditAuditDetails(
        batch_id=batch.id, kind=batch.kind, region=batch.region, undo_of=batch.undo_of
    )
    ready: dict[int, Done] = {}
    for item in items:
        ok, message = answers.get(item.id, (False, NO_ANSWER))
        audit = detail(item, ok=ok, amazon="applied" if ok else message)
        ready[item.id] = Done(ok, item_outcome(item, ok, message), audit)
    return ready


class Recorder:
    """Stores a confirmed batch: group by group as Amazon answers each (`write`, in the caller's
    transaction), then the items left without an answer and the final status (`finish`).

    A group's items are recorded together: their outcomes (failed ones with Amazon's message, the rest
    applied), the local copy of what Amazon applied, and one audit event per item. `finish` records every
    item not written yet as failed with `NO_ANSWER`, so each item is recorded exactly once however the
    sending ended. Meant for one transaction: `write`s and `finish` commit (or roll back) together.
    """

    def __init__(self, batch: EditBatch, items: Sequence[StoredItem], *, user_id: str, now: datetime) -> None:
        assert batch.id is not None
        self._batch = batch
        self._batch_id = batch.id
        self._items = items
        self._user_id = user_id
        self._now = now
        self._done: dict[int, Done] = {}

    def write(self, session: Session, items: Sequence[StoredItem], ready: Mapping[int, Done]) -> None:
        """Record `items` from their records in `ready`: whole (profile, entity type) groups, or items that
        all failed (the ones `finish` finds without an answer)."""
        applied = [item for item in items if ready[item.id].ok]
        failed = [(item.id, ready[item.id].outcome.message) for item in items if not ready[item.id].ok]
        groups = dict.fromkeys((item.profile_pk, item.entity_type) for item in applied)
        repo.set_item_results(session, batch_id=self._batch_id, failed=failed, applied=groups)
        edits = dict.fromkeys(
            repo.LocalEdit(item.entity_type, item.profile_pk, item.field, item.after) for item in applied
        )
        repo.apply_local_edits(
            session, batch_id=self._batch_id, edits=edits, user_id=self._user_id, now=self._now
        )
        audits = [(item.campaign_pk, ready[item.id].audit) for item in items]
        repo.add_edit_audits(
            session, team_id=self._batch.team_id, actor=self._user_id, now=self._now, events=audits
        )
        for item in items:
            self._done[item.id] = ready[item.id]

    def finish(self, session: Session) -> EditOutcome:
        """Record the items not written yet (no answer came for them) and the batch's status; returns the
        outcome as stored (what `edit_outcome` reads back), items in the preview's order."""
        missing = [item for item in self._items if item.id not in self._done]
        if missing:
            self.write(session, missing, make_ready(self._batch, missing, {}))
        outcomes = tuple(self._done[item.id].outcome for item in self._items)
        failed = sum(not done.ok for done in self._done.values())
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
