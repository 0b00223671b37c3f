"""Budget alerts in Slack: the `/hilal alerts` commands and the alert buttons.

Modules import downward only: `commands` → `form`, `actions`.
"""

from __future__ import annotations

from bot.features.alerts.commands import FEATURE

__all__ = ["FEATURE"]
