"""The campaign list and details: filtered, sorted, paged; money in each campaign's own currency.

Money is never compared across currencies: a list sorted by spend that spans several currencies is
grouped by currency (most campaigns first, then by code), each group sorted by spend, paged as one list
(`storage.repositories.campaign_list.grouped_page`). Sorts by name and ACOS stay global.

No Slack here: functions take a `Session` and return plain data or view-models. The 7-day window is the
seven whole days before ``today`` (today itself is still filling in at Amazon).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.services.campaigns.filters import AT_RISK_PERCENT, CampaignFilter
from bot.services.pacing import pacing_lines, pacing_readings
from bot.viewmodels import (
    AdGroupVM,
    CampaignDetailVM,
    CampaignPageVM,
    CampaignRowVM,
    CurrencyGroupVM,
    KeywordVM,
    Money,
    NoteVM,
)
from bot.viewmodels.pacing import PacingLineVM
from storage.db import session_scope
from storage.models import Campaign, ConnectionStatus, Keyword
from storage.repositories import annotations as notes_repo
from storage.repositories import campaign_list as listing
from storage.repositories import campaign_window as rollup
from storage.repositories import campaigns as repo
from storage.repositories.loaded_days import campaign_days_loaded

__all__ = [
    "WINDOW_DAYS",
    "CampaignPage",
    "CampaignRow",
    "build_campaign_page_vm",
    "build_detail_vm",
    "ensure_window",
    "group_vms",
    "list_campaigns",
    "load_user_filter",
    "load_user_state",
    "marketplace_options",
    "metrics_window",
    "page_query",
    "refresh_window_quietly",
    "remember_filter",
    "row_vm",
    "window_state",
]

logger = logging.getLogger(__name__)

WINDOW_DAYS = 7


@dataclass(frozen=True, slots=True)
class CampaignRow(listing.CampaignListRow):
    """A listed campaign (its facts and 7-day totals in ``currency``) with the team's tags and note marker."""

    tags: tuple[str, ...] = ()
    has_note: bool = False

    @property
    def spend_7d(self) -> Decimal:
        return self.spend

    @property
    def sales_7d(self) -> Decimal:
        return self.sales

    @property
    def stale(self) -> bool:
        """Data is "as of last sync": the region is disconnected or needs a reconnect."""
        return self.connection_status != ConnectionStatus.CONNECTED


@dataclass(frozen=True, slots=True)
class CampaignPage:
    """One page of the list: rows, how many match in total, where the page starts and its size; and, when
    it is sorted by money and spans several currencies, the currency groups on the page (in row order)."""

    rows: tuple[CampaignRow, ...]
    total: int
    offset: int
    limit: int
    groups: tuple[listing.GroupSlice, ...] = ()


def metrics_window(today: date) -> tuple[date, date]:
    """The inclusive 7-day window ending yesterday."""
    return today - timedelta(days=WINDOW_DAYS), today - timedelta(days=1)


def page_query(
    flt: CampaignFilter,
    *,
    team_id: str,
    today: date,
    use_window: bool = False,
    profile_pks: Sequence[int] = (),
    now: datetime | None = None,
) -> listing.PageQuery:
    """The repository query of ``flt``: the one conversion from the campaign filter to SQL.

    The campaign list pages it; the digest scoped by a saved view asks it which marketplaces and campaigns
    it covers, so the two always agree.

    Args:
        flt: The filter (in normal form).
        team_id: The Slack team; rows of other teams are never read.
        today: The current date; metrics cover the 7 days before it.
        use_window: Take the rollup's indexed road (only when `window_state` says it is fresh).
        profile_pks: Keep only these profiles' campaigns (the digest's marketplaces); empty keeps all.
        now: The instant a budget-usage reading must still be "today" at (the at-risk filter and the usage
            sort); None takes the start of ``today`` (UTC) for callers without a clock.
    """
    start, end = metrics_window(today)
    return listing.PageQuery(
        use_window=use_window,
        profile_pks=tuple(profile_pks),
        team_id=team_id,
        start=start,
        end=end,
        regions=flt.regions,
        countries=flt.marketplaces,
        states=flt.states,
        tags=flt.tags,
        search=flt.search,
        sort=flt.sort,
        at_risk_from=Decimal(AT_RISK_PERCENT) if flt.at_risk else None,
        usage_after=now or datetime.combine(today, time(0), tzinfo=UTC),
    )


