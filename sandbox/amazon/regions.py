"""Emulated Amazon hosts and the marketplace table (reference §0, §2.1, §2.4).

The simulator listens on one port; the first path segment names the real host being emulated, so
``{base}/advertising-api-eu.amazon.com/v2/profiles`` is the EU Ads API.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

__all__ = [
    "API_HOSTS",
    "CONSENT_HOSTS",
    "MARKETPLACES",
    "REGIONS",
    "S3_HOSTS",
    "TOKEN_HOSTS",
    "HostKind",
    "Marketplace",
    "classify_host",
    "marketplace",
]

REGIONS: tuple[str, ...] = ("na", "eu", "fe")

CONSENT_HOSTS: dict[str, str] = {
    "na": "www.amazon.com",
    "eu": "eu.account.amazon.com",
    "fe": "apac.account.amazon.com",
}
TOKEN_HOSTS: dict[str, str] = {
    "na": "api.amazon.com",
    "eu": "api.amazon.co.uk",
    "fe": "api.amazon.co.jp",
}
API_HOSTS: dict[str, str] = {
    "na": "advertising-api.amazon.com",
    "eu": "advertising-api-eu.amazon.com",
    "fe": "advertising-api-fe.amazon.com",
}
S3_HOSTS: dict[str, str] = {
    "na": "offline-report-storage-us-east-1-prod.s3.amazonaws.com",
    "eu": "offline-report-storage-eu-west-1-prod.s3.eu-west-1.amazonaws.com",
    "fe": "offline-report-storage-us-west-2-prod.s3.us-west-2.amazonaws.com",
}


class HostKind(Enum):
    """What an emulated host does."""

    CONSENT = "consent"
    TOKEN = "token"  # noqa: S105 - a host kind, not a secret
    API = "api"
    S3 = "s3"


def classify_host(host: str) -> tuple[HostKind, str] | None:
    """Return the kind and region of an emulated host, or None when the host is not emulated."""
    for kind, table in (
        (HostKind.CONSENT, CONSENT_HOSTS),
        (HostKind.TOKEN, TOKEN_HOSTS),
        (HostKind.API, API_HOSTS),
        (HostKind.S3, S3_HOSTS),
    ):
        for region, name in table.items():
            if name == host:
                return kind, region
    return None


@dataclass(frozen=True)
class Marketplace:
    """One Ads marketplace: country code as the Ads API spells it, ids, currency and time zone."""

    country: str
    region: str
    marketplace_id: str
    currency: str
    timezone: str
    name: str


_ROWS: tuple[tuple[str, str, str, str, str, str], ...] = (
    ("US", "na", "ATVPDKIKX0DER", "USD", "America/Los_Angeles", "United States"),
    ("CA", "na", "A2EUQ1WTGCTBG2", "CAD", "America/Los_Angeles", "Canada"),
    ("MX", "na", "A1AM78C64UM0Y8", "MXN", "America/Los_Angeles", "Mexico"),
    ("BR", "na", "A2Q3Y263D00KWC", "BRL", "America/Sao_Paulo", "Brazil"),
    ("UK", "eu", "A1F83G8C2ARO7P", "GBP", "Europe/London", "United Kingdom"),
    ("DE", "eu", "A1PA6795UKMFR9", "EUR", "Europe/Paris", "Germany"),
    ("FR", "eu", "A13V1IB3VIYZZH", "EUR", "Europe/Paris", "France"),
    ("IT", "eu", "APJ6JRA9NG5V4", "EUR", "Europe/Paris", "Italy"),
    ("ES", "eu", "A1RKKUPIHCS9HS", "EUR", "Europe/Paris", "Spain"),
    ("NL", "eu", "A1805IZSGTT6HS", "EUR", "Europe/Amsterdam", "Netherlands"),
    ("SE", "eu", "A2NODRKZP88ZB9", "SEK", "Europe/Stockholm", "Sweden"),
    ("PL", "eu", "A1C3SOZRARQ6R3", "PLN", "Europe/Warsaw", "Poland"),
    ("BE", "eu", "AMEN7PMS3EDWL", "EUR", "Europe/Brussels", "Belgium"),
    ("TR", "eu", "A33AVAJ2PDY3EV", "TRY", "Europe/Istanbul", "Turkey"),
    ("EG", "eu", "ARBP9OOSHTCHU", "EGP", "Africa/Cairo", "Egypt"),
    ("SA", "eu", "A17E79C6D8DWNP", "SAR", "Asia/Riyadh", "Saudi Arabia"),
    ("AE", "eu", "A2VIGQ35RCS4UG", "AED", "Asia/Dubai", "United Arab Emirates"),
    ("IN", "eu", "A21TJRUUN4KGV", "INR", "Asia/Kolkata", "India"),
    ("ZA", "eu", "AE08WJ6YKNBMC", "ZAR", "Africa/Johannesburg", "South Africa"),
    ("JP", "fe", "A1VC38T7YXB528", "JPY", "Asia/Tokyo", "Japan"),
    ("AU", "fe", "A39IBJ37TRP1C6", "AUD", "Australia/Sydney", "Australia"),
    ("SG", "fe", "A19VAU5U5O7RUS", "SGD", "Asia/Singapore", "Singapore"),
)

MARKETPLACES: dict[str, Marketplace] = {row[0]: Marketplace(*row) for row in _ROWS}


def marketplace(country: str) -> Marketplace:
    """Look up a marketplace by country code (``GB`` is accepted for ``UK``).

    Raises:
        ValueError: the country has no Ads marketplace (for example ``IE``).
    """
    code = country.strip().upper()
    code = "UK" if code == "GB" else code
    try:
        return MARKETPLACES[code]
    except KeyError:
        raise ValueError(f"no Amazon Ads marketplace for country {country!r}") from None
