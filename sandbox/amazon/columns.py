"""Report columns the simulator generates (reference §4.6) and how each metric derives from a day's `Core`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = [
    "CAMPAIGN_COLUMNS",
    "METRIC_COLUMNS",
    "METRIC_FNS",
    "RATIOS",
    "TARGETING_COLUMNS",
    "WINDOWS",
    "Core",
]

WINDOWS = (1, 7, 14, 30)
METRIC_COLUMNS: tuple[str, ...] = (
    "impressions",
    "clicks",
    "cost",
    "spend",
    "costPerClick",
    "clickThroughRate",
    *(f"purchases{w}d" for w in WINDOWS),
    *(f"sales{w}d" for w in WINDOWS),
    *(f"unitsSoldClicks{w}d" for w in WINDOWS),
    *(f"purchasesSameSku{w}d" for w in WINDOWS),
    *(f"attributedSalesSameSku{w}d" for w in WINDOWS),
    *(f"unitsSoldSameSku{w}d" for w in WINDOWS),
    "acosClicks14d",
    "roasClicks14d",
    "topOfSearchImpressionShare",
)
_CAMPAIGN_INFO = (
    "campaignId",
    "campaignName",
    "campaignStatus",
    "campaignBudgetAmount",
    "campaignBudgetType",
    "campaignBudgetCurrencyCode",
)
CAMPAIGN_COLUMNS: dict[str, tuple[str, ...]] = {
    "campaign": (*_CAMPAIGN_INFO, "campaignBiddingStrategy", *METRIC_COLUMNS),
    "adGroup": (*_CAMPAIGN_INFO, "adGroupId", "adGroupName", "adStatus", *METRIC_COLUMNS),
}
TARGETING_COLUMNS: tuple[str, ...] = (
    *_CAMPAIGN_INFO,
    "adGroupId",
    "adGroupName",
    "keywordId",
    "keyword",
    "matchType",
    "targeting",
    "keywordType",
    "keywordBid",
    "adKeywordStatus",
    *METRIC_COLUMNS,
)

Core = tuple[int, int, float, int, int, int, int, float, float, float]
"""impressions, clicks, cost, purchases 1d/7d/14d/30d, average order value, two noise values."""


def _same(c: Core, n: int) -> int:
    p = int(c[3 + n])
    return p - (1 if p and c[8] > 0.8 else 0)


def _window_fns(n: int, w: int) -> dict[str, Callable[[Core], Any]]:
    def same(c: Core) -> int:
        return _same(c, n)

    return {
        f"purchases{w}d": lambda c: c[3 + n],
        f"sales{w}d": lambda c: round(c[3 + n] * c[7], 2),
        f"unitsSoldClicks{w}d": lambda c: c[3 + n] + c[3 + n] // 4,
        f"purchasesSameSku{w}d": same,
        f"attributedSalesSameSku{w}d": lambda c: round(same(c) * c[7], 2),
        f"unitsSoldSameSku{w}d": lambda c: same(c) + same(c) // 4,
    }


def _metric_fns() -> dict[str, Callable[[Core], Any]]:
    fns: dict[str, Callable[[Core], Any]] = {
        "impressions": lambda c: c[0],
        "clicks": lambda c: c[1],
        "cost": lambda c: c[2],
        "spend": lambda c: c[2],
        "costPerClick": lambda c: round(c[2] / c[1], 2) if c[1] else 0.0,
        "clickThroughRate": lambda c: round(c[1] / c[0], 4),
        "topOfSearchImpressionShare": lambda c: round(0.05 + 0.4 * c[9], 4),
        "acosClicks14d": lambda c: round(c[2] / (c[5] * c[7]), 4) if c[5] else 0.0,
        "roasClicks14d": lambda c: round(c[5] * c[7] / c[2], 4) if c[2] else 0.0,
    }
    for n, w in enumerate(WINDOWS):
        fns.update(_window_fns(n, w))
    return fns


METRIC_FNS = _metric_fns()
RATIOS = frozenset(
    {"costPerClick", "clickThroughRate", "topOfSearchImpressionShare", "acosClicks14d", "roasClicks14d"}
)
