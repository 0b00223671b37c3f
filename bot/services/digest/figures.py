"""The digest's numbers: exact Decimal sums, ratios and changes over campaign-day rows, for view-models
(`bot.blocks.digest` formats them).

Definitions (the ones printed in the digest):
- *Day* is yesterday in the marketplace's own time zone (`Profile.timezone`); money is in the profile's
  currency and never summed across currencies.
- Spend = Σ cost, Sales = Σ sales, ACOS = spend / sales, ROAS = sales / spend, CTR = clicks / impressions,
  CPC = spend / clicks. A zero denominator shows "—".
- Only *loaded* days count (a report covering the day completed, see `storage.repositories.loaded_days`):
  a loaded day without rows is a real zero, a day not loaded is no figure at all. *vs prev* compares with
  the day before ("—" when that day is not loaded); *vs avg* with the average of the loaded days among the
  7 before the day ("5 of 7 days"; "—" when none is). Money and counts show the relative change
  (▲ 12.3%); ROAS and CPC too. ACOS and CTR, which are percentages already, show the change in
  percentage points (▲ 1.5 pp), and their 7-day value is the ratio of the window's sums, not an average
  of daily ratios.
- *Out of budget*: a campaign whose cost on the day reached its daily budget (cost ≥ budget > 0). The
  budget is the day's budget from the report row, else the campaign's current budget; Amazon may spend
  up to 25% over a daily budget on one day, so "≥" catches those days too.
- *Movers*: the largest absolute changes in spend against the day before (ties by name).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from bot.viewmodels import Change, DigestLineVM, DigestMetricVM, Money
from bot.viewmodels.digest import MetricKind

__all__ = [
    "AVG_DAYS",
    "CampaignDay",
    "Totals",
    "build_metrics",
    "movers",
    "out_of_budget",
    "ratio",
    "top_campaigns",
]

AVG_DAYS = 7
MAX_LINES = 5


def ratio(numerator: Decimal | int, denominator: Decimal | int) -> Decimal | None:
    """numerator / denominator, exactly enough for display; None when the denominator is zero."""
    if denominator == 0:
        return None
    return Decimal(numerator) / Decimal(denominator)


@dataclass(frozen=True, slots=True)
class Totals:
    """Summed performance (one campaign-day, a marketplace-day, or a 7-day window)."""

    impressions: int = 0
    clicks: int = 0
    cost: Decimal = Decimal(0)
    sales: Decimal = Decimal(0)
    orders: int = 0

    def __add__(self, other: Totals) -> Totals:
        return Totals(
            self.impressions + other.impressions,
            self.clicks + other.clicks,
            self.cost + other.cost,
            self.sales + other.sales,
            self.orders + other.orders,
        )

    @staticmethod
    def sum(items: Iterable[Totals]) -> Totals:
        total = Totals()
        for item in items:
            total = total + item
        return total


@dataclass(frozen=True, slots=True)
class CampaignDay:
    """One campaign's figures around the digest day."""

    name: str
    day: Totals
    prev: Totals
    budget: Decimal | None = None
    daily: dict[date, Totals] = field(default_factory=dict)


Fraction = tuple[Decimal, Decimal]  # (numerator, denominator), kept apart so each figure divides once


def _pp(current: Fraction, base: Fraction) -> Change | None:
    """Change between two percentages in points, from exact parts (one division, no drift)."""
    (n1, d1), (n2, d2) = current, base
    if d1 == 0 or d2 == 0:
        return None
    return Change((n1 * d2 - n2 * d1) * 100 / (d1 * d2), points=True)


def _rel_ratio(current: Fraction, base: Fraction) -> Change | None:
    """Relative change between two ratios n1/d1 and n2/d2 as (n1·d2) vs (n2·d1): exact inputs."""
    (n1, d1), (n2, d2) = current, base
    if d1 == 0 or d2 == 0:
        return None
    return Change.relative(n1 * d2, n2 * d1)


def _vs(value: Decimal | int, base: Totals | None, attr: str, times: int = 1) -> Change | None:
    """The relative change of ``value`` (times ``times``) against ``base``'s figure; None without a base."""
    if base is None:
        return None
    return Change.relative(Decimal(value) * times, Decimal(getattr(base, attr)))


