"""Intraday budget usage: ``POST /sp|sb|sd/campaigns/budget/usage`` (reference §3.6).

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

Sponsored Brands and Sponsored Display answer the same shape on their own routes. Their campaigns have no
report rows here, so what each wants to spend today is a deterministic share (20 % to 140 %) of its daily
budget, drawn per campaign and day: about a third run out mid-day. Only enabled ones spend; they cannot be
edited (live edits are SP-only), and a forced figure works as for SP. Their media types are not in the
reference: ``SB_MEDIA_TYPE`` / ``SD_MEDIA_TYPE`` are [unverified], and plain ``application/json`` is
accepted too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sandbox.amazon import entities as ent
from sandbox.amazon.auth import sp_error, sp_profile
from sandbox.amazon.edits import CAMPAIGN
from sandbox.amazon.entities import ProfileSpec, unit
from sandbox.amazon.http import RecordedRequest, Response, json_response
from sandbox.amazon.metrics import ReportQuery, iter_rows, profile_today
from sandbox.amazon.sbsd import (
    SB_CAMPAIGN_BASE,
    SD_CAMPAIGN_BASE,
    sb_campaign,
    sb_count,
    sd_campaign,
    sd_count,
)
from sandbox.amazon.state import ForcedUsage, SimState

__all__ = [
    "MAX_IDS",
    "MEDIA_TYPE",
    "REFRESH_MINUTES",
    "SB_MEDIA_TYPE",
    "SD_MEDIA_TYPE",
    "budget_usage",
    "decode_campaign",
    "force_usage",
    "usage_route",
]

MEDIA_TYPE = "application/vnd.spcampaignbudgetusage.v1+json"
SB_MEDIA_TYPE = "application/vnd.sbcampaignbudgetusage.v1+json"  # [unverified]: not in the reference
SD_MEDIA_TYPE = "application/vnd.sdcampaignbudgetusage.v1+json"  # [unverified]: not in the reference
MAX_IDS = 100
REFRESH_MINUTES = 15
_MEDIA = {"SP": MEDIA_TYPE, "SB": SB_MEDIA_TYPE, "SD": SD_MEDIA_TYPE}
_SALT = {"SB": 66, "SD": 67}


def _budget(spec: ProfileSpec, product: str, index: int) -> float:
    if product == "SB":
        return float(sb_campaign(spec, index)["budget"])
    if product == "SD":
        return float(sd_campaign(spec, index)["budget"])
    return float(ent.campaign(spec, index)["budget"]["budget"])


def decode_campaign(spec: ProfileSpec, product: str, value: object) -> int | None:
    """The index of an SP, SB or SD campaign id of this profile, or None."""
    if product == "SB":
        return ent.decode_id(SB_CAMPAIGN_BASE, spec, value, sb_count(spec))
    if product == "SD":
        return ent.decode_id(SD_CAMPAIGN_BASE, spec, value, sd_count(spec))
    return ent.decode_id(ent.CAMPAIGN_BASE, spec, value, spec.campaigns)


def force_usage(
    state: SimState, spec: ProfileSpec, index: int, percent: float, *, product: str = "SP"
) -> None:
    """Make campaign ``index`` of ``product`` report ``percent`` usage until its profile's midnight."""
    if not 0 <= percent <= 100:
        raise ValueError("percent must be between 0 and 100")
    now = state.now()
    with state.lock:
        budget = _budget(spec, product, index)
        forced = ForcedUsage(percent, profile_today(spec, now), at=now, spend=budget * percent / 100)
        state.forced_usage[(spec.profile_id, product, index)] = forced


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
    with state.lock:  # an entity's changes are in the order applied: its latest is its last
        edited_today = any(changes[-1].at > day.midnight for changes in spec.edits.values() if changes)
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
    budgets: tuple[float, list[tuple[datetime, float]]], *, day: _Day, cost: float, forced: ForcedUsage | None
) -> float:
    """Today's spend of a campaign at the last refresh, as a percentage of its budget then.

    Args:
        budgets: The budget in force at midnight and today's changes (`_budgets`).
        cost: What the campaign wants to spend over the whole day.
    """
    start, steps = budgets
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


def _ad_costs(spec: ProfileSpec, product: str, today: date) -> dict[int, float]:
    """What each enabled SB or SD campaign wants to spend today: 20 % to 140 % of its budget."""
    count, build = (sb_count(spec), sb_campaign) if product == "SB" else (sd_count(spec), sd_campaign)
    costs = {}
    for index in range(count):
        item = build(spec, index)
        if str(item["state"]).upper() == "ENABLED":
            share = 0.2 + 1.2 * unit(spec.seed, _SALT[product], spec.seq, index, today.toordinal())
            costs[index] = float(item["budget"]) * share
    return costs


def _entries(state: SimState, spec: ProfileSpec, ids: list[Any], product: str) -> dict[str, Any]:
    now = state.now()
    day = _refreshed(spec, now)
    today = profile_today(spec, now)
    costs = _todays_cost(state, spec, now, day) if product == "SP" else _ad_costs(spec, product, today)
    success, failed = [], []
    for position, value in enumerate(ids):
        index = decode_campaign(spec, product, value)
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
        budget = _budget(spec, product, index)
        with state.lock:
            forced = state.forced_usage.get((spec.profile_id, product, index))
            budgets = _budgets(spec, index, day) if product == "SP" else (budget, [])
        if forced is not None and forced.day != today:
            forced = None
        if forced is not None and forced.at is None:
            percent = forced.percent
        elif forced is None and index not in costs:
            percent = 0.0  # not serving today
        else:
            percent = _percent(budgets, day=day, cost=costs.get(index, 0.0), forced=forced)
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
    return _answer(state, req, region, "SP")


def usage_route(product: str) -> Callable[[SimState, RecordedRequest, str], Response]:
    """Handler of ``POST /sb/campaigns/budget/usage`` or ``/sd/…``: SP's shape, the product's campaigns.

    The body may be sent as the product's vendor media type ([unverified]) or as ``application/json``;
    the answer comes back in the type sent.
    """

    def handle(state: SimState, req: RecordedRequest, region: str) -> Response:
        return _answer(state, req, region, product)

    return handle


def _answer(state: SimState, req: RecordedRequest, region: str, product: str) -> Response:
    media = _MEDIA[product]
    if product != "SP" and req.media_type("content-type") == "application/json":
        media = "application/json"  # tolerated: the vendor type of SB/SD is unverified
    spec = sp_profile(state, req, region, media)
    if isinstance(spec, Response):
        return spec
    try:
        body = req.json()
    except ValueError:
        return sp_error(400, "INVALID_ARGUMENT", "Request body is not valid JSON")
    ids = body.get("campaignIds") if isinstance(body, dict) else None
    if not isinstance(ids, list) or not 1 <= len(ids) <= MAX_IDS:
        return sp_error(400, "INVALID_ARGUMENT", f"campaignIds must hold between 1 and {MAX_IDS} ids")
    return json_response(200, _entries(state, spec, ids, product), content_type=media)
