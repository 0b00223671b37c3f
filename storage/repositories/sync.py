"""Sync bookkeeping: leases, sync runs, entity and metric upserts, report jobs (keyword-only; no commits).

Leases are compare-and-set `UPDATE`s with an expiry, so they work the same on SQLite and PostgreSQL and a
crashed holder blocks nobody for longer than its lease. Entity writes go through `bulk_upsert` with
`only_changed=True`: a steady-state sync that finds nothing new rewrites nothing. Rows vanishing upstream
get `removed_at`; nothing is deleted.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Table, and_, or_, select, update
from sqlalchemy.exc import IntegrityError
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
    ReportJob,
    SchedulerLease,
    SyncRun,
    table_of,
)
from storage.repositories.campaign_window import mark_changed
from storage.upsert import bulk_upsert

__all__ = [
    "ENTITY_TABLES",
    "EntityTable",
    "ReportJobStatus",
    "acquire_connection_lease",
    "acquire_named_lease",
    "add_report_job",
    "connections_with_due_reports",
    "delete_expired_oauth_states",
    "digest_times",
    "done_report_windows",
    "due_report_jobs",
    "entity_fingerprints",
    "existing_entity_ids",
    "find_open_report_job",
    "finish_run",
    "last_report_planned_at",
    "list_due_connections",
    "mark_removed",
    "open_report_jobs",
    "release_connection_lease",
    "release_named_lease",
    "renew_connection_lease",
    "start_run",
    "syncable_profiles",
    "upsert_campaign_metrics",
    "upsert_entities",
    "upsert_keyword_metrics",
]


class ReportJobStatus:
    """Values of `ReportJob.status`."""

    PENDING = "pending"  # to be created at Amazon (again)
    RUNNING = "running"  # created; polled on later ticks
    DONE = "done"
    FAILED = "failed"  # FAILED too many times
    ABANDONED = "abandoned"  # pending for longer than Amazon's promised latency

    OPEN = (PENDING, RUNNING)


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


# -- connection lease ---------------------------------------------------------------------------------


def acquire_connection_lease(
    session: Session, *, connection_id: int, owner: str, now: datetime, ttl: timedelta
) -> bool:
    """Take the connection's sync lease if it is free, expired or already ours (and it is connected)."""
    t = table_of(Connection)
    stmt = (
        update(t)
        .where(
            t.c.id == connection_id,
            t.c.status == ConnectionStatus.CONNECTED,
            or_(t.c.lease_owner.is_(None), t.c.lease_expires_at < now, t.c.lease_owner == owner),
        )
        .values(lease_owner=owner, lease_expires_at=now + ttl)
    )
    return _rowcount(session.execute(stmt)) == 1


def renew_connection_lease(
    session: Session, *, connection_id: int, owner: str, now: datetime, ttl: timedelta
) -> bool:
    """Extend our lease; False when it was taken over or the connection is no longer connected."""
    t = table_of(Connection)
    stmt = (
        update(t)
        .where(t.c.id == connection_id, t.c.lease_owner == owner, t.c.status == ConnectionStatus.CONNECTED)
        .values(lease_expires_at=now + ttl)
    )
    return _rowcount(session.execute(stmt)) == 1


def release_connection_lease(session: Session, *, connection_id: int, owner: str) -> None:
    """Give the lease back (only if it is still ours)."""
    t = table_of(Connection)
    session.execute(
        update(t)
        .where(t.c.id == connection_id, t.c.lease_owner == owner)
        .values(lease_owner=None, lease_expires_at=None)
    )


# -- named leases (the single scheduler) -----------------------------------------------------------


def acquire_named_lease(session: Session, *, name: str, owner: str, now: datetime, ttl: timedelta) -> bool:
    """Take or renew the lease `name`; True when `owner` holds it until `now + ttl`."""
    t = table_of(SchedulerLease)
    taken = session.execute(
        update(t)
        .where(t.c.name == name, or_(t.c.owner == owner, t.c.expires_at < now))
        .values(owner=owner, expires_at=now + ttl)
    )
    if _rowcount(taken) == 1:
        return True
    exists = session.execute(select(t.c.name).where(t.c.name == name)).first()
    if exists is not None:
        return False
    try:
        with session.begin_nested():
            session.execute(t.insert().values(name=name, owner=owner, expires_at=now + ttl))
    except IntegrityError:
        return False  # another process inserted it first
    return True


def release_named_lease(session: Session, *, name: str, owner: str) -> None:
    """Give the named lease back (only if it is still ours)."""
    t = table_of(SchedulerLease)
    session.execute(t.delete().where(t.c.name == name, t.c.owner == owner))


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


