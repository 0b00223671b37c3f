"""Login with Amazon: the consent page, the token endpoint and the (unofficial) revoke endpoint.

Reference §1: codes live 5 minutes and work once, ``redirect_uri`` must match, PKCE is checked when a
challenge was sent, refresh returns the same refresh token, and error bodies are LWA's
``{"error", "error_description"}``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import secrets
from datetime import timedelta
from urllib.parse import urlencode

from sandbox.amazon.config import KNOWN_SCOPES
from sandbox.amazon.http import RecordedRequest, Response, json_response
from sandbox.amazon.regions import CONSENT_HOSTS
from sandbox.amazon.state import AuthCode, ConsentTxn, Grant, SimState, User, new_token

__all__ = ["consent_decision", "consent_page", "revoke", "token"]

_LWA_JSON = "application/json;charset=UTF-8"
_CODE_TEXT = "The request has an invalid grant parameter : code"
_REFRESH_TEXT = (
    "The request has an invalid grant parameter : refresh_token. "
    "User may have revoked or didn't grant the permission."
)
_LOOPBACK = ("http://127.0.0.1:", "http://127.0.0.1/", "http://localhost:", "http://localhost/")
_REGION_LABEL = {"na": "North America", "eu": "Europe", "fe": "Far East"}


def lwa_error(status: int, error: str, description: str) -> Response:
    """An LWA error body (reference §1.5)."""
    return json_response(status, {"error": error, "error_description": description}, content_type=_LWA_JSON)


def _html(status: int, title: str, body: str) -> Response:
    page = (
        "<!doctype html><html><head><meta charset='utf-8'><title>"
        f"{html.escape(title)}</title></head>"
        "<body style='font-family:sans-serif;max-width:32em;margin:3em auto'>"
        f"<h1>{html.escape(title)}</h1>{body}</body></html>"
    )
    return Response(status, page.encode("utf-8"), {"Content-Type": "text/html; charset=utf-8"})


def _error_page(message: str) -> Response:
    return _html(400, "Amazon - Error", f"<p class='error'>{html.escape(message)}</p>")


def _redirect(uri: str, params: dict[str, str | None]) -> Response:
    query = urlencode({k: v for k, v in params.items() if v is not None})
    sep = "&" if "?" in uri else "?"
    return Response(302, b"", {"Location": f"{uri}{sep}{query}"})


def consent_page(state: SimState, req: RecordedRequest, region: str) -> Response:
    """``GET /ap/oa``: validate the request and show Allow / Cancel (or redirect with an error)."""
    q = req.query
    if q.get("client_id") != state.config.client_id:
        return _error_page("We're sorry! The client_id is not registered with Login with Amazon.")
    redirect_uri = q.get("redirect_uri", "")
    with state.lock:
        allowed = redirect_uri in state.redirect_uris or (
            state.config.allow_loopback_redirects and redirect_uri.startswith(_LOOPBACK)
        )
    if not allowed:
        return _error_page("The redirect URI you provided has not been whitelisted for your application.")
    oauth_state = q.get("state")
    if q.get("response_type") != "code":
        return _redirect(
            redirect_uri,
            {
                "error": "unsupported_response_type",
                "error_description": "response_type must be code",
                "state": oauth_state,
            },
        )
    scopes = q.get("scope", "").split()
    if not scopes or any(s not in KNOWN_SCOPES for s in scopes):
        return _redirect(
            redirect_uri,
            {
                "error": "invalid_scope",
                "error_description": "An unknown scope was requested",
                "state": oauth_state,
            },
        )
    challenge = q.get("code_challenge") or None
    method = (q.get("code_challenge_method") or "plain") if challenge else None
    if method not in (None, "S256", "plain"):
        return _redirect(
            redirect_uri,
            {
                "error": "invalid_request",
                "error_description": "Unsupported code_challenge_method",
                "state": oauth_state,
            },
        )
    with state.lock:
        users = list(state.users.values())
        if not users:
            return _error_page("No Amazon account is signed in to this simulator.")
        txn = ConsentTxn(
            secrets.token_urlsafe(16),
            region,
            state.config.client_id,
            redirect_uri,
            " ".join(scopes),
            oauth_state,
            challenge,
            method,
        )
        state.txns[txn.txn] = txn
    return _render_consent(txn, users)


def _render_consent(txn: ConsentTxn, users: list[User]) -> Response:
    host = CONSENT_HOSTS[txn.region]
    names = [(u.user_id, u.name) for u in users]
    if len(names) == 1:
        uid, name = names[0]
        who = (
            f"<p>Signed in as <strong class='account'>{html.escape(name)}</strong></p>"
            f"<input type='hidden' name='user_id' value='{html.escape(uid)}'>"
        )
    else:
        options = "".join(f"<option value='{html.escape(u)}'>{html.escape(n)}</option>" for u, n in names)
        who = f"<label>Amazon account <select name='user_id'>{options}</select></label>"
    body = (
        f"<p>Region: <strong class='region'>{_REGION_LABEL[txn.region]}</strong> ({html.escape(host)})</p>"
        f"<p>The application <code>{html.escape(txn.client_id)}</code> asks for "
        f"<code class='scope'>{html.escape(txn.scope)}</code>.</p>"
        f"<form method='post' action='/{html.escape(host)}/ap/oa/decision'>"
        f"<input type='hidden' name='txn' value='{html.escape(txn.txn)}'>{who}"
        "<p><button type='submit' name='decision' value='allow'>Allow</button> "
        "<button type='submit' name='decision' value='cancel'>Cancel</button></p></form>"
    )
    return _html(200, "Amazon - Login with Amazon", body)


def consent_decision(state: SimState, req: RecordedRequest, region: str) -> Response:  # noqa: ARG001
    """``POST /ap/oa/decision``: Allow issues a code; Cancel redirects with ``access_denied``."""
    form = req.form()
    with state.lock:
        txn = state.txns.get(form.get("txn", ""))
        if txn is None or txn.used:
            return _error_page("This consent request has expired. Start again from the application.")
        txn.used = True
        if form.get("decision") != "allow":
            return _redirect(
                txn.redirect_uri,
                {
                    "error": "access_denied",
                    "error_description": "The user denied the request",
                    "state": txn.state,
                },
            )
        user = state.users.get(form.get("user_id", ""))
        if user is None:
            return _error_page("Unknown Amazon account.")
        code = AuthCode(
            secrets.token_urlsafe(15),
            user.user_id,
            txn.client_id,
            txn.redirect_uri,
            txn.scope,
            txn.challenge,
            txn.method,
            state.now(),
        )
        state.codes[code.value] = code
    return _redirect(txn.redirect_uri, {"code": code.value, "scope": txn.scope, "state": txn.state})


def _form(req: RecordedRequest) -> dict[str, str]:
    return req.form() if req.content_type == "application/x-www-form-urlencoded" else {}


def _client_ok(state: SimState, form: dict[str, str]) -> bool:
    cfg = state.config
    return hmac.compare_digest(form.get("client_id", ""), cfg.client_id) and hmac.compare_digest(
        form.get("client_secret", ""), cfg.client_secret
    )


def token(state: SimState, req: RecordedRequest, region: str) -> Response:  # noqa: ARG001
    """``POST /auth/o2/token`` with ``authorization_code`` or ``refresh_token`` (form body only)."""
    form = _form(req)
    grant_type = form.get("grant_type")
    if not grant_type:
        return lwa_error(400, "invalid_request", "The request is missing a required parameter : grant_type")
    if grant_type not in ("authorization_code", "refresh_token"):
        return lwa_error(
            400,
            "unsupported_grant_type",
            "The authorization grant type is not supported by the authorization server",
        )
    needed = ("code", "redirect_uri") if grant_type == "authorization_code" else ("refresh_token",)
    for name in (*needed, "client_id", "client_secret"):
        if not form.get(name):
            return lwa_error(400, "invalid_request", f"The request is missing a required parameter : {name}")
    if not _client_ok(state, form):
        return lwa_error(401, "invalid_client", "Client authentication failed")
    if grant_type == "authorization_code":
        return _exchange_code(state, form)
    with state.lock:
        grant = state.grants.get(form["refresh_token"])
        if grant is None or grant.revoked or grant.client_id != form["client_id"]:
            return lwa_error(400, "invalid_grant", _REFRESH_TEXT)
    return _token_response(state, grant)


def _pkce_ok(code: AuthCode, verifier: str | None) -> bool:
    if code.challenge is None:
        return True
    if not verifier:
        return False
    if code.method == "S256":
        digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
        computed = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
        return hmac.compare_digest(computed, code.challenge)
    return hmac.compare_digest(verifier, code.challenge)


def _exchange_code(state: SimState, form: dict[str, str]) -> Response:
    with state.lock:
        code = state.codes.get(form["code"])
        used = code is not None and code.used
        if code is not None:
            code.used = True  # any presentation burns the code, even a failed one
        if (
            code is None
            or used
            or code.issued_at + timedelta(seconds=state.config.code_ttl) <= state.now()
            or code.client_id != form["client_id"]
            or code.redirect_uri != form["redirect_uri"]
            or not _pkce_ok(code, form.get("code_verifier"))
        ):
            return lwa_error(400, "invalid_grant", _CODE_TEXT)
        grant = Grant(new_token("Atzr|"), code.user_id, code.client_id, code.scope)
        state.grants[grant.refresh_token] = grant
    return _token_response(state, grant)


def _token_response(state: SimState, grant: Grant) -> Response:
    access = state.issue_access_token(grant)
    payload = {
        "access_token": access.value,
        "refresh_token": grant.refresh_token,
        "token_type": "bearer",
        "expires_in": state.config.access_token_ttl,
    }
    response = json_response(200, payload, content_type=_LWA_JSON)
    response.headers["Cache-Control"] = "no-store"
    return response


def revoke(state: SimState, req: RecordedRequest, region: str) -> Response:  # noqa: ARG001
    """``POST /auth/o2/revoke`` (unofficial, RFC 7009 style): revoke a refresh or access token."""
    form = _form(req)
    if ("client_id" in form or "client_secret" in form) and not _client_ok(state, form):
        return lwa_error(401, "invalid_client", "Client authentication failed")
    value = form.get("token", "")
    if not value:
        return lwa_error(400, "invalid_request", "The request is missing a required parameter : token")
    with state.lock:
        grant = state.grants.get(value)
        if grant is not None:
            grant.revoked = True
        state.tokens.pop(value, None)
    return json_response(200, {}, content_type=_LWA_JSON)
