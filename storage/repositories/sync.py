"""Sync bookkeeping: what is due, sync runs, entity and metric upserts (keyword-only; no commits).

Leases are in `storage.repositories.leases`, report jobs in `storage.repositories.report_jobs`. Entity
writes go through `bulk_upsert` with `only_changed=True`: a steady-state sync that finds nothing new
rewrites nothing. Rows vanishing upstream get `removed_at`; nothing is deleted.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, and_, func, or_, select, update
from sqlalchemy.engine import Connection as DbConnection
from sqlmodel import Session, col
from sqlmodel import select as sm_select

from storage.models import (
    AdGroup,
    Campaign,
    CampaignDailyMetric,
    Connection,
    ConnectionStatus,
    DigestSubscription,
    Keyword,
    KeywordDailyMetric,
    OAuthState,
    Profile,
    SyncRun,
    table_of,
)
from storage.repositories.campaign_window import mark_changed
from storage.upsert import bulk_upsert
from storage.upsert import rowcount as _rowcount

__all__ = [
    "ENTITY_TABLES",
    "EntityTable",
    "delete_expired_oauth_states",
    "digest_times",
    "entity_fingerprints",
    "existing_entity_ids",
    "finish_run",
    "last_successful_run",
    "list_due_connections",
    "mark_removed",
    "start_run",
    "sync_lag_seconds",
    "syncable_profiles",
    "upsert_campaign_metrics",
    "upsert_entities",
    "upsert_keyword_metrics",
]


@dataclass(frozen=True)
class EntityTable:
    """How one entity kind is stored: its table, id column and the columns a sync overwrites."""

    table: Table
    id_column: str
    update: tuple[str, ...]


ENTITY_TABLES: Mapping[str, EntityTable] = {
    "campaigns": EntityTable(
        table_of(Campaign),
        "campaign_id",
        (
            "team_id",
            "ad_product",
            "name",
            "state",
            "targeting_type",
            "budget",
            "budget_type",
            "start_date",
            "end_date",
            "removed_at",
        ),
    ),
    "ad_groups": EntityTable(
        table_of(AdGroup), "ad_group_id", ("campaign_id", "name", "state", "default_bid", "removed_at")
    ),
    "keywords": EntityTable(
        table_of(Keyword),
        "keyword_id",
        ("campaign_id", "ad_group_id", "text", "match_type", "state", "bid", "removed_at"),
    ),
}
_CAMPAIGN_METRIC_UPDATE = ("currency", "impressions", "clicks", "cost", "sales", "orders", "units", "budget")
_KEYWORD_METRIC_UPDATE = (
    "campaign_id",
    "ad_group_id",
    "currency",
    "impressions",
    "clicks",
    "cost",
    "sales",
    "orders",
)
_ID_CHUNK = 500


# -- what is due --------------------------------------------------------------------------------------


def list_due_connections(session: Session, *, now: datetime, limit: int) -> list[Connection]:
    """Connected, confirmed connections with a sync due and no live lease, most overdue first.

    A connection whose selection is confirmed but never got a schedule (its first sync died) is due.
    """
    due = or_(
        col(Connection.next_active_sync_at) <= now,
        col(Connection.next_archived_sync_at) <= now,
        col(Connection.next_report_sync_at) <= now,
        col(Connection.next_active_sync_at).is_(None),
    )
    free = or_(col(Connection.lease_owner).is_(None), col(Connection.lease_expires_at) < now)
    stmt = (
        sm_select(Connection)
        .where(
            Connection.status == ConnectionStatus.CONNECTED,
            col(Connection.selection_confirmed).is_(True),
            due,
            free,
        )
        .order_by(col(Connection.next_active_sync_at).is_not(None), col(Connection.next_active_sync_at))
        .limit(limit)
    )
    return list(session.exec(stmt).all())


def sync_lag_seconds(conn: DbConnection, *, now: datetime) -> float:
    """How late the most overdue steady-state sync of a connected region is (0 when none is late)."""
    t = table_of(Connection)
    oldest = conn.execute(
        select(func.min(t.c.next_active_sync_at)).where(
            t.c.status == ConnectionStatus.CONNECTED,
            t.c.selection_confirmed.is_(True),
            t.c.next_active_sync_at <= now,
        )
    ).scalar_one_or_none()
    return max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0


# -- sync runs ----------------------------------------------------------------------------------------


def start_run(session: Session, *, connection_id: int, kind: str, now: datetime) -> int:
    """Open a `SyncRun`; earlier runs still marked running (their process died) become `interrupted`."""
    t = table_of(SyncRun)
    session.execute(
        update(t)
        .where(t.c.connection_id == connection_id, t.c.status == "running")
        .values(
            status="interrupted",
            finished_at=now,
            error="the sync did not record its end: the process stopped or the database was unavailable",
        )
    )
    run = SyncRun(connection_id=connection_id, kind=kind, status="running", started_at=now)
    session.add(run)
    session.flush()
    assert run.id is not None
    return run.id


def finish_run(
    session: Session,
    *,
    run_id: int,
    status: str,
    counts: Mapping[str, int],
    now: datetime,
    error: str | None = None,
) -> None:
    """Close a `SyncRun` with its outcome."""
    run = session.get(SyncRun, run_id)
    if run is None:
        return
    run.status, run.finished_at = status, now
    run.counts_json = json.dumps(dict(counts), sort_keys=True)
    run.error = error[:500] if error else None
    session.add(run)


def last_successful_run(session: Session, *, connection_id: int, kinds: Sequence[str]) -> SyncRun | None:
    """The connection's newest successful `SyncRun` of one of `kinds`, if any."""
    return session.exec(
        sm_select(SyncRun)
        .where(
            SyncRun.connection_id == connection_id,
            SyncRun.status == "success",
            col(SyncRun.kind).in_(list(kinds)),
        )
        .order_by(col(SyncRun.finished_at).desc(), col(SyncRun.id).desc())
        .limit(1)
    ).first()


