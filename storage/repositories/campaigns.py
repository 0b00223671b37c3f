"""Campaign list queries, tags, notes, saved views and remembered filters (keyword-only; add/flush only).

Every query is scoped by ``team_id`` on the campaign *and* its profile, so one workspace never reads
another's rows. Money sums run in SQL on the exact integer units of `storage.types.Money` and come
back as `Decimal`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, Float, and_, case, cast, exists, func, literal, or_, select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col
from sqlmodel import select as sm_select

from storage.models import (
    AdGroup,
    Campaign,
    CampaignDailyMetric,
    CampaignWindowMetric,
    Connection,
    Keyword,
    KeywordDailyMetric,
    Note,
    Profile,
    ReportJob,
    Tag,
    table_of,
)
from storage.types import from_money_units

__all__ = [
    "CampaignListRow",
    "PageQuery",
    "ad_groups_of",
    "campaign_page",
    "campaign_rows_by_pk",
    "count_campaigns",
    "find_campaigns",
    "last_success_at",
    "marketplace_choices",
    "noted_campaigns",
    "refresh_window",
    "tags_of",
    "team_tags",
    "top_keywords",
    "window_is_fresh",
    "window_marker",
]

_C = table_of(Campaign)
_P = table_of(Profile)
_K = table_of(Connection)
_M = table_of(CampaignDailyMetric)
_T = table_of(Tag)
_N = table_of(Note)
_W = table_of(CampaignWindowMetric)
_R = table_of(ReportJob)


@dataclass(frozen=True, slots=True)
class PageQuery:
    """What to list: empty tuples mean "all"; ``start``..``end`` (inclusive) is the metrics window."""

    team_id: str
    start: date
    end: date
    regions: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    states: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    search: str | None = None
    sort: str = "spend"
    pks: tuple[int, ...] = ()
    use_window: bool = False


@dataclass(frozen=True, slots=True)
class CampaignListRow:
    """One campaign with its profile facts and its window totals (in ``currency``)."""

    pk: int
    campaign_id: str
    name: str
    ad_product: str
    state: str
    budget: Decimal | None
    budget_type: str | None
    region: str
    country_code: str
    currency: str
    connection_status: str
    spend: Decimal
    sales: Decimal


def _like_pattern(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _where(q: PageQuery) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = [
        _C.c.team_id == q.team_id,
        _P.c.team_id == q.team_id,
        _P.c.selected.is_(True),
        _P.c.removed_at.is_(None),
        _C.c.removed_at.is_(None),
    ]
    if q.regions:
        clauses.append(_P.c.region.in_(q.regions))
    if q.countries:
        clauses.append(_P.c.country_code.in_(q.countries))
    if q.states:
        clauses.append(func.lower(_C.c.state).in_(q.states))
    if q.tags:
        clauses.append(
            exists().where(_T.c.campaign_pk == _C.c.id, _T.c.team_id == q.team_id, _T.c.tag.in_(q.tags))
        )
    if q.search:
        clauses.append(func.lower(_C.c.name).like(_like_pattern(q.search), escape="\\"))
    if q.pks:
        clauses.append(_C.c.id.in_(list(q.pks)))
    return clauses


def _window_sum(column: Any, q: PageQuery) -> Any:
    inner = (
        select(func.coalesce(func.sum(column), 0))
        .where(_M.c.profile_pk == _C.c.profile_pk, _M.c.campaign_id == _C.c.campaign_id)
        .where(_M.c.date >= q.start, _M.c.date <= q.end)
        .scalar_subquery()
    )
    return inner


def _page_statement(q: PageQuery, *, offset: int, limit: int) -> Any:
    joined = _C.join(_P, _P.c.id == _C.c.profile_pk).join(_K, _K.c.id == _P.c.connection_id)
    if q.use_window:  # the rollup (fresh for this window): no daily rows summed per request
        joined = joined.outerjoin(_W, _W.c.campaign_pk == _C.c.id)
        spend = func.coalesce(_W.c.spend, 0).label("spend")
        sales = func.coalesce(_W.c.sales, 0).label("sales")
    else:
        spend = _window_sum(_M.c.cost, q).label("spend")
        sales = _window_sum(_M.c.sales, q).label("sales")
    base = (
        select(
            _C.c.id,
            _C.c.campaign_id,
            _C.c.name,
            _C.c.ad_product,
            _C.c.state,
            _C.c.budget,
            _C.c.budget_type,
            _P.c.region,
            _P.c.country_code,
            _P.c.currency_code,
            _K.c.status,
            spend,
            sales,
        )
        .select_from(joined)
        .where(*_where(q))
        .subquery("base")
    )
    # The count as an uncorrelated scalar subquery (evaluated once), not `count(*) over ()`: a window
    # function makes the database sort every matching row, while this lets it keep only the top N.
    matching = _C.join(_P, _P.c.id == _C.c.profile_pk)
    total = select(func.count()).select_from(matching).where(*_where(q)).scalar_subquery().label("total")
    stmt = select(base, total)
    if q.sort == "name":
        order = [func.lower(base.c.name), base.c.id]
    elif q.sort == "acos":
        ratio = cast(base.c.spend, Float) / func.nullif(base.c.sales, 0)
        order = [case((base.c.sales > 0, 0), else_=1), ratio.desc(), base.c.spend.desc(), base.c.id]
    else:
        order = [base.c.spend.desc(), func.lower(base.c.name), base.c.id]
    return stmt.order_by(*order).offset(offset).limit(limit)


def campaign_page(
    session: Session, *, query: PageQuery, offset: int, limit: int
) -> tuple[list[CampaignListRow], int | None]:
    """One page of campaigns and the number matching, in one statement.

    Returns:
        (rows, total); total is None when the page is empty (then use `count_campaigns`).
    """
    result = session.connection().execute(_page_statement(query, offset=offset, limit=limit)).all()
    rows = [_list_row(r) for r in result]
    return rows, (int(result[0].total) if result else None)


def _list_row(r: Any) -> CampaignListRow:
    return CampaignListRow(
        pk=r.id,
        campaign_id=r.campaign_id,
        name=r.name,
        ad_product=r.ad_product,
        state=r.state,
        budget=r.budget,
        budget_type=r.budget_type,
        region=r.region,
        country_code=r.country_code,
        currency=r.currency_code,
        connection_status=r.status,
        spend=_money(r.spend),
        sales=_money(r.sales),
    )


def _money(value: object) -> Decimal:
    if isinstance(value, Decimal):
        return value
    return from_money_units(int(value or 0)) or Decimal(0)  # type: ignore[call-overload]


def count_campaigns(session: Session, *, query: PageQuery) -> int:
    """How many campaigns match (used only when a requested page is past the end)."""
    stmt = select(func.count()).select_from(_C.join(_P, _P.c.id == _C.c.profile_pk)).where(*_where(query))
    return int(session.connection().execute(stmt).scalar_one())


def campaign_rows_by_pk(session: Session, *, query: PageQuery, pks: Sequence[int]) -> list[CampaignListRow]:
    """The list rows of given campaigns (team-scoped; filters other than the team are ignored)."""
    if not pks:
        return []
    only = PageQuery(team_id=query.team_id, start=query.start, end=query.end, pks=tuple(pks))
    rows, _total = campaign_page(session, query=only, offset=0, limit=len(pks))
    return rows


def window_marker(session: Session, *, team_id: str) -> str:
    """What the rollup must have been built from to be fresh: the team's latest finished sync and report."""
    synced = (
        session.connection()
        .execute(select(func.max(_K.c.last_success_at)).where(_K.c.team_id == team_id))
        .scalar()
    )
    reported = (
        session.connection()
        .execute(
            select(func.max(_R.c.finished_at))
            .select_from(_R.join(_K, _K.c.id == _R.c.connection_id))
            .where(_K.c.team_id == team_id)
        )
        .scalar()
    )
    return f"{synced or ''}|{reported or ''}"[:64]


