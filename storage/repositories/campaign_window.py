"""The campaign list's rollup (`campaign_window_metric`): its freshness, its rebuild and the lock that
makes concurrent rebuilds of a team happen once.

The rollup is derived data: one row per live campaign with its 7-day totals and the sort and filter keys
that `storage.repositories.campaign_list` walks. It is fresh when it was built for the current window
from the team's current data; otherwise the list takes its live road until someone rebuilds it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, Float, Select, and_, bindparam, case, cast, func, literal, select, text
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session

from storage.models import (
    Campaign,
    CampaignDailyMetric,
    CampaignWindowMetric,
    Connection,
    ReportJob,
    table_of,
)

__all__ = ["ListState", "list_state", "lock_team", "refresh_window"]

_C = table_of(Campaign)
_K = table_of(Connection)
_M = table_of(CampaignDailyMetric)
_W = table_of(CampaignWindowMetric)
_R = table_of(ReportJob)
_ANALYZE_FROM = 5_000  # campaigns in one rebuild


def lock_team(session: Session, *, team_id: str) -> None:
    """Serialise rollup rebuilds of a team by locking its connection rows (PostgreSQL; SQLite's write
    transaction already holds the database's single write lock)."""
    stmt = select(_K.c.id).where(_K.c.team_id == team_id).order_by(_K.c.id).with_for_update()
    session.connection().execute(stmt).all()


@dataclass(frozen=True, slots=True)
class ListState:
    """What the list checks before it runs: whether the team's rollup is fresh (built for this window
    from the team's current data, fingerprinted by ``marker``) and when the team last synced."""

    marker: str
    fresh: bool
    last_success_at: datetime | None


def _latest(column: Any, *where: ColumnElement[bool]) -> Any:
    return select(func.max(column)).where(*where).scalar_subquery()


def _state_statement() -> Select[Any]:
    team: Any = bindparam("team_id")
    by_connection = _R.c.connection_id == _K.c.id
    latest_report = select(func.max(_R.c.finished_at)).where(by_connection).correlate(_K).scalar_subquery()
    built = select(_W.c.window_end, _W.c.marker).where(_W.c.team_id == team).limit(1).subquery()
    return select(
        _latest(_C.c.updated_at, _C.c.team_id == team).label("campaigns"),
        select(func.max(latest_report)).where(_K.c.team_id == team).scalar_subquery().label("reports"),
        _latest(_K.c.last_success_at, _K.c.team_id == team).label("synced"),
        select(built.c.window_end).scalar_subquery().label("window_end"),
        select(built.c.marker).scalar_subquery().label("marker"),
    )


_STATE = _state_statement()


def list_state(session: Session, *, team_id: str, window_end: date) -> ListState:
    """The rollup's freshness and the team's last sync, in one statement (each part one index step).

    The fingerprint covers what the rollup is built from: the team's campaigns (their latest change),
    its finished report jobs (the daily metrics they wrote) and its latest successful sync.
    """
    row = session.connection().execute(_STATE, {"team_id": team_id}).one()
    raw = "|".join("" if value is None else str(value) for value in (row.campaigns, row.reports, row.synced))
    marker = hashlib.blake2b(raw.encode(), digest_size=16).hexdigest()
    fresh = row.window_end == window_end and row.marker == marker
    return ListState(marker=marker, fresh=fresh, last_success_at=row.synced)


def refresh_window(session: Session, *, team_id: str, start: date, end: date, marker: str) -> None:
    """Rebuild the team's rollup: every live campaign with its keys and its totals over the window."""
    session.connection().execute(_W.delete().where(_W.c.team_id == team_id))
    spend, sales = func.coalesce(func.sum(_M.c.cost), 0), func.coalesce(func.sum(_M.c.sales), 0)
    acos = case((sales > 0, cast(spend, Float) / sales), else_=literal(-1.0, type_=Float))
    in_window = and_(
        _M.c.profile_pk == _C.c.profile_pk,
        _M.c.campaign_id == _C.c.campaign_id,
        _M.c.date >= start,
        _M.c.date <= end,
    )
    sums = (
        select(
            _C.c.id,
            _C.c.team_id,
            _C.c.profile_pk,
            literal(end, type_=Date),
            literal(marker),
            func.lower(_C.c.state),
            func.lower(_C.c.name),
            spend,
            sales,
            acos,
        )
        .select_from(_C.outerjoin(_M, in_window))
        .where(_C.c.team_id == team_id, _C.c.removed_at.is_(None))
        .group_by(_C.c.id, _C.c.team_id, _C.c.profile_pk, _C.c.state, _C.c.name)
    )
    columns = [
        "campaign_pk",
        "team_id",
        "profile_pk",
        "window_end",
        "marker",
        "state_key",
        "name_key",
        "spend",
        "sales",
        "acos_rank",
    ]
    connection = session.connection()
    insert = _W.insert().from_select(columns, sums)
    written = connection.execute(insert, execution_options={"preserve_rowcount": True}).rowcount
    if connection.dialect.name == "postgresql" and written >= _ANALYZE_FROM:
        # On a large account the planner picks the ordered indexes only with statistics that know the
        # new rows; autovacuum would gather them a minute later. ANALYZE here counts this transaction's
        # rows. Small accounts skip it: any plan is fast for them, and ANALYZE locks out other rebuilds.
        connection.execute(text(f"ANALYZE {_W.name}"))