# -- entities -----------------------------------------------------------------------------------------


def upsert_entities(session: Session, *, kind: str, rows: Sequence[Mapping[str, Any]], now: datetime) -> int:
    """Insert or update entity rows (`kind`: campaigns, ad_groups, keywords); unchanged rows untouched."""
    spec = ENTITY_TABLES[kind]
    sent = bulk_upsert(
        session,
        spec.table,
        rows,
        key=("profile_pk", spec.id_column),
        update=spec.update,
        only_changed=True,
        touch={"updated_at": now},
    )
    if kind == "campaigns":  # last, so the region's row is locked only until the commit
        mark_changed(session, profile_pks=(row["profile_pk"] for row in rows))
    return sent


def existing_entity_ids(
    session: Session,
    *,
    kind: str,
    profile_pk: int,
    states: Sequence[str] | None = None,
    ad_product: str | None = None,
) -> dict[str, tuple[str, str]]:
    """Live (not removed) ids of a profile → (state, campaign id), optionally only in `states`."""
    spec = ENTITY_TABLES[kind]
    t = spec.table
    stmt = select(t.c[spec.id_column], t.c.state, t.c.campaign_id).where(
        t.c.profile_pk == profile_pk, t.c.removed_at.is_(None)
    )
    if states is not None:
        stmt = stmt.where(t.c.state.in_(list(states)))
    if ad_product is not None:
        stmt = stmt.where(t.c.ad_product == ad_product)
    return {str(row[0]): (str(row[1]), str(row[2])) for row in session.execute(stmt)}


def mark_removed(session: Session, *, kind: str, profile_pk: int, ids: Iterable[str], now: datetime) -> int:
    """Set `removed_at` on entities that vanished upstream; returns how many were marked."""
    spec = ENTITY_TABLES[kind]
    t = spec.table
    wanted = sorted(ids)
    marked = 0
    for start in range(0, len(wanted), _ID_CHUNK):
        result = session.execute(
            update(t)
            .where(
                t.c.profile_pk == profile_pk,
                t.c[spec.id_column].in_(wanted[start : start + _ID_CHUNK]),
                t.c.removed_at.is_(None),
            )
            .values(removed_at=now, updated_at=now)
        )
        marked += _rowcount(result)
    if kind == "campaigns" and marked:
        mark_changed(session, profile_pks=[profile_pk])
    return marked


# -- metrics ------------------------------------------------------------------------------------------


def upsert_campaign_metrics(session: Session, *, rows: Sequence[Mapping[str, Any]], now: datetime) -> int:
    """Daily campaign metrics by (profile, campaign, date); restated numbers replace old ones."""
    sent = bulk_upsert(
        session,
        table_of(CampaignDailyMetric),
        rows,
        key=("profile_pk", "campaign_id", "date"),
        update=_CAMPAIGN_METRIC_UPDATE,
        only_changed=True,
        touch={"updated_at": now},
    )
    mark_changed(session, profile_pks=(row["profile_pk"] for row in rows))
    return sent


def upsert_keyword_metrics(session: Session, *, rows: Sequence[Mapping[str, Any]], now: datetime) -> int:
    """Daily keyword metrics by (profile, keyword, date)."""
    return bulk_upsert(
        session,
        table_of(KeywordDailyMetric),
        rows,
        key=("profile_pk", "keyword_id", "date"),
        update=_KEYWORD_METRIC_UPDATE,
        only_changed=True,
        touch={"updated_at": now},
    )


# -- housekeeping -------------------------------------------------------------------------------------


def delete_expired_oauth_states(session: Session, *, now: datetime, keep: timedelta) -> int:
    """Delete consent states that expired more than `keep` ago (used or not)."""
    t = table_of(OAuthState)
    result = session.execute(t.delete().where(and_(t.c.expires_at < now - keep)))
    return _rowcount(result)


def digest_times(session: Session, *, team_id: str, region: str) -> list[datetime]:
    """Next due times of the team's unpaused digests that include `region`."""
    subs = session.exec(
        sm_select(DigestSubscription).where(
            DigestSubscription.team_id == team_id,
            col(DigestSubscription.paused_at).is_(None),
            col(DigestSubscription.next_due_at).is_not(None),
        )
    ).all()
    return [
        s.next_due_at
        for s in subs
        if s.next_due_at is not None and region in {r.strip() for r in s.regions.split(",")}
    ]


def syncable_profiles(session: Session, *, connection_id: int) -> list[Profile]:
    """Selected, live profiles that can be synced (not view-only, not agency), in a stable order."""
    stmt = (
        sm_select(Profile)
        .where(
            Profile.connection_id == connection_id,
            col(Profile.selected).is_(True),
            col(Profile.view_only).is_(False),
            Profile.account_type != "agency",
            col(Profile.removed_at).is_(None),
        )
        .order_by(col(Profile.id))
    )
    return list(session.exec(stmt).all())


def entity_fingerprints(session: Session, *, kind: str, profile_pk: int) -> dict[str, tuple[Any, ...]]:
    """Every stored entity of a profile → the values a sync would overwrite (to skip unchanged rows)."""
    spec = ENTITY_TABLES[kind]
    t = spec.table
    stmt = select(t.c[spec.id_column], *(t.c[name] for name in spec.update)).where(
        t.c.profile_pk == profile_pk
    )
    return {str(row[0]): tuple(row[1:]) for row in session.execute(stmt)}
