"""Ads API request checks shared by every API route: ClientId + Bearer, the Scope header, error bodies."""

from __future__ import annotations

import uuid

from sandbox.amazon.entities import ProfileSpec
from sandbox.amazon.http import RecordedRequest, Response, json_response
from sandbox.amazon.state import SimState, User

__all__ = ["AGENCY_DETAILS", "authenticate", "media_type", "resolve_scope", "sp_error", "v2_error"]

AGENCY_DETAILS = "The request input is invalid. Advertiser ID cannot be decrypted"


def v2_error(status: int, code: str, details: str) -> Response:
    """The older ``{"code", "details", "requestId"}`` error body."""
    return json_response(status, {"code": code, "details": details, "requestId": str(uuid.uuid4()).upper()})


def sp_error(status: int, code: str, message: str) -> Response:
    """The SP v3 ``{"code", "message"}`` error body (reference §3.4)."""
    return json_response(status, {"code": code, "message": message})


def media_type(req: RecordedRequest, header: str) -> str:
    """The bare, lower-cased media type of a header (``content-type`` or ``accept``)."""
    return req.headers.get(header, "").split(";")[0].strip().lower()


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
