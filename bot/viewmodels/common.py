"""Shared view-model types: region codes and states, sort keys, and help rows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["AccountType", "CommandHelp", "RegionCode", "RegionState", "SortKey"]


RegionCode = Literal["na", "eu", "fe"]
RegionState = Literal["not_connected", "connected", "syncing", "reconnect_needed", "disconnected"]
AccountType = Literal["seller", "vendor", "agency"]
SortKey = Literal["spend", "name", "acos"]


# --- Help ------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CommandHelp:
    """One help row, e.g. ("connect REGION", "Connect an Amazon Ads region", "/hilal connect eu")."""

    usage: str
    description: str
    example: str