def _annotate(session: Session, team_id: str, rows: list[listing.CampaignListRow]) -> tuple[CampaignRow, ...]:
    tags, noted = repo.annotations_of(session, team_id=team_id, campaign_pks=[r.pk for r in rows])
    return tuple(
        CampaignRow(
            **{f.name: getattr(r, f.name) for f in fields(r)},
            tags=tuple(tags.get(r.pk, ())),
            has_note=r.pk in noted,
        )
        for r in rows
    )


def _state(session: Session, team_id: str, today: date) -> rollup.ListState:
    return rollup.list_state(session, team_id=team_id, window_end=metrics_window(today)[1])


def list_campaigns(
    session: Session, *, team_id: str, filter: CampaignFilter, offset: int, limit: int, today: date
) -> CampaignPage:
    """One page of the team's campaigns matching ``filter``.

    Args:
        session: Open session (read-only is enough).
        team_id: The Slack team; rows of other teams are never read.
        filter: What to show and how to sort.
        offset: Index of the first row; a page past the end gives the last page instead.
        limit: Rows per page (at least 1).
        today: The current date; metrics cover the 7 days before it.

    Returns:
        The page (rows with tags, note marker and the stale flag of disconnected regions).
    """
    fresh = _state(session, team_id, today).fresh
    query = page_query(filter, team_id=team_id, today=today, use_window=fresh)
    return _page(session, query, offset=offset, limit=limit)


def _page(session: Session, query: listing.PageQuery, *, offset: int, limit: int) -> CampaignPage:
    limit = max(limit, 1)
    offset = max(offset, 0)
    if query.sort in listing.MONEY_SORTS:
        grouped = listing.grouped_page(session, query=query, offset=offset, limit=limit)
        return CampaignPage(
            rows=_annotate(session, query.team_id, grouped.rows),
            total=grouped.total,
            offset=grouped.offset,
            limit=limit,
            groups=tuple(grouped.slices) if len(grouped.groups) > 1 else (),
        )
    rows, total = listing.campaign_page(session, query=query, offset=offset, limit=limit)
    if total is None:
        total = listing.count_campaigns(session, query=query) if offset else 0
        if total and offset:
            offset = (total - 1) // limit * limit
            rows, _ = listing.campaign_page(session, query=query, offset=offset, limit=limit)
        else:
            offset = 0
    return CampaignPage(rows=_annotate(session, query.team_id, rows), total=total, offset=offset, limit=limit)


def window_state(session: Session, *, team_id: str, today: date) -> rollup.ListState:
    """Whether the team's rollup is fresh (built for today's window from the team's current data), and
    when the team last synced."""
    return _state(session, team_id, today)


def ensure_window(engine: Engine, *, team_id: str, today: date) -> bool:
    """Refresh the team's 7-day rollup when its campaigns or metrics changed, or the day did.

    Called at the end of a sync and, in the background, by a list view that found the rollup stale (the
    list is correct without it, only slower). It reads in one transaction and writes what changed in
    another; concurrent callers write once. Returns True when it wrote.
    """
    start, end = metrics_window(today)
    with session_scope(engine, readonly=True) as session:
        state = _state(session, team_id, today)
        if state.fresh:
            return False
        rows = rollup.window_rows(session, team_id=team_id, start=start, end=end)
    with session_scope(engine) as session:
        rollup.lock_team(session, team_id=team_id)
        return rollup.write_window(session, team_id=team_id, rows=rows, window_end=end, version=state.version)


def refresh_window_quietly(engine: Engine, *, team_id: str, today: date) -> bool:
    """`ensure_window`, logging instead of raising: the list stays correct on its live road, and the
    next sync or stale list view tries again. For callers whose own work must not fail with it."""
    try:
        return ensure_window(engine, team_id=team_id, today=today)
    except Exception:
        logger.warning("campaigns.rollup_refresh_failed", exc_info=True, extra={"team_id": team_id})
        return False


