"""The campaign list's rollup (`campaign_window_metric`): its freshness, its rebuild and the lock that
makes concurrent rebuilds of a team happen once.

The rollup is derived data: one row per live campaign with its 7-day totals and the sort and filter keys
that `storage.repositories.campaign_list` walks. It is fresh when it was built for the current window
from the team's current data; otherwise the list takes its live road until someone rebuilds it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, Float, Select, and_, bindparam, case, cast, func, literal, select, text, update
from sqlmodel import Session

from storage.models import (
    Campaign,
    CampaignDailyMetric,
    CampaignWindowMetric,
    Connection,
    Profile,
    table_of,
)

__all__ = ["ListState", "list_state", "lock_team", "mark_changed", "refresh_window"]

_C = table_of(Campaign)
_K = table_of(Connection)
_M = table_of(CampaignDailyMetric)
_W = table_of(CampaignWindowMetric)
_P = table_of(Profile)
_ANALYZE_FROM = 5_000  # campaigns in one rebuild


def lock_team(session: Session, *, team_id: str) -> None:
    """Serialise rollup rebuilds of a team by locking its connection rows (PostgreSQL; SQLite's write
    transaction already holds the database's single write lock)."""
    stmt = select(_K.c.id).where(_K.c.team_id == team_id).order_by(_K.c.id).with_for_update()
    session.connection().execute(stmt).all()


def mark_changed(session: Session, *, profile_pks: Iterable[int]) -> None:
    """Record that campaigns or campaign metrics of these profiles were written (in the same
    transaction as the write), so every team rollup built before is no longer fresh."""
    pks = sorted(set(profile_pks))
    if not pks:
        return
    regions = select(_P.c.connection_id).where(_P.c.id.in_(pks))
    session.connection().execute(
        update(_K).where(_K.c.id.in_(regions)).values(data_version=_K.c.data_version + 1)
    )


@dataclass(frozen=True, slots=True)
class ListState:
    """What the list checks before it runs: whether the team's rollup is fresh (built for this window
    from the team's current data, identified by ``marker``) and when the team last synced."""

    marker: str
    fresh: bool
    last_success_at: datetime | None


def _state_statement() -> Select[Any]:
    team: Any = bindparam("team_id")
    regions = select(_K.c.data_version, _K.c.last_success_at).where(_K.c.team_id == team).subquery()
    built = select(_W.c.window_end, _W.c.marker).where(_W.c.team_id == team).limit(1).subquery()
    return select(
        func.coalesce(func.sum(regions.c.data_version), 0).label("version"),
        func.max(regions.c.last_success_at).label("synced"),
        select(built.c.window_end).scalar_subquery().label("window_end"),
        select(built.c.marker).scalar_subquery().label("marker"),
    ).select_from(regions)


_STATE = _state_statement()


def list_state(session: Session, *, team_id: str, window_end: date) -> ListState:
    """The rollup's freshness and the team's last sync, in one statement over the team's few regions.

    The marker is the sum of the regions' data versions, which only grow: any write to campaigns or
    their metrics (see `mark_changed`) makes a rollup built before stale. A purge drops the rollup.
    """
    row = session.connection().execute(_STATE, {"team_id": team_id}).one()
    marker = f"v{int(row.version)}"
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
