"""Ads API: authentication, ``GET /v2/profiles`` and the SP v3 / SB v4 list endpoints (reference §2, §3)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sandbox.amazon import entities as ent
from sandbox.amazon import sbsd
from sandbox.amazon.auth import authenticate, sp_error, sp_profile, v2_error
from sandbox.amazon.entities import ProfileSpec
from sandbox.amazon.http import RecordedRequest, Response, json_response
from sandbox.amazon.listing import IdFilter, ListError, ListKind, Tree, list_page
from sandbox.amazon.state import SimState

__all__ = ["DECLARED", "LIST_KINDS", "list_route", "profiles"]

DECLARED: dict[str, str] = {
    m.lower(): m
    for m in (
        "application/vnd.spCampaign.v3+json",
        "application/vnd.spAdGroup.v3+json",
        "application/vnd.spKeyword.v3+json",
    )
}
"""Amazon's spelling of the SP v3 media types, by their lower-case form."""

_PROFILE_TYPES = frozenset({"seller", "vendor", "agency"})
_API_PROGRAMS = frozenset({"billing", "campaign", "paymentMethod", "store", "report", "account", "posts"})


def profiles(state: SimState, req: RecordedRequest, region: str) -> Response:
    """``GET /v2/profiles``: this region's profiles of the token's user, filtered."""
    user = authenticate(state, req)
    if user is None:
        return v2_error(401, "UNAUTHORIZED", "Unauthorized")
    q = req.query
    types = {t.strip().lower() for t in q.get("profileTypeFilter", "").split(",") if t.strip()}
    if types - _PROFILE_TYPES:
        return v2_error(400, "400", f"Invalid profileTypeFilter: {','.join(sorted(types - _PROFILE_TYPES))}")
    access = q.get("accessLevel", "edit").lower()
    if access not in ("edit", "view"):
        return v2_error(400, "400", "accessLevel must be one of [edit, view]")
    if "apiProgram" in q and q["apiProgram"] not in _API_PROGRAMS:
        return v2_error(400, "400", "Invalid apiProgram")
    payment = q.get("validPaymentMethodFilter", "").lower()
    rows = []
    for spec in state.user_profiles(user.user_id, region):
        if (types and spec.profile_type not in types) or (access == "edit" and spec.access != "edit"):
            continue
        if payment in ("true", "false") and spec.valid_payment_method != (payment == "true"):
            continue
        rows.append(spec.to_json())
    return json_response(200, rows)


def _sp_tree(spec: ProfileSpec) -> Tree:
    return Tree(spec.campaigns, spec.ad_groups_per_campaign, spec.keywords_per_ad_group)


def _match_types(body: dict[str, Any], item: dict[str, Any]) -> bool:
    wanted = body.get("matchTypeFilter")
    return not wanted or item.get("matchType") in wanted


def _portfolios(body: dict[str, Any], item: dict[str, Any]) -> bool:
    wanted = (body.get("portfolioIdFilter") or {}).get("include")
    return wanted is None or item.get("portfolioId") in {str(w) for w in wanted}


def _targeting(body: dict[str, Any], item: dict[str, Any]) -> bool:  # noqa: ARG001 - all SP campaigns are MANUAL
    wanted = body.get("campaignTargetingTypeFilter")
    if wanted is None:
        return True
    values = wanted if isinstance(wanted, list) else [wanted]
    return "MANUAL" in values


_SP_BASES = (ent.CAMPAIGN_BASE, ent.AD_GROUP_BASE, ent.KEYWORD_BASE)
LIST_KINDS: dict[str, ListKind] = {
    "sp/campaigns/list": ListKind(
        "sp/campaigns/list",
        "application/vnd.spcampaign.v3+json",
        "campaigns",
        0,
        _sp_tree,
        _SP_BASES,
        lambda s, i, x: ent.campaign(s, i, extended=x),
        ent.campaign_state,
        (IdFilter("campaignIdFilter", 0, 1000),),
        ("nameFilter", "name"),
        _portfolios,
    ),
    "sp/adGroups/list": ListKind(
        "sp/adGroups/list",
        "application/vnd.spadgroup.v3+json",
        "adGroups",
        1,
        _sp_tree,
        _SP_BASES,
        lambda s, j, x: ent.ad_group(s, j, extended=x),
        ent.ad_group_state,
        (IdFilter("campaignIdFilter", 0, 100), IdFilter("adGroupIdFilter", 1, 1000)),
        ("nameFilter", "name"),
        _targeting,
    ),
    "sp/keywords/list": ListKind(
        "sp/keywords/list",
        "application/vnd.spkeyword.v3+json",
        "keywords",
        2,
        _sp_tree,
        _SP_BASES,
        lambda s, k, x: ent.keyword(s, k, extended=x),
        ent.keyword_state,
        (
            IdFilter("campaignIdFilter", 0, 100),
            IdFilter("adGroupIdFilter", 1, 100),
            IdFilter("keywordIdFilter", 2, 1000),
        ),
        ("keywordTextFilter", "keywordText"),
        _match_types,
    ),
    **sbsd.SB_KINDS,
}


def _check_body(route: str, body: Any) -> str | None:
    if not isinstance(body, dict):
        return "Request body must be a JSON object"
    if route == "sp/campaigns/list":
        include = (body.get("portfolioIdFilter") or {}).get("include") or []
        if len(include) > 100:
            return "portfolioIdFilter.include size must be between 0 and 100"
    match = body.get("matchTypeFilter")
    if match is not None and (not isinstance(match, list) or set(match) - {"EXACT", "PHRASE", "BROAD"}):
        return "matchTypeFilter must contain only EXACT, PHRASE, BROAD"
    return None


def list_route(route: str) -> Callable[[SimState, RecordedRequest, str], Response]:
    """The handler of one list endpoint (``sp/campaigns/list`` …)."""
    kind = LIST_KINDS[route]

    def handle(state: SimState, req: RecordedRequest, region: str) -> Response:
        spec = sp_profile(state, req, region, kind.media_type)
        if isinstance(spec, Response):
            return spec
        try:
            body = json.loads(req.body or b"{}")
        except ValueError:
            return sp_error(400, "INVALID_ARGUMENT", "Request body is not valid JSON")
        problem = _check_body(route, body)
        if problem:
            return sp_error(400, "INVALID_ARGUMENT", problem)
        try:
            page = list_page(kind, spec, body, max_page=state.config.max_page_size)
        except ListError as exc:
            return sp_error(400, "INVALID_ARGUMENT", str(exc))
        return json_response(200, page, content_type=_declared(kind.media_type))

    return handle


def _declared(media: str) -> str:
    """The media type with Amazon's spelling (``application/vnd.spCampaign.v3+json``)."""
    return DECLARED.get(media, media)
