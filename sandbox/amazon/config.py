"""Settings of one simulator instance."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

__all__ = ["DEFAULT_SCOPE", "KNOWN_SCOPES", "SimConfig", "utc_now"]

DEFAULT_SCOPE = "advertising::campaign_management"
KNOWN_SCOPES: frozenset[str] = frozenset(
    {
        DEFAULT_SCOPE,
        "advertising::audiences",
        "advertising::test:create_account",
        "cpc_advertising:campaign_management",
        "profile",
        "profile:user_id",
        "postal_code",
    }
)


def utc_now() -> datetime:
    """The real UTC wall clock (the default :attr:`SimConfig.clock`)."""
    return datetime.now(UTC)


@dataclass
class SimConfig:
    """How the simulated LWA security profile and the Ads API behave.

    Attributes:
        client_id: LWA client id of the simulated security profile.
        client_secret: its secret.
        redirect_uris: the "Allowed Return URLs" (more can be added with ``allow_redirect_uri``).
        access_token_ttl: ``expires_in`` of access tokens, in seconds.
        code_ttl: lifetime of authorization codes, in seconds (Amazon: 5 minutes).
        report_delay_seconds: simulated time from report creation to COMPLETED (0 = first poll).
        report_url_ttl: seconds a download URL stays valid (``X-Amz-Expires``).
        seed: seed of all generated data.
        clock: returns "now" (timezone-aware or naive UTC); ``AmazonSimulator.advance`` adds an offset.
        max_page_size: largest ``maxResults`` accepted by the SP v3 list endpoints (also the default).
        retry_after_seconds: ``Retry-After`` sent with injected 429s.
        fault_timeout_seconds: how long the ``timeout`` fault stalls before answering.
        exact_file_size: compute a report's exact ``fileSize`` on completion (costs one extra pass).
        renew_expired_urls: polling a COMPLETED report after its URL expired issues a fresh URL.
        allow_loopback_redirects: also accept any ``http://127.0.0.1…`` / ``http://localhost…`` return URL
            (handy for local mode; off by default so tests see the "not whitelisted" page).
    """

    client_id: str = "amzn1.application-oa2-client.sim"
    client_secret: str = "sim-secret"  # noqa: S105 - a simulator default, not a real secret
    redirect_uris: tuple[str, ...] = ()
    access_token_ttl: int = 3600
    code_ttl: int = 300
    report_delay_seconds: float = 0.0
    report_url_ttl: int = 3600
    seed: int = 7
    clock: Callable[[], datetime] = field(default=utc_now)
    max_page_size: int = 1000
    retry_after_seconds: int = 1
    fault_timeout_seconds: float = 1.0
    exact_file_size: bool = True
    renew_expired_urls: bool = True
    allow_loopback_redirects: bool = False
