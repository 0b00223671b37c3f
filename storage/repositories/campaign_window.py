"""The campaign list's rollup (`campaign_window_metric`): its freshness and its refresh.

The rollup is derived data: one row per live campaign with its 7-day totals, its profile's currency and
the sort and filter keys that `storage.repositories.campaign_list` walks. It is fresh when it was built
for the current window from the team's current data version (`campaign_window_state`); otherwise the
list takes its live road until someone refreshes it. A refresh reads (`window_rows`) in one transaction
and writes only what changed (`write_window`) in another, so SQLite's single write lock is held only
for the writing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, Float, Select, and_, bindparam, case, cast, func, literal, select, text, update
from sqlmodel import Session

from storage.models import (
    Campaign,
    CampaignDailyMetric,
    CampaignWindowMetric,
    CampaignWindowState,
    Connection,
    Profile,
    table_of,
)
from storage.types import utcnow
from storage.upsert import bulk_upsert

__all__ = [
    "ListState",
    "drop_window",
    "list_state",
    "lock_team",
    "mark_changed",
    "window_rows",
    "write_window",
]

_C = table_of(Campaign)
_K = table_of(Connection)
_M = table_of(CampaignDailyMetric)
_W = table_of(CampaignWindowMetric)
_S = table_of(CampaignWindowState)
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
    from the team's current ``version`` of its data) and when the team last synced."""

    version: int
    fresh: bool
    last_success_at: datetime | None


def _state_statement() -> Select[Any]:
    team: Any = bindparam("team_id")
    regions = select(_K.c.data_version, _K.c.last_success_at).where(_K.c.team_id == team).subquery()
    built = select(_S.c.window_end, _S.c.data_version).where(_S.c.team_id == team).subquery()
    return select(
        func.coalesce(func.sum(regions.c.data_version), 0).label("version"),
        func.max(regions.c.last_success_at).label("synced"),
        select(built.c.window_end).scalar_subquery().label("window_end"),
        select(built.c.data_version).scalar_subquery().label("built_version"),
    ).select_from(regions)


_STATE = _state_statement()


def list_state(session: Session, *, team_id: str, window_end: date) -> ListState:
    """The rollup's freshness and the team's last sync, in one statement over the team's few regions.

    The version is the sum of the regions' data versions, which only grow: any write to campaigns or
    their metrics (see `mark_changed`) makes a rollup built before stale. A purge drops the rollup.
    """
    row = session.connection().execute(_STATE, {"team_id": team_id}).one()
    version = int(row.version)
    fresh = row.window_end == window_end and row.built_version == version
    return ListState(version=version, fresh=fresh, last_success_at=row.synced)


def _rows_statement() -> Select[Any]:
    spend, sales = func.coalesce(func.sum(_M.c.cost), 0), func.coalesce(func.sum(_M.c.sales), 0)
    acos = case((sales > 0, cast(spend, Float) / sales), else_=literal(-1.0, type_=Float))
    in_window = and_(
        _M.c.profile_pk == _C.c.profile_pk,
        _M.c.campaign_id == _C.c.campaign_id,
        _M.c.date >= bindparam("start", type_=Date),
        _M.c.date <= bindparam("end", type_=Date),
    )
    return (
        select(
            _C.c.id.label("campaign_pk"),
            _C.c.team_id,
            _C.c.profile_pk,
            _P.c.currency_code.label("currency"),
            func.lower(_C.c.state).label("state_key"),
            func.lower(_C.c.name).label("name_key"),
            spend.label("spend"),
            sales.label("sales"),
            acos.label("acos_rank"),
        )
        .select_from(_C.join(_P, _P.c.id == _C.c.profile_pk).outerjoin(_M, in_window))
        .where(_C.c.team_id == bindparam("team_id"), _C.c.removed_at.is_(None))
        .group_by(_C.c.id, _C.c.team_id, _C.c.profile_pk, _P.c.currency_code, _C.c.state, _C.c.name)
    )


_ROWS = _rows_statement()
_KEYS = ("team_id", "profile_pk", "currency", "state_key", "name_key", "spend", "sales", "acos_rank")


def window_rows(session: Session, *, team_id: str, start: date, end: date) -> list[dict[str, Any]]:
    """Every live campaign of the team with its keys and its totals over ``start``..``end`` (a read)."""
    result = session.connection().execute(_ROWS, {"team_id": team_id, "start": start, "end": end})
    return [dict(row._mapping) for row in result]


def write_window(
    session: Session, *, team_id: str, rows: Sequence[Mapping[str, Any]], window_end: date, version: int
) -> bool:
    """Store rows from `window_rows` as the team's rollup for ``window_end``, built at ``version``.

    Only rows that changed are rewritten, rows of campaigns that are no longer live are dropped, and a
    rollup already built from this version or a newer one is left alone. Returns True when it wrote.
    """
    connection = session.connection()
    built = connection.execute(select(_S).where(_S.c.team_id == team_id)).first()
    if built is not None and built.window_end == window_end and built.data_version >= version:
        return False
    bulk_upsert(session, _W, rows, key=("campaign_pk",), update=_KEYS, only_changed=True)
    gone = select(_C.c.id).where(_C.c.team_id == team_id, _C.c.removed_at.is_not(None))
    connection.execute(_W.delete().where(_W.c.team_id == team_id, _W.c.campaign_pk.in_(gone)))
    state = {"window_end": window_end, "data_version": version, "built_at": utcnow()}
    bulk_upsert(session, _S, [{"team_id": team_id, **state}], key=("team_id",), update=tuple(state))
    new_day = built is None or built.window_end != window_end
    if connection.dialect.name == "postgresql" and new_day and len(rows) >= _ANALYZE_FROM:
        # On a large account the planner picks the ordered indexes only with statistics that know the
        # rows; autovacuum would gather them a minute later. ANALYZE here counts this transaction's
        # rows. Small accounts skip it: any plan is fast for them, and ANALYZE locks out other rebuilds.
        connection.execute(text(f"ANALYZE {_W.name}"))
    return True


def drop_window(session: Session, *, team_id: str) -> None:
    """Forget the team's rollup (after a purge); the next sync or list view builds it again."""
    session.connection().execute(_W.delete().where(_W.c.team_id == team_id))
    session.connection().execute(_S.delete().where(_S.c.team_id == team_id))
