"""Intraday budget usage: ``POST /sp/campaigns/budget/usage`` (reference §3.6).

Usage is today's (profile time zone) generated campaign cost, spread evenly over the day, as a share of
the campaign's current daily budget. Invariants:

- the figure refreshes every `REFRESH_MINUTES` of simulator time (``usageUpdatedTimestamp`` is the last
  refresh), so it is deterministic on the simulator clock;
- it is capped at 100 (the campaign is out of budget until the marketplace's midnight);
- a paused campaign, or a day an edit keeps from serving, uses nothing;
- a percentage forced with `force_usage` wins for the rest of that campaign's day, then lapses;
- at most `MAX_IDS` ids per request; unknown ids are error entries, not a failed request.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sandbox.amazon import entities as ent
from sandbox.amazon.auth import sp_error, sp_profile
from sandbox.amazon.entities import ProfileSpec
from sandbox.amazon.http import RecordedRequest, Response, json_response
from sandbox.amazon.metrics import ReportQuery, iter_rows, profile_today
from sandbox.amazon.state import ForcedUsage, SimState

__all__ = ["MAX_IDS", "MEDIA_TYPE", "REFRESH_MINUTES", "budget_usage", "force_usage"]

MEDIA_TYPE = "application/vnd.spcampaignbudgetusage.v1+json"
MAX_IDS = 100
REFRESH_MINUTES = 15


def force_usage(state: SimState, spec: ProfileSpec, index: int, percent: float) -> None:
    """Make campaign ``index`` report ``percent`` usage until its profile's midnight."""
    if not 0 <= percent <= 100:
        raise ValueError("percent must be between 0 and 100")
    with state.lock:
        state.forced_usage[(spec.profile_id, index)] = ForcedUsage(percent, profile_today(spec, state.now()))


def _refreshed(spec: ProfileSpec, now: datetime) -> tuple[datetime, float]:
    """The last refresh before ``now`` and the share of the profile's day elapsed by then."""
    local = now.astimezone(ZoneInfo(spec.market.timezone))
    elapsed = timedelta(hours=local.hour, minutes=local.minute - local.minute % REFRESH_MINUTES)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return (midnight + elapsed).astimezone(now.tzinfo), elapsed / timedelta(days=1)


def _todays_cost(state: SimState, spec: ProfileSpec, now: datetime) -> dict[int, float]:
    """Whole-day generated cost of each campaign that serves today, by campaign index."""
    today = profile_today(spec, now)
    with state.lock:
        restatements = tuple(state.restatements)
    query = ReportQuery(
        "spCampaigns", "campaign", "DAILY", ("campaignId", "cost"), today, today, now, restatements
    )
    first = ent.encode_id(ent.CAMPAIGN_BASE, spec, 0)
    return {int(row["campaignId"]) - first: float(row["cost"]) for row in iter_rows(spec, query)}


def _entries(state: SimState, spec: ProfileSpec, ids: list[Any]) -> dict[str, Any]:
    now = state.now()
    stamp, share = _refreshed(spec, now)
    costs = _todays_cost(state, spec, now)
    today = profile_today(spec, now)
    success, failed = [], []
    for position, value in enumerate(ids):
        index = ent.decode_id(ent.CAMPAIGN_BASE, spec, value, spec.campaigns)
        if index is None:
            failed.append(
                {
                    "campaignId": str(value),
                    "index": position,
                    "code": "INVALID_ARGUMENT",
                    "details": f"Campaign {value} not found for this profile",
                }
            )
            continue
        budget = float(ent.campaign(spec, index)["budget"]["budget"])
        with state.lock:
            forced = state.forced_usage.get((spec.profile_id, index))
        if forced is not None and forced.day == today:
            percent = forced.percent
        else:
            percent = min(100.0, round(100 * costs.get(index, 0.0) * share / budget, 2))
        success.append(
            {
                "campaignId": str(value),
                "budgetUsagePercent": percent,
                "budget": budget,
                "usageUpdatedTimestamp": stamp.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                "index": position,
            }
        )
    return {"success": success, "error": failed}


def budget_usage(state: SimState, req: RecordedRequest, region: str) -> Response:
    """``POST /sp/campaigns/budget/usage``: ``{"campaignIds": [...]}`` → success and error entries."""
    spec = sp_profile(state, req, region, MEDIA_TYPE)
    if isinstance(spec, Response):
        return spec
    try:
        body = req.json()
    except ValueError:
        return sp_error(400, "INVALID_ARGUMENT", "Request body is not valid JSON")
    ids = body.get("campaignIds") if isinstance(body, dict) else None
    if not isinstance(ids, list) or not 1 <= len(ids) <= MAX_IDS:
        return sp_error(400, "INVALID_ARGUMENT", f"campaignIds must hold between 1 and {MAX_IDS} ids")
    return json_response(200, _entries(state, spec, ids), content_type=MEDIA_TYPE)