def window_is_fresh(session: Session, *, team_id: str, window_end: date, marker: str) -> bool:
    """True when the team's rollup covers ``window_end`` and was built from ``marker``."""
    row = (
        session.connection()
        .execute(select(_W.c.window_end, _W.c.marker).where(_W.c.team_id == team_id).limit(1))
        .first()
    )
    return row is not None and row.window_end == window_end and row.marker == marker


def refresh_window(session: Session, *, team_id: str, start: date, end: date, marker: str) -> None:
    """Rebuild the team's 7-day rollup from the daily rows (one statement; every campaign gets a row)."""
    session.connection().execute(_W.delete().where(_W.c.team_id == team_id))
    sums = (
        select(
            _C.c.id,
            _C.c.team_id,
            literal(end, type_=Date).label("window_end"),
            literal(marker).label("marker"),
            func.coalesce(func.sum(_M.c.cost), 0),
            func.coalesce(func.sum(_M.c.sales), 0),
        )
        .select_from(
            _C.outerjoin(
                _M,
                and_(
                    _M.c.profile_pk == _C.c.profile_pk,
                    _M.c.campaign_id == _C.c.campaign_id,
                    _M.c.date >= start,
                    _M.c.date <= end,
                ),
            )
        )
        .where(_C.c.team_id == team_id)
        .group_by(_C.c.id, _C.c.team_id)
    )
    columns = ["campaign_pk", "team_id", "window_end", "marker", "spend", "sales"]
    session.connection().execute(_W.insert().from_select(columns, sums))


def tags_of(session: Session, *, team_id: str, campaign_pks: Sequence[int]) -> dict[int, list[str]]:
    """Tags per campaign (alphabetical)."""
    if not campaign_pks:
        return {}
    stmt = (
        select(_T.c.campaign_pk, _T.c.tag)
        .where(_T.c.team_id == team_id, _T.c.campaign_pk.in_(list(campaign_pks)))
        .order_by(_T.c.tag)
    )
    out: dict[int, list[str]] = {}
    for pk, tag in session.connection().execute(stmt):
        out.setdefault(pk, []).append(tag)
    return out


