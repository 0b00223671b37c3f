"""The outbound Amazon client, built once per process and shared.

`AmazonGateway` owns the one `httpx.Client` for Amazon and builds LWA and Ads clients per region. The
Slack side (`SlackGateway`) lives in `bot.slack`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import httpx

from bot.amazon.lwa import LwaClient
from bot.amazon.regions import Region, RegionEndpoints, endpoints_for
from bot.amazon.retry import RetryPolicy
from bot.settings import Settings

__all__ = ["AmazonGateway"]


class AmazonGateway:
    """Region endpoints, the LWA client and a shared HTTP client for Amazon."""

    def __init__(
        self,
        settings: Settings,
        http: httpx.Client,
        *,
        clock: Callable[[], datetime],
        retry: RetryPolicy | None = None,
    ) -> None:
        self.settings = settings
        self.http = http
        self.clock = clock
        self.retry = retry or RetryPolicy()
        secret = settings.amazon_ads_client_secret
        self.client_id = settings.amazon_ads_client_id or ""
        self._lwa = LwaClient(
            http,
            client_id=self.client_id,
            client_secret=secret.get_secret_value() if secret else "",
            clock=clock,
            retry=self.retry,
        )

    def __repr__(self) -> str:
        return f"AmazonGateway(client_id={self.client_id!r})"

    @property
    def configured(self) -> bool:
        return bool(self.client_id and self.settings.amazon_ads_client_secret)

    def endpoints(self, region: Region | str) -> RegionEndpoints:
        region = Region(region)
        return endpoints_for(region, self.settings.amazon_overrides(region.value))

    @property
    def lwa(self) -> LwaClient:
        return self._lwa

    @property
    def redirect_uri(self) -> str:
        return self.settings.hilal_public_url.rstrip("/") + "/amazon/oauth/callback"

    @property
    def revoke_url(self) -> str | None:
        return self.settings.hilal_amazon_revoke_url