def row_vm(
    row: CampaignRow, *, days_loaded: int = WINDOW_DAYS, usage: PacingLineVM | None = None
) -> CampaignRowVM:
    """The renderer's row: money in the campaign's own currency; `days_loaded` of the window's days are
    loaded for its marketplace (the figures cover only those)."""
    return CampaignRowVM(
        campaign_id=str(row.pk),
        name=row.name,
        region=row.region,
        marketplace=row.country_code,
        ad_type=row.ad_product,
        state=row.state.lower(),
        budget=_money(row.budget, row.currency),
        spend_7d=Money(row.spend_7d, row.currency),
        sales_7d=Money(row.sales_7d, row.currency),
        budget_type=row.budget_type or "daily",
        tags=row.tags,
        has_note=row.has_note,
        stale=row.stale,
        days_loaded=days_loaded,
        usage_today=usage,
    )


def _days_loaded(session: Session, rows: Sequence[CampaignRow], today: date) -> dict[int, int]:
    """Loaded days of the 7-day window per listed campaign (a day not loaded is not a zero)."""
    start, end = metrics_window(today)
    pks = [row.pk for row in rows]
    return campaign_days_loaded(session, campaign_pks=pks, report_kind="campaign", start=start, end=end)


def group_vms(page: CampaignPage) -> list[CurrencyGroupVM]:
    """The renderer's currency group headers of a page (none unless it is grouped by currency)."""
    return [
        CurrencyGroupVM(currency=g.currency, count=g.count, first_row=g.start, continued=g.skipped > 0)
        for g in page.groups
    ]


def marketplace_options(session: Session, *, team_id: str, regions: tuple[str, ...]) -> list[str]:
    """Country codes of the team's selected marketplaces in the chosen regions, once each, in order."""
    choices = repo.marketplace_choices(session, team_id=team_id, regions=regions)
    return list(dict.fromkeys(country for _region, country in choices))


def build_campaign_page_vm(
    session: Session,
    *,
    team_id: str,
    filter: CampaignFilter,
    offset: int,
    limit: int,
    now: datetime,
    render_key: str = "",
    state: rollup.ListState | None = None,
) -> CampaignPageVM:
    """List a page and turn it into the renderer's view-model (filter options included).

    ``state`` is the caller's `window_state` of this session, when it already read it.
    """
    today = now.date()
    state = state or _state(session, team_id, today)
    query = page_query(filter, team_id=team_id, today=today, use_window=state.fresh, now=now)
    page = _page(session, query, offset=offset, limit=limit)
    loaded = _days_loaded(session, page.rows, today)
    usage = pacing_lines(session, campaign_pks=[row.pk for row in page.rows], now=now)
    return CampaignPageVM(
        filter=filter.to_vm(),
        rows=[row_vm(row, days_loaded=loaded.get(row.pk, 0), usage=usage.get(row.pk)) for row in page.rows],
        total=page.total,
        offset=page.offset,
        page_size=page.limit,
        marketplace_options=marketplace_options(session, team_id=team_id, regions=filter.regions),
        tag_options=repo.team_tags(session, team_id=team_id),
        synced_at=state.last_success_at,
        render_key=render_key,
        groups=group_vms(page),
    )


def load_user_filter(session: Session, *, team_id: str, user_id: str) -> CampaignFilter:
    """The user's remembered filter (the default filter the first time)."""
    return load_user_state(session, team_id=team_id, user_id=user_id)[0]


def load_user_state(session: Session, *, team_id: str, user_id: str) -> tuple[CampaignFilter, int]:
    """(remembered filter, App Home page offset) of a user."""
    raw = notes_repo.get_user_filter(session, team_id=team_id, user_id=user_id)
    try:
        data = json.loads(raw or "{}")
    except json.JSONDecodeError:
        data = {}
    offset = data.get("home_offset", 0) if isinstance(data, dict) else 0
    return CampaignFilter.from_json(raw), offset if isinstance(offset, int) and offset > 0 else 0


