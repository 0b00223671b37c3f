"""Profile discovery right after consent, with the fresh tokens in hand."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.amazon.auth import LwaAuth, MemoryTokenCache
from bot.amazon.client import AdsClient
from bot.amazon.models import Profile, TokenSet

if TYPE_CHECKING:
    from bot.wiring import Services

__all__ = ["fetch_profiles"]


def fetch_profiles(services: Services, *, region: str, tokens: TokenSet) -> list[Profile]:
    """All Ads profiles of `region` the grant can see (seller, vendor, agency; view-only marked)."""
    endpoints = services.amazon.endpoints(region)
    cache = MemoryTokenCache()
    cache.store(tokens.access_token.get_secret_value(), tokens.expires_at)
    auth = LwaAuth(
        services.amazon.lwa,
        endpoints=endpoints,
        refresh_token=tokens.refresh_token.get_secret_value(),
        cache=cache,
    )
    client = AdsClient(
        services.amazon.http,
        endpoints=endpoints,
        client_id=services.amazon.client_id,
        auth=auth,
        retry=services.amazon.retry,
    )
    return list(client.list_profiles())
