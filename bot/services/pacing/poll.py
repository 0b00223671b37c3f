"""One pacing poll of one region: budget usage of its enabled campaigns, stored as today's readings.

For each selected profile, the enabled Sponsored Products, Brands and Display campaigns are asked for,
each product on its own route (`AdsClient.get_sp_budget_usage` / `get_sb_…` / `get_sd_…`), in calls of at
most 100 ids, through the region's shared rate gate (`ads_client_for`). Readings are kept per campaign
whatever its product (same tables, same cadence). Each
figure belongs to the marketplace's day of Amazon's `usageUpdatedTimestamp` (profile time zone; Hilal's
read time when Amazon gives none). A figure from a day that is no longer the marketplace's today (Amazon
has not refreshed since local midnight) is not kept: a new day starts at 0 % and its first figure comes
with Amazon's first refresh. A product whose call fails is logged and skipped for this poll, and its
profile is listed as failed; the profile's other products and the other profiles are still read and kept.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.amazon.client import AdsClient
from bot.amazon.edits import BudgetUsage, BudgetUsageList
from bot.amazon.errors import AmazonAdsError, ReconnectRequired
from bot.services.connections import ads_client_for, mark_reconnect_needed
from bot.services.pacing.days import day_end, local_day
from storage.db import session_scope
from storage.repositories.pacing import PacingTarget, list_pacing_targets, store_readings

if TYPE_CHECKING:
    from bot.wiring import Services

__all__ = ["PollResult", "poll_connection"]

logger = logging.getLogger(__name__)


@dataclass
class PollResult:
    """What one poll did: campaigns asked, readings kept, figures of another day skipped, failures."""

    asked: int = 0
    stored: int = 0
    other_day: int = 0
    failed_profiles: list[str] = field(default_factory=list)
    reconnect: bool = False


def _reading(target: PacingTarget, usage: BudgetUsage, now: datetime) -> dict[str, Any] | None:
    stamp = usage.updated_at or now
    day = local_day(target.timezone, stamp)
    if day != local_day(target.timezone, now):
        return None
    return {
        "campaign_pk": target.campaign_pk,
        "local_date": day,
        "day_ends_at": day_end(target.timezone, day),
        "percent": usage.percent,
        "budget": usage.budget,
        "currency": target.currency,
        "amazon_updated_at": usage.updated_at,
        "read_at": now,
    }


def _usage_call(client: AdsClient, ad_product: str) -> Callable[[str, Sequence[str]], BudgetUsageList]:
    calls = {
        "SP": client.get_sp_budget_usage,
        "SB": client.get_sb_budget_usage,
        "SD": client.get_sd_budget_usage,
    }
    return calls[ad_product]


def _poll_profile(
    client: AdsClient, profile_id: str, targets: list[PacingTarget], now: datetime, result: PollResult
) -> list[dict[str, Any]]:
    by_product: dict[str, dict[str, PacingTarget]] = defaultdict(dict)
    for t in targets:
        by_product[t.ad_product][t.campaign_id] = t
    readings = []
    for ad_product, by_id in by_product.items():
        result.asked += len(by_id)
        try:
            usages = _usage_call(client, ad_product)(profile_id, list(by_id))
        except ReconnectRequired:
            raise
        except AmazonAdsError as exc:
            logger.warning(
                "pacing.profile_failed",
                extra={"profile_id": profile_id, "ad_product": ad_product, "error": type(exc).__name__},
            )
            if profile_id not in result.failed_profiles:
                result.failed_profiles.append(profile_id)
            continue
        readings += _readings(by_id, usages, now, result)
    return readings


def _readings(
    by_id: dict[str, PacingTarget], usages: BudgetUsageList, now: datetime, result: PollResult
) -> list[dict[str, Any]]:
    readings = []
    for usage in usages:
        target = by_id.get(usage.campaign_id)
        row = _reading(target, usage, now) if target is not None else None
        if row is None:
            result.other_day += 1
            continue
        readings.append(row)
    return readings


def poll_connection(services: Services, *, connection_id: int, now: datetime) -> PollResult:
    """Read and store today's budget usage of the region's enabled SP, SB and SD campaigns (module doc).

    A profile's product whose call fails is logged and skipped (the rest is kept); a refused grant marks the
    region "reconnect needed" (polling stops with syncs) and ends the poll.
    """
    result = PollResult()
    with session_scope(services.engine, readonly=True) as session:
        targets = list_pacing_targets(session, connection_id=connection_id)
    if not targets:
        return result
    by_profile: dict[str, list[PacingTarget]] = defaultdict(list)
    for target in targets:
        by_profile[target.profile_id].append(target)
    client = ads_client_for(services, connection_id=connection_id)
    readings: list[dict[str, Any]] = []
    for profile_id, group in by_profile.items():
        try:
            readings += _poll_profile(client, profile_id, group, now, result)
        except ReconnectRequired:
            mark_reconnect_needed(
                services, connection_id=connection_id, reason="Amazon refused the stored grant"
            )
            result.reconnect = True
            break
    with session_scope(services.engine) as session:  # one transaction: what was read is kept
        result.stored = store_readings(session, readings=readings)
    return result
