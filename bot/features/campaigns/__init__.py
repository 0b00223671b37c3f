"""The campaign list feature: `/hilal campaigns`, saved views, tags and notes.

Modules import downward only: `commands` → `actions` → `modals` → `ui` → `bot.features.home`.
"""

from __future__ import annotations

from bot.features.campaigns.commands import FEATURE

__all__ = ["FEATURE"]
