"""Amazon Ads regions and the three URLs each one needs (consent, token, Ads API); the marketplaces
each region serves and the one country-code normaliser.

This module is Hilal's single home of `Region` (and its display names) and of marketplace country codes:
it imports only the standard library, so every layer of `bot` may use it (`bot.viewmodels` re-exports
`Region`, `REGION_NAMES` for the renderers). `storage` keeps regions and country codes as plain strings,
written in the canonical form given here (``"eu"``, ``"UK"``).

Production values come from the reference (§0). Each URL can be overridden per region, which is how
local mode and the tests point the client at the simulator.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

__all__ = [
    "ALL_REGIONS",
    "DEFAULT_ENDPOINTS",
    "OVERRIDE_KEYS",
    "REGION_COUNTRIES",
    "REGION_NAMES",
    "Region",
    "RegionEndpoints",
    "endpoints_for",
    "normalize_country",
    "region_of_country",
]


class Region(StrEnum):
    """An Amazon Ads region. Each region is a separate connection with its own refresh token."""

    NA = "na"
    EU = "eu"
    FE = "fe"

    @classmethod
    def parse(cls, text: str) -> Region:
        """Read a region name in any case (`"EU"`, `" eu "`, `"Eu"`).

        Args:
            text: What the user or the configuration said.

        Returns:
            The matching region.

        Raises:
            ValueError: For anything else; the message lists the valid names.
        """
        cleaned = text.strip().lower() if isinstance(text, str) else ""
        try:
            return cls(cleaned)
        except ValueError:
            valid = ", ".join(r.value for r in cls)
            raise ValueError(f"Unknown Amazon Ads region {text!r}: use one of {valid}.") from None


ALL_REGIONS: tuple[Region, ...] = tuple(Region)  # in display order: NA, EU, FE
REGION_NAMES: Mapping[Region, str] = MappingProxyType(
    {Region.NA: "North America", Region.EU: "Europe", Region.FE: "Far East"}
)
# The marketplaces each region serves, by Amazon Ads country code (Amazon says UK where ISO says GB).
REGION_COUNTRIES: Mapping[Region, tuple[str, ...]] = MappingProxyType(
    {
        Region.NA: ("US", "CA", "MX", "BR"),
        Region.EU: ("UK", "DE", "FR", "IT", "ES", "NL", "SE", "PL", "BE", "TR", "EG", "SA", "AE", "IN", "ZA"),
        Region.FE: ("JP", "AU", "SG"),
    }
)


def normalize_country(code: str) -> str:
    """A marketplace country code as Hilal stores it: trimmed, upper case, Amazon's ``UK`` for ISO's ``GB``.

    The one place user input (``gb``, `` de ``) and Amazon's codes are brought to one form; the campaign
    filter, saved views, the digest and stored profiles all go through it.
    """
    upper = code.strip().upper()
    return "UK" if upper == "GB" else upper


def region_of_country(code: str) -> Region | None:
    """The Ads region serving a marketplace country code (``"DE"`` → `Region.EU`), or None when unknown."""
    canonical = normalize_country(code)
    return next((region for region, codes in REGION_COUNTRIES.items() if canonical in codes), None)


@dataclass(frozen=True)
class RegionEndpoints:
    """The URLs of one region.

    `region` is optional and only used as the key of a shared rate gate (see `retry.RateGate`).
    """

    auth_url: str
    token_url: str
    api_url: str
    region: Region | None = None


DEFAULT_ENDPOINTS: Mapping[Region, RegionEndpoints] = MappingProxyType(
    {
        Region.NA: RegionEndpoints(
            auth_url="https://www.amazon.com/ap/oa",
            token_url="https://api.amazon.com/auth/o2/token",  # noqa: S106
            api_url="https://advertising-api.amazon.com",
            region=Region.NA,
        ),
        Region.EU: RegionEndpoints(
            auth_url="https://eu.account.amazon.com/ap/oa",
            token_url="https://api.amazon.co.uk/auth/o2/token",  # noqa: S106
            api_url="https://advertising-api-eu.amazon.com",
            region=Region.EU,
        ),
        Region.FE: RegionEndpoints(
            auth_url="https://apac.account.amazon.com/ap/oa",
            token_url="https://api.amazon.co.jp/auth/o2/token",  # noqa: S106
            api_url="https://advertising-api-fe.amazon.com",
            region=Region.FE,
        ),
    }
)

OVERRIDE_KEYS = ("auth_url", "token_url", "api_url")


def endpoints_for(region: Region | str, overrides: Mapping[str, str | None] | None = None) -> RegionEndpoints:
    """The endpoints of `region`, with any non-empty override applied.

    Args:
        region: The region (a `Region` or its name in any case).
        overrides: Optional `auth_url`, `token_url`, `api_url` values; `None` or `""` keeps the default.

    Returns:
        The region's endpoints. A trailing slash on an override is dropped.

    Raises:
        ValueError: If the region is unknown or an override key is not one of the three names.
    """
    reg = region if isinstance(region, Region) else Region.parse(region)
    base = DEFAULT_ENDPOINTS[reg]
    values = {"auth_url": base.auth_url, "token_url": base.token_url, "api_url": base.api_url}
    for key, value in (overrides or {}).items():
        if key not in OVERRIDE_KEYS:
            raise ValueError(f"Unknown endpoint override {key!r}: use one of {', '.join(OVERRIDE_KEYS)}.")
        if value:
            values[key] = value.strip().rstrip("/")
    return RegionEndpoints(**values, region=reg)
