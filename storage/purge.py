"""Operator-only deletion of one team's region: counts first, then everything in one transaction."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from storage.db import session_scope
from storage.models import (
    AdGroup,
    Campaign,
    CampaignDailyMetric,
    Connection,
    EditBatch,
    EditItem,
    Keyword,
    KeywordDailyMetric,
    Note,
    Profile,
    ProfileDayLoaded,
    ReportJob,
    SyncPart,
    SyncRun,
    Tag,
    table_of,
)
from storage.repositories.campaign_window import drop_window
from storage.repositories.connections import add_audit
from storage.types import utcnow

__all__ = ["PurgePlan", "execute_purge", "plan_purge"]


@dataclass(frozen=True)
class PurgePlan:
    team_id: str
    region: str
    connection_id: int | None
    counts: dict[str, int]

    @property
    def empty(self) -> bool:
        return self.connection_id is None


_BY_PROFILE: tuple[type[SQLModel], ...] = (
    ProfileDayLoaded,
    KeywordDailyMetric,
    CampaignDailyMetric,
    Keyword,
    AdGroup,
    Campaign,
)
_BY_CAMPAIGN: tuple[type[SQLModel], ...] = (Tag, Note, EditItem)
_BY_CONNECTION: tuple[type[SQLModel], ...] = (ReportJob, SyncPart, SyncRun, EditBatch)


def plan_purge(engine: Engine, *, team_id: str, region: str) -> PurgePlan:
    """How many rows each table holds for (team, region)."""
    with session_scope(engine, readonly=True) as s:
        conn_id = s.execute(
            select(table_of(Connection).c.id).where(
                table_of(Connection).c.team_id == team_id, table_of(Connection).c.region == region
            )
        ).scalar()
        if conn_id is None:
            return PurgePlan(team_id, region, None, {})
        profiles = select(table_of(Profile).c.id).where(table_of(Profile).c.connection_id == conn_id)
        campaigns = select(table_of(Campaign).c.id).where(table_of(Campaign).c.profile_pk.in_(profiles))
        counts: dict[str, int] = {}
        for model in _BY_PROFILE:
            t = table_of(model)
            counts[t.name] = s.execute(select(func.count()).where(t.c.profile_pk.in_(profiles))).scalar_one()
        for model in _BY_CAMPAIGN:
            t = table_of(model)
            counts[t.name] = s.execute(
                select(func.count()).where(t.c.campaign_pk.in_(campaigns))
            ).scalar_one()
        for model in _BY_CONNECTION:
            t = table_of(model)
            counts[t.name] = s.execute(select(func.count()).where(t.c.connection_id == conn_id)).scalar_one()
        counts["profile"] = s.execute(select(func.count()).select_from(profiles.subquery())).scalar_one()
        counts["connection"] = 1
    return PurgePlan(team_id, region, int(conn_id), counts)


def execute_purge(engine: Engine, plan: PurgePlan, *, actor: str) -> None:
    """Delete everything the plan counted, in one transaction, and record an audit event."""
    if plan.connection_id is None:
        return
    with session_scope(engine) as s:
        profiles = select(table_of(Profile).c.id).where(
            table_of(Profile).c.connection_id == plan.connection_id
        )
        campaigns = select(table_of(Campaign).c.id).where(table_of(Campaign).c.profile_pk.in_(profiles))
        drop_window(s, team_id=plan.team_id)  # derived: the next list view or sync builds it again
        for model in _BY_CAMPAIGN:
            s.execute(delete(table_of(model)).where(table_of(model).c.campaign_pk.in_(campaigns)))
        for model in _BY_CONNECTION:
            s.execute(delete(table_of(model)).where(table_of(model).c.connection_id == plan.connection_id))
        for model in _BY_PROFILE:
            s.execute(delete(table_of(model)).where(table_of(model).c.profile_pk.in_(profiles)))
        s.execute(delete(table_of(Profile)).where(table_of(Profile).c.connection_id == plan.connection_id))
        s.execute(delete(table_of(Connection)).where(table_of(Connection).c.id == plan.connection_id))
        add_audit(
            s,
            team_id=plan.team_id,
            actor=actor,
            action="region.purged",
            now=utcnow(),
            region=plan.region,
            counts=plan.counts,
        )
