"""Amazon's current values of the entities a preview names, read before anything is written.

Campaigns are read from the profile's SP campaign list (the client's list has no id filter for
campaigns); ad groups and keywords through `campaignIdFilter`, so only their campaigns are listed. A
keyword without a bid of its own bids its ad group's default bid: that is its amount here (so a preview
says "$1.41 → $1.60", the guards compare with it and a relative change works), read from the ad groups.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from bot.amazon.client import AdsClient
from bot.amazon.models import ENTITY_STATES, AdGroup, Campaign, Keyword

__all__ = ["AmazonValue", "read_current"]


@dataclass(frozen=True)
class AmazonValue:
    """An entity's state and its amount (budget, bid or default bid) at Amazon right now."""

    state: str
    amount: Decimal | None


def read_current(
    client: AdsClient,
    *,
    profile_id: str,
    entity_type: str,
    ids: Sequence[str],
    campaign_ids: Sequence[str],
) -> dict[str, AmazonValue]:
    """Amazon's values of `ids` (entities of one type under one profile); ids Amazon lacks are absent.

    Raises:
        AmazonAdsError: The list call failed.
    """
    wanted = set(ids)
    if entity_type == "campaign":
        pages: Iterable[Sequence[object]] = client.iter_sp_campaigns(profile_id, states=ENTITY_STATES)
    elif entity_type == "ad_group":
        pages = client.iter_sp_ad_groups(profile_id, states=ENTITY_STATES, campaign_ids=list(campaign_ids))
    else:
        pages = client.iter_sp_keywords(profile_id, states=ENTITY_STATES, campaign_ids=list(campaign_ids))
    found: dict[str, AmazonValue] = {}
    inheriting: dict[str, str] = {}  # keyword id → its ad group id, for keywords without their own bid
    for page in pages:
        for entity in page:
            entity_id, value = _value(entity)
            if entity_id in wanted:
                found[entity_id] = value
                if isinstance(entity, Keyword) and entity.bid is None:
                    inheriting[entity_id] = entity.ad_group_id
    if inheriting:
        defaults = _default_bids(client, profile_id=profile_id, campaign_ids=campaign_ids)
        for keyword_id, ad_group_id in inheriting.items():
            found[keyword_id] = AmazonValue(found[keyword_id].state, defaults.get(ad_group_id))
    return found


def _default_bids(client: AdsClient, *, profile_id: str, campaign_ids: Sequence[str]) -> dict[str, Decimal]:
    """The default bid of each ad group of `campaign_ids`, by ad group id (ad groups without one left out)."""
    pages = client.iter_sp_ad_groups(profile_id, states=ENTITY_STATES, campaign_ids=list(campaign_ids))
    return {
        group.ad_group_id: group.default_bid
        for page in pages
        for group in page
        if group.default_bid is not None
    }


def _value(entity: object) -> tuple[str, AmazonValue]:
    if isinstance(entity, Keyword):
        return entity.keyword_id, AmazonValue(entity.state.upper(), entity.bid)
    if isinstance(entity, AdGroup):
        return entity.ad_group_id, AmazonValue(entity.state.upper(), entity.default_bid)
    assert isinstance(entity, Campaign)
    return entity.campaign_id, AmazonValue(entity.state.upper(), entity.budget)
