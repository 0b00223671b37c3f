"""Pending marketplace selections: one row per open picker (keyword-only; add/flush, never commit).

A row holds the profile ids ticked in one picker until Save; `Profile.selected` (what the sync reads)
is never touched here. Expired rows are invisible to `get_pending` and removed by `delete_expired`.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import delete
from sqlmodel import Session

from storage.models import PendingSelection, table_of

__all__ = [
    "claim_action",
    "create_pending",
    "delete_expired",
    "delete_pending",
    "get_pending",
    "is_latest_action",
    "pending_ids",
    "set_pending_ids",
]


def _encode(ids: Iterable[str]) -> str:
    return json.dumps(sorted(set(ids)), separators=(",", ":"))


def create_pending(
    session: Session,
    *,
    team_id: str,
    region: str,
    opened_by: str,
    selected: Iterable[str],
    now: datetime,
    expires_at: datetime,
) -> PendingSelection:
    """A new pending selection with a fresh, unguessable picker id, starting from `selected`."""
    row = PendingSelection(
        picker_id=secrets.token_hex(12),
        team_id=team_id,
        region=region,
        opened_by=opened_by,
        selected_json=_encode(selected),
        created_at=now,
        expires_at=expires_at,
    )
    session.add(row)
    session.flush()
    return row


def get_pending(session: Session, *, picker_id: str, team_id: str, now: datetime) -> PendingSelection | None:
    """The picker's live row; None when unknown, of another team, or expired."""
    row = session.get(PendingSelection, picker_id)
    if row is None or row.team_id != team_id or row.expires_at <= now:
        return None
    return row


def pending_ids(row: PendingSelection) -> frozenset[str]:
    """The profile ids ticked in the picker so far."""
    return frozenset(str(v) for v in json.loads(row.selected_json or "[]"))


def set_pending_ids(session: Session, *, row: PendingSelection, ids: Iterable[str]) -> None:
    """Replace the picker's ticks."""
    row.selected_json = _encode(ids)
    session.add(row)
    session.flush()


def _ts(value: str) -> Decimal | None:
    try:
        return Decimal(value) if value else None
    except InvalidOperation:
        return None


def claim_action(session: Session, *, row: PendingSelection, action_ts: str) -> bool:
    """Record `action_ts` as the picker's latest tick; False (nothing recorded) when a later one came first.

    Slack stamps every action; two quick ticks may be handled out of order, and the older one must not
    undo the newer. A missing or unreadable stamp is always applied.
    """
    new, last = _ts(action_ts), _ts(row.last_action_ts)
    if new is None:
        return True
    if last is not None and new <= last:
        return False
    row.last_action_ts = action_ts[:32]
    session.add(row)
    return True


def is_latest_action(row: PendingSelection, action_ts: str) -> bool:
    """True when no tick later than `action_ts` has been recorded for the picker."""
    new, last = _ts(action_ts), _ts(row.last_action_ts)
    return new is None or last is None or new >= last


def delete_pending(session: Session, *, picker_id: str) -> None:
    """Forget one picker (after Save)."""
    t = table_of(PendingSelection)
    session.execute(delete(t).where(t.c.picker_id == picker_id))


def delete_expired(session: Session, *, now: datetime) -> int:
    """Remove every expired picker of every team; returns how many."""
    t = table_of(PendingSelection)
    result = session.execute(delete(t).where(t.c.expires_at <= now))
    return int(getattr(result, "rowcount", 0) or 0)
