"""Intraday budget usage: ``POST /sp/campaigns/budget/usage`` (reference §3.6).

Usage is today's spend (profile time zone) as a share of the campaign's daily budget in force. The
campaign wants to spend its generated cost for the day, evenly over the day; spend stops when it reaches
the budget in force. Invariants:

- the figure refreshes every `REFRESH_MINUTES` of simulator time (``usageUpdatedTimestamp`` is the last
  refresh), so it is deterministic on the simulator clock; it grows through the profile's day and starts
  again from 0 at its local midnight;
- it is capped at 100: a campaign whose day's cost is over its budget runs out mid-day and spends nothing
  more until the marketplace's midnight, or until a budget raised with ``PUT /sp/campaigns`` (applied by
  the refresh) turns what it spent into a lower percentage and lets it spend again from then;
- a paused campaign, or a day an edit keeps from serving, uses nothing;
- a percentage forced with `force_usage` stands for a spend (that percentage of the budget then) that
  holds for the rest of that campaign's day, then lapses; a later budget change divides that spend by the
  new budget and lets the campaign spend again;
- at most `MAX_IDS` ids per request; unknown ids are error entries, not a failed request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sandbox.amazon import entities as ent
from sandbox.amazon.auth import sp_error, sp_profile
from sandbox.amazon.edits import CAMPAIGN
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
    now = state.now()
    with state.lock:
        budget = float(ent.campaign(spec, index)["budget"]["budget"])
        forced = ForcedUsage(percent, profile_today(spec, now), at=now, spend=budget * percent / 100)
        state.forced_usage[(spec.profile_id, index)] = forced


@dataclass(frozen=True)
class _Day:
    """The profile's day so far: its local midnight and the last refresh (wall-clock time since midnight)."""

    midnight: datetime
    stamp: datetime
    elapsed: timedelta


def _refreshed(spec: ProfileSpec, now: datetime) -> _Day:
    """The profile's midnight and the last refresh before ``now``."""
    local = now.astimezone(ZoneInfo(spec.market.timezone))
    elapsed = timedelta(hours=local.hour, minutes=local.minute - local.minute % REFRESH_MINUTES)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return _Day(midnight, (midnight + elapsed).astimezone(now.tzinfo), elapsed)


def _wall(day: _Day, at: datetime) -> timedelta:
    """Wall-clock time of ``at`` since the profile's midnight (how the day's spend is spread)."""
    local = at.astimezone(day.midnight.tzinfo)
    return timedelta(hours=local.hour, minutes=local.minute, seconds=local.second)


def _costs(spec: ProfileSpec, state: SimState, as_of: datetime) -> dict[int, float]:
    """Whole-day generated cost of each campaign that serves today, by campaign index, as of ``as_of``."""
    today = profile_today(spec, as_of)
    with state.lock:
        restatements = tuple(state.restatements)
    query = ReportQuery(
        "spCampaigns", "campaign", "DAILY", ("campaignId", "cost"), today, today, as_of, restatements
    )
    first = ent.encode_id(ent.CAMPAIGN_BASE, spec, 0)
    return {int(row["campaignId"]) - first: float(row["cost"]) for row in iter_rows(spec, query)}


def _todays_cost(state: SimState, spec: ProfileSpec, now: datetime, day: _Day) -> dict[int, float]:
    """What each campaign serving today wants to spend today, by campaign index.

    A budget edited today caps the day's report cost at the new budget; what the campaign *wants* to spend
    is its cost as of the profile's midnight (edits of earlier days apply), so a raise lets a campaign that
    ran out spend again at its usual pace.
    """
    current = _costs(spec, state, now)
    with state.lock:
        edited_today = any(c.at > day.midnight for changes in spec.edits.values() for c in changes)
    if not edited_today:
        return current
    demand = _costs(spec, state, day.midnight)
    return {index: demand.get(index, cost) for index, cost in current.items()}


def _budgets(spec: ProfileSpec, index: int, day: _Day) -> tuple[float, list[tuple[datetime, float]]]:
    """The campaign's budget in force at the profile's midnight, and today's budget changes in order."""
    start = ent.seed_budget(spec, index)
    steps: list[tuple[datetime, float]] = []
    for change in spec.edits.get((CAMPAIGN, index), ()):
        budget = change.values.get("budget")
        if budget is None:
            continue
        if change.at <= day.midnight:
            start = float(budget)
        else:
            steps.append((change.at, float(budget)))
    return start, steps


def _grow(spend: float, budget: float, rate: float, span: timedelta) -> float:
    """Spend after ``span`` at ``rate`` a day, stopping at ``budget`` (never less than already spent)."""
    return max(spend, min(budget, spend + rate * (span / timedelta(days=1))))


def _percent(
    state: SimState, spec: ProfileSpec, index: int, *, day: _Day, cost: float, forced: ForcedUsage | None
) -> float:
    """Today's spend of campaign ``index`` at the last refresh, as a percentage of its budget then."""
    with state.lock:
        start, steps = _budgets(spec, index, day)
    until = day.stamp if forced is None or forced.at is None else max(day.stamp, forced.at)
    events: list[tuple[datetime, int, float]] = [(at, 1, budget) for at, budget in steps]
    if forced is not None and forced.at is not None and forced.spend is not None:
        events.append((forced.at, 0, forced.spend))  # before a budget change of the same instant
    spend, budget, since, growing = 0.0, start, day.midnight, True
    for at, kind, value in sorted(events):
        if at > until:
            break
        if growing:
            spend = _grow(spend, budget, cost, _wall(day, at) - _wall(day, since))
        since = at
        if kind == 0:
            spend, growing = value, False  # forced: holds until the budget changes
        else:
            budget, growing = value, True
    if growing:
        spend = _grow(
            spend,
            budget,
            cost,
            (day.elapsed if until == day.stamp else _wall(day, until)) - _wall(day, since),
        )
    return min(100.0, round(100 * spend / budget, 2)) if budget > 0 else 100.0


def _entries(state: SimState, spec: ProfileSpec, ids: list[Any]) -> dict[str, Any]:
    now = state.now()
    day = _refreshed(spec, now)
    costs = _todays_cost(state, spec, now, day)
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
        if forced is not None and forced.day != today:
            forced = None
        if forced is not None and forced.at is None:
            percent = forced.percent
        elif forced is None and index not in costs:
            percent = 0.0  # not serving today
        else:
            percent = _percent(state, spec, index, day=day, cost=costs.get(index, 0.0), forced=forced)
        success.append(
            {
                "campaignId": str(value),
                "budgetUsagePercent": percent,
                "budget": budget,
                "usageUpdatedTimestamp": day.stamp.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
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
