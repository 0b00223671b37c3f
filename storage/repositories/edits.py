"""Live edits: previewed batches and their items, the exactly-once claim, editors, the read-only switch,
the local copy's update and a campaign's edit history (keyword-only; add/flush, never commit).

`claim_batch` is the only way out of `previewed`: a compare-and-set `UPDATE` that one caller wins, so a
double click, two users or a retried request apply a batch once.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from decimal import Decimal
from itertools import starmap
from typing import Any

from sqlalchemy import Integer, String, Text, case, cast, func, insert, literal, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from storage.models import (
    AdGroup,
    AuditEvent,
    Campaign,
    Connection,
    EditBatch,
    EditBatchStatus,
    EditItem,
    EditorUser,
    Keyword,
    Profile,
    table_of,
)
from storage.repositories.campaign_window import mark_changed
from storage.upsert import rowcount

__all__ = [
    "EDIT_ACTION",
    "LocalEdit",
    "NewItem",
    "StoredItem",
    "abandoned_batch_ids",
    "add_edit_audits",
    "add_editor",
    "apply_local_edits",
    "batch_items",
    "claim_batch",
    "close_batch",
    "create_batch",
    "edit_events",
    "entity_pks",
    "finish_batch",
    "get_batch",
    "is_editor",
    "list_editors",
    "profiles_by_pk",
    "remove_editor",
    "set_item_results",
    "set_read_only",
    "still_ours",
    "take_abandoned",
]

EDIT_ACTION = "campaign.edited"
"""`AuditEvent.action` of one applied (or refused) live-edit item."""

_MODELS: Mapping[str, tuple[type[Campaign] | type[AdGroup] | type[Keyword], str]] = {
    "campaign": (Campaign, "campaign_id"),
    "ad_group": (AdGroup, "ad_group_id"),
    "keyword": (Keyword, "keyword_id"),
}
_COLUMNS: Mapping[str, str] = {
    "state": "state",
    "budget": "budget",
    "bid": "bid",
    "default_bid": "default_bid",
}


@dataclass(frozen=True, slots=True)
class NewItem:
    """One entity of a batch being created (see `EditItem`; its `amazon_value` is `before`, the value
    Amazon had at preview time)."""

    profile_pk: int
    entity_type: str
    entity_id: str
    entity_name: str
    campaign_pk: int
    field: str
    before: str
    after: str
    currency: str


_NEW_FIELDS = tuple(f.name for f in fields(NewItem))


def create_batch(
    session: Session,
    *,
    batch: EditBatch,
    items: Sequence[NewItem],
) -> int:
    """Store a previewed batch and its items (one multi-row insert; ids follow `items`' order, which is
    the preview's order); returns the batch id."""
    session.add(batch)
    session.flush()
    assert batch.id is not None
    if items:
        shared = {"batch_id": batch.id, "status": "pending", "error": None}
        rows = [
            {**{name: getattr(item, name) for name in _NEW_FIELDS}, "amazon_value": item.before, **shared}
            for item in items
        ]
        session.connection().execute(insert(table_of(EditItem)), rows)
    return batch.id


def get_batch(session: Session, *, batch_id: int) -> EditBatch | None:
    """The batch, or None."""
    return session.get(EditBatch, batch_id)


@dataclass(frozen=True, slots=True)
class StoredItem(NewItem):
    """One stored item of a batch as plain values (see `EditItem`; `status` is pending, applied or
    failed, `error` Amazon's message for a failed one)."""

    id: int
    status: str
    error: str | None


_STORED_FIELDS = tuple(f.name for f in fields(StoredItem))


def batch_items(session: Session, *, batch_id: int) -> list[StoredItem]:
    """The batch's items in the order they were previewed, as plain values (no ORM objects: 1,000 items
    are read in a few ms)."""
    t = table_of(EditItem)
    stmt = sa_select(*(t.c[name] for name in _STORED_FIELDS)).where(t.c.batch_id == batch_id).order_by(t.c.id)
    return list(starmap(StoredItem, session.connection().execute(stmt)))


def profiles_by_pk(session: Session, *, pks: Iterable[int]) -> dict[int, Profile]:
    """The profiles of these row ids that still exist, by id (one query)."""
    wanted = sorted(set(pks))
    if not wanted:
        return {}
    found = session.exec(select(Profile).where(col(Profile.id).in_(wanted))).all()
    return {profile.id: profile for profile in found if profile.id is not None}


def claim_batch(session: Session, *, batch_id: int, user_id: str, now: datetime) -> bool:
    """Move a live, unexpired preview to `applying` for `user_id`; True only for the caller who won.

    The `UPDATE … WHERE status = 'previewed' AND expires_at > now` is atomic on both dialects (a
    concurrent claim on PostgreSQL waits for this row and then finds it no longer previewed).
    """
    t = table_of(EditBatch)
    result = session.execute(
        update(t)
        .where(t.c.id == batch_id, t.c.status == EditBatchStatus.PREVIEWED, t.c.expires_at > now)
        .values(status=EditBatchStatus.APPLYING, applied_by=user_id, applied_at=now)
    )
    return rowcount(result) == 1


def abandoned_batch_ids(session: Session, *, claimed_before: datetime) -> list[int]:
    """Batches still `applying` that were claimed before `claimed_before` (their sender died)."""
    t = table_of(EditBatch)
    stmt = sa_select(t.c.id).where(t.c.status == EditBatchStatus.APPLYING, t.c.applied_at < claimed_before)
    return [int(batch_id) for batch_id in session.execute(stmt.order_by(t.c.id)).scalars()]


def take_abandoned(session: Session, *, batch_id: int, claimed_before: datetime, now: datetime) -> bool:
    """Take an abandoned batch over to record it (compare-and-set on its claim time, which becomes `now`):
    True for one caller only, and never once its sender recorded it (`still_ours` fails for the sender
    from then on)."""
    t = table_of(EditBatch)
    result = session.execute(
        update(t)
        .where(t.c.id == batch_id, t.c.status == EditBatchStatus.APPLYING, t.c.applied_at < claimed_before)
        .values(applied_at=now)
    )
    return rowcount(result) == 1


def still_ours(session: Session, *, batch_id: int, claimed_at: datetime) -> bool:
    """True while the batch is `applying` under the claim made at `claimed_at` (nobody took it over)."""
    t = table_of(EditBatch)
    found = session.execute(
        sa_select(t.c.id).where(
            t.c.id == batch_id, t.c.status == EditBatchStatus.APPLYING, t.c.applied_at == claimed_at
        )
    ).first()
    return found is not None


def close_batch(session: Session, *, batch_id: int, status: str, now: datetime, expired: bool) -> bool:
    """Move a batch still `previewed` to `status` (cancelled or expired); True when this call did.

    `expired=True` only matches a batch whose `expires_at` has passed; False only one still live.
    """
    t = table_of(EditBatch)
    when = t.c.expires_at <= now if expired else t.c.expires_at > now
    result = session.execute(
        update(t)
        .where(t.c.id == batch_id, t.c.status == EditBatchStatus.PREVIEWED, when)
        .values(status=status)
    )
    return rowcount(result) == 1


def finish_batch(
    session: Session, *, batch_id: int, status: str, summary: Mapping[str, Any] | None = None
) -> None:
    """Set a batch's final status (and its summary)."""
    values: dict[str, Any] = {"status": status}
    if summary is not None:
        values["summary_json"] = json.dumps(dict(summary), sort_keys=True, default=str)
    t = table_of(EditBatch)
    session.execute(update(t).where(t.c.id == batch_id).values(**values))


_IN_CHUNK = 500  # ids per IN list (well under SQLite's 32,766 bound parameters)


def _chunks(values: Sequence[Any]) -> list[Sequence[Any]]:
    return [values[n : n + _IN_CHUNK] for n in range(0, len(values), _IN_CHUNK)]


def set_item_results(
    session: Session,
    *,
    batch_id: int,
    failed: Sequence[tuple[int, str | None]],
    applied: Iterable[tuple[int, str]] = (),
) -> None:
    """Record what became of a batch's items: each failed one `(item id, Amazon's message)`, then, for
    each `(profile pk, entity type)` group in `applied`, every item of the group still pending as
    applied. Failed items that share a message are written by one statement, and each applied group by
    a single statement however many items it has (a bulk edit is mostly applied)."""
    t = table_of(EditItem)
    same: dict[str | None, list[int]] = {}
    for item_id, error in failed:
        same.setdefault(error, []).append(item_id)
    for error, ids in same.items():
        for chunk in _chunks(ids):
            session.execute(
                update(t)
                .where(t.c.batch_id == batch_id, t.c.id.in_(chunk))
                .values(status="failed", error=error)
            )
    for profile_pk, entity_type in applied:
        session.execute(
            update(t)
            .where(
                t.c.batch_id == batch_id,
                t.c.profile_pk == profile_pk,
                t.c.entity_type == entity_type,
                t.c.status == "pending",
            )
            .values(status="applied", error=None)
        )


@dataclass(frozen=True, slots=True)
class LocalEdit:
    """Applied items of a batch that set one field of one profile's entities of one type to the same
    value (`after`, as stored on the items: a state, or an amount as text)."""

    entity_type: str
    profile_pk: int
    field: str
    after: str


def apply_local_edits(
    session: Session, *, batch_id: int, edits: Iterable[LocalEdit], user_id: str, now: datetime
) -> None:
    """Write the values Amazon applied to the local copy, marked as changed from Slack by `user_id`: one
    statement per `LocalEdit` (a bulk pause is one per profile), each picking its entities from the
    batch's applied items, so no id list travels back and forth. Call it after `set_item_results`.

    Campaign writes bump their regions' `data_version` (as every campaign write does), so the campaign
    list's rollup knows it is stale.
    """
    items = table_of(EditItem)
    campaign_profiles: set[int] = set()
    for edit in edits:
        model, id_column = _MODELS[edit.entity_type]
        t = table_of(model)
        value: str | Decimal = edit.after if edit.field == "state" else Decimal(edit.after)
        changes = {_COLUMNS[edit.field]: value, "edited_by": user_id, "edited_at": now, "updated_at": now}
        applied = sa_select(items.c.entity_id).where(
            items.c.batch_id == batch_id,
            items.c.status == "applied",
            items.c.entity_type == edit.entity_type,
            items.c.profile_pk == edit.profile_pk,
            items.c.field == edit.field,
            items.c.after == edit.after,
        )
        session.execute(
            update(t).where(t.c.profile_pk == edit.profile_pk, t.c[id_column].in_(applied)).values(changes)
        )
        if edit.entity_type == "campaign":
            campaign_profiles.add(edit.profile_pk)
    if campaign_profiles:
        mark_changed(session, profile_pks=campaign_profiles)


def entity_pks(
    session: Session, *, entity_type: str, profile_pk: int, entity_ids: Sequence[str]
) -> dict[str, int]:
    """Hilal's row ids of one profile's campaigns, ad groups or keywords by their Amazon ids (an id
    Hilal does not know is left out)."""
    model, id_column = _MODELS[entity_type]
    t = table_of(model)
    found: dict[str, int] = {}
    for chunk in _chunks(list(entity_ids)):
        stmt = sa_select(t.c[id_column], t.c.id).where(
            t.c.profile_pk == profile_pk, t.c[id_column].in_(chunk)
        )
        found.update((entity_id, pk) for entity_id, pk in session.connection().execute(stmt))
    return found


# -- editors and the read-only switch --------------------------------------------------------------------


def is_editor(session: Session, *, team_id: str, user_id: str) -> bool:
    """True when an admin named `user_id` an editor of `team_id`."""
    stmt = select(EditorUser.id).where(EditorUser.team_id == team_id, EditorUser.user_id == user_id)
    return session.exec(stmt).first() is not None


def add_editor(session: Session, *, team_id: str, user_id: str, added_by: str, now: datetime) -> bool:
    """Name an editor; False when they already were one."""
    if is_editor(session, team_id=team_id, user_id=user_id):
        return False
    session.add(EditorUser(team_id=team_id, user_id=user_id, added_by=added_by, created_at=now))
    session.flush()
    return True


def remove_editor(session: Session, *, team_id: str, user_id: str) -> bool:
    """Remove an editor; False when they were not one."""
    t = table_of(EditorUser)
    result = session.execute(t.delete().where(t.c.team_id == team_id, t.c.user_id == user_id))
    return rowcount(result) > 0


def list_editors(session: Session, *, team_id: str) -> list[str]:
    """The team's named editors, sorted."""
    stmt = select(EditorUser.user_id).where(EditorUser.team_id == team_id)
    return sorted(session.exec(stmt).all())


def set_read_only(session: Session, *, team_id: str, region: str, read_only: bool) -> bool:
    """Turn a region's read-only switch on or off; False when the team has no such connection."""
    t = table_of(Connection)
    result = session.execute(
        update(t).where(t.c.team_id == team_id, t.c.region == region).values(read_only=read_only)
    )
    return rowcount(result) > 0


# -- history ---------------------------------------------------------------------------------------------


_AUDIT_KEYS = (
    "after",
    "amazon",
    "batch_id",
    "before",
    "currency",
    "entity_id",
    "entity_name",
    "entity_type",
    "field",
    "kind",
    "ok",
    "region",
    "undo_of",
)
"""The keys of a live-edit audit event's detail, in the order they are written (sorted)."""


def add_edit_audits(session: Session, *, batch: EditBatch, actor: str, now: datetime) -> None:
    """One audit event per recorded item of `batch` (applied or failed), findable by its campaign, in
    the items' order: one `INSERT … SELECT`, in which the database writes each detail as the JSON object
    `{after, amazon, batch_id, before, currency, entity_id, entity_name, entity_type, field, kind, ok,
    region, undo_of}` (`amazon` is "applied" or Amazon's message). Call it once the items are recorded
    (`set_item_results`); pending items get no event."""
    assert batch.id is not None
    items, audits = table_of(EditItem), table_of(AuditEvent)
    applied = items.c.status == "applied"
    values: Mapping[str, Any] = {
        "after": items.c.after,
        "amazon": case((applied, "applied"), else_=items.c.error),
        "batch_id": items.c.batch_id,
        "before": items.c.before,
        "currency": items.c.currency,
        "entity_id": items.c.entity_id,
        "entity_name": items.c.entity_name,
        "entity_type": items.c.entity_type,
        "field": items.c.field,
        "kind": cast(literal(batch.kind), String),
        "ok": applied,
        "region": cast(literal(batch.region), String),
        "undo_of": cast(literal(batch.undo_of), Integer),
    }
    rows = sa_select(
        literal(batch.team_id),
        literal(actor),
        literal(EDIT_ACTION),
        literal(now, audits.c.created_at.type),
        items.c.campaign_pk,
        _json_object(session, values),
    ).where(items.c.batch_id == batch.id, items.c.status != "pending")
    columns = ("team_id", "actor", "action", "created_at", "campaign_pk", "detail_json")
    session.execute(insert(audits).from_select(columns, rows.order_by(items.c.id)))


def _json_object(session: Session, values: Mapping[str, Any]) -> Any:
    """The database's JSON object of `values` (keys in the order given), as text."""
    pairs = [part for key in _AUDIT_KEYS for part in (literal(key), values[key])]
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.json_build_object(*pairs), Text)
    # SQLite has no booleans: `json('true')` is JSON's true
    ok = values["ok"]
    pairs[2 * _AUDIT_KEYS.index("ok") + 1] = func.json(case((ok, "true"), else_="false"))
    return func.json_object(*pairs)


def edit_events(session: Session, *, team_id: str, campaign_pk: int, limit: int) -> list[AuditEvent]:
    """The newest live-edit audit events of one campaign (its own and its children's), newest first."""
    stmt = (
        select(AuditEvent)
        .where(
            AuditEvent.team_id == team_id,
            AuditEvent.campaign_pk == campaign_pk,
            AuditEvent.action == EDIT_ACTION,
        )
        .order_by(col(AuditEvent.created_at).desc(), col(AuditEvent.id).desc())
        .limit(limit)
    )
    return list(session.exec(stmt).all())
