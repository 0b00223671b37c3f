"""Campaign facts around the list: tags, note markers, filter options, lookups by name, details.

The list itself (filtering, sorting, counting, the 7-day rollup) is `storage.repositories.campaign_list`.
Every query is scoped by ``team_id``, so one workspace never reads another's rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import CompoundSelect, Integer, Select, and_, bindparam, func, null, or_, select, union_all
from sqlmodel import Session, col
from sqlmodel import select as sm_select

from storage.models import (
    AdGroup,
    Campaign,
    Connection,
    Keyword,
    KeywordDailyMetric,
    Note,
    Profile,
    Tag,
    table_of,
)
from storage.repositories.campaign_list import like_pattern
from storage.types import money_total

__all__ = [
    "ad_groups_of",
    "annotations_of",
    "find_campaigns",
    "last_success_at",
    "marketplace_choices",
    "tags_of",
    "team_tags",
    "top_keywords",
]

_P = table_of(Profile)
_T = table_of(Tag)
_N = table_of(Note)


def tags_of(session: Session, *, team_id: str, campaign_pks: Sequence[int]) -> dict[int, list[str]]:
    """Tags per campaign (alphabetical)."""
    return annotations_of(session, team_id=team_id, campaign_pks=campaign_pks)[0]


def annotations_of(
    session: Session, *, team_id: str, campaign_pks: Sequence[int]
) -> tuple[dict[int, list[str]], set[int]]:
    """(tags per campaign, alphabetical; the campaigns with at least one note), in one statement."""
    if not campaign_pks:
        return {}, set()
    result = session.connection().execute(_ANNOTATIONS, {"team_id": team_id, "pks": list(campaign_pks)})
    tags: dict[int, list[str]] = {}
    noted: set[int] = set()
    for pk, tag in result:
        if tag is None:
            noted.add(pk)
        else:
            tags.setdefault(pk, []).append(tag)
    return {pk: sorted(found) for pk, found in tags.items()}, noted


def _annotations_statement() -> CompoundSelect[Any]:
    team: Any = bindparam("team_id")
    pks: Any = bindparam("pks", expanding=True)
    tagged = select(_T.c.campaign_pk, _T.c.tag).where(_T.c.team_id == team, _T.c.campaign_pk.in_(pks))
    noted = (
        select(_N.c.campaign_pk, null().label("tag"))
        .where(_N.c.team_id == team, _N.c.campaign_pk.in_(pks))
        .distinct()
    )
    return union_all(tagged, noted)


_ANNOTATIONS = _annotations_statement()


def _choices_statement(*, in_regions: bool) -> Select[Any]:
    stmt = (
        select(_P.c.region, _P.c.country_code)
        .where(_P.c.team_id == bindparam("team_id"), _P.c.selected.is_(True), _P.c.removed_at.is_(None))
        .distinct()
        .order_by(_P.c.region, _P.c.country_code)
    )
    return stmt.where(_P.c.region.in_(bindparam("regions", expanding=True))) if in_regions else stmt


_CHOICES = {False: _choices_statement(in_regions=False), True: _choices_statement(in_regions=True)}
_TEAM_TAGS = (
    select(_T.c.tag)
    .where(_T.c.team_id == bindparam("team_id"))
    .distinct()
    .order_by(_T.c.tag)
    .limit(bindparam("limit", type_=Integer))
)


def marketplace_choices(
    session: Session, *, team_id: str, regions: Sequence[str] = ()
) -> list[tuple[str, str]]:
    """Distinct (region, country code) of the team's selected profiles, optionally within regions."""
    values: dict[str, Any] = {"team_id": team_id}
    if regions:
        values["regions"] = list(regions)
    return [(r, c) for r, c in session.connection().execute(_CHOICES[bool(regions)], values)]


def team_tags(session: Session, *, team_id: str, limit: int = 100) -> list[str]:
    """The team's distinct tags, alphabetical."""
    return [t for (t,) in session.connection().execute(_TEAM_TAGS, {"team_id": team_id, "limit": limit})]


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
    prefix = func.lower(Campaign.name).like(like_pattern(needle)[1:], escape="\\")
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


def ad_group_default_bids(session: Session, *, campaign: Campaign) -> dict[str, Decimal | None]:
    """Each ad group id of the campaign and its default bid (what its keywords without a bid use)."""
    ag = table_of(AdGroup)
    stmt = select(ag.c.ad_group_id, ag.c.default_bid).where(
        ag.c.profile_pk == campaign.profile_pk, ag.c.campaign_id == campaign.campaign_id
    )
    return {str(group): bid for group, bid in session.connection().execute(stmt).all()}


def ad_group_keyword_spend(
    session: Session, *, campaign: Campaign, start: date, end: date
) -> dict[str, Decimal]:
    """Spend on keywords per ad group id in the window (ad groups without keyword spend are absent)."""
    km = table_of(KeywordDailyMetric)
    stmt = (
        select(km.c.ad_group_id, func.sum(km.c.cost))
        .where(km.c.profile_pk == campaign.profile_pk, km.c.campaign_id == campaign.campaign_id)
        .where(km.c.date >= start, km.c.date <= end)
        .group_by(km.c.ad_group_id)
    )
    return {str(group): money_total(spend) for group, spend in session.connection().execute(stmt).all()}


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
    return [(by_id[r[0]], money_total(r[1]), money_total(r[2])) for r in found if r[0] in by_id]
