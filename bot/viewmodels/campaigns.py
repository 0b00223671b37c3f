"""Campaign view-models: the filter, the list page, a campaign's detail and saved views."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Literal

from bot.viewmodels.common import Money, SortKey
from bot.viewmodels.pacing import PacingLineVM, PacingReadingsVM

__all__ = [
    "AT_RISK_PERCENT",
    "HOME_PAGE_SIZE",
    "MESSAGE_PAGE_SIZE",
    "AdGroupVM",
    "CampaignDetailVM",
    "CampaignFilterVM",
    "CampaignMatchVM",
    "CampaignPageVM",
    "CampaignRowVM",
    "CurrencyGroupVM",
    "KeywordVM",
    "NoteVM",
    "SavedViewVM",
    "Surface",
    "acos",
    "page_size",
]

Surface = Literal["message", "home"]
MESSAGE_PAGE_SIZE = 20  # rows in a message: 50 blocks and 10,000 characters
HOME_PAGE_SIZE = 25  # rows on App Home: 100 blocks
AT_RISK_PERCENT = 80  # the "at risk" filter: today's budget usage at least this percent


def acos(spend: Money, sales: Money) -> Decimal | None:
    """ACOS = spend / sales, as a ratio (both in one currency); None when there were no sales.

    Raises:
        ValueError: The two amounts are in different currencies.
    """
    if spend.currency != sales.currency:
        raise ValueError(f"ACOS of {spend.currency} spend over {sales.currency} sales")
    if sales.amount == 0:
        return None
    return spend.amount / sales.amount


def page_size(surface: Surface) -> int:
    """Rows per page for a surface (the renderer's budget, which the list query follows)."""
    return MESSAGE_PAGE_SIZE if surface == "message" else HOME_PAGE_SIZE


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
        sort: "spend" (default, descending), "name", "acos" or "usage" (today's budget usage).
        at_risk: Only campaigns at or over ``AT_RISK_PERCENT`` of today's budget.
    """

    regions: Sequence[str] = ()
    marketplaces: Sequence[str] = ()
    states: Sequence[str] = ()
    tags: Sequence[str] = ()
    search: str | None = None
    sort: SortKey = "spend"
    at_risk: bool = False


@dataclass(frozen=True, slots=True)
class CampaignRowVM:
    """One campaign in a list; money in the marketplace's own currency (the renderer formats it).

    Attributes:
        campaign_id: Hilal's internal campaign id (stable across reconnects).
        name: Campaign name (user controlled: escaped by the renderer).
        region: "na", "eu" or "fe".
        marketplace: Country code, e.g. "DE" (the renderer adds its flag).
        ad_type: e.g. "SP", "SB", "SD".
        state: e.g. "enabled", "paused", "archived".
        budget: The budget, or None when Amazon gave none (shown "—").
        spend_7d: Spend over the loaded days of the window.
        sales_7d: Sales over the same days.
        budget_type: Amazon's budget type, e.g. "daily" (shown "/ day") or "lifetime".
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
    ad_type: str
    state: str
    budget: Money | None
    spend_7d: Money
    sales_7d: Money
    budget_type: str = "daily"
    tags: Sequence[str] = ()
    has_note: bool = False
    stale: bool = False
    days_loaded: int = 7
    usage_today: PacingLineVM | None = None
    """The latest intraday budget usage (Amazon's figure; "as of …" when not of today), None if unread."""

    @property
    def window_label(self) -> str:
        """ "7 days", or "5 of 7 days" when some days of the window are not loaded yet."""
        return "7 days" if self.days_loaded >= 7 else f"{max(self.days_loaded, 0)} of 7 days"

    @property
    def acos_7d(self) -> Decimal | None:
        """Spend / sales over the window; None without sales."""
        return acos(self.spend_7d, self.sales_7d)


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
        marketplace_options: Country codes for the marketplace filter (the option values), already
            limited to the chosen regions; the renderer labels them, e.g. "🇩🇪 DE".
        tag_options: All tags of the team, for the tag filter.
        synced_at: When the team's last sync finished (shown in the reader's own zone), or None.
        view_name: The saved view whose filter this page shows, when it matches one exactly.
        render_key: Per-render block_id suffix (see module docstring).
        groups: The currency groups on this page, in row order, when the list is sorted by money and
            spans several currencies; empty otherwise (one currency, or a sort by name or ACOS).
        pausable: Enabled SP campaigns the filter lists (the count a bulk pause would change); 0 hides it.
        enablable: Paused SP campaigns the filter lists (a bulk enable's count); 0 hides it.
        can_edit: The viewer may make live edits: rows offer Pause / Enable and Change daily budget, and a
            filtered list offers "Pause all N shown…" / "Enable all N shown…".
    """

    filter: CampaignFilterVM
    rows: Sequence[CampaignRowVM]
    total: int
    offset: int = 0
    page_size: int = 20
    marketplace_options: Sequence[str] = ()
    tag_options: Sequence[str] = ()
    synced_at: datetime | None = None
    render_key: str = ""
    groups: Sequence[CurrencyGroupVM] = ()
    view_name: str | None = None
    can_edit: bool = False
    pausable: int = 0
    enablable: int = 0


@dataclass(frozen=True, slots=True)
class CampaignMatchVM:
    """A candidate when a campaign name given in a command matches several campaigns."""

    campaign_id: str
    name: str
    region: str
    marketplace: str
    ad_type: str
    state: str


@dataclass(frozen=True, slots=True)
class AdGroupVM:
    """An ad group line in the campaign details modal.

    Attributes:
        default_bid: The ad group's default bid, or None (shown "—").
        spend_7d: Spend on the ad group's keywords in the window; None (shown "—") when unknown. When
            none of the window's keyword reports is loaded yet (``days_loaded`` 0) the renderer says
            "not loaded", never a zero for days Amazon has not delivered.
        days_loaded: Days of the window whose keyword report is loaded.
    """

    name: str
    state: str
    default_bid: Money | None
    spend_7d: Money | None = None
    days_loaded: int = 7

    @property
    def window_label(self) -> str:
        """ "7 days", or "5 of 7 days" when some days are not loaded yet."""
        return "7 days" if self.days_loaded >= 7 else f"{max(self.days_loaded, 0)} of 7 days"


@dataclass(frozen=True, slots=True)
class KeywordVM:
    """A keyword line in the campaign details modal (top keywords by 7-day spend).

    ``bid`` is the keyword's bid, or its ad group's default bid when ``default_bid`` (Amazon uses that
    when the keyword has none), or None (shown "—"). ``keyword_id`` is Hilal's row id ("" when unknown:
    no edit entries); ``state`` e.g. "enabled".
    """

    text: str
    match_type: str
    bid: Money | None
    spend_7d: Money
    sales_7d: Money
    keyword_id: str = ""
    state: str = ""
    default_bid: bool = False

    @property
    def acos_7d(self) -> Decimal | None:
        """Spend / sales over the window; None without sales."""
        return acos(self.spend_7d, self.sales_7d)


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
        can_edit: The viewer may make live edits (Pause / Enable, Change daily budget, per-keyword bid).
        pacing: The budget-usage readings of the campaign's latest day (None: never read).
        edited_by: Who last changed the campaign from Slack (a user id; syncs keep it), or None.
        edited_at: When they did.
    """

    campaign: CampaignRowVM
    ad_groups: Sequence[AdGroupVM] = ()
    ad_groups_total: int = 0
    top_keywords: Sequence[KeywordVM] = ()
    notes: Sequence[NoteVM] = ()
    amazon_campaign_id: str | None = None
    synced_at: datetime | None = None
    can_edit: bool = False
    pacing: PacingReadingsVM | None = None
    edited_by: str | None = None
    edited_at: datetime | None = None


# --- Saved views and Home --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SavedViewVM:
    """A named filter: ``owner`` is a Slack user id; the renderer summarises ``filter`` in one line."""

    name: str
    shared: bool
    owner: str
    filter: CampaignFilterVM
