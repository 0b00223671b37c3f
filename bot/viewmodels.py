"""View-models: the contract between services (which build them) and Block Kit renderers (which draw them).

Plain frozen dataclasses, stdlib only. Every string a user sees arrives already formatted (money, dates,
percentages: see ``bot.blocks.format``); renderers only escape, truncate and lay out. Sequence fields
accept lists or tuples; set fields accept ``set`` or ``frozenset``.

``render_key`` fields are a short per-render token chosen by the caller (a counter or a timestamp). It is
appended to the ``block_id`` of stateful blocks so that Slack redraws ``initial_options`` after an update
instead of keeping a stale selection (reference §1.2, §1.4). Renderers never invent one (no clock, no
randomness): an empty key gives fixed block ids.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, NamedTuple

__all__ = [
    "AccountType",
    "AdGroupVM",
    "CampaignDetailVM",
    "CampaignFilterVM",
    "CampaignMatchVM",
    "CampaignPageVM",
    "CampaignRowVM",
    "CommandHelp",
    "CurrencyGroupVM",
    "CurrencyTotalVM",
    "DigestLineVM",
    "DigestMetricVM",
    "DigestVM",
    "HealthVM",
    "HomeVM",
    "KeywordVM",
    "MarketplaceDigestVM",
    "MarketplaceOptionVM",
    "MarketplacePickerVM",
    "NoteVM",
    "RegionCardVM",
    "RegionCode",
    "RegionDigestVM",
    "RegionState",
    "SavedViewVM",
    "SortKey",
    "SyncProgressVM",
]

RegionCode = Literal["na", "eu", "fe"]
RegionState = Literal["not_connected", "connected", "syncing", "reconnect_needed", "disconnected"]
AccountType = Literal["seller", "vendor", "agency"]
SortKey = Literal["spend", "name", "acos"]


# --- Regions -------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RegionCardVM:
    """One region's card (App Home, `/hilal regions`, `/hilal connect REGION`).

    Attributes:
        region: "na", "eu" or "fe".
        region_name: Display name, e.g. "Europe".
        state: Connection state; decides the buttons.
        connect_url: Hilal's ``/amazon/oauth/start`` link, used by Connect and Reconnect (None hides them).
        marketplaces: Selected marketplaces, already formatted, e.g. "🇩🇪 DE · Acme GmbH".
        last_sync: When the last sync finished, or None (the renderer shows it in the reader's zone).
        next_sync: When the next scheduled sync starts, or None.
        sync_progress: e.g. "2 of 3 marketplaces" while syncing.
        reports_loading: Performance reports Amazon is still preparing for this region (0 when none).
        loading_since: When the oldest of those reports was asked for, or None.
        warning: One line shown with a warning sign (e.g. why a reconnect is needed).
        render_key: Per-render block_id suffix (see module docstring).
        needs_marketplaces: Connected, but the marketplaces are not chosen (saved) yet, e.g. right after
            a (re)connect: the card asks for them instead of saying "Connected", and nothing syncs.
    """

    region: RegionCode
    region_name: str
    state: RegionState
    connect_url: str | None = None
    marketplaces: Sequence[str] = ()
    last_sync: datetime | None = None
    next_sync: datetime | None = None
    sync_progress: str | None = None
    reports_loading: int = 0
    loading_since: datetime | None = None
    warning: str | None = None
    render_key: str = ""
    needs_marketplaces: bool = False


# --- Marketplace picker ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MarketplaceOptionVM:
    """One Amazon Ads profile the user may tick (one region + marketplace + account).

    Attributes:
        profile_id: Amazon profile id (the option value; ≤ 150 chars).
        country_code: Marketplace country code, e.g. "DE", "UK".
        flag: Flag emoji (``bot.blocks.format.flag``).
        account_name: Account (seller / vendor / agency) name.
        account_type: "seller", "vendor" or "agency".
        view_only: The grant only allows reading.
        selectable: False: shown and explained, never offered as an option.
        reason: Why it is not selectable (a default per account type is used when None).
    """

    profile_id: str
    country_code: str
    flag: str
    account_name: str
    account_type: AccountType = "seller"
    view_only: bool = False
    selectable: bool = True
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class MarketplacePickerVM:
    """The marketplace picker for one region.

    Attributes:
        region: "na", "eu" or "fe".
        options: ALL profiles of the region, in display order; the renderer pages them
            (``bot.blocks.marketplaces.page_options``).
        selected: Selected profile ids across all pages (the server-side selection).
        page: Zero-based page index (only used when there are more than 100 selectable profiles).
        reconnect: True right after a reconnect: the previous selection is pre-ticked and must be confirmed.
        region_name: Display name; derived from ``region`` when empty.
        render_key: Per-render block_id suffix (see module docstring).
    """

    region: RegionCode
    options: Sequence[MarketplaceOptionVM]
    selected: AbstractSet[str] = frozenset()
    page: int = 0
    reconnect: bool = False
    region_name: str = ""
    render_key: str = ""


# --- Help ------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CommandHelp:
    """One help row, e.g. ("connect REGION", "Connect an Amazon Ads region", "/hilal connect eu")."""

    usage: str
    description: str
    example: str


# --- Campaigns -------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CampaignFilterVM:
    """The current campaign filter (the user's last selection or a saved view).

    Attributes:
        regions: Selected region codes; empty means all.
        marketplaces: Selected marketplace option values (from ``CampaignPageVM.marketplace_options``).
        states: Selected campaign states ("enabled", "paused", "archived"); empty means all.
        tags: Selected tags; empty means any.
        search: Text search on the campaign name, or None.
        sort: "spend" (default, descending), "name" or "acos".
    """

    regions: Sequence[str] = ()
    marketplaces: Sequence[str] = ()
    states: Sequence[str] = ()
    tags: Sequence[str] = ()
    search: str | None = None
    sort: SortKey = "spend"


@dataclass(frozen=True, slots=True)
class CampaignRowVM:
    """One campaign in a list; money and ratios already formatted in the marketplace's own currency.

    Attributes:
        campaign_id: Hilal's internal campaign id (stable across reconnects).
        name: Campaign name (user controlled: escaped by the renderer).
        region: "na", "eu" or "fe".
        marketplace: Country code, e.g. "DE".
        flag: Flag emoji.
        ad_type: e.g. "SP", "SB", "SD".
        state: e.g. "enabled", "paused", "archived".
        budget: e.g. "€50.00 / day".
        spend_7d: e.g. "€123.40".
        sales_7d: e.g. "€456.00".
        acos_7d: e.g. "27.1%" or "—".
        tags: Team tags.
        has_note: At least one note exists.
        stale: Data is "as of last sync" (region disconnected or reconnect needed).
        days_loaded: Days of the 7-day window Amazon has delivered for the campaign's marketplace; the
            7-day figures cover only those (``window_label``: "5 of 7 days").
    """

    campaign_id: str
    name: str
    region: str
    marketplace: str
    flag: str
    ad_type: str
    state: str
    budget: str
    spend_7d: str
    sales_7d: str
    acos_7d: str
    tags: Sequence[str] = ()
    has_note: bool = False
    stale: bool = False
    days_loaded: int = 7

    @property
    def window_label(self) -> str:
        """ "7 days", or "5 of 7 days" when some days of the window are not loaded yet."""
        return "7 days" if self.days_loaded >= 7 else f"{max(self.days_loaded, 0)} of 7 days"


@dataclass(frozen=True, slots=True)
class CurrencyGroupVM:
    """One currency group's part of a page of a list sorted by money (spend is compared only within a
    currency).

    Attributes:
        currency: ISO code, e.g. "JPY".
        count: Campaigns of this currency in the whole list (not only on this page).
        first_row: Index in ``CampaignPageVM.rows`` of the group's first row on this page.
        continued: The group began on an earlier page.
    """

    currency: str
    count: int
    first_row: int
    continued: bool = False


@dataclass(frozen=True, slots=True)
class CampaignPageVM:
    """One page of the filtered campaign list.

    Attributes:
        filter: The filter that produced the page.
        rows: The rows of this page (at most ``bot.blocks.campaigns.page_size(surface)``).
        total: Number of campaigns matching the filter.
        offset: Zero-based index of the first row.
        page_size: Rows per page used by the service (for Previous/Next offsets).
        marketplace_options: (value, label) pairs for the marketplace filter, already limited to the
            chosen regions; label e.g. "🇩🇪 DE".
        tag_options: All tags of the team, for the tag filter.
        synced_at: When the team's last sync finished (shown in the reader's own zone), or None.
        view_name: The saved view whose filter this page shows, when it matches one exactly.
        render_key: Per-render block_id suffix (see module docstring).
        groups: The currency groups on this page, in row order, when the list is sorted by money and
            spans several currencies; empty otherwise (one currency, or a sort by name or ACOS).
    """

    filter: CampaignFilterVM
    rows: Sequence[CampaignRowVM]
    total: int
    offset: int = 0
    page_size: int = 20
    marketplace_options: Sequence[tuple[str, str]] = ()
    tag_options: Sequence[str] = ()
    synced_at: datetime | None = None
    render_key: str = ""
    groups: Sequence[CurrencyGroupVM] = ()
    view_name: str | None = None


@dataclass(frozen=True, slots=True)
class CampaignMatchVM:
    """A candidate when a campaign name given in a command matches several campaigns."""

    campaign_id: str
    name: str
    region: str
    marketplace: str
    flag: str
    ad_type: str
    state: str


@dataclass(frozen=True, slots=True)
class AdGroupVM:
    """An ad group line in the campaign details modal.

    Attributes:
        spend_7d: Spend on the ad group's keywords in the window, formatted; "—" when none of the
            window's keyword reports is loaded yet (never a zero for days Amazon has not delivered).
        days_loaded: Days of the window whose keyword report is loaded.
    """

    name: str
    state: str
    default_bid: str
    spend_7d: str = "—"
    days_loaded: int = 7

    @property
    def window_label(self) -> str:
        """ "7 days", or "5 of 7 days" when some days are not loaded yet."""
        return "7 days" if self.days_loaded >= 7 else f"{max(self.days_loaded, 0)} of 7 days"


@dataclass(frozen=True, slots=True)
class KeywordVM:
    """A keyword line in the campaign details modal (top keywords by 7-day spend)."""

    text: str
    match_type: str
    bid: str
    spend_7d: str
    sales_7d: str
    acos_7d: str


@dataclass(frozen=True, slots=True)
class NoteVM:
    """A team note: ``author`` is a Slack user id (rendered as a mention), ``date`` already formatted."""

    author: str
    date: str
    text: str


@dataclass(frozen=True, slots=True)
class CampaignDetailVM:
    """Everything the details modal shows for one campaign.

    Attributes:
        campaign: The campaign's list row (name, marketplace, budget, 7-day metrics, tags, stale flag).
        ad_groups: Ad groups to list (the renderer shows at most 15).
        ad_groups_total: Total number of ad groups (for "and N more").
        top_keywords: Top keywords by 7-day spend (the renderer shows at most 10).
        notes: Newest first (the renderer shows at most 10).
        amazon_campaign_id: Amazon's campaign id, shown for support, or None.
        synced_at: When the team's last sync finished, or None.
    """

    campaign: CampaignRowVM
    ad_groups: Sequence[AdGroupVM] = ()
    ad_groups_total: int = 0
    top_keywords: Sequence[KeywordVM] = ()
    notes: Sequence[NoteVM] = ()
    amazon_campaign_id: str | None = None
    synced_at: datetime | None = None


# --- Saved views and Home --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SavedViewVM:
    """A named filter: ``owner`` is a Slack user id; ``filter_summary`` e.g. "EU · DE, FR · enabled"."""

    name: str
    shared: bool
    owner: str
    filter_summary: str


@dataclass(frozen=True, slots=True)
class HomeVM:
    """The App Home tab: region cards, the campaign list (None before any connection), saved views."""

    cards: Sequence[RegionCardVM]
    campaigns: CampaignPageVM | None = None
    views: Sequence[SavedViewVM] = ()


# --- Digest ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DigestMetricVM:
    """One metric: e.g. ("Spend", "€1,234.00", "▲ 12.3%", "▼ 2.0%") (vs previous day, vs 7-day average)."""

    label: str
    value: str
    vs_prev: str
    vs_avg: str


@dataclass(frozen=True, slots=True)
class DigestLineVM:
    """A campaign line in the digest, e.g. name "Brand - Exact", detail "€210.00 spend · ACOS 18.2%"."""

    name: str
    detail: str


@dataclass(frozen=True, slots=True)
class MarketplaceDigestVM:
    """Yesterday (in the marketplace's time zone) for one marketplace, in its own currency.

    Attributes:
        flag: Flag emoji.
        country: Country code, e.g. "DE".
        account: Account name.
        currency: ISO code, e.g. "EUR".
        metrics: Up to 10 metrics (spend, sales, ACOS, clicks, ...).
        top_campaigns: Top campaigns by spend (at most 5 shown).
        movers: Biggest changes vs the previous day (at most 5 shown).
        out_of_budget: Campaigns that ran out of budget (at most 5 shown).
        local_date: Formatted local date when it differs from the digest's date label, or None.
        loaded: Amazon has delivered the day; when False there are no figures ("not loaded yet", never 0).
        pending_since: When the Amazon report that will load the day was asked for (UTC), or None.
        days_loaded: Days of the ``window_days`` before the day that are loaded (what "vs avg" covers).
        window_days: The length of the "vs avg" window.
    """

    flag: str
    country: str
    account: str
    currency: str
    metrics: Sequence[DigestMetricVM] = ()
    top_campaigns: Sequence[DigestLineVM] = ()
    movers: Sequence[DigestLineVM] = ()
    out_of_budget: Sequence[DigestLineVM] = ()
    local_date: str | None = None
    loaded: bool = True
    pending_since: datetime | None = None
    days_loaded: int = 7
    window_days: int = 7


class CurrencyTotalVM(NamedTuple):
    """A region total for one currency (regions are never summed across currencies)."""

    currency: str
    spend: str
    sales: str
    acos: str


@dataclass(frozen=True, slots=True)
class RegionDigestVM:
    """One region's part of the digest; ``region_name`` is derived from ``region`` when empty.

    ``not_loaded`` counts the marketplaces whose day is not loaded yet: the currency totals leave them out.
    """

    region: RegionCode
    marketplaces: Sequence[MarketplaceDigestVM] = ()
    currency_totals: Sequence[CurrencyTotalVM] = ()
    region_name: str = ""
    not_loaded: int = 0


@dataclass(frozen=True, slots=True)
class HealthVM:
    """Sync health of one region for the digest footer.

    Attributes:
        region: "na", "eu" or "fe".
        last_sync: When the last sync finished, or None (shown in each reader's own zone).
        state: The region's connection state.
        reconnect_url: Link for a Reconnect button (shown for reconnect_needed), or None.
        stale: The last sync is older than expected.
    """

    region: RegionCode
    last_sync: datetime | None
    state: RegionState
    reconnect_url: str | None = None
    stale: bool = False


@dataclass(frozen=True, slots=True)
class DigestVM:
    """One daily digest for one subscription.

    Attributes:
        date_label: e.g. "Tue 14 May 2025".
        regions: Regions in display order.
        health: Sync health per region (the footer).
        restatement_note: e.g. "Amazon may restate the last 3 days", or None.
        chart_url: Public URL of a chart image, or None.
        view_name: The saved view the subscription is filtered by, or None.
        chart_file_id: Slack file id of the uploaded chart (an image block with ``slack_file``), or None.
    """

    date_label: str
    regions: Sequence[RegionDigestVM] = ()
    health: Sequence[HealthVM] = ()
    restatement_note: str | None = None
    chart_url: str | None = None
    view_name: str | None = None
    chart_file_id: str | None = None


# --- Sync ------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SyncProgressVM:
    """Progress of a region's sync, shown by updating one message.

    Attributes:
        region: "na", "eu" or "fe".
        profiles_done: Marketplaces (profiles) finished so far.
        profiles_total: Marketplaces in scope.
        counts: Entity counts so far, keyed "campaigns", "ad_groups", "keywords", "targets", ...
        days: Days of performance loaded.
        finished: The sync is over (successfully or not).
        summary: Optional extra line for the finished message.
        error: What went wrong (user-facing), or None.
        reports_pending: Performance reports Amazon is still preparing: the performance is still loading
            (the message says so instead of a number of days).
    """

    region: RegionCode
    profiles_done: int
    profiles_total: int
    counts: Mapping[str, int] = field(default_factory=dict)
    days: int = 0
    finished: bool = False
    summary: str | None = None
    error: str | None = None
    reports_pending: int = 0
