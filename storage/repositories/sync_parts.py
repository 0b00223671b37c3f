"""The profiles of a split sync (`sync_part`): created by the run, claimed one at a time (keyword-only; no
commits).

Claims are compare-and-set `UPDATE`s with an expiry, like the connection lease: a part is taken when it is
pending or its claim ran out (its worker died), and only its claimer may renew, finish or hand it back.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select, update
from sqlmodel import Session, col
from sqlmodel import select as sm_select

from storage.models import AdGroup, Campaign, Keyword, SyncPart, table_of
from storage.upsert import rowcount as _rowcount

__all__ = [
    "PART_DONE",
    "PART_FAILED",
    "claim_part",
    "create_parts",
    "finish_part",
    "has_rows_at_least",
    "parts_of",
    "release_part",
    "renew_part",
]

PART_PENDING, PART_RUNNING, PART_DONE, PART_FAILED = "pending", "running", "done", "failed"


def create_parts(session: Session, *, run_id: int, connection_id: int, profile_pks: Iterable[int]) -> None:
    """One pending part per profile of the run; the connection's parts of earlier runs are dropped."""
    t = table_of(SyncPart)
    session.execute(t.delete().where(t.c.connection_id == connection_id, t.c.run_id != run_id))
    fresh = {"run_id": run_id, "connection_id": connection_id, "state": PART_PENDING, "counts_json": "{}"}
    session.execute(t.insert(), [{**fresh, "profile_pk": pk, "reconnect": False} for pk in profile_pks])


def claim_part(
    session: Session, *, run_id: int, claimer: str, now: datetime, ttl: timedelta
) -> tuple[int, int] | None:
    """Take the run's next pending (or abandoned) part; (part id, profile pk), or None when none is left."""
    t = table_of(SyncPart)
    free = or_(t.c.state == PART_PENDING, and_(t.c.state == PART_RUNNING, t.c.claimed_until < now))
    candidates = session.execute(
        select(t.c.id, t.c.profile_pk).where(t.c.run_id == run_id, free).order_by(t.c.id)
    ).all()
    for part_id, profile_pk in candidates:
        taken = session.execute(
            update(t)
            .where(t.c.id == part_id, free)
            .values(state=PART_RUNNING, claimed_by=claimer, claimed_until=now + ttl)
        )
        if _rowcount(taken) == 1:
            return int(part_id), int(profile_pk)
    return None


def renew_part(session: Session, *, part_id: int, claimer: str, now: datetime, ttl: timedelta) -> bool:
    """Extend our claim; False when it ran out and another worker took the part."""
    t = table_of(SyncPart)
    stmt = (
        update(t)
        .where(t.c.id == part_id, t.c.claimed_by == claimer, t.c.state == PART_RUNNING)
        .values(claimed_until=now + ttl)
    )
    return _rowcount(session.execute(stmt)) == 1


def finish_part(
    session: Session,
    *,
    part_id: int,
    claimer: str,
    counts: Mapping[str, int],
    error: str | None = None,
    reconnect: bool = False,
) -> bool:
    """Record the outcome (done, or failed with `error`); False when the claim was not ours any more."""
    t = table_of(SyncPart)
    stmt = (
        update(t)
        .where(t.c.id == part_id, t.c.claimed_by == claimer, t.c.state == PART_RUNNING)
        .values(
            state=PART_FAILED if error else PART_DONE,
            claimed_until=None,
            counts_json=json.dumps(dict(counts), sort_keys=True),
            error=error[:500] if error else None,
            reconnect=reconnect,
        )
    )
    return _rowcount(session.execute(stmt)) == 1


def release_part(session: Session, *, part_id: int, claimer: str) -> None:
    """Hand an unfinished part back (this worker is stopping), so another takes it at once."""
    t = table_of(SyncPart)
    session.execute(
        update(t)
        .where(t.c.id == part_id, t.c.claimed_by == claimer, t.c.state == PART_RUNNING)
        .values(state=PART_PENDING, claimed_by=None, claimed_until=None)
    )


def parts_of(session: Session, *, run_id: int) -> list[SyncPart]:
    """The run's parts, in profile order of creation."""
    stmt = sm_select(SyncPart).where(SyncPart.run_id == run_id).order_by(col(SyncPart.id))
    return list(session.exec(stmt).all())


def has_rows_at_least(session: Session, *, profile_pks: list[int], rows: int) -> bool:
    """True when the profiles hold at least `rows` campaigns, ad groups and keywords (counted up to it)."""
    found = 0
    for model in (Keyword, AdGroup, Campaign):
        t = table_of(model)
        limited = select(t.c.id).where(t.c.profile_pk.in_(profile_pks)).limit(rows - found).subquery()
        found += int(session.execute(select(func.count()).select_from(limited)).scalar_one())
        if found >= rows:
            return True
    return False
