"""Digest view-models: one digest per subscription, per region, per marketplace, and sync health."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Literal, NamedTuple

from bot.viewmodels.common import Change, Money, Region, RegionState

__all__ = [
    "CurrencyTotalVM",
    "DigestLineVM",
    "DigestMetricVM",
    "DigestVM",
    "HealthVM",
    "MarketplaceDigestVM",
    "MetricKind",
    "RegionDigestVM",
]


# --- Digest ----------------------------------------------------------------------------------------------


MetricKind = Literal["money", "count", "percent", "multiple"]


@dataclass(frozen=True, slots=True)
class DigestMetricVM:
    """One metric tile, e.g. Spend €1,234.00, ▲ 12.3% vs the previous day, ▼ 2.0% vs the 7-day average.

    Attributes:
        label: e.g. "Spend".
        value: ``Money`` ("money"), an ``int`` ("count"), or a ratio: "percent" (``0.123`` is 12.3%, to
            ``places`` decimals) or "multiple" (ROAS, ``2.5`` is 2.50x); None when it cannot be computed
            (a zero denominator), shown "—".
        vs_prev: The change against the day before; None when there is nothing to compare with ("—").
        vs_avg: The change against the average of the loaded days of the window; None likewise.
        kind: How ``value`` reads.
        places: Decimal places of a percentage.
    """

    label: str
    value: Money | Decimal | int | None
    vs_prev: Change | None
    vs_avg: Change | None
    kind: MetricKind = "money"
    places: int = 1


@dataclass(frozen=True, slots=True)
class DigestLineVM:
    """A campaign line in the digest: its spend on the day and what its section shows beside it.

    Attributes:
        name: The campaign's name.
        spend: Its spend on the day.
        sales: Its sales on the day (top campaigns).
        previous: Its spend the day before (movers; zero: a new spender).
        budget: Its daily budget (out of budget).
    """

    name: str
    spend: Money
    sales: Money | None = None
    previous: Money | None = None
    budget: Money | None = None


@dataclass(frozen=True, slots=True)
class MarketplaceDigestVM:
    """Yesterday (in the marketplace's time zone) for one marketplace, in its own currency.

    Attributes:
        country: Country code, e.g. "DE" (the renderer adds its flag).
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
    """A region total for one currency (regions are never summed across currencies): amounts in it."""

    currency: str
    spend: Decimal
    sales: Decimal


@dataclass(frozen=True, slots=True)
class RegionDigestVM:
    """One region's part of the digest; ``region_name`` is derived from ``region`` when empty.

    ``not_loaded`` counts the marketplaces whose day is not loaded yet: the currency totals leave them out.
    """

    region: Region
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

    region: Region
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
