"""The daily digest's content: `build_digest(services, scope=..., now=...)` → view-model + chart series.

Per region and marketplace, yesterday in the marketplace's own time zone, in its own currency
(`bot.services.digest.figures` has the definitions). A marketplace whose day Amazon has not delivered yet
shows "not loaded yet" with the time its report was asked for, never a zero, and stays out of the region
totals; comparisons with days not loaded show "—". Region totals per currency only; the sync-health
footer (last success per region, Reconnect for regions that need it, "history only" for disconnected
ones, a warning when data is older than expected). Everything is read in one read-only transaction.

A digest scoped by a saved view covers what the campaign list shows for that view: the view's filter
(`CampaignFilter`) becomes the list's own query (`page_query`), scoped to the digest's marketplaces, and
decides which marketplaces it covers and, when the view narrows campaigns (state, tag, search), which
campaigns count.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, cast

from bot.services.campaigns import CampaignFilter, page_query
from bot.services.connections import connect_url
from bot.services.digest.figures import (
    AVG_DAYS,
    CampaignDay,
    Totals,
    build_metrics,
    movers,
    out_of_budget,
    top_campaigns,
)
from bot.services.digest.schedule import local_today, parse_zone
from bot.viewmodels import (
    ALL_REGIONS,
    CurrencyTotalVM,
    DigestVM,
    HealthVM,
    MarketplaceDigestVM,
    RegionDigestVM,
    RegionState,
)
from storage.db import session_scope
from storage.models import Campaign, Connection, ConnectionStatus, Profile, SavedView
from storage.repositories import campaign_list as listing
from storage.repositories import digests as repo
from storage.repositories.digests import MetricRow
from storage.repositories.loaded_days import PendingWindow, loaded_days, pending_since, pending_windows

if TYPE_CHECKING:
    from sqlmodel import Session

    from bot.wiring import Services

__all__ = [
    "CHART_DAYS",
    "RESTATEMENT_NOTE",
    "ChartSeries",
    "DigestBuild",
    "DigestScope",
    "build_digest",
    "date_label",
]

CHART_DAYS = 14
RESTATEMENT_NOTE = (
    "Figures for the last 3 days can still change: Amazon validates clicks and impressions for up to "
    "3 days and restates conversions later. Days are each marketplace's own calendar day."
)
_MIN_STALE = timedelta(hours=6)
_KIND = "campaign"  # the digest's figures come from campaign reports


@dataclass(frozen=True, slots=True)
class DigestScope:
    """Whose digest and what it covers."""

    team_id: str
    enterprise_id: str = ""
    regions: tuple[str, ...] = ALL_REGIONS
    view_id: int | None = None
    timezone: str = "UTC"
    subscriber_id: str = ""


@dataclass(frozen=True, slots=True)
class ChartSeries:
    """Spend and sales per day for one currency (summed over its marketplaces); None for a day some of
    its marketplaces have not loaded yet, drawn as a gap rather than a partial sum or a zero."""

    currency: str
    days: tuple[date, ...]
    spend: tuple[Decimal | None, ...]
    sales: tuple[Decimal | None, ...]


@dataclass(frozen=True, slots=True)
class DigestBuild:
    """A built digest: the view-model, the chart series, and the figures per marketplace (for tests)."""

    vm: DigestVM
    chart: tuple[ChartSeries, ...] = ()
    days: dict[str, date] = field(default_factory=dict)


@dataclass
class _Data:
    connections: list[Connection]
    profiles: list[Profile]
    metrics: list[MetricRow]
    campaigns: dict[tuple[int, str], Campaign]
    kept: set[int] | None  # the view's campaigns (pks); None: every campaign counts
    view: SavedView | None
    loaded: dict[int, set[date]] = field(default_factory=dict)
    pending: list[PendingWindow] = field(default_factory=list)


def date_label(day: date) -> str:
    """`Mon 13 May 2025`."""
    return f"{day:%a} {day.day} {day:%b %Y}"


def _yesterday(profile: Profile, now: datetime) -> date:
    return local_today(now, profile.timezone) - timedelta(days=1)


def _load(session: Session, scope: DigestScope, now: datetime) -> _Data:
    connections = [
        c
        for c in repo.list_connections_for_teams(session, team_ids=[scope.team_id])
        if c.region in scope.regions
    ]
    view = session.get(SavedView, scope.view_id) if scope.view_id is not None else None
    profiles = repo.list_selected_profiles(session, connection_ids=[c.id for c in connections if c.id])
    profiles, kept = _in_view(session, scope, view, profiles, now)
    pks = [p.id for p in profiles if p.id is not None]
    metrics: list[MetricRow] = []
    loaded: dict[int, set[date]] = {}
    if profiles:
        ends = [_yesterday(p, now) for p in profiles]
        start = min(ends) - timedelta(days=CHART_DAYS - 1)
        metrics = repo.list_metrics(session, profile_pks=pks, start=start, end=max(ends))
        loaded = loaded_days(session, profile_pks=pks, report_kind=_KIND, start=start, end=max(ends))
    pending = pending_windows(session, profile_pks=pks, report_kind=_KIND)
    campaigns = {(c.profile_pk, c.campaign_id): c for c in repo.list_campaigns(session, profile_pks=pks)}
    return _Data(connections, profiles, metrics, campaigns, kept, view, loaded, pending)


def _in_view(
    session: Session, scope: DigestScope, view: SavedView | None, profiles: list[Profile], now: datetime
) -> tuple[list[Profile], set[int] | None]:
    """The profiles a saved view keeps and, when it narrows campaigns, the campaigns it keeps: asked of
    the campaign list's own query, scoped to the digest's profiles."""
    pks = [p.id for p in profiles if p.id is not None]
    if view is None or not pks:
        return profiles, None
    flt = CampaignFilter.from_json(view.filter_json)
    query = page_query(flt, team_id=scope.team_id, today=now.date(), profile_pks=pks)
    in_scope = listing.profiles_in_scope(session, query=query)
    profiles = [p for p in profiles if p.id in in_scope]
    if not (flt.states or flt.tags or flt.search):
        return profiles, None
    return profiles, listing.matching_campaign_pks(session, query=query)


def _campaign_days(data: _Data, profile: Profile, rows: Sequence[MetricRow], day: date) -> list[CampaignDay]:
    by_campaign: dict[str, dict[date, MetricRow]] = defaultdict(dict)
    for row in rows:
        by_campaign[row.campaign_id][row.date] = row
    result = []
    for campaign_id, days in by_campaign.items():
        campaign = data.campaigns.get((cast(int, profile.id), campaign_id))
        if data.kept is not None and (campaign is None or campaign.id not in data.kept):
            continue
        daily = {d: Totals(r.impressions, r.clicks, r.cost, r.sales, r.orders) for d, r in days.items()}
        today_row = days.get(day)
        budget = today_row.budget if today_row and today_row.budget is not None else None
        if budget is None and campaign is not None and (campaign.budget_type or "daily").lower() == "daily":
            budget = campaign.budget
        name = campaign.name if campaign is not None else f"Campaign {campaign_id}"
        prev = daily.get(day - timedelta(days=1), Totals())
        result.append(CampaignDay(name, daily.get(day, Totals()), prev, budget, daily))
    return result


def _marketplace(
    data: _Data, profile: Profile, campaigns: Sequence[CampaignDay], day: date, label_day: date
) -> tuple[MarketplaceDigestVM, Totals | None]:
    """The marketplace's part and its day's totals (None when the day is not loaded)."""
    loaded = data.loaded.get(cast(int, profile.id), set())
    before = [day - timedelta(days=n) for n in range(1, AVG_DAYS + 1)]
    week_days = [d for d in before if d in loaded]
    base = MarketplaceDigestVM(
        country=profile.country_code,
        account=profile.account_name or profile.profile_id,
        currency=profile.currency_code,
        local_date=None if day == label_day else date_label(day),
        days_loaded=len(week_days),
        window_days=AVG_DAYS,
    )
    if day not in loaded:
        since = pending_since(data.pending, profile_pk=cast(int, profile.id), day=day)
        return replace(base, loaded=False, pending_since=since), None

    def total(d: date) -> Totals:
        return Totals.sum(c.daily.get(d, Totals()) for c in campaigns)

    today, currency = total(day), profile.currency_code
    prev = total(day - timedelta(days=1)) if day - timedelta(days=1) in loaded else None
    week = Totals.sum(total(d) for d in week_days) if week_days else None
    vm = replace(
        base,
        metrics=build_metrics(today, prev, week, currency, week_days=len(week_days)),
        top_campaigns=top_campaigns(campaigns, currency),
        movers=movers(campaigns, currency) if prev is not None else [],
        out_of_budget=out_of_budget(campaigns, currency),
    )
    return vm, today


def _currency_totals(parts: Sequence[tuple[str, Totals]]) -> list[CurrencyTotalVM]:
    sums: dict[str, Totals] = {}
    for currency, totals in parts:
        sums[currency] = sums.get(currency, Totals()) + totals
    return [CurrencyTotalVM(cur, t.cost, t.sales) for cur, t in sorted(sums.items())]


def _state(connection: Connection, now: datetime) -> RegionState:
    if connection.status == ConnectionStatus.RECONNECT_NEEDED:
        return "reconnect_needed"
    if connection.status == ConnectionStatus.DISCONNECTED:
        return "disconnected"
    if connection.lease_expires_at is not None and connection.lease_expires_at > now:
        return "syncing"
    return "connected"


def _stale_after(services: Services) -> timedelta:
    return max(timedelta(minutes=3 * services.settings.hilal_sync_active_minutes), _MIN_STALE)


def _health(
    services: Services, scope: DigestScope, data: _Data, lagging: set[str], now: datetime
) -> list[HealthVM]:
    found = {c.region: c for c in data.connections}
    health: list[HealthVM] = []
    for region in (r for r in ALL_REGIONS if r in scope.regions):
        connection = found.get(region)
        if connection is None:
            if scope.regions != ALL_REGIONS:
                health.append(HealthVM(region, None, "not_connected"))
            continue
        state = _state(connection, now)
        last = connection.last_success_at
        url = None
        if state == "reconnect_needed":
            url = connect_url(
                services,
                team_id=scope.team_id,
                enterprise_id=connection.enterprise_id or scope.enterprise_id,
                user_id=scope.subscriber_id,
                region=region,
            )
        stale = region in lagging or last is None or now - last > _stale_after(services)
        health.append(HealthVM(region, last, state, url, stale))
    return health


def _chart(
    parts: Sequence[tuple[Profile, Sequence[CampaignDay], date]], loaded: Mapping[int, set[date]]
) -> tuple[ChartSeries, ...]:
    per_currency: dict[str, dict[date, Totals]] = defaultdict(dict)
    ends: dict[str, date] = {}
    missing: dict[str, set[date]] = defaultdict(set)
    for profile, campaigns, day in parts:
        cur = profile.currency_code
        ends[cur] = max(ends.get(cur, day), day)
        have = loaded.get(cast(int, profile.id), set())
        missing[cur].update(
            day - timedelta(days=n) for n in range(CHART_DAYS) if day - timedelta(days=n) not in have
        )
        for campaign in campaigns:
            for d, t in campaign.daily.items():
                per_currency[cur][d] = per_currency[cur].get(d, Totals()) + t
    series = []
    for cur in sorted(ends):
        days = tuple(ends[cur] - timedelta(days=n) for n in range(CHART_DAYS - 1, -1, -1))
        values = [None if d in missing[cur] else per_currency[cur].get(d, Totals()) for d in days]
        spend = tuple(v.cost if v is not None else None for v in values)
        series.append(
            ChartSeries(cur, days, spend, tuple(v.sales if v is not None else None for v in values))
        )
    return tuple(series)


def build_digest(services: Services, *, scope: DigestScope, now: datetime) -> DigestBuild:
    """Build one digest for `scope` as of `now` (UTC).

    Args:
        services: Shared services (engine, settings for links and freshness).
        scope: Team, regions or view, the reader's time zone, the subscriber (for Reconnect links).
        now: The current instant; "yesterday" is computed from it per marketplace.

    Returns:
        The view-model, the 14-day chart series per currency, and each marketplace's digest day.
    """
    with session_scope(services.engine, readonly=True) as session:
        data = _load(session, scope, now)
    label_day = local_today(now, parse_zone(scope.timezone).key) - timedelta(days=1)
    rows: dict[int, list[MetricRow]] = defaultdict(list)
    for row in data.metrics:
        rows[row.profile_pk].append(row)
    regions: list[RegionDigestVM] = []
    chart_parts: list[tuple[Profile, Sequence[CampaignDay], date]] = []
    lagging: set[str] = set()
    days: dict[str, date] = {}
    live = {c.id for c in data.connections if c.status != ConnectionStatus.DISCONNECTED}
    for region in ALL_REGIONS:
        profiles = [p for p in data.profiles if p.region == region and p.connection_id in live]
        if not profiles:
            continue
        marketplaces, totals = [], []
        for profile in profiles:
            day = _yesterday(profile, now)
            days[profile.profile_id] = day
            campaigns = _campaign_days(data, profile, rows[cast(int, profile.id)], day)
            mp_vm, today = _marketplace(data, profile, campaigns, day, label_day)
            marketplaces.append(mp_vm)
            if today is not None:
                totals.append((profile.currency_code, today))
            chart_parts.append((profile, campaigns, day))
            if _synced_before_day_end(data, profile, day):
                lagging.add(region)
        not_loaded = sum(1 for mp in marketplaces if not mp.loaded)
        regions.append(RegionDigestVM(region, marketplaces, _currency_totals(totals), not_loaded=not_loaded))
    vm = DigestVM(
        date_label=date_label(label_day),
        regions=regions,
        health=_health(services, scope, data, lagging, now),
        restatement_note=RESTATEMENT_NOTE,
        view_name=data.view.name if data.view else None,
    )
    return DigestBuild(vm, _chart(chart_parts, data.loaded), days)


def _synced_before_day_end(data: _Data, profile: Profile, day: date) -> bool:
    """No successful sync since the marketplace's digest day ended: that day cannot be complete."""
    connection = next((c for c in data.connections if c.id == profile.connection_id), None)
    if connection is None or connection.last_success_at is None:
        return True
    day_end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=parse_zone(profile.timezone))
    return connection.last_success_at < day_end