def noted_campaigns(session: Session, *, team_id: str, campaign_pks: Sequence[int]) -> set[int]:
    """Which of the campaigns have at least one note."""
    if not campaign_pks:
        return set()
    stmt = (
        select(_N.c.campaign_pk)
        .where(_N.c.team_id == team_id, _N.c.campaign_pk.in_(list(campaign_pks)))
        .distinct()
    )
    return {pk for (pk,) in session.connection().execute(stmt)}


def marketplace_choices(
    session: Session, *, team_id: str, regions: Sequence[str] = ()
) -> list[tuple[str, str]]:
    """Distinct (region, country code) of the team's selected profiles, optionally within regions."""
    stmt = (
        select(_P.c.region, _P.c.country_code)
        .where(_P.c.team_id == team_id, _P.c.selected.is_(True), _P.c.removed_at.is_(None))
        .distinct()
        .order_by(_P.c.region, _P.c.country_code)
    )
    if regions:
        stmt = stmt.where(_P.c.region.in_(list(regions)))
    return [(r, c) for r, c in session.connection().execute(stmt)]


def team_tags(session: Session, *, team_id: str, limit: int = 100) -> list[str]:
    """The team's distinct tags, alphabetical."""
    stmt = select(_T.c.tag).where(_T.c.team_id == team_id).distinct().order_by(_T.c.tag).limit(limit)
    return [t for (t,) in session.connection().execute(stmt)]


def last_success_at(session: Session, *, team_id: str) -> datetime | None:
    """The most recent successful sync of any of the team's regions."""
    stmt = sm_select(func.max(Connection.last_success_at)).where(Connection.team_id == team_id)
    value = session.exec(stmt).one()
    return value if isinstance(value, datetime) else None


def find_campaigns(session: Session, *, team_id: str, text: str, limit: int = 101) -> list[Campaign]:
    """Campaigns a user may mean by ``text``: internal id or Amazon id, else exact name, else prefix.

    Exact matches win over prefixes (case-insensitive). Several results mean the caller must ask.
    """
    base = (
        sm_select(Campaign)
        .join(Profile, col(Profile.id) == Campaign.profile_pk)
        .where(Campaign.team_id == team_id, Profile.team_id == team_id)
        .order_by(col(Campaign.removed_at).is_not(None), func.lower(Campaign.name), col(Campaign.id))
        .limit(limit)
    )
    needle = text.strip()
    if needle.isdigit():
        by_id = or_(col(Campaign.id) == int(needle[:18]), col(Campaign.campaign_id) == needle)
        found = list(session.exec(base.where(by_id)).all())
        if found:
            return found
    lowered = needle.lower()
    exact = list(session.exec(base.where(func.lower(Campaign.name) == lowered)).all())
    if exact:
        return exact
    prefix = func.lower(Campaign.name).like(_like_pattern(needle)[1:], escape="\\")
    return list(session.exec(base.where(prefix)).all())


def ad_groups_of(session: Session, *, campaign: Campaign, limit: int = 15) -> tuple[list[AdGroup], int]:
    """(ad groups by name, total count); removed ad groups are left out."""
    where = and_(
        col(AdGroup.profile_pk) == campaign.profile_pk,
        col(AdGroup.campaign_id) == campaign.campaign_id,
        col(AdGroup.removed_at).is_(None),
    )
    total = session.exec(sm_select(func.count()).select_from(AdGroup).where(where)).one()
    groups = session.exec(
        sm_select(AdGroup).where(where).order_by(func.lower(AdGroup.name)).limit(limit)
    ).all()
    return list(groups), int(total)


def top_keywords(
    session: Session, *, campaign: Campaign, start: date, end: date, limit: int = 10
) -> list[tuple[Keyword, Decimal, Decimal]]:
    """The campaign's keywords with the most spend in the window: (keyword, spend, sales)."""
    km = table_of(KeywordDailyMetric)
    kw = table_of(Keyword)
    sums = (
        select(km.c.keyword_id, func.sum(km.c.cost).label("spend"), func.sum(km.c.sales).label("sales"))
        .where(km.c.profile_pk == campaign.profile_pk, km.c.campaign_id == campaign.campaign_id)
        .where(km.c.date >= start, km.c.date <= end)
        .group_by(km.c.keyword_id)
        .subquery()
    )
    stmt = (
        select(kw.c.id, sums.c.spend, sums.c.sales)
        .join(sums, sums.c.keyword_id == kw.c.keyword_id)
        .where(kw.c.profile_pk == campaign.profile_pk)
        .order_by(sums.c.spend.desc(), kw.c.id)
        .limit(limit)
    )
    found = session.connection().execute(stmt).all()
    by_id = {
        k.id: k for k in session.exec(sm_select(Keyword).where(col(Keyword.id).in_([r[0] for r in found])))
    }
    return [(by_id[r[0]], _money(r[1]), _money(r[2])) for r in found if r[0] in by_id]
