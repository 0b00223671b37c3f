"""The App Home tab's view-model."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.viewmodels.campaigns import CampaignPageVM, SavedViewVM
from bot.viewmodels.regions import RegionCardVM

__all__ = ["HomeVM"]


@dataclass(frozen=True, slots=True)
class HomeVM:
    """The App Home tab: region cards, the campaign list (None before any connection), saved views."""

    cards: Sequence[RegionCardVM]
    campaigns: CampaignPageVM | None = None
    views: Sequence[SavedViewVM] = ()
