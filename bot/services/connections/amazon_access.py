"""An `AdsClient` for a stored connection: decrypted refresh token, shared access tokens, shared rate gate.

- Access tokens live in the database (`Connection.access_token_enc`, encrypted and bound to the team and
  region, with `access_token_expires_at`), so every process and thread reuses one token until shortly
  before it expires instead of refreshing in a storm.
- Every `AdsClient` of one process shares a per-region rate gate (a token bucket), so Amazon's limits,
  which apply per region, are shared by all the connections syncing at once.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import update

from bot.amazon.auth import LwaAuth
from bot.amazon.client import AdsClient
from bot.amazon.regions import Region
from bot.amazon.retry import RetryPolicy
from bot.errors import NotConnected
from bot.services.connections.store import refresh_token_context
from storage.crypto import SecretContext, VaultError
from storage.db import session_scope
from storage.models import Connection, table_of

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from bot.services.gateways import AmazonGateway
    from bot.wiring import Services
    from storage.crypto import TokenCipher

__all__ = [
    "DEFAULT_BURST",
    "DEFAULT_RATE",
    "DbTokenCache",
    "RegionRateGate",
    "access_token_context",
    "ads_client_for",
    "region_retry_policy",
]

DEFAULT_RATE = 20.0  # requests per second and region, shared by the whole process
DEFAULT_BURST = 20


def access_token_context(conn: Connection) -> SecretContext:
    """What a stored access token is bound to (its own purpose: never mixed up with the refresh token)."""
    return SecretContext(
        "amazon-ads-access-token", conn.team_id, conn.region, conn.enterprise_id, row=f"connection {conn.id}"
    )


class DbTokenCache:
    """A `TokenCache` in the connection row, so processes share one access token per connection.

    `row`: the connection's row as the caller has just read it; the first `load` takes the token from it
    instead of reading the row again (later loads read the database: another process may have refreshed).
    """

    def __init__(
        self,
        engine: Engine,
        cipher: TokenCipher,
        *,
        connection_id: int,
        context: SecretContext,
        row: Connection | None = None,
    ):
        self._engine = engine
        self._cipher = cipher
        self._connection_id = connection_id
        self._context = context
        self._row = row

    def __repr__(self) -> str:
        return f"DbTokenCache(connection={self._connection_id})"

    def load(self) -> tuple[str, datetime] | None:
        conn, self._row = self._row, None
        if conn is None:
            with session_scope(self._engine, readonly=True) as session:
                conn = session.get(Connection, self._connection_id)
        stored = (conn.access_token_enc, conn.access_token_expires_at) if conn else (None, None)
        if stored[0] is None or stored[1] is None:
            return None
        try:
            return self._cipher.decrypt(stored[0], self._context), stored[1]
        except VaultError:
            return None  # unreadable (key removed): refresh and overwrite it

    def store(self, access_token: str, expires_at: datetime) -> None:
        sealed = self._cipher.encrypt(access_token, self._context)
        t = table_of(Connection)
        with session_scope(self._engine) as session:
            session.execute(
                update(t)
                .where(t.c.id == self._connection_id)
                .values(access_token_enc=sealed, access_token_expires_at=expires_at)
            )


class RegionRateGate:
    """A token bucket per region: at most `rate` requests per second on average, bursts of `burst`.

    Args:
        rate: Requests per second per region.
        burst: Requests allowed at once after a quiet spell.
        clock: Monotonic seconds.
        sleep: How to wait.
    """

    def __init__(
        self,
        rate: float = DEFAULT_RATE,
        *,
        burst: int = DEFAULT_BURST,
        clock: Callable[[], float],
        sleep: Callable[[float], None],
    ) -> None:
        self.rate = rate
        self.burst = float(burst)
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._buckets: dict[Region, tuple[float, float]] = {}  # region → (tokens, at)

    def acquire(self, region: Region) -> None:
        """Take one token for `region`, waiting for it when the bucket is empty."""
        with self._lock:
            now = self._clock()
            tokens, at = self._buckets.get(region, (self.burst, now))
            tokens = min(self.burst, tokens + (now - at) * self.rate) - 1.0
            self._buckets[region] = (tokens, now)
        if tokens < 0:
            self._sleep(-tokens / self.rate)


_POLICIES: weakref.WeakKeyDictionary[AmazonGateway, tuple[RetryPolicy, RetryPolicy]] = (
    weakref.WeakKeyDictionary()
)
_POLICIES_LOCK = threading.Lock()


def region_retry_policy(services: Services) -> RetryPolicy:
    """The process's retry policy for Ads API calls: the gateway's, plus the shared per-region gate.

    Built once per gateway (and rebuilt if the gateway's policy is replaced, as tests do).
    """
    gateway = services.amazon
    base = gateway.retry
    with _POLICIES_LOCK:
        cached = _POLICIES.get(gateway)
        if cached is not None and cached[0] is base:
            return cached[1]
        gate = RegionRateGate(DEFAULT_RATE, burst=DEFAULT_BURST, clock=base.clock, sleep=base.sleep)
        policy = RetryPolicy(
            base.handlers,
            sleep=base.sleep,
            clock=base.clock,
            random=base.random,
            rate_gate=gate,
            max_elapsed=base.max_elapsed,
        )
        _POLICIES[gateway] = (base, policy)
        return policy


def ads_client_for(services: Services, *, connection_id: int, conn: Connection | None = None) -> AdsClient:
    """An `AdsClient` for the connection's region, authorised with its stored grant.

    `conn`: the connection's row when the caller has just read it (it is not read again, and the first
    request takes the stored access token from it).

    Raises:
        NotConnected: the connection does not exist or holds no refresh token (disconnected).
        VaultError: the stored refresh token cannot be decrypted.
    """
    if conn is None:
        with session_scope(services.engine, readonly=True) as session:
            conn = session.get(Connection, connection_id)
    if conn is None or not conn.refresh_token_enc:
        raise NotConnected("This region is not connected.", hint="Connect it with `/hilal connect REGION`.")
    refresh_token = services.cipher.decrypt(conn.refresh_token_enc, refresh_token_context(conn))
    endpoints = services.amazon.endpoints(conn.region)
    cache = DbTokenCache(
        services.engine,
        services.cipher,
        connection_id=connection_id,
        context=access_token_context(conn),
        row=conn,  # just read: its access token is current
    )
    auth = LwaAuth(
        services.amazon.lwa,
        endpoints=endpoints,
        refresh_token=refresh_token,
        cache=cache,
        on_refresh_token=lambda new: _store_refresh_token(services, connection_id, new),
    )
    return AdsClient(
        services.amazon.http,
        endpoints=endpoints,
        client_id=services.amazon.client_id,
        auth=auth,
        retry=region_retry_policy(services),
    )


def _store_refresh_token(services: Services, connection_id: int, refresh_token: str) -> None:
    """LWA handed out a different refresh token: keep it (encrypted) for the next process."""
    with session_scope(services.engine) as session:
        conn = session.get(Connection, connection_id)
        if conn is not None:
            conn.refresh_token_enc = services.cipher.encrypt(refresh_token, refresh_token_context(conn))
            session.add(conn)
