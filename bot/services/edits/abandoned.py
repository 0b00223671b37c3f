"""Batches whose sender died: a confirmed batch left `applying` is recorded as "no answer".

Where the claim commits before the writes (SQLite, see `apply`), a process that dies while sending
leaves its batch `applying`: the message would say "Sending…" for ever and the audit trail would lack
what may have reached Amazon. `settle_abandoned_edits` (run by the scheduler every five minutes) takes
such a batch over once its claim is `ABANDONED_AFTER` old, far past any send, and records every item as
failed with `NO_ANSWER` ("check before retrying"), audited, so the team sees what to check at Amazon.
The takeover is a compare-and-set on the claim time, and a sender that was only slow finds the batch no
longer its own and records nothing (`repo.still_ours`): each item is recorded once.

On PostgreSQL the claim's transaction stays open while sending, so a dead sender's claim rolls back and
the preview can be confirmed again: nothing is left `applying`.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.services.edits.record import Recorder
from storage.db import session_scope
from storage.repositories import edits as repo

if TYPE_CHECKING:
    from bot.wiring import Services

__all__ = ["ABANDONED_AFTER", "settle_abandoned_edits"]

logger = logging.getLogger(__name__)

ABANDONED_AFTER = timedelta(minutes=10)


def settle_abandoned_edits(services: Services, *, now: datetime) -> int:
    """Record the batches left `applying` for `ABANDONED_AFTER` or more; how many were recorded."""
    before = now - ABANDONED_AFTER
    with session_scope(services.engine, readonly=True) as session:
        batch_ids = repo.abandoned_batch_ids(session, claimed_before=before)
    return sum(_settle(services, batch_id, claimed_before=before, now=now) for batch_id in batch_ids)


def _settle(services: Services, batch_id: int, *, claimed_before: datetime, now: datetime) -> bool:
    with session_scope(services.engine) as session:
        if not repo.take_abandoned(session, batch_id=batch_id, claimed_before=claimed_before, now=now):
            return False  # recorded meanwhile, by its sender or another process
        batch = repo.get_batch(session, batch_id=batch_id)
        assert batch is not None
        items = repo.batch_items(session, batch_id=batch_id)
        outcome = Recorder(batch, items, user_id=batch.applied_by or "", now=now).finish(session)
    logger.warning(
        "edits.abandoned_recorded",
        extra={"batch_id": batch_id, "team_id": batch.team_id, "items": len(outcome.items)},
    )
    return True
