"""`LwaAuth`: an `httpx.Auth` that keeps a valid LWA access token on every Ads API request.

The flow (httpx `Auth.auth_flow` pattern, reference §7):

1. Use the cached access token unless it expires within `margin` seconds; otherwise yield a refresh
   request first (it goes out through the same `httpx.Client`, so tests see it on the same transport).
2. Send the request with `Authorization: Bearer …`.
3. On 401, refresh once (unless another thread already did) and retry once. A second 401 is returned
   to the caller, which raises `Unauthorized`.

Refreshes are serialised by a lock, so threads sharing one `LwaAuth` never refresh twice for the same
token. A `TokenCache` lets processes share access tokens (for example through the database).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Generator
from datetime import datetime, timedelta
from typing import Protocol

import httpx

from bot.amazon.lwa import LwaClient
from bot.amazon.regions import RegionEndpoints

__all__ = ["LwaAuth", "MemoryTokenCache", "TokenCache"]

logger = logging.getLogger(__name__)


class TokenCache(Protocol):
    """Where access tokens are shared between `LwaAuth` instances (and processes)."""

    def load(self) -> tuple[str, datetime] | None:
        """The last stored (access token, expires_at), or None."""
        ...

    def store(self, access_token: str, expires_at: datetime) -> None:
        """Remember a fresh access token."""
        ...


class MemoryTokenCache:
    """A `TokenCache` in memory (one process). Thread-safe."""

    def __init__(self) -> None:
        self._value: tuple[str, datetime] | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return "MemoryTokenCache(<hidden>)"

    def load(self) -> tuple[str, datetime] | None:
        with self._lock:
            return self._value

    def store(self, access_token: str, expires_at: datetime) -> None:
        with self._lock:
            self._value = (access_token, expires_at)


class LwaAuth(httpx.Auth):
    """Bearer auth with automatic refresh.

    Args:
        lwa: Builds and parses the refresh-grant call (client id and secret live there).
        endpoints: The region's endpoints (`token_url` is used).
        refresh_token: The connection's refresh token.
        cache: Optional shared cache of access tokens.
        margin: Refresh this many seconds before expiry.
        on_refresh_token: Called with a new refresh token if LWA ever sends a different one.

    Raises (from requests using it):
        ReconnectRequired: LWA answered `invalid_grant` to the refresh.
        ClientConfigError: LWA refused the client credentials.
    """

    requires_response_body = True

    def __init__(
        self,
        lwa: LwaClient,
        *,
        endpoints: RegionEndpoints,
        refresh_token: str,
        cache: TokenCache | None = None,
        margin: float = 60.0,
        on_refresh_token: Callable[[str], None] | None = None,
    ) -> None:
        self._lwa = lwa
        self._token_url = endpoints.token_url
        self._refresh_token = refresh_token
        self._cache = cache
        self._margin = timedelta(seconds=margin)
        self._on_refresh_token = on_refresh_token
        self._lock = threading.Lock()
        self._access: tuple[str, datetime] | None = None
        self.refresh_count = 0

    def __repr__(self) -> str:
        return f"LwaAuth(token_url={self._token_url!r})"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        token = self._fresh(self._access)
        if token is None:  # `_refresh` looks in the shared cache first, once, under the lock
            token = yield from self._refresh(request, stale=None)
        request.headers["Authorization"] = f"Bearer {token}"
        response = yield request
        if response.status_code != 401:
            return
        token = yield from self._refresh(request, stale=token)
        request.headers["Authorization"] = f"Bearer {token}"
        yield request

    def _fresh(self, value: tuple[str, datetime] | None) -> str | None:
        if value is None or value[1] - self._lwa.clock() <= self._margin:
            return None
        return value[0]

    def _replacement_for(self, stale: str | None) -> str | None:
        """A fresh token other than `stale`, from memory or else the shared cache, if there is one."""
        token = self._fresh(self._access)
        if token is not None and token != stale:
            return token
        value = self._cache.load() if self._cache is not None else None
        token = self._fresh(value)
        if token is not None and token != stale:
            self._access = value
            return token
        return None

    def _refresh(
        self, request: httpx.Request, *, stale: str | None
    ) -> Generator[httpx.Request, httpx.Response, str]:
        """Refresh under the lock; skip it if another thread or process already replaced `stale`."""
        with self._lock:
            current = self._replacement_for(stale)
            if current is not None:
                return current
            refresh = self._lwa.refresh_request(self._token_url, refresh_token=self._refresh_token)
            if "timeout" in request.extensions:
                refresh.extensions["timeout"] = request.extensions["timeout"]
            response = yield refresh
            tokens = self._lwa.parse_token_response(response, refresh_token=self._refresh_token)
            access = tokens.access_token.get_secret_value()
            self._access = (access, tokens.expires_at)
            self.refresh_count += 1
            if self._cache is not None:
                self._cache.store(access, tokens.expires_at)
            new_refresh = tokens.refresh_token.get_secret_value()
            if new_refresh and new_refresh != self._refresh_token:
                self._refresh_token = new_refresh
                if self._on_refresh_token is not None:
                    self._on_refresh_token(new_refresh)
            logger.info("amazon.token.refreshed", extra={"expires_at": tokens.expires_at.isoformat()})
            return access
