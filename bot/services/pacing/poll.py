"""One pacing poll of one region: budget usage of its enabled SP campaigns, stored as today's readings.

For each selected profile, the enabled Sponsored Products campaigns are asked for in calls of at most 100
ids (`AdsClient.get_sp_budget_usage`), through the region's shared rate gate (`ads_client_for`). Each
figure belongs to the marketplace's day of Amazon's `usageUpdatedTimestamp` (profile time zone; Hilal's
read time when Amazon gives none). A figure from a day that is no longer the marketplace's today (Amazon
has not refreshed since local midnight) is not kept: a new day starts at 0 % and its first figure comes
with Amazon's first refresh. SB and SD campaigns are not polled (the client speaks SP budget usage only).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.amazon.client import AdsClient
from bot.amazon.edits import BudgetUsage
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


def _poll_profile(
    client: AdsClient, profile_id: str, targets: list[PacingTarget], now: datetime, result: PollResult
) -> list[dict[str, Any]]:
    by_id = {t.campaign_id: t for t in targets}
    usages = client.get_sp_budget_usage(profile_id, list(by_id))
    result.asked += len(by_id)
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
    """Read and store today's budget usage of the region's enabled SP campaigns (see the module doc).

    A profile whose call fails is logged and skipped (the others are kept); a refused grant marks the
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
        except AmazonAdsError as exc:
            logger.warning(
                "pacing.profile_failed", extra={"profile_id": profile_id, "error": type(exc).__name__}
            )
            result.failed_profiles.append(profile_id)
    with session_scope(services.engine) as session:  # one transaction: what was read is kept
        result.stored = store_readings(session, readings=readings)
    return result
