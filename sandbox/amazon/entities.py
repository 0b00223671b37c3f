"""Profiles and Sponsored Products entities, generated on demand from the seed and their index.

Nothing large is stored: a profile keeps only its sizes, and campaign ``i``, ad group ``j`` and keyword
``k`` are pure functions of (seed, profile sequence number, index). Ids encode the profile and the index,
so id filters map straight back to indices (reference §3.3 for the fields).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sandbox.amazon.edits import AD_GROUP, CAMPAIGN, KEYWORD, Ledger, latest
from sandbox.amazon.regions import Marketplace
from sandbox.amazon.wordlists import MONEY_SCALE as _MONEY_SCALE
from sandbox.amazon.wordlists import PRODUCTS as _PRODUCTS
from sandbox.amazon.wordlists import TACTICS as _TACTICS
from sandbox.amazon.wordlists import WORDS as _WORDS

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
    "seed_budget",
    "seeded_state",
    "unit",
]

_MASK = (1 << 64) - 1
CAMPAIGN_BASE = 2 * 10**14
AD_GROUP_BASE = 3 * 10**14
KEYWORD_BASE = 4 * 10**14
SPAN = 10**8

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
    edits: Ledger = field(default_factory=dict)

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


def seeded_state(spec: ProfileSpec, kind: str, index: int) -> str:
    """State of an entity before any live edit: generated, or a campaign's override.

    Campaigns are mostly ENABLED with some PAUSED and ARCHIVED; ad groups and keywords more often ENABLED.
    """
    override = spec.overrides.get(index) if kind == CAMPAIGN else None
    if override and "state" in override:
        return str(override["state"])
    salt, enabled, paused = {CAMPAIGN: (1, 0.68, 0.85), AD_GROUP: (2, 0.88, 0.96), KEYWORD: (3, 0.85, 0.95)}[
        kind
    ]
    u = unit(spec.seed, salt, spec.seq, index)
    return "ENABLED" if u < enabled else "PAUSED" if u < paused else "ARCHIVED"


def _state(spec: ProfileSpec, kind: str, index: int) -> str:
    edited = latest(spec.edits, kind, index).get("state") if spec.edits else None
    return str(edited) if edited is not None else seeded_state(spec, kind, index)


def campaign_state(spec: ProfileSpec, i: int) -> str:
    """State of campaign ``i`` now (the latest live edit wins over the seed and overrides)."""
    return _state(spec, CAMPAIGN, i)


def ad_group_state(spec: ProfileSpec, j: int) -> str:
    """State of ad group ``j`` now."""
    return _state(spec, AD_GROUP, j)


def keyword_state(spec: ProfileSpec, k: int) -> str:
    """State of keyword ``k`` now."""
    return _state(spec, KEYWORD, k)


def _edited(spec: ProfileSpec, kind: str, index: int, name: str, default: float) -> float:
    value = latest(spec.edits, kind, index).get(name) if spec.edits else None
    return default if value is None else float(value)


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


def seed_budget(spec: ProfileSpec, i: int) -> float:
    """Campaign ``i``'s generated daily budget, before any live edit."""
    return _money(spec, 10 + int(unit(spec.seed, 7, spec.seq, i) * 40) * 5)


def campaign(spec: ProfileSpec, i: int, *, extended: bool = False) -> dict[str, Any]:
    """Campaign ``i`` as ``POST /sp/campaigns/list`` serves it."""
    cid = encode_id(CAMPAIGN_BASE, spec, i)
    item: dict[str, Any] = {
        "campaignId": str(cid),
        "name": campaign_name(spec, i),
        "targetingType": "MANUAL",
        "state": campaign_state(spec, i),
        "startDate": campaign_start(spec, i).isoformat(),
        "budget": {
            "budget": _edited(spec, CAMPAIGN, i, "budget", seed_budget(spec, i)),
            "budgetType": "DAILY",
        },
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
        "defaultBid": _edited(
            spec, AD_GROUP, j, "defaultBid", _money(spec, 0.3 + round(unit(spec.seed, 8, spec.seq, j) * 2, 2))
        ),
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
    bid = latest(spec.edits, KEYWORD, k).get("bid") if spec.edits else None
    if bid is not None:
        item["bid"] = float(bid)
    elif k % 5 != 4:  # the rest inherit the ad group's defaultBid
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
