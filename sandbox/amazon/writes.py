"""Sponsored Products live edits: ``PUT /sp/campaigns``, ``/sp/adGroups``, ``/sp/keywords`` (reference §3.6).

A batch answers 207 Multi-Status, ``{<key>: {"success": [{"index", <idField>}], "error": [{"index",
"errors": [{"errorType", "errorValue": {<errorType>: {...}}}]}]}}``. Invariants:

- the whole request is refused (401/403/406/415/400) before any entity is looked at: bad credentials,
  wrong media type, a view-only profile (403 ``ACCESS_DENIED``), a body that is not a batch, or more than
  `MAX_BATCH` entities;
- entities are checked and applied one by one in batch order, under the state lock, so a later entry
  sees what an earlier one did (archive then edit → the edit fails);
- an entity with any error changes nothing; a valid one changes only the fields it sends, and only
  values that differ from the current ones are recorded (so a retried batch adds nothing);
- an ARCHIVED entity cannot be changed; states that can be set are ENABLED, PAUSED and ARCHIVED;
- budgets and bids must lie within the marketplace's row of :data:`sandbox.amazon.bounds.BOUNDS`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sandbox.amazon import entities as ent
from sandbox.amazon.auth import sp_error, sp_profile
from sandbox.amazon.bounds import Bounds, bounds_for
from sandbox.amazon.edits import AD_GROUP, CAMPAIGN, KEYWORD, add_change
from sandbox.amazon.entities import ProfileSpec
from sandbox.amazon.http import RecordedRequest, Response, json_response
from sandbox.amazon.state import SimState

__all__ = ["MAX_BATCH", "WRITE_KINDS", "WriteKind", "write_route"]

MAX_BATCH = 1000
STATES = frozenset({"ENABLED", "PAUSED", "ARCHIVED"})
Field = Callable[[Any, Bounds], "tuple[Any, str | None, dict[str, Any]]"]
"""Checks one sent field: (value to store, errorType or None, error details)."""


@dataclass(frozen=True)
class WriteKind:
    """One write endpoint and the entities it edits."""

    route: str
    media_type: str
    key: str
    id_field: str
    entity: str
    entity_type: str
    base: int
    count: Callable[[ProfileSpec], int]
    current: Callable[[ProfileSpec, int], dict[str, Any]]
    fields: tuple[tuple[str, Field], ...]


def _number(value: Any, low: float, high: float, name: str) -> tuple[Any, str | None, dict[str, Any]]:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None, "malformedValueError", {"reason": "INVALID_TYPE", "message": f"{name} must be a number"}
    if not low <= value <= high:
        reason = "TOO_LOW" if value < low else "TOO_HIGH"
        detail = {
            "reason": reason,
            "message": f"{name} must be between {low} and {high}",
            "allowed": [low, high],
        }
        return None, "rangeError", detail
    return float(value), None, {}


def _state(value: Any, _bounds: Bounds) -> tuple[Any, str | None, dict[str, Any]]:
    if value not in STATES:
        return None, "malformedValueError", {"reason": "INVALID_ENUM_VALUE", "message": f"state {value!r}"}
    return value, None, {}


def _budget(value: Any, bounds: Bounds) -> tuple[Any, str | None, dict[str, Any]]:
    if not isinstance(value, dict) or value.get("budgetType", "DAILY") != "DAILY":
        return None, "malformedValueError", {"reason": "INVALID_VALUE", "message": "budget must be DAILY"}
    return _number(value.get("budget"), bounds.budget_min, bounds.budget_max, "budget")


def _bid(name: str) -> Field:
    def check(value: Any, bounds: Bounds) -> tuple[Any, str | None, dict[str, Any]]:
        return _number(value, bounds.bid_min, bounds.bid_max, name)

    return check


def _campaign_now(spec: ProfileSpec, i: int) -> dict[str, Any]:
    item = ent.campaign(spec, i)
    return {"state": item["state"], "budget": item["budget"]["budget"]}


def _ad_group_now(spec: ProfileSpec, j: int) -> dict[str, Any]:
    item = ent.ad_group(spec, j)
    return {"state": item["state"], "defaultBid": item["defaultBid"]}


def _keyword_now(spec: ProfileSpec, k: int) -> dict[str, Any]:
    item = ent.keyword(spec, k)
    return {"state": item["state"], "bid": item.get("bid")}


WRITE_KINDS: dict[str, WriteKind] = {
    "sp/campaigns": WriteKind(
        "sp/campaigns",
        "application/vnd.spCampaign.v3+json",
        "campaigns",
        "campaignId",
        CAMPAIGN,
        "CAMPAIGN",
        ent.CAMPAIGN_BASE,
        lambda s: s.campaigns,
        _campaign_now,
        (("state", _state), ("budget", _budget)),
    ),
    "sp/adGroups": WriteKind(
        "sp/adGroups",
        "application/vnd.spAdGroup.v3+json",
        "adGroups",
        "adGroupId",
        AD_GROUP,
        "AD_GROUP",
        ent.AD_GROUP_BASE,
        lambda s: s.ad_group_count,
        _ad_group_now,
        (("state", _state), ("defaultBid", _bid("defaultBid"))),
    ),
    "sp/keywords": WriteKind(
        "sp/keywords",
        "application/vnd.spKeyword.v3+json",
        "keywords",
        "keywordId",
        KEYWORD,
        "KEYWORD",
        ent.KEYWORD_BASE,
        lambda s: s.keyword_count,
        _keyword_now,
        (("state", _state), ("bid", _bid("bid"))),
    ),
}


def _error(kind: WriteKind, error_type: str, detail: dict[str, Any], entity_id: Any) -> dict[str, Any]:
    body = {"entityType": kind.entity_type, "entityId": str(entity_id), **detail}
    return {"errorType": error_type, "errorValue": {error_type: body}}


def _check(
    kind: WriteKind, spec: ProfileSpec, item: Any
) -> tuple[int, dict[str, Any]] | list[dict[str, Any]]:
    """The entity's index and the values to set, or its errors (against the state right now)."""
    if not isinstance(item, dict) or item.get(kind.id_field) in (None, ""):
        detail = {"reason": "MISSING_VALUE", "message": f"{kind.id_field} is required"}
        return [_error(kind, "missingValueError", detail, "")]
    entity_id = item[kind.id_field]
    index = ent.decode_id(kind.base, spec, entity_id, kind.count(spec))
    if index is None:
        detail = {"reason": "ENTITY_NOT_FOUND", "message": f"{kind.entity_type} {entity_id} not found"}
        return [_error(kind, "entityNotFoundError", detail, entity_id)]
    if kind.current(spec, index)["state"] == "ARCHIVED":
        detail = {"reason": "ENTITY_IS_ARCHIVED", "message": "An archived entity cannot be changed"}
        return [_error(kind, "entityStateError", detail, entity_id)]
    values: dict[str, Any] = {}
    errors = []
    bounds = bounds_for(spec.market.country)
    for name, check in kind.fields:
        if name in item:
            value, error_type, detail = check(item[name], bounds)
            if error_type is None:
                values[name] = value
            else:
                errors.append(
                    _error(kind, error_type, {**detail, "marketplace": spec.market.country}, entity_id)
                )
    return errors or (index, values)


