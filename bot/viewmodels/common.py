"""Shared view-model types: regions (re-exported from `bot.amazon.regions`, Hilal's one `Region`) and
their states, sort keys, help rows, and the amounts view-models carry (`Money`, `Change`), which renderers
format (`bot.blocks.format`)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from bot.amazon.regions import ALL_REGIONS, REGION_NAMES, Region

__all__ = [
    "ALL_REGIONS",
    "REGION_NAMES",
    "AccountType",
    "Change",
    "CommandHelp",
    "Money",
    "Region",
    "RegionState",
    "SortKey",
    "minor_units",
]


RegionState = Literal["not_connected", "connected", "syncing", "reconnect_needed", "disconnected"]
AccountType = Literal["seller", "vendor", "agency"]
SortKey = Literal["spend", "name", "acos", "usage"]


# --- Amounts ---------------------------------------------------------------------------------------------

_MINOR_UNITS = {
    "BHD": 3,
    "CLP": 0,
    "ISK": 0,
    "JOD": 3,
    "JPY": 0,
    "KRW": 0,
    "KWD": 3,
    "OMR": 3,
    "TND": 3,
    "VND": 0,
}
"""ISO 4217 exponents that are not 2 (whole yen; fils of the dinars)."""


def minor_units(currency: str) -> int:
    """Places of a currency's minor unit (ISO 4217): 2 unless it is one of the few that differ (JPY 0,
    KWD 3 …). The one table every renderer of money uses."""
    return _MINOR_UNITS.get(currency.upper(), 2)


@dataclass(frozen=True, slots=True)
class Money:
    """An exact amount in its own currency (never compared, sorted or summed across currencies).

    Attributes:
        amount: The amount (a Decimal: no floats for money).
        currency: ISO 4217 code, e.g. "EUR".
    """

    amount: Decimal
    currency: str


@dataclass(frozen=True, slots=True)
class Change:
    """A figure's change against a comparison value.

    Attributes:
        value: Relative change as a ratio (``Decimal("0.123")`` is +12.3 %) or, when ``points``, the
            change in percentage points of a figure that is a percentage already (``1.5`` is +1.5 pp).
        points: The change is in percentage points.
    """

    value: Decimal
    points: bool = False

    @staticmethod
    def relative(current: Decimal, base: Decimal) -> Change | None:
        """(current - base) / |base|; None when ``base`` is zero (nothing to compare with)."""
        if base == 0:
            return None
        return Change((current - base) / abs(base))


# --- Help ------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CommandHelp:
    """One help row, e.g. ("connect REGION", "Connect an Amazon Ads region", "/hilal connect eu")."""

    usage: str
    description: str
    example: str