def build_metrics(
    day: Totals, prev: Totals | None, week: Totals | None, currency: str, *, week_days: int = AVG_DAYS
) -> list[DigestMetricVM]:
    """The nine metric tiles of a marketplace: value, vs the day before, vs the average of the window.

    Args:
        day: The day's totals (a loaded day).
        prev: The day before, or None when it is not loaded (its comparisons are None: "—").
        week: The sums over the loaded days of the 7 before the day, or None when none is loaded.
        currency: The marketplace's currency.
        week_days: How many days `week` sums (the average's divisor).

    The average comparison uses `week_days` times the day against the window's sum, which is the same
    change without dividing first (a rounded average could tip a half-way figure the wrong way).
    """
    if week_days <= 0:
        week = None
    blank = (Decimal(0), Decimal(0))

    def tile(label: str, attr: str, value: Money | int) -> DigestMetricVM:
        raw = getattr(day, attr)
        kind: MetricKind = "money" if isinstance(value, Money) else "count"
        return DigestMetricVM(label, value, _vs(raw, prev, attr), _vs(raw, week, attr, week_days), kind)

    def parts(num: str, den: str) -> list[Fraction]:  # a missing day divides by zero: "—"
        return [
            (Decimal(getattr(t, num)), Decimal(getattr(t, den))) if t is not None else blank
            for t in (day, prev, week)
        ]

    acos, roas = parts("cost", "sales"), parts("sales", "cost")
    ctr, cpc = parts("clicks", "impressions"), parts("cost", "clicks")
    cpc_now = ratio(day.cost, day.clicks)
    return [
        tile("Spend", "cost", Money(day.cost, currency)),
        tile("Sales", "sales", Money(day.sales, currency)),
        DigestMetricVM("ACOS", ratio(*acos[0]), _pp(acos[0], acos[1]), _pp(acos[0], acos[2]), "percent"),
        DigestMetricVM(
            "ROAS", ratio(*roas[0]), _rel_ratio(roas[0], roas[1]), _rel_ratio(roas[0], roas[2]), "multiple"
        ),
        tile("Orders", "orders", day.orders),
        tile("Clicks", "clicks", day.clicks),
        tile("Impressions", "impressions", day.impressions),
        DigestMetricVM("CTR", ratio(*ctr[0]), _pp(ctr[0], ctr[1]), _pp(ctr[0], ctr[2]), "percent", places=2),
        DigestMetricVM(
            "CPC",
            Money(cpc_now, currency) if cpc_now is not None else None,
            _rel_ratio(cpc[0], cpc[1]),
            _rel_ratio(cpc[0], cpc[2]),
        ),
    ]


def top_campaigns(campaigns: Sequence[CampaignDay], currency: str) -> list[DigestLineVM]:
    """Campaigns with spend on the day, highest spend first (with their sales; the renderer adds ACOS)."""
    spending = sorted((c for c in campaigns if c.day.cost > 0), key=lambda c: (-c.day.cost, c.name))
    return [
        DigestLineVM(c.name, Money(c.day.cost, currency), sales=Money(c.day.sales, currency))
        for c in spending[:MAX_LINES]
    ]


def movers(campaigns: Sequence[CampaignDay], currency: str) -> list[DigestLineVM]:
    """Largest absolute spend changes against the day before (with the day before's spend)."""
    moved = [c for c in campaigns if c.day.cost != c.prev.cost]
    moved.sort(key=lambda c: (-abs(c.day.cost - c.prev.cost), c.name))
    return [
        DigestLineVM(c.name, Money(c.day.cost, currency), previous=Money(c.prev.cost, currency))
        for c in moved[:MAX_LINES]
    ]


def out_of_budget(campaigns: Sequence[CampaignDay], currency: str) -> list[DigestLineVM]:
    """Campaigns whose cost on the day reached their daily budget (see the module docstring)."""
    capped = [c for c in campaigns if c.budget is not None and c.budget > 0 and c.day.cost >= c.budget]
    capped.sort(key=lambda c: (-c.day.cost, c.name))
    return [
        DigestLineVM(c.name, Money(c.day.cost, currency), budget=Money(c.budget or Decimal(0), currency))
        for c in capped
    ]


def window(day: date, days: int) -> tuple[date, date]:
    """The `days` calendar days before `day` (inclusive bounds)."""
    return day - timedelta(days=days), day - timedelta(days=1)