# -- sync runs ----------------------------------------------------------------------------------------


def start_run(session: Session, *, connection_id: int, kind: str, now: datetime) -> int:
    """Open a `SyncRun`; earlier runs still marked running (their process died) become `interrupted`."""
    t = table_of(SyncRun)
    session.execute(
        update(t)
        .where(t.c.connection_id == connection_id, t.c.status == "running")
        .values(status="interrupted", finished_at=now, error="the process stopped during this sync")
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


# -- report jobs --------------------------------------------------------------------------------------


def find_open_report_job(
    session: Session, *, profile_pk: int, report_kind: str, start: date, end: date
) -> ReportJob | None:
    """The unfinished job for exactly this report, if any."""
    return session.exec(
        sm_select(ReportJob).where(
            ReportJob.profile_pk == profile_pk,
            ReportJob.report_kind == report_kind,
            ReportJob.start_date == start,
            ReportJob.end_date == end,
            col(ReportJob.status).in_(ReportJobStatus.OPEN),
        )
    ).first()


def add_report_job(
    session: Session,
    *,
    connection_id: int,
    profile_pk: int,
    report_kind: str,
    start: date,
    end: date,
    now: datetime,
) -> ReportJob:
    """A new job, to be created at Amazon on the next step."""
    job = ReportJob(
        connection_id=connection_id,
        profile_pk=profile_pk,
        report_kind=report_kind,
        start_date=start,
        end_date=end,
        status=ReportJobStatus.PENDING,
        next_poll_at=now,
        created_at=now,
    )
    session.add(job)
    session.flush()
    return job


def open_report_jobs(session: Session, *, connection_id: int) -> list[ReportJob]:
    """Every unfinished job of a connection, oldest first."""
    return list(
        session.exec(
            sm_select(ReportJob)
            .where(ReportJob.connection_id == connection_id, col(ReportJob.status).in_(ReportJobStatus.OPEN))
            .order_by(col(ReportJob.id))
        ).all()
    )


def due_report_jobs(session: Session, *, connection_id: int, now: datetime) -> list[ReportJob]:
    """Unfinished jobs of a connection whose next step is due."""
    return [
        job
        for job in open_report_jobs(session, connection_id=connection_id)
        if job.next_poll_at is None or job.next_poll_at <= now
    ]


def connections_with_due_reports(session: Session, *, now: datetime) -> list[int]:
    """Connected connections that have a report job step due."""
    t, c = table_of(ReportJob), table_of(Connection)
    stmt = (
        select(t.c.connection_id)
        .join(c, c.c.id == t.c.connection_id)
        .where(
            t.c.status.in_(ReportJobStatus.OPEN),
            or_(t.c.next_poll_at.is_(None), t.c.next_poll_at <= now),
            c.c.status == ConnectionStatus.CONNECTED,
            or_(c.c.lease_owner.is_(None), c.c.lease_expires_at < now),
        )
        .group_by(t.c.connection_id)
        .order_by(t.c.connection_id)
    )
    return [int(row[0]) for row in session.execute(stmt)]


# -- housekeeping -------------------------------------------------------------------------------------


def delete_expired_oauth_states(session: Session, *, now: datetime, keep: timedelta) -> int:
    """Delete consent states that expired more than `keep` ago (used or not)."""
    t = table_of(OAuthState)
    result = session.execute(t.delete().where(and_(t.c.expires_at < now - keep)))
    return _rowcount(result)


def _rowcount(result: Any) -> int:
    count = getattr(result, "rowcount", 0)
    return int(count) if count and count > 0 else 0


def last_report_planned_at(session: Session, *, connection_id: int) -> datetime | None:
    """When the connection's newest report job was queued (None: never)."""
    t = table_of(ReportJob)
    row = session.execute(
        select(t.c.created_at)
        .where(t.c.connection_id == connection_id)
        .order_by(t.c.created_at.desc())
        .limit(1)
    ).first()
    return row[0] if row else None


def done_report_windows(
    session: Session, *, connection_id: int, report_kind: str, since: date
) -> list[tuple[int, date, date]]:
    """(profile_pk, start, end) of finished jobs of one kind that end on or after `since`."""
    t = table_of(ReportJob)
    stmt = select(t.c.profile_pk, t.c.start_date, t.c.end_date).where(
        t.c.connection_id == connection_id,
        t.c.report_kind == report_kind,
        t.c.status == ReportJobStatus.DONE,
        t.c.end_date >= since,
    )
    return [(int(r[0]), r[1], r[2]) for r in session.execute(stmt)]


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
