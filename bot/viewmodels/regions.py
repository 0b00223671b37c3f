"""Region view-models: the region card, the marketplace picker and sync progress."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import datetime

from bot.viewmodels.common import AccountType, Region, RegionState

__all__ = [
    "PICKER_PAGE_SIZE",
    "MarketplaceOptionVM",
    "MarketplacePickerVM",
    "ReconnectNoticeVM",
    "RegionCardVM",
    "SyncProgressVM",
    "page_options",
]


# --- Regions -------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RegionCardVM:
    """One region's card (App Home, `/hilal regions`, `/hilal connect REGION`).

    Attributes:
        region: "na", "eu" or "fe".
        region_name: Display name, e.g. "Europe".
        state: Connection state; decides the buttons.
        connect_url: Hilal's ``/amazon/oauth/start`` link, used by Connect and Reconnect (None hides them).
        marketplaces: Selected marketplaces as (country code, account name), e.g. ("DE", "Acme GmbH");
            the renderer shows "🇩🇪 DE · Acme GmbH".
        last_sync: When the last sync finished, or None (the renderer shows it in the reader's zone).
        next_sync: When the next scheduled sync starts, or None.
        sync_progress: e.g. "2 of 3 marketplaces" while syncing.
        reports_loading: Performance reports Amazon is still preparing for this region (0 when none).
        loading_since: When the oldest of those reports was asked for, or None.
        warning: One line shown with a warning sign (e.g. why a reconnect is needed).
        render_key: Per-render block_id suffix (see module docstring).
        needs_marketplaces: Connected, but the marketplaces are not chosen (saved) yet, e.g. right after
            a (re)connect: the card asks for them instead of saying "Connected", and nothing syncs.
        read_only: An admin turned the region's read-only switch on: live edits are refused.
    """

    region: Region
    region_name: str
    state: RegionState
    connect_url: str | None = None
    marketplaces: Sequence[tuple[str, str]] = ()
    last_sync: datetime | None = None
    next_sync: datetime | None = None
    sync_progress: str | None = None
    reports_loading: int = 0
    loading_since: datetime | None = None
    warning: str | None = None
    render_key: str = ""
    needs_marketplaces: bool = False
    read_only: bool = False


# --- Marketplace picker ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MarketplaceOptionVM:
    """One Amazon Ads profile the user may tick (one region + marketplace + account).

    Attributes:
        profile_id: Amazon profile id (the option value; ≤ 150 chars).
        country_code: Marketplace country code, e.g. "DE", "UK" (the renderer adds its flag).
        account_name: Account (seller / vendor / agency) name.
        account_type: "seller", "vendor" or "agency".
        view_only: The grant only allows reading.
        selectable: False: shown and explained, never offered as an option.
        reason: Why it is not selectable (a default per account type is used when None).
    """

    profile_id: str
    country_code: str
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

    region: Region
    options: Sequence[MarketplaceOptionVM]
    selected: AbstractSet[str] = frozenset()
    page: int = 0
    reconnect: bool = False
    region_name: str = ""
    render_key: str = ""


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

    region: Region
    profiles_done: int
    profiles_total: int
    counts: Mapping[str, int] = field(default_factory=dict)
    days: int = 0
    finished: bool = False
    summary: str | None = None
    error: str | None = None
    reports_pending: int = 0


@dataclass(frozen=True, slots=True)
class ReconnectNoticeVM:
    """The notice posted when Amazon stops honouring a region's grant.

    Attributes:
        region: "na", "eu" or "fe".
        reconnect_url: Hilal's link starting the consent again (the Reconnect button).
    """

    region: Region
    reconnect_url: str


PICKER_PAGE_SIZE = 100  # selectable profiles per picker page (a message holds at most 50 blocks)


def page_options(
    options: Sequence[MarketplaceOptionVM], page: int
) -> tuple[list[MarketplaceOptionVM], int, int]:
    """The selectable profiles on ``page`` (clamped), the clamped page index and the page count.

    Args:
        options: All profiles of the region (``MarketplacePickerVM.options``).
        page: The requested zero-based page.

    Returns:
        (profiles on the page, page index, number of pages); one page when there are ≤ 100 profiles.
    """
    selectable = [opt for opt in options if opt.selectable]
    pages = max(1, -(-len(selectable) // PICKER_PAGE_SIZE))
    index = min(max(page, 0), pages - 1)
    return selectable[index * PICKER_PAGE_SIZE : (index + 1) * PICKER_PAGE_SIZE], index, pages
