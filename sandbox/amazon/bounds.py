"""Daily budget and bid bounds per marketplace, checked by the simulator's write routes (reference §3.6).

These are the simulator's values: plausible numbers in each marketplace's currency, in the spirit of
Amazon's published Sponsored Products limits, not a copy of them. Hilal must read real limits from
Amazon's answers (a ``rangeError`` entry), never from this table. Every marketplace of
:data:`sandbox.amazon.regions.MARKETPLACES` has a row, and every generated budget and bid fits in it.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["BOUNDS", "Bounds", "bounds_for"]


@dataclass(frozen=True)
class Bounds:
    """Inclusive limits of one marketplace, in its currency."""

    currency: str
    budget_min: float
    budget_max: float
    bid_min: float
    bid_max: float


# country: (currency, daily budget min, max, bid min, max) — the simulator's values.
_ROWS: dict[str, tuple[str, float, float, float, float]] = {
    "US": ("USD", 1, 1_000_000, 0.02, 1_000),
    "CA": ("CAD", 1, 1_000_000, 0.02, 1_000),
    "MX": ("MXN", 1, 21_000_000, 0.1, 20_000),
    "BR": ("BRL", 4, 5_000_000, 0.07, 3_700),
    "UK": ("GBP", 1, 1_000_000, 0.02, 1_000),
    "DE": ("EUR", 1, 1_000_000, 0.02, 1_000),
    "FR": ("EUR", 1, 1_000_000, 0.02, 1_000),
    "IT": ("EUR", 1, 1_000_000, 0.02, 1_000),
    "ES": ("EUR", 1, 1_000_000, 0.02, 1_000),
    "NL": ("EUR", 1, 1_000_000, 0.02, 1_000),
    "BE": ("EUR", 1, 1_000_000, 0.02, 1_000),
    "SE": ("SEK", 9, 9_300_000, 0.18, 9_300),
    "PL": ("PLN", 4, 4_000_000, 0.08, 4_000),
    "TR": ("TRY", 1, 30_000_000, 0.05, 30_000),
    "EG": ("EGP", 3, 45_000_000, 0.15, 45_000),
    "SA": ("SAR", 4, 3_700_000, 0.1, 3_700),
    "AE": ("AED", 4, 3_700_000, 0.24, 3_700),
    "IN": ("INR", 50, 21_000_000, 1, 5_000),
    "ZA": ("ZAR", 10, 18_000_000, 0.1, 18_000),
    "JP": ("JPY", 100, 21_000_000, 2, 100_000),
    "AU": ("AUD", 1.4, 1_500_000, 0.1, 1_410),
    "SG": ("SGD", 1.4, 1_300_000, 0.02, 1_300),
}

BOUNDS: dict[str, Bounds] = {country: Bounds(*row) for country, row in _ROWS.items()}


def bounds_for(country: str) -> Bounds:
    """The bounds of a marketplace by its Ads country code (``UK``, not ``GB``).

    Raises:
        KeyError: the marketplace has no row (a new marketplace needs one here).
    """
    return BOUNDS[country]
