"""Shared view-model types: regions (re-exported from `bot.amazon.regions`, Hilal's one `Region`) and
their states, sort keys, and help rows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.amazon.regions import ALL_REGIONS, REGION_NAMES, Region

__all__ = ["ALL_REGIONS", "REGION_NAMES", "AccountType", "CommandHelp", "Region", "RegionState", "SortKey"]


RegionState = Literal["not_connected", "connected", "syncing", "reconnect_needed", "disconnected"]
AccountType = Literal["seller", "vendor", "agency"]
SortKey = Literal["spend", "name", "acos", "usage"]


# --- Help ------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CommandHelp:
    """One help row, e.g. ("connect REGION", "Connect an Amazon Ads region", "/hilal connect eu")."""

    usage: str
    description: str
    example: str
