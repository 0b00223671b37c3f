"""Mutable state of one simulator: users, profiles, codes, grants, tokens, reports, recordings."""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sandbox.amazon.config import SimConfig
from sandbox.amazon.entities import ProfileSpec
from sandbox.amazon.faults import Faults
from sandbox.amazon.http import RecordedRequest
from sandbox.amazon.metrics import Restatement

__all__ = ["AccessToken", "AuthCode", "ConsentTxn", "ForcedUsage", "Grant", "SimState", "User"]


@dataclass
class User:
    """An Amazon account that can sign in on the consent page."""

    user_id: str
    name: str


@dataclass
class AuthCode:
    """An authorization code with what it was issued for."""

    value: str
    user_id: str
    client_id: str
    redirect_uri: str
    scope: str
    challenge: str | None
    method: str | None
    issued_at: datetime
    used: bool = False


@dataclass
class Grant:
    """A user's consent to the client, represented by its refresh token."""

    refresh_token: str
    user_id: str
    client_id: str
    scope: str
    revoked: bool = False


@dataclass
class AccessToken:
    """An issued access token."""

    value: str
    grant: Grant
    expires_at: datetime


@dataclass
class ConsentTxn:
    """A consent page shown to a browser, waiting for Allow or Cancel."""

    txn: str
    region: str
    client_id: str
    redirect_uri: str
    scope: str
    state: str | None
    challenge: str | None
    method: str | None
    used: bool = False


@dataclass(frozen=True)
class ForcedUsage:
    """A budget usage percentage forced for one campaign, valid on one day of its profile.

    ``at`` is when it was forced and ``spend`` what it stands for (the percentage of the budget then): a
    later budget change turns that spend into a new percentage and lets the campaign spend again.
    """

    percent: float
    day: date
    at: datetime | None = None
    spend: float | None = None


def new_token(prefix: str, length: int = 380) -> str:
    """A token shaped like LWA's (``Atza|…`` / ``Atzr|…``), at least 350 characters."""
    body = secrets.token_urlsafe(length)[: length - len(prefix)]
    return f"{prefix}{body}"


@dataclass
class SimState:
    """Everything the routes read and change. Guard changes with ``lock``."""

    config: SimConfig
    lock: threading.RLock = field(default_factory=threading.RLock)
    offset: float = 0.0
    users: dict[str, User] = field(default_factory=dict)
    profiles: dict[int, ProfileSpec] = field(default_factory=dict)
    next_seq: int = 1
    redirect_uris: set[str] = field(default_factory=set)
    codes: dict[str, AuthCode] = field(default_factory=dict)
    grants: dict[str, Grant] = field(default_factory=dict)
    tokens: dict[str, AccessToken] = field(default_factory=dict)
    txns: dict[str, ConsentTxn] = field(default_factory=dict)
    reports: dict[str, Any] = field(default_factory=dict)
    restatements: list[Restatement] = field(default_factory=list)
    requests: list[RecordedRequest] = field(default_factory=list)
    fail_reports: dict[int, int] = field(default_factory=dict)
    # (profile id, "SP" | "SB" | "SD", campaign index) → forced figure
    forced_usage: dict[tuple[int, str, int], ForcedUsage] = field(default_factory=dict)
    report_delay: float = 0.0
    faults: Faults = field(init=False)
    url_key: bytes = field(default_factory=lambda: secrets.token_bytes(16))
    base_url: str = ""

    def __post_init__(self) -> None:
        self.faults = Faults(
            retry_after=self.config.retry_after_seconds, timeout_delay=self.config.fault_timeout_seconds
        )
        self.redirect_uris.update(self.config.redirect_uris)
        self.report_delay = self.config.report_delay_seconds

    def now(self) -> datetime:
        """Simulator time: the configured clock plus the ``advance`` offset, timezone-aware UTC."""
        current = self.config.clock()
        if current.tzinfo is None:
            current = current.replace(tzinfo=UTC)
        return current.astimezone(UTC) + timedelta(seconds=self.offset)

    def access_token_user(self, value: str) -> User | None:
        """The user behind a valid, unexpired access token of a live grant."""
        with self.lock:
            token = self.tokens.get(value)
            if token is None or token.grant.revoked or token.expires_at <= self.now():
                return None
            return self.users.get(token.grant.user_id)

    def issue_access_token(self, grant: Grant) -> AccessToken:
        """Mint a new access token for ``grant``."""
        token = AccessToken(
            value=new_token("Atza|"),
            grant=grant,
            expires_at=self.now() + timedelta(seconds=self.config.access_token_ttl),
        )
        with self.lock:
            self.tokens[token.value] = token
        return token

    def user_profiles(self, user_id: str, region: str) -> list[ProfileSpec]:
        """The profiles of ``user_id`` in ``region`` in creation order."""
        with self.lock:
            return [p for p in self.profiles.values() if p.user_id == user_id and p.region == region]
