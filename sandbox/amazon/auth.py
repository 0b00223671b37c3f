"""Ads API request checks shared by every API route: ClientId + Bearer, the Scope header, error bodies."""

from __future__ import annotations

import uuid

from sandbox.amazon.entities import ProfileSpec
from sandbox.amazon.http import RecordedRequest, Response, json_response
from sandbox.amazon.state import SimState, User

__all__ = [
    "AGENCY_DETAILS",
    "authenticate",
    "media_type",
    "resolve_scope",
    "sp_error",
    "sp_profile",
    "v2_error",
]

AGENCY_DETAILS = "The request input is invalid. Advertiser ID cannot be decrypted"


def v2_error(status: int, code: str, details: str) -> Response:
    """The older ``{"code", "details", "requestId"}`` error body."""
    return json_response(status, {"code": code, "details": details, "requestId": str(uuid.uuid4()).upper()})


def sp_error(status: int, code: str, message: str) -> Response:
    """The SP v3 ``{"code", "message"}`` error body (reference §3.4)."""
    return json_response(status, {"code": code, "message": message})


def media_type(req: RecordedRequest, header: str) -> str:
    """The bare, lower-cased media type of a header (``content-type`` or ``accept``)."""
    return req.media_type(header)


def authenticate(state: SimState, req: RecordedRequest) -> User | None:
    """The user of a request with a valid ClientId header and Bearer access token, else None."""
    if req.headers.get("amazon-advertising-api-clientid") != state.config.client_id:
        return None
    auth = req.headers.get("authorization", "")
    if auth[:7].lower() != "bearer ":
        return None
    with state.lock:
        token = state.tokens.get(auth[7:].strip())
        if token is None or token.grant.client_id != state.config.client_id:
            return None
    return state.access_token_user(token.value)


def resolve_scope(state: SimState, req: RecordedRequest, region: str, user: User) -> ProfileSpec | str:
    """The profile named by the Scope header, or the 401 message explaining why it is not usable."""
    raw = req.headers.get("amazon-advertising-api-scope", "").strip()
    if not raw:
        return "Scope header is missing"
    try:
        profile_id = int(raw)
    except ValueError:
        return "No matching advertiser found for scope"
    with state.lock:
        spec = state.profiles.get(profile_id)
    if spec is None or spec.region != region:
        return "No matching advertiser found for scope"
    if spec.user_id != user.user_id:
        return "Not authorized to access scope"
    return spec


def sp_profile(
    state: SimState, req: RecordedRequest, region: str, media: str, *, write: bool = False
) -> ProfileSpec | Response:
    """The profile an SP v3 request acts on, or the error that refuses the whole request.

    Checks in Amazon's order: ClientId and Bearer token (401), the vendor media type of the body (415)
    and of ``Accept`` (406), the Scope header (401), agency profiles (400, older body shape), and for
    writes a profile without edit access (403 ``ACCESS_DENIED``).

    Args:
        media: the route's media type (compared without case).
        write: the request changes entities.
    """
    user = authenticate(state, req)
    if user is None:
        return sp_error(401, "UNAUTHORIZED", "Unauthorized")
    expected = media.lower()
    if media_type(req, "content-type") != expected:
        return sp_error(415, "UNSUPPORTED_MEDIA_TYPE", f"Content-Type must be {expected}")
    accept = media_type(req, "accept")
    if accept and accept not in (expected, "*/*", "application/json"):
        return sp_error(406, "NOT_ACCEPTABLE", f"Accept must be {expected}")
    spec = resolve_scope(state, req, region, user)
    if isinstance(spec, str):
        return sp_error(401, "UNAUTHORIZED", spec)
    if spec.profile_type == "agency":
        return v2_error(400, "400", AGENCY_DETAILS)
    if write and spec.access != "edit":
        return sp_error(403, "ACCESS_DENIED", "The profile does not allow changes to its campaigns")
    return spec
