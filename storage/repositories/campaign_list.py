"""One page of the campaign list: filtered, sorted and counted in one statement (keyword-only; reads).

Two roads lead to the same page, row for row and in the same order (tested):

- **indexed**, when the team's rollup (`campaign_window_metric`, see `campaign_window`) is fresh:
  walk the ordered index of the chosen sort, filter on the keys the index carries and stop once the
  page is full; count with an index-only scan. Only the page's rows are joined to their campaign,
  profile and connection.
- **live**, the fallback while the rollup is being rebuilt: sum each campaign's daily rows and sort every
  match. Correct at any moment, slower on large accounts.

Money is never compared across currencies: a list sorted by spend is grouped by currency
(`grouped_page`): the groups in `currency_groups` order, each sorted by spend, paged as one list; each
group's part of a page is one walk of the spend index, which starts with the currency. ACOS and name
sort globally.

Every query is scoped by ``team_id`` on the campaign *and* its profile, so one workspace never reads
another's rows. Money sums run in SQL on the exact integer units of `storage.types.Money`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any, NamedTuple

from sqlalchemy import Float, Integer, Select, bindparam, case, cast, func, select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session

from storage.models import (
    Campaign,
    CampaignDailyMetric,
    CampaignPacing,
    CampaignWindowMetric,
    Connection,
    Profile,
    Tag,
    table_of,
)
from storage.types import money_total

__all__ = [
    "MONEY_SORTS",
    "CampaignListRow",
    "CurrencyGroup",
    "GroupSlice",
    "GroupedPage",
    "PageQuery",
    "campaign_page",
    "campaign_rows_by_pk",
    "count_campaigns",
    "currency_groups",
    "editable_counts",
    "grouped_page",
    "like_pattern",
    "matching_campaign_pks",
    "page_statement",
    "profiles_in_scope",
]

MONEY_SORTS = ("spend",)  # sorts by an amount of money: grouped by currency

_C = table_of(Campaign)
_P = table_of(Profile)
_K = table_of(Connection)
_M = table_of(CampaignDailyMetric)
_T = table_of(Tag)
_W = table_of(CampaignWindowMetric)
_U = table_of(CampaignPacing)


@dataclass(frozen=True, slots=True)
class PageQuery:
    """What to list: empty tuples mean "all"; ``start``..``end`` (inclusive) is the metrics window.

    ``use_window`` takes the indexed road; set it only when `campaign_window.list_state` says the rollup
    is fresh. ``currency`` keeps one currency (a group's part of a page; such a statement has no total).
    ``profile_pks`` keeps the campaigns of those profiles only (the digest's marketplaces).

    ``at_risk_from`` keeps campaigns whose budget usage of their marketplace's current day is at least
    that percent; ``usage_after`` is "now": a reading is today's while its day ends after it. A sort by
    ``usage`` (today's budget usage, highest first, unread last) or ``at_risk_from`` take the live road.

    Built outside storage only by `bot.services.campaigns.page_query`, from the one campaign filter.
    """

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
    currency: str | None = None
    profile_pks: tuple[int, ...] = ()
    at_risk_from: Decimal | None = None
    usage_after: datetime | None = None


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


def like_pattern(text: str) -> str:
    """A case-insensitive "contains" LIKE pattern (``\\`` escapes), for lowered columns."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class _Shape(NamedTuple):
    """Which road, sort and filters a query uses. Statements are built once per shape and cached;
    the filter values are bound at execution (see `_values`)."""

    use_window: bool
    sort: str
    regions: bool
    countries: bool
    states: bool
    tags: bool
    search: bool
    pks: bool
    currency: bool
    profile_pks: bool
    at_risk: bool


def _shape(q: PageQuery) -> _Shape:
    usage = q.sort == "usage" or q.at_risk_from is not None  # not in the rollup: the live road
    return _Shape(
        q.use_window and not usage,
        q.sort,
        bool(q.regions),
        bool(q.countries),
        bool(q.states),
        bool(q.tags),
        bool(q.search),
        bool(q.pks),
        bool(q.currency),
        bool(q.profile_pks),
        q.at_risk_from is not None,
    )


_LISTS = ("regions", "countries", "states", "tags", "pks", "profile_pks")


def _values(q: PageQuery, **extra: Any) -> dict[str, Any]:
    values: dict[str, Any] = {"team_id": q.team_id, "start": q.start, "end": q.end, **extra}
    for name in _LISTS:
        if getattr(q, name):
            values[name] = list(getattr(q, name))
    if q.search:
        values["pattern"] = like_pattern(q.search)
    if q.currency:
        values["currency"] = q.currency
    if q.sort == "usage" or q.at_risk_from is not None:
        values["usage_after"] = q.usage_after
        values["at_risk_from"] = q.at_risk_from if q.at_risk_from is not None else Decimal(0)
    return values


def _bound(name: str) -> Any:
    if name in ("offset", "limit"):
        return bindparam(name, type_=Integer)
    return bindparam(name, expanding=name in _LISTS)


def _profile_clauses(shape: _Shape) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = [
        _P.c.team_id == _bound("team_id"),
        _P.c.selected.is_(True),
        _P.c.removed_at.is_(None),
    ]
    if shape.regions:
        clauses.append(_P.c.region.in_(_bound("regions")))
    if shape.countries:
        clauses.append(_P.c.country_code.in_(_bound("countries")))
    if shape.profile_pks:
        clauses.append(_P.c.id.in_(_bound("profile_pks")))
    return clauses


def _tagged() -> Select[Any]:
    return select(_T.c.campaign_pk).where(_T.c.team_id == _bound("team_id"), _T.c.tag.in_(_bound("tags")))


# -- the live road --------------------------------------------------------------------------------------


def _live_where(shape: _Shape) -> list[ColumnElement[bool]]:
    clauses = [_C.c.team_id == _bound("team_id"), _C.c.removed_at.is_(None), *_profile_clauses(shape)]
    if shape.states:
        clauses.append(func.lower(_C.c.state).in_(_bound("states")))
    if shape.tags:
        clauses.append(_C.c.id.in_(_tagged()))
    if shape.search:
        clauses.append(func.lower(_C.c.name).like(_bound("pattern"), escape="\\"))
    if shape.pks:
        clauses.append(_C.c.id.in_(_bound("pks")))
    if shape.currency:
        clauses.append(_P.c.currency_code == _bound("currency"))
    if shape.at_risk:
        at_risk = select(_U.c.campaign_pk).where(
            _U.c.day_ends_at > _bound("usage_after"), _U.c.percent >= _bound("at_risk_from")
        )
        clauses.append(_C.c.id.in_(at_risk))
    return clauses


def _usage_today() -> Any:
    """Today's budget usage of the campaign (None when it has no reading of its current day)."""
    return (
        select(_U.c.percent)
        .where(_U.c.campaign_pk == _C.c.id, _U.c.day_ends_at > _bound("usage_after"))
        .scalar_subquery()
    )


def _window_sum(column: Any) -> Any:
    return (
        select(func.coalesce(func.sum(column), 0))
        .where(_M.c.profile_pk == _C.c.profile_pk, _M.c.campaign_id == _C.c.campaign_id)
        .where(_M.c.date >= _bound("start"), _M.c.date <= _bound("end"))
        .scalar_subquery()
    )


def _live_statement(shape: _Shape) -> Select[Any]:
    joined = _C.join(_P, _P.c.id == _C.c.profile_pk).join(_K, _K.c.id == _P.c.connection_id)
    base = (
        select(
            *_DISPLAY,
            _P.c.currency_code,
            _window_sum(_M.c.cost).label("spend"),
            _window_sum(_M.c.sales).label("sales"),
            *([_usage_today().label("usage")] if shape.sort == "usage" else []),
        )
        .select_from(joined)
        .where(*_live_where(shape))
        .subquery("base")
    )
    # The count as an uncorrelated scalar subquery (evaluated once), not `count(*) over ()`: a window
    # function makes the database sort every matching row, while this lets it keep only the top N.
    total = select(func.count()).select_from(_LIVE_FROM).where(*_live_where(shape)).scalar_subquery()
    name_key = func.lower(base.c.name)
    if shape.sort == "name":
        order = [name_key, base.c.id]
    elif shape.sort == "acos":
        ratio = cast(base.c.spend, Float) / func.nullif(base.c.sales, 0)
        order = [case((base.c.sales > 0, 0), else_=1), ratio.desc(), name_key, base.c.id]
    elif shape.sort == "usage":
        order = [case((base.c.usage.is_(None), 1), else_=0), base.c.usage.desc(), name_key, base.c.id]
    else:
        order = [base.c.currency_code, base.c.spend.desc(), name_key, base.c.id]
    columns = [base] if shape.currency else [base, total.label("total")]
    return select(*columns).order_by(*order).offset(_bound("offset")).limit(_bound("limit"))


_LIVE_FROM = _C.join(_P, _P.c.id == _C.c.profile_pk)
_DISPLAY = (
    _C.c.id,
    _C.c.campaign_id,
    _C.c.name,
    _C.c.ad_product,
    _C.c.state,
    _C.c.budget,
    _C.c.budget_type,
    _P.c.region,
    _P.c.country_code,
    _K.c.status,
)


# -- the indexed road -----------------------------------------------------------------------------------


def _indexed_where(shape: _Shape) -> list[ColumnElement[bool]]:
    in_scope = select(_P.c.id).where(*_profile_clauses(shape))
    clauses = [_W.c.team_id == _bound("team_id"), _W.c.profile_pk.in_(in_scope), *_key_clauses(shape)]
    if shape.currency:  # the currency the rollup was built with (the profile's, unless it is stale)
        clauses.append(_W.c.currency == _bound("currency"))
    return clauses


def _key_clauses(shape: _Shape) -> list[ColumnElement[bool]]:
    """The filters on the rollup's own keys (not the profile's)."""
    clauses: list[ColumnElement[bool]] = []
    if shape.states:
        clauses.append(_W.c.state_key.in_(_bound("states")))
    if shape.tags:
        clauses.append(_W.c.campaign_pk.in_(_tagged()))
    if shape.search:
        clauses.append(_W.c.name_key.like(_bound("pattern"), escape="\\"))
    if shape.pks:
        clauses.append(_W.c.campaign_pk.in_(_bound("pks")))
    return clauses


def _indexed_order(w: Any, sort: str) -> list[Any]:
    """The sort as the columns of its index (``ix_campaign_window_metric_*``), so no sort step runs."""
    if sort == "name":
        return [w.c.name_key, w.c.campaign_pk]
    if sort == "acos":
        return [w.c.acos_rank.desc(), w.c.name_key, w.c.campaign_pk]
    return [w.c.currency, w.c.spend.desc(), w.c.name_key, w.c.campaign_pk]


def _indexed_statement(shape: _Shape) -> Select[Any]:
    where = _indexed_where(shape)
    keys = (_W.c.campaign_pk, _W.c.currency, _W.c.spend, _W.c.sales, _W.c.name_key, _W.c.acos_rank)
    page = (
        select(*keys)
        .where(*where)
        .order_by(*_indexed_order(_W, shape.sort))
        .offset(_bound("offset"))
        .limit(_bound("limit"))
        .subquery("page")
    )
    total = select(func.count()).select_from(_W).where(*where).scalar_subquery()
    joined = (
        page.join(_C, _C.c.id == page.c.campaign_pk)
        .join(_P, _P.c.id == _C.c.profile_pk)
        .join(_K, _K.c.id == _P.c.connection_id)
    )
    # The currency the rollup was built with, which is the one its group was found under.
    columns = [*_DISPLAY, page.c.currency.label("currency_code"), page.c.spend, page.c.sales]
    return (
        select(*columns, *([] if shape.currency else [total.label("total")]))
        .select_from(joined)
        .where(_C.c.team_id == _bound("team_id"), _P.c.team_id == _bound("team_id"))
        .order_by(*_indexed_order(page, shape.sort))
    )


@lru_cache(maxsize=512)
def _page_statement(shape: _Shape) -> Select[Any]:
    return _indexed_statement(shape) if shape.use_window else _live_statement(shape)


@lru_cache(maxsize=512)
def _count_statement(shape: _Shape) -> Select[Any]:
    if shape.use_window:
        return select(func.count()).select_from(_W).where(*_indexed_where(shape))
    return select(func.count()).select_from(_LIVE_FROM).where(*_live_where(shape))


def page_statement(q: PageQuery, *, offset: int, limit: int) -> tuple[Select[Any], dict[str, Any]]:
    """The one statement that lists a page and counts every match (its rows carry ``total``), and the
    values to execute it with. With ``q.currency`` it lists that currency's part only, uncounted."""
    return _page_statement(_shape(q)), _values(q, offset=offset, limit=limit)


def campaign_page(
    session: Session, *, query: PageQuery, offset: int, limit: int
) -> tuple[list[CampaignListRow], int | None]:
    """One page of campaigns and the number matching, in one statement. A sort by spend orders by
    currency first (never across currencies); `grouped_page` gives the list's own group order.

    Returns:
        (rows, total); total is None when the page is empty (then use `count_campaigns`).
    """
    stmt, values = page_statement(query, offset=offset, limit=limit)
    result = session.connection().execute(stmt, values).all()
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
        spend=money_total(r.spend),
        sales=money_total(r.sales),
    )


def count_campaigns(session: Session, *, query: PageQuery) -> int:
    """How many campaigns match (used only when a requested page is past the end)."""
    return int(session.connection().execute(_count_statement(_shape(query)), _values(query)).scalar_one())


def campaign_rows_by_pk(session: Session, *, query: PageQuery, pks: Sequence[int]) -> list[CampaignListRow]:
    """The list rows of given campaigns (team-scoped; filters other than the team are ignored)."""
    if not pks:
        return []
    only = PageQuery(team_id=query.team_id, start=query.start, end=query.end, pks=tuple(pks))
    rows, _total = campaign_page(session, query=only, offset=0, limit=len(pks))
    return rows


def profiles_in_scope(session: Session, *, query: PageQuery) -> set[int]:
    """The profiles whose campaigns ``query`` lists (its team, regions, countries and ``profile_pks``;
    selected and not removed), by the list's own clauses."""
    stmt = select(_P.c.id).where(*_profile_clauses(_shape(query)))
    return {int(pk) for (pk,) in session.connection().execute(stmt, _values(query))}


def matching_campaign_pks(session: Session, *, query: PageQuery) -> set[int]:
    """Every campaign ``query`` lists (unpaged, unsorted), by the list's own WHERE clauses (live road)."""
    stmt = select(_C.c.id).select_from(_LIVE_FROM).where(*_live_where(_shape(query)))
    return {int(pk) for (pk,) in session.connection().execute(stmt, _values(query))}


def editable_counts(session: Session, *, query: PageQuery) -> tuple[int, int]:
    """(enabled, paused) Sponsored Products campaigns among those ``query`` lists: what a bulk pause or
    enable of the list would change (live edits cover SP only; archived campaigns never change)."""
    stmt = (
        select(_C.c.state, func.count())
        .select_from(_LIVE_FROM)
        .where(*_live_where(_shape(query)), _C.c.ad_product == "SP", _C.c.state.in_(("ENABLED", "PAUSED")))
        .group_by(_C.c.state)
    )
    counts = {str(state): int(n) for state, n in session.connection().execute(stmt, _values(query))}
    return counts.get("ENABLED", 0), counts.get("PAUSED", 0)


# -- currency groups (sorts by money) -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CurrencyGroup:
    """How many listed campaigns are in one currency."""

    currency: str
    count: int


@dataclass(frozen=True, slots=True)
class GroupSlice:
    """One currency group's part of a page: the page's rows ``start`` .. ``start + size`` are the group's
    rows ``skipped`` .. ``skipped + size`` (``skipped`` > 0: the group began on an earlier page)."""

    currency: str
    count: int
    start: int
    size: int
    skipped: int


@dataclass(frozen=True, slots=True)
class GroupedPage:
    """A page of a list grouped by currency: its rows, every group of the list, the groups on the page,
    how many match and where the page starts (a page past the end is the last page)."""

    rows: list[CampaignListRow]
    groups: list[CurrencyGroup]
    slices: list[GroupSlice]
    total: int
    offset: int


@lru_cache(maxsize=512)
def _scope_currencies(shape: _Shape) -> Select[Any]:
    return select(_P.c.currency_code).where(*_profile_clauses(shape)).distinct()


@lru_cache(maxsize=512)
def _groups_statement(shape: _Shape, *, per_currency: bool) -> Select[Any]:
    """Count the matches per currency. ``per_currency`` (SQLite): one count per currency of the profiles
    in scope, each a range of an index, so every matching entry is read once, where a GROUP BY costs
    SQLite a few times more. Otherwise (PostgreSQL) one GROUP BY pass, where separate passes would
    each visit most of the table's pages (measured, bench_campaigns.py)."""
    if not shape.use_window:
        stmt = select(_P.c.currency_code, func.count()).select_from(_LIVE_FROM).where(*_live_where(shape))
        return stmt.group_by(_P.c.currency_code)
    if not per_currency:
        return select(_W.c.currency, func.count()).where(*_indexed_where(shape)).group_by(_W.c.currency)
    found = _scope_currencies(shape).subquery("found")
    mine = [*_indexed_where(shape), _W.c.currency == found.c.currency_code]
    count = select(func.count()).select_from(_W).where(*mine).correlate(found).scalar_subquery()
    return select(found.c.currency_code, count)


def currency_groups(session: Session, *, query: PageQuery) -> list[CurrencyGroup]:
    """The currencies of the campaigns matching ``query`` and how many each has, in the list's group order:
    most campaigns first, then by currency code (stable for a given filter).

    When the profiles in scope share one currency, a plain count does (grouping costs a few ms more on a
    large account).
    """
    connection = session.connection()
    scope = [currency for (currency,) in connection.execute(_scope_currencies(_shape(query)), _values(query))]
    if len(scope) == 1:
        one = replace(query, currency=scope[0])
        found = [(scope[0], connection.execute(_count_statement(_shape(one)), _values(one)).scalar_one())]
    elif scope:
        stmt = _groups_statement(_shape(query), per_currency=connection.dialect.name == "sqlite")
        found = [(currency, count) for currency, count in connection.execute(stmt, _values(query))]
    else:
        return []
    counts: dict[str, int] = {}
    for currency, count in found:
        counts[currency] = counts.get(currency, 0) + int(count)
    groups = [CurrencyGroup(currency=c, count=n) for c, n in counts.items() if n > 0]
    return sorted(groups, key=lambda g: (-g.count, g.currency))


def grouped_page(session: Session, *, query: PageQuery, offset: int, limit: int) -> GroupedPage:
    """One page of the list grouped by currency: groups in `currency_groups` order, each sorted by
    ``query.sort``, paged as one list (a page may end one group and start the next).

    Each group's part of the page is one walk of its index range; a page past the end gives the last page.
    """
    groups = currency_groups(session, query=replace(query, currency=None))
    total = sum(group.count for group in groups)
    if offset >= total:
        offset = (total - 1) // limit * limit if total else 0
    rows: list[CampaignListRow] = []
    slices: list[GroupSlice] = []
    first = 0  # the group's first row in the whole list
    for group in groups:
        skipped = max(offset - first, 0)
        size = min(first + group.count, offset + limit) - first - skipped
        if size > 0:
            one = replace(query, currency=group.currency)
            stmt, values = page_statement(one, offset=skipped, limit=size)
            found = [_list_row(r) for r in session.connection().execute(stmt, values)]
            slices.append(GroupSlice(group.currency, group.count, len(rows), len(found), skipped))
            rows += found
        first += group.count
    return GroupedPage(rows=rows, groups=groups, slices=slices, total=total, offset=offset)
