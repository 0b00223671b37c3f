"""Profiles and Sponsored Products entities, generated on demand from the seed and their index.

Nothing large is stored: a profile keeps only its sizes, and campaign ``i``, ad group ``j`` and keyword
``k`` are pure functions of (seed, profile sequence number, index). Ids encode the profile and the index,
so id filters map straight back to indices (reference §3.3 for the fields).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sandbox.amazon.regions import Marketplace

__all__ = [
    "AD_GROUP_BASE",
    "CAMPAIGN_BASE",
    "KEYWORD_BASE",
    "ProfileSpec",
    "ad_group",
    "ad_group_state",
    "campaign",
    "campaign_name",
    "campaign_state",
    "decode_id",
    "encode_id",
    "keyword",
    "keyword_state",
    "keyword_text",
    "money_scale",
    "unit",
]

_MASK = (1 << 64) - 1
CAMPAIGN_BASE = 2 * 10**14
AD_GROUP_BASE = 3 * 10**14
KEYWORD_BASE = 4 * 10**14
SPAN = 10**8

_MONEY_SCALE = {
    "USD": 1.0,
    "CAD": 1.35,
    "MXN": 17.0,
    "BRL": 5.0,
    "GBP": 0.8,
    "EUR": 0.92,
    "SEK": 10.5,
    "PLN": 4.0,
    "TRY": 32.0,
    "EGP": 48.0,
    "SAR": 3.75,
    "AED": 3.67,
    "INR": 83.0,
    "ZAR": 18.5,
    "JPY": 150.0,
    "AUD": 1.5,
    "SGD": 1.35,
}
_PRODUCTS = (
    "Garlic Press",
    "Yoga Mat",
    "Water Bottle",
    "Phone Case",
    "Desk Lamp",
    "Coffee Grinder",
    "Dog Leash",
    "Trail Shoes",
    "Bamboo Towels",
    "Chef Knife",
    "Cast Iron Pan",
    "Travel Mug",
    "Bike Light",
    "Backpack",
    "Sunscreen",
    "Tea Kettle",
    "Notebook",
    "Headphones",
    "Plant Pot",
    "Candle Set",
)
_TACTICS = ("Exact", "Phrase", "Broad", "Brand", "Competitor", "Research", "Launch", "Evergreen")
_WORDS = (
    "stainless",
    "organic",
    "large",
    "small",
    "kids",
    "premium",
    "portable",
    "eco",
    "cheap",
    "best",
    "black",
    "wooden",
    "silicone",
    "heavy duty",
    "gift",
    "set",
    "pro",
    "mini",
    "xl",
    "non slip",
)
_MATCH = ("EXACT", "PHRASE", "BROAD")
_STRATEGIES = ("LEGACY_FOR_SALES", "AUTO_FOR_SALES", "MANUAL")


def unit(*parts: int) -> float:
    """A deterministic pseudo-random number in [0, 1) from integer parts (stable within a Python build)."""
    h = (hash(parts) * 0x9E3779B97F4A7C15) & _MASK
    h ^= h >> 31
    return (h >> 11) / 9007199254740992.0


@dataclass(frozen=True)
class ProfileSpec:
    """One advertising profile and the sizes of its generated account."""

    profile_id: int
    seq: int
    user_id: str
    region: str
    market: Marketplace
    profile_type: str
    access: str
    account_id: str
    account_name: str
    campaigns: int
    ad_groups_per_campaign: int
    keywords_per_ad_group: int
    data_start: date
    seed: int
    active_keyword_share: float = 0.15
    valid_payment_method: bool = True
    overrides: dict[int, dict[str, Any]] = field(default_factory=dict)

    @property
    def ad_group_count(self) -> int:
        """Number of ad groups in the profile."""
        return self.campaigns * self.ad_groups_per_campaign

    @property
    def keyword_count(self) -> int:
        """Number of keywords in the profile."""
        return self.ad_group_count * self.keywords_per_ad_group

    def to_json(self) -> dict[str, Any]:
        """The profile as ``GET /v2/profiles`` serves it (reference §2.3)."""
        return {
            "profileId": self.profile_id,
            "countryCode": self.market.country,
            "currencyCode": self.market.currency,
            "timezone": self.market.timezone,
            "accountInfo": {
                "marketplaceStringId": self.market.marketplace_id,
                "id": self.account_id,
                "type": self.profile_type,
                "name": self.account_name,
                "validPaymentMethod": self.valid_payment_method,
            },
        }


def encode_id(base: int, spec: ProfileSpec, index: int) -> int:
    """The numeric id of entity ``index`` of kind ``base`` in ``spec``."""
    return base + spec.seq * SPAN + index


def decode_id(base: int, spec: ProfileSpec, value: object, limit: int) -> int | None:
    """The index behind an id of this profile, or None for ids that are not ours."""
    try:
        number = int(str(value))
    except ValueError:
        return None
    index = number - base - spec.seq * SPAN
    return index if 0 <= index < limit else None


def money_scale(currency: str) -> float:
    """Rough units of ``currency`` per US dollar, so bids and costs look local."""
    return _MONEY_SCALE.get(currency, 1.0)


def _money(spec: ProfileSpec, usd: float) -> float:
    value = usd * money_scale(spec.market.currency)
    return float(round(value)) if spec.market.currency == "JPY" else round(value, 2)


def campaign_state(spec: ProfileSpec, i: int) -> str:
    """State of campaign ``i`` (mostly ENABLED; some PAUSED and ARCHIVED; overrides win)."""
    override = spec.overrides.get(i)
    if override and "state" in override:
        return str(override["state"])
    u = unit(spec.seed, 1, spec.seq, i)
    return "ENABLED" if u < 0.68 else "PAUSED" if u < 0.85 else "ARCHIVED"


def ad_group_state(spec: ProfileSpec, j: int) -> str:
    """State of ad group ``j``."""
    u = unit(spec.seed, 2, spec.seq, j)
    return "ENABLED" if u < 0.88 else "PAUSED" if u < 0.96 else "ARCHIVED"


def keyword_state(spec: ProfileSpec, k: int) -> str:
    """State of keyword ``k``."""
    u = unit(spec.seed, 3, spec.seq, k)
    return "ENABLED" if u < 0.85 else "PAUSED" if u < 0.95 else "ARCHIVED"


def campaign_name(spec: ProfileSpec, i: int) -> str:
    """Name of campaign ``i``."""
    override = spec.overrides.get(i)
    if override and "name" in override:
        return str(override["name"])
    product = _PRODUCTS[int(unit(spec.seed, 4, spec.seq, i) * len(_PRODUCTS))]
    tactic = _TACTICS[int(unit(spec.seed, 5, spec.seq, i) * len(_TACTICS))]
    return f"SP - {product} - {tactic} - {i + 1:03d}"


def campaign_start(spec: ProfileSpec, i: int) -> date:
    """Start date of campaign ``i``: most started before the generated history, some during it."""
    u = unit(spec.seed, 6, spec.seq, i)
    if u < 0.7:
        return spec.data_start - timedelta(days=int(u * 400))
    return spec.data_start + timedelta(days=int((u - 0.7) * 200))


def campaign(spec: ProfileSpec, i: int, *, extended: bool = False) -> dict[str, Any]:
    """Campaign ``i`` as ``POST /sp/campaigns/list`` serves it."""
    cid = encode_id(CAMPAIGN_BASE, spec, i)
    budget_usd = 10 + int(unit(spec.seed, 7, spec.seq, i) * 40) * 5
    item: dict[str, Any] = {
        "campaignId": str(cid),
        "name": campaign_name(spec, i),
        "targetingType": "MANUAL",
        "state": campaign_state(spec, i),
        "startDate": campaign_start(spec, i).isoformat(),
        "budget": {"budget": _money(spec, budget_usd), "budgetType": "DAILY"},
        "dynamicBidding": {
            "strategy": _STRATEGIES[i % len(_STRATEGIES)],
            "placementBidding": [{"placement": "PLACEMENT_TOP", "percentage": (i % 4) * 25}],
        },
        "tags": {},
    }
    if i % 5 == 3:
        item["portfolioId"] = str(encode_id(CAMPAIGN_BASE // 2, spec, i % 3))
    if i % 9 == 8:
        item["endDate"] = (spec.data_start + timedelta(days=3650)).isoformat()
    if extended:
        item["extendedData"] = _extended(item["state"], item["startDate"], "CAMPAIGN")
    return item


def ad_group(spec: ProfileSpec, j: int, *, extended: bool = False) -> dict[str, Any]:
    """Ad group ``j`` as ``POST /sp/adGroups/list`` serves it."""
    i = j // spec.ad_groups_per_campaign
    item: dict[str, Any] = {
        "adGroupId": str(encode_id(AD_GROUP_BASE, spec, j)),
        "campaignId": str(encode_id(CAMPAIGN_BASE, spec, i)),
        "name": f"Ad group {j % spec.ad_groups_per_campaign + 1} - {_PRODUCTS[j % len(_PRODUCTS)]}",
        "state": ad_group_state(spec, j),
        "defaultBid": _money(spec, 0.3 + round(unit(spec.seed, 8, spec.seq, j) * 2, 2)),
    }
    if extended:
        item["extendedData"] = _extended(item["state"], campaign_start(spec, i).isoformat(), "AD_GROUP")
    return item


def keyword_text(spec: ProfileSpec, k: int) -> str:
    """Text of keyword ``k``."""
    j = k // spec.keywords_per_ad_group
    product = _PRODUCTS[j % len(_PRODUCTS)].lower()
    first = _WORDS[int(unit(spec.seed, 9, spec.seq, k) * len(_WORDS))]
    if k % 4 == 0:
        return product
    return f"{first} {product}"


def keyword(spec: ProfileSpec, k: int, *, extended: bool = False) -> dict[str, Any]:
    """Keyword ``k`` as ``POST /sp/keywords/list`` serves it."""
    j = k // spec.keywords_per_ad_group
    i = j // spec.ad_groups_per_campaign
    item: dict[str, Any] = {
        "keywordId": str(encode_id(KEYWORD_BASE, spec, k)),
        "campaignId": str(encode_id(CAMPAIGN_BASE, spec, i)),
        "adGroupId": str(encode_id(AD_GROUP_BASE, spec, j)),
        "keywordText": keyword_text(spec, k),
        "matchType": _MATCH[k % 3],
        "state": keyword_state(spec, k),
    }
    if k % 5 != 4:  # the rest inherit the ad group's defaultBid
        item["bid"] = _money(spec, 0.25 + round(unit(spec.seed, 10, spec.seq, k) * 2.5, 2))
    if extended:
        item["extendedData"] = _extended(item["state"], campaign_start(spec, i).isoformat(), "TARGETING")
    return item


def _extended(state: str, start: str, prefix: str) -> dict[str, Any]:
    serving = {
        "ENABLED": f"{prefix}_STATUS_ENABLED",
        "PAUSED": f"{prefix}_PAUSED",
        "ARCHIVED": f"{prefix}_ARCHIVED",
    }.get(state, "OTHER")
    stamp = f"{start}T08:00:00Z"
    return {
        "creationDateTime": stamp,
        "lastUpdateDateTime": stamp,
        "servingStatus": serving,
        "servingStatusDetails": [],
    }
