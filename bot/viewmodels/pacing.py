"""Budget pacing view-models: a campaign's today line, its readings in Details, budget alerts and the
channel's alert subscriptions.

Usage figures are Amazon's intraday budget usage (percent of today's daily budget); the spend estimate
is usage times budget and is always labelled as an estimate, never added to report figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Literal

__all__ = [
    "AlertCampaignVM",
    "AlertFormVM",
    "AlertKind",
    "AlertMessageVM",
    "AlertSubscriptionVM",
    "PacingLineVM",
    "PacingReadingVM",
    "PacingReadingsVM",
]

AlertKind = Literal["at_risk", "out_of_budget"]


@dataclass(frozen=True, slots=True)
class PacingLineVM:
    """A campaign's latest budget usage: `today` False when it is an older day's ("as of …")."""

    percent: Decimal
    read_at: datetime
    today: bool
    estimate: Decimal | None
    currency: str


@dataclass(frozen=True, slots=True)
class PacingReadingVM:
    """One reading of the day: Amazon's time of the figure (local clock text) and the percentage."""

    at: str
    percent: Decimal


@dataclass(frozen=True, slots=True)
class PacingReadingsVM:
    """Details' "Today's budget usage": the day's readings, oldest first, and the latest line."""

    day: str
    readings: tuple[PacingReadingVM, ...]
    latest: PacingLineVM | None


@dataclass(frozen=True, slots=True)
class AlertCampaignVM:
    """One campaign of an alert: e.g. "SP - Trail Shoes" ran out at "14:05 JST", 10 hours left."""

    campaign_pk: int
    name: str
    ad_product: str
    percent: Decimal
    at: str
    hours_left: int
    budget: Decimal | None
    currency: str
    estimate: Decimal | None


@dataclass(frozen=True, slots=True)
class AlertMessageVM:
    """One alert message: one campaign, or several of one marketplace and kind crossing in one poll."""

    kind: AlertKind
    threshold: int
    country: str
    region: str
    campaigns: tuple[AlertCampaignVM, ...]

    @property
    def grouped(self) -> bool:
        """More than one campaign in the message."""
        return len(self.campaigns) > 1


@dataclass(frozen=True, slots=True)
class AlertSubscriptionVM:
    """A channel's alert subscription as `alerts list` shows it."""

    channel_id: str
    threshold: int
    regions: tuple[str, ...]
    marketplaces: tuple[str, ...]
    paused_reason: str | None


@dataclass(frozen=True, slots=True)
class AlertFormVM:
    """The alerts subscribe form: the marketplaces it offers and what it starts with.

    ``marketplaces`` are (region code, country code) pairs of the team's selected marketplaces, in the
    order to show them; ``threshold`` is the "at risk" percentage filled in.
    """

    marketplaces: tuple[tuple[str, str], ...] = ()
    threshold: int = 80
