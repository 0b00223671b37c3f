"""Login with Amazon: PKCE, the consent URL, code exchange, token refresh and best-effort revoke.

Token calls are form-encoded POSTs to the region's token URL (reference §1.3, §1.4). The refresh token
is never rotated by Amazon; if a different one ever comes back, the new one wins.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import secrets
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import httpx

from bot.amazon.errors import AmazonAdsError, MalformedResponse, TransportError, raise_for_response
from bot.amazon.models import TokenSet
from bot.amazon.regions import RegionEndpoints
from bot.amazon.retry import NO_RETRY, RetryPolicy

__all__ = ["SCOPE", "LwaClient", "consent_url", "make_pkce"]

logger = logging.getLogger(__name__)

SCOPE = "advertising::campaign_management"
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)


def make_pkce() -> tuple[str, str]:
    """A PKCE pair for S256: (`code_verifier`, `code_challenge`).

    The verifier is 64 URL-safe characters (RFC 7636 allows 43-128); the challenge is the unpadded
    base64url SHA-256 of it.
    """
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
    return verifier, challenge


def consent_url(
    endpoints: RegionEndpoints, *, client_id: str, redirect_uri: str, state: str, code_challenge: str
) -> str:
    """The region's LWA consent URL asking for `advertising::campaign_management` with S256 PKCE.

    Args:
        endpoints: The region's endpoints (`auth_url` is used).
        client_id: The LWA client id.
        redirect_uri: Exactly the URL that will be sent again at code exchange.
        state: The opaque one-time state.
        code_challenge: From `make_pkce()`.

    Returns:
        The URL to send the browser to.
    """
    params = {
        "client_id": client_id,
        "scope": SCOPE,
        "response_type": "code",
        "redirect_uri": redirect_uri,
        "state": state,
        "code_challenge": code_challenge,
        "code_challenge_method": "S256",
    }
    return str(httpx.URL(endpoints.auth_url).copy_merge_params(params))


def _utc_now() -> datetime:
    return datetime.now(UTC)


class LwaClient:
    """Token calls against Login with Amazon.

    Args:
        http: The HTTP client (its own auth, if any, is bypassed for token calls).
        client_id: LWA client id.
        client_secret: LWA client secret (kept private; never logged).
        clock: Aware UTC "now", for `expires_at`.
        retry: Retry policy for refresh (code exchange is never retried: a code is single use).
        timeout: Timeout for token calls.
    """

    def __init__(
        self,
        http: httpx.Client,
        *,
        client_id: str,
        client_secret: str,
        clock: Callable[[], datetime] = _utc_now,
        retry: RetryPolicy = NO_RETRY,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
    ) -> None:
        self._http = http
        self.client_id = client_id
        self._client_secret = client_secret
        self.clock = clock
        self._retry = retry
        self._timeout = timeout

    def __repr__(self) -> str:
        return f"LwaClient(client_id={self.client_id!r})"

    def exchange_code(
        self, endpoints: RegionEndpoints, *, code: str, redirect_uri: str, code_verifier: str
    ) -> TokenSet:
        """Trade an authorization code for tokens (`authorization_code` grant).

        Raises:
            CodeRejected: The code expired, was reused, or the redirect/verifier did not match.
            ClientConfigError: LWA refused the client credentials.
            AmazonAdsError: Anything else (`ServerError`, `TransportError` …).
        """
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "code_verifier": code_verifier,
        }
        response = self._send(self.token_request(endpoints.token_url, form), NO_RETRY)
        return self.parse_token_response(response)

    def refresh(self, endpoints: RegionEndpoints, *, refresh_token: str) -> TokenSet:
        """A fresh access token (`refresh_token` grant); keeps `refresh_token` unless LWA sends another.

        Raises:
            ReconnectRequired: The grant is gone (`invalid_grant`).
            ClientConfigError: LWA refused the client credentials.
            AmazonAdsError: Anything else.
        """
        response = self._send(
            self.refresh_request(endpoints.token_url, refresh_token=refresh_token), self._retry
        )
        return self.parse_token_response(response, refresh_token=refresh_token)

    def revoke(self, revoke_url: str, *, refresh_token: str) -> bool:
        """Best-effort revoke (no documented Amazon endpoint; reference §1.6). Never raises.

        Returns:
            True if the endpoint answered 2xx; False on any failure (logged without the token).
        """
        form = {"token": refresh_token, "token_type_hint": "refresh_token"}
        try:
            response = self._send(self.token_request(revoke_url, form), NO_RETRY)
            raise_for_response(response)
        except AmazonAdsError as exc:
            logger.warning(
                "amazon.lwa.revoke_failed", extra={"error": type(exc).__name__, "status": exc.status}
            )
            return False
        except Exception as exc:  # best effort means best effort: a bad URL must not break disconnect
            logger.warning("amazon.lwa.revoke_failed", extra={"error": type(exc).__name__, "status": None})
            return False
        logger.info("amazon.lwa.revoked", extra={"status": response.status_code})
        return True

    def token_request(self, url: str, form: Mapping[str, str]) -> httpx.Request:
        """A form POST to an LWA endpoint carrying the client credentials."""
        data = {**form, "client_id": self.client_id, "client_secret": self._client_secret}
        return httpx.Request(
            "POST",
            url,
            data=data,
            headers={"Accept": "application/json"},
            extensions={"timeout": self._timeout.as_dict()},
        )

    def refresh_request(self, token_url: str, *, refresh_token: str) -> httpx.Request:
        """The refresh-grant request (used by `LwaAuth` inside its auth flow)."""
        return self.token_request(token_url, {"grant_type": "refresh_token", "refresh_token": refresh_token})

    def parse_token_response(self, response: httpx.Response, *, refresh_token: str | None = None) -> TokenSet:
        """Raise the typed error for a failed token call, or build the `TokenSet`."""
        raise_for_response(response)
        try:
            data: Any = response.json()
            if not isinstance(data, Mapping) or not data.get("access_token"):
                raise ValueError("no access_token")
            return TokenSet.from_response(data, now=self.clock(), refresh_token=refresh_token)
        except ValueError as exc:
            raise MalformedResponse(
                f"LWA answered without a usable token ({type(exc).__name__})", status=response.status_code
            ) from None

    def _send(self, request: httpx.Request, retry: RetryPolicy) -> httpx.Response:
        try:
            return retry.execute(lambda: self._http.send(request, auth=None))
        except httpx.HTTPError as exc:  # e.g. an invalid URL: no HTTP answer
            raise TransportError(f"LWA request failed ({type(exc).__name__})") from None