def apply_batch(state: SimState, kind: WriteKind, spec: ProfileSpec, items: list[Any]) -> dict[str, Any]:
    """Check and apply each entity in order; the ``{"success": [...], "error": [...]}`` of the batch."""
    success: list[dict[str, Any]] = []
    failed: list[dict[str, Any]] = []
    with state.lock:
        now = state.now()
        for position, item in enumerate(items):
            checked = _check(kind, spec, item)
            if isinstance(checked, list):
                failed.append({"index": position, "errors": checked})
                continue
            index, values = checked
            current = kind.current(spec, index)
            changed = {name: value for name, value in values.items() if current.get(name) != value}
            if changed:
                add_change(spec.edits, kind.entity, index, now, changed)
            success.append({"index": position, kind.id_field: str(item[kind.id_field])})
    return {"success": success, "error": failed}


def write_route(route: str) -> Callable[[SimState, RecordedRequest, str], Response]:
    """The handler of one write endpoint (``sp/campaigns`` …)."""
    kind = WRITE_KINDS[route]

    def handle(state: SimState, req: RecordedRequest, region: str) -> Response:
        spec = sp_profile(state, req, region, kind.media_type, write=True)
        if isinstance(spec, Response):
            return spec
        try:
            body = req.json()
        except ValueError:
            return sp_error(400, "INVALID_ARGUMENT", "Request body is not valid JSON")
        items = body.get(kind.key) if isinstance(body, dict) else None
        if not isinstance(items, list):
            return sp_error(400, "INVALID_ARGUMENT", f"{kind.key} must be an array")
        if len(items) > MAX_BATCH:
            return sp_error(400, "INVALID_ARGUMENT", f"{kind.key} size must be between 0 and {MAX_BATCH}")
        result = apply_batch(state, kind, spec, items)
        return json_response(207, {kind.key: result}, content_type=kind.media_type)

    return handle