def remember_filter(
    session: Session,
    *,
    team_id: str,
    user_id: str,
    filter: CampaignFilter,
    now: datetime,
    home_offset: int = 0,
) -> None:
    """Store the user's filter (and where App Home's list is paged to), restored next time."""
    data = json.loads(filter.to_json())
    if home_offset > 0:
        data["home_offset"] = home_offset
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    notes_repo.set_user_filter(session, team_id=team_id, user_id=user_id, filter_json=text, now=now)


def _campaign(session: Session, team_id: str, campaign_pk: int) -> Campaign | None:
    campaign = session.get(Campaign, campaign_pk)
    return campaign if campaign is not None and campaign.team_id == team_id else None


def _money(amount: Decimal | None, currency: str) -> Money | None:
    return Money(amount, currency) if amount is not None else None


def _keyword_vm(
    keyword: Keyword,
    spend: Decimal,
    sales: Decimal,
    *,
    default_bids: Mapping[str, Decimal | None],
    currency: str,
) -> KeywordVM:
    """A top keyword: its own bid, or its ad group's default bid (which Amazon uses when it has none)."""
    own = keyword.bid is not None
    bid = keyword.bid if own else default_bids.get(keyword.ad_group_id)
    return KeywordVM(
        text=keyword.text,
        match_type=keyword.match_type.lower(),
        bid=_money(bid, currency),
        spend_7d=Money(spend, currency),
        sales_7d=Money(sales, currency),
        keyword_id=str(keyword.id or ""),
        state=keyword.state.lower(),
        default_bid=not own and bid is not None,
    )


def build_detail_vm(
    session: Session, *, team_id: str, campaign_pk: int, now: datetime
) -> CampaignDetailVM | None:
    """Details of one of the team's campaigns, or None (unknown id or another team's)."""
    campaign = _campaign(session, team_id, campaign_pk)
    if campaign is None or campaign.id is None:
        return None
    start, end = metrics_window(now.date())
    query = page_query(CampaignFilter(), team_id=team_id, today=now.date())
    listed = listing.campaign_rows_by_pk(session, query=query, pks=[campaign.id])
    if not listed:
        return None
    row = _annotate(session, team_id, listed)[0]
    currency = row.currency
    groups, groups_total = repo.ad_groups_of(session, campaign=campaign)
    group_spend = repo.ad_group_keyword_spend(session, campaign=campaign, start=start, end=end)
    keyword_days = campaign_days_loaded(
        session, campaign_pks=[campaign.id], report_kind="keyword", start=start, end=end
    ).get(campaign.id, 0)
    keywords = repo.top_keywords(session, campaign=campaign, start=start, end=end)
    default_bids = repo.ad_group_default_bids(session, campaign=campaign)
    notes = notes_repo.notes_of(session, team_id=team_id, campaign_pk=campaign.id)
    return CampaignDetailVM(
        campaign=row_vm(
            row,
            days_loaded=_days_loaded(session, [row], now.date()).get(row.pk, 0),
            usage=pacing_lines(session, campaign_pks=[row.pk], now=now).get(row.pk),
        ),
        ad_groups=[
            AdGroupVM(
                name=g.name,
                state=g.state.lower(),
                default_bid=_money(g.default_bid, currency),
                spend_7d=Money(group_spend.get(g.ad_group_id, Decimal(0)), currency),
                days_loaded=keyword_days,
            )
            for g in groups
        ],
        ad_groups_total=groups_total,
        top_keywords=[
            _keyword_vm(k, spend, sales, default_bids=default_bids, currency=currency)
            for k, spend, sales in keywords
        ],
        notes=[NoteVM(author=n.author_id, date=f"{n.created_at:%d %b %Y}", text=n.text) for n in notes],
        amazon_campaign_id=campaign.campaign_id,
        synced_at=repo.last_success_at(session, team_id=team_id),
        pacing=pacing_readings(session, campaign_pk=row.pk, now=now),
        edited_by=campaign.edited_by,
        edited_at=campaign.edited_at,
    )
