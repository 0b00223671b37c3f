"""Sponsored Brands v4 lists and Sponsored Display lists (reference §3.5; paths and paging only).

SB: ``POST /sb/v4/campaigns/list`` and ``/sb/v4/adGroups/list`` (``nextToken`` paging, string ids).
SD: ``GET /sd/campaigns``, ``/sd/adGroups`` and their ``/extended`` variants (``startIndex``/``count``,
integer ids, lower-case states), as the older SD API serves them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sandbox.amazon import entities as ent
from sandbox.amazon.auth import AGENCY_DETAILS, authenticate, resolve_scope, v2_error
from sandbox.amazon.entities import ProfileSpec, encode_id, unit
from sandbox.amazon.http import RecordedRequest, Response, json_response
from sandbox.amazon.listing import IdFilter, ListKind, Tree
from sandbox.amazon.state import SimState

__all__ = ["SB_KINDS", "sb_campaign", "sb_count", "sd_campaign", "sd_count", "sd_route"]

SB_CAMPAIGN_BASE = 5 * 10**14
SB_AD_GROUP_BASE = 6 * 10**14
SD_CAMPAIGN_BASE = 7 * 10**14
SD_AD_GROUP_BASE = 8 * 10**14


def sb_count(spec: ProfileSpec) -> int:
    """Number of Sponsored Brands campaigns (one ad group each)."""
    return max(1, spec.campaigns // 8) if spec.campaigns else 0


def sd_count(spec: ProfileSpec) -> int:
    """Number of Sponsored Display campaigns (one ad group each)."""
    return max(1, spec.campaigns // 10) if spec.campaigns else 0


def _state(spec: ProfileSpec, salt: int, i: int) -> str:
    u = unit(spec.seed, salt, spec.seq, i)
    return "ENABLED" if u < 0.7 else "PAUSED" if u < 0.88 else "ARCHIVED"


def sb_campaign(spec: ProfileSpec, i: int, extended: bool = False) -> dict[str, Any]:  # noqa: ARG001
    """SB campaign ``i`` as ``POST /sb/v4/campaigns/list`` serves it."""
    start = spec.data_start - timedelta(days=int(unit(spec.seed, 61, spec.seq, i) * 200))
    return {
        "campaignId": str(encode_id(SB_CAMPAIGN_BASE, spec, i)),
        "name": f"SB - {ent.campaign_name(spec, i).split(' - ')[1]} - Brand {i + 1}",
        "state": _state(spec, 60, i),
        "budget": round((20 + 5 * (i % 10)) * ent.money_scale(spec.market.currency), 2),
        "budgetType": "DAILY",
        "startDate": start.isoformat(),
        "brandEntityId": f"ENTITY{spec.seq:04d}{i:06d}",
        "goal": "PAGE_VISIT",
        "costType": "CPC",
        "isMultiAdGroupsEnabled": True,
        "tags": {},
    }


def sb_ad_group(spec: ProfileSpec, j: int, extended: bool = False) -> dict[str, Any]:  # noqa: ARG001
    """SB ad group ``j`` (one per SB campaign)."""
    return {
        "adGroupId": str(encode_id(SB_AD_GROUP_BASE, spec, j)),
        "campaignId": str(encode_id(SB_CAMPAIGN_BASE, spec, j)),
        "name": f"SB ad group {j + 1}",
        "state": _state(spec, 62, j),
    }


def _sb_tree(spec: ProfileSpec) -> Tree:
    return Tree(sb_count(spec), 1, 0)


_SB_BASES = (SB_CAMPAIGN_BASE, SB_AD_GROUP_BASE, 0)
SB_KINDS: dict[str, ListKind] = {
    "sb/v4/campaigns/list": ListKind(
        "sb/v4/campaigns/list",
        "application/vnd.sbcampaignresource.v4+json",
        "campaigns",
        0,
        _sb_tree,
        _SB_BASES,
        sb_campaign,
        lambda s, i: _state(s, 60, i),
        (IdFilter("campaignIdFilter", 0, 100),),
        ("nameFilter", "name"),
    ),
    "sb/v4/adGroups/list": ListKind(
        "sb/v4/adGroups/list",
        "application/vnd.sbadgroupresource.v4+json",
        "adGroups",
        1,
        _sb_tree,
        _SB_BASES,
        sb_ad_group,
        lambda s, j: _state(s, 62, j),
        (IdFilter("campaignIdFilter", 0, 100), IdFilter("adGroupIdFilter", 1, 100)),
        ("nameFilter", "name"),
    ),
}


def sd_campaign(spec: ProfileSpec, i: int, *, extended: bool = False) -> dict[str, Any]:
    """SD campaign ``i`` as ``GET /sd/campaigns`` serves it (integer ids, lower-case state)."""
    start = spec.data_start - timedelta(days=int(unit(spec.seed, 63, spec.seq, i) * 200))
    item: dict[str, Any] = {
        "campaignId": encode_id(SD_CAMPAIGN_BASE, spec, i),
        "name": f"SD - Retargeting {i + 1}",
        "tactic": "T00020" if i % 2 else "T00030",
        "startDate": start.strftime("%Y%m%d"),
        "state": _state(spec, 64, i).lower(),
        "costType": "cpc",
        "budget": round((15 + 5 * (i % 6)) * ent.money_scale(spec.market.currency), 2),
        "budgetType": "daily",
        "deliveryProfile": "as_soon_as_possible",
    }
    if extended:
        millis = (start.toordinal() - 719163) * 86_400_000  # midnight UTC, epoch milliseconds
        item.update(
            servingStatus=f"CAMPAIGN_STATUS_{item['state'].upper()}",
            creationDate=millis,
            lastUpdatedDate=millis,
        )
    return item


def sd_ad_group(spec: ProfileSpec, j: int, *, extended: bool = False) -> dict[str, Any]:
    """SD ad group ``j`` (one per SD campaign)."""
    item: dict[str, Any] = {
        "adGroupId": encode_id(SD_AD_GROUP_BASE, spec, j),
        "campaignId": encode_id(SD_CAMPAIGN_BASE, spec, j),
        "name": f"SD ad group {j + 1}",
        "defaultBid": round(0.8 * ent.money_scale(spec.market.currency), 2),
        "bidOptimization": "clicks",
        "state": _state(spec, 65, j).lower(),
        "tactic": "T00020" if j % 2 else "T00030",
    }
    if extended:
        item["servingStatus"] = f"AD_GROUP_STATUS_{item['state'].upper()}"
    return item


def _csv(value: str | None) -> set[str] | None:
    return None if value is None else {v.strip() for v in value.split(",") if v.strip()}


def sd_route(kind: str, *, extended: bool) -> Callable[[SimState, RecordedRequest, str], Response]:
    """Handler of ``GET /sd/campaigns`` or ``/sd/adGroups`` (optionally ``/extended``)."""
    build = sd_campaign if kind == "campaigns" else sd_ad_group

    def handle(state: SimState, req: RecordedRequest, region: str) -> Response:
        user = authenticate(state, req)
        if user is None:
            return v2_error(401, "UNAUTHORIZED", "Unauthorized")
        spec = resolve_scope(state, req, region, user)
        if isinstance(spec, str):
            return v2_error(401, "UNAUTHORIZED", spec)
        if spec.profile_type == "agency":
            return v2_error(400, "400", AGENCY_DETAILS)
        q = req.query
        try:
            start, count = int(q.get("startIndex", "0")), int(q.get("count", "100"))
        except ValueError:
            return v2_error(400, "INVALID_ARGUMENT", "startIndex and count must be integers")
        if start < 0 or not 1 <= count <= 100:
            return v2_error(400, "INVALID_ARGUMENT", "count must be between 1 and 100")
        states, ids = _csv(q.get("stateFilter")), _csv(q.get("campaignIdFilter"))
        rows = [build(spec, i, extended=extended) for i in range(sd_count(spec))]
        rows = [
            r
            for r in rows
            if (states is None or r["state"] in states) and (ids is None or str(r["campaignId"]) in ids)
        ]
        return json_response(200, rows[start : start + count])

    return handle
