"""Live campaign edits from Slack: previews with Confirm / Cancel, outcomes in place with Undo, history,
the read-only switch and the audit channel.

Modules import downward only: `commands` → `actions` → `modals` → `ui` (→ `bot.features.campaigns.ui`).
"""

from __future__ import annotations

from bot.features.edits.commands import FEATURE

__all__ = ["FEATURE"]
