"""Hilal's own table of per-marketplace limits for live edits, and how each marketplace writes amounts.

These are Hilal's values, kept so a budget or bid outside them is refused before anything is sent to
Amazon. They follow Amazon's published Sponsored Products limits where we know them (US, UK/EU, JP, IN,
AU …) and plausible values in the marketplace's currency elsewhere; Amazon stays the judge (its
`rangeError` answer is shown per entity). The simulator keeps its own table (`sandbox/amazon/bounds.py`)
with the same numbers; neither imports the other.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType

from bot.errors import UsageError
from bot.viewmodels.common import minor_units

__all__ = ["BOUNDS", "MarketplaceBounds", "bounds_for"]


@dataclass(frozen=True)
class MarketplaceBounds:
    """Inclusive limits of one marketplace in its currency, and its usual way of writing amounts.

    `decimal_comma`: the marketplace writes `80,50` and `1.234,50` (dot or space between thousands).
    `decimals`: places of the currency's minor unit (0 for JPY; `bot.viewmodels.common.minor_units`).
    """

    country: str
    currency: str
    budget_min: Decimal
    budget_max: Decimal
    bid_min: Decimal
    bid_max: Decimal
    decimal_comma: bool
    decimals: int


# country: (currency, daily budget min, max, keyword bid min, max, decimal comma).
# Hilal's own table (see the module docstring); the same numbers as the simulator's.
_ROWS: dict[str, tuple[str, str, str, str, str, bool]] = {
    "US": ("USD", "1", "1000000", "0.02", "1000", False),
    "CA": ("CAD", "1", "1000000", "0.02", "1000", False),
    "MX": ("MXN", "1", "21000000", "0.1", "20000", False),
    "BR": ("BRL", "4", "5000000", "0.07", "3700", True),
    "UK": ("GBP", "1", "1000000", "0.02", "1000", False),
    "DE": ("EUR", "1", "1000000", "0.02", "1000", True),
    "FR": ("EUR", "1", "1000000", "0.02", "1000", True),
    "IT": ("EUR", "1", "1000000", "0.02", "1000", True),
    "ES": ("EUR", "1", "1000000", "0.02", "1000", True),
    "NL": ("EUR", "1", "1000000", "0.02", "1000", True),
    "BE": ("EUR", "1", "1000000", "0.02", "1000", True),
    "SE": ("SEK", "9", "9300000", "0.18", "9300", True),
    "PL": ("PLN", "4", "4000000", "0.08", "4000", True),
    "TR": ("TRY", "1", "30000000", "0.05", "30000", True),
    "EG": ("EGP", "3", "45000000", "0.15", "45000", False),
    "SA": ("SAR", "4", "3700000", "0.1", "3700", False),
    "AE": ("AED", "4", "3700000", "0.24", "3700", False),
    "IN": ("INR", "50", "21000000", "1", "5000", False),
    "ZA": ("ZAR", "10", "18000000", "0.1", "18000", False),
    "JP": ("JPY", "100", "21000000", "2", "100000", False),
    "AU": ("AUD", "1.4", "1500000", "0.1", "1410", False),
    "SG": ("SGD", "1.4", "1300000", "0.02", "1300", False),
}

BOUNDS: Mapping[str, MarketplaceBounds] = MappingProxyType(
    {
        country: MarketplaceBounds(
            country,
            currency,
            Decimal(b_min),
            Decimal(b_max),
            Decimal(d_min),
            Decimal(d_max),
            comma,
            minor_units(currency),
        )
        for country, (currency, b_min, b_max, d_min, d_max, comma) in _ROWS.items()
    }
)


def bounds_for(country: str) -> MarketplaceBounds:
    """The limits of a marketplace by its Ads country code (`UK`, `DE`, `JP`; `GB` is read as `UK`).

    Raises:
        UsageError: Hilal has no row for this marketplace, so it cannot check an amount there.
    """
    code = country.strip().upper()
    code = "UK" if code == "GB" else code
    found = BOUNDS.get(code)
    if found is None:
        raise UsageError(
            f"Hilal does not know the budget and bid limits of the {country} marketplace yet, "
            "so it cannot change amounts there from Slack.",
            hint="Make this change in Amazon's console.",
        )
    return found
