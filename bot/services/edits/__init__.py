"""Live edits from Slack: pause, enable, budgets and bids — previewed, guarded, applied once, audited,
undoable for 15 minutes.

    preview = plan_edit(services, team_id=…, user_id=…, kind="budget", targets=[EditTarget("campaign", pk)],
                        value="80,50", now=now)
    outcome = confirm_edit(services, batch_id=preview.batch_id, user_id=…, typed=None, now=now)

Only the names below are public; the modules are private to the package.
"""

from __future__ import annotations

from bot.services.edits.abandoned import ABANDONED_AFTER, settle_abandoned_edits
from bot.services.edits.amounts import AmountChange, format_amount, parse_amount
from bot.services.edits.announce import announce_edit
from bot.services.edits.apply import cancel_edit, confirm_edit, edit_outcome
from bot.services.edits.bounds import BOUNDS, MarketplaceBounds, bounds_for
from bot.services.edits.errors import (
    AmountOutOfBounds,
    ConfirmWordMismatch,
    EditNotAllowed,
    EntityArchived,
    EntityNotEditable,
    NothingToChange,
    PreviewExpired,
    ProfileNotEditable,
    RegionDisconnected,
    RegionNeedsReconnect,
    RegionReadOnly,
    UndoUnavailable,
)
from bot.services.edits.history import HistoryEntry, campaign_history
from bot.services.edits.lookup import (
    RegionTargets,
    audit_channel_of,
    bulk_targets,
    current_amount,
    resolve_keyword,
    set_audit_channel,
)
from bot.services.edits.model import (
    EditKind,
    EditOutcome,
    EditPreview,
    EditTarget,
    EntityType,
    ItemOutcome,
    PreviewItem,
)
from bot.services.edits.outcome import UNDO_WINDOW
from bot.services.edits.permissions import add_editor, can_edit, list_editors, remove_editor, set_read_only
from bot.services.edits.plan import BULK_LIMIT, PREVIEW_TTL, check_edit, plan_edit
from bot.services.edits.present import edit_value, history_vm, outcome_vm, preview_vm
from bot.services.edits.undo import plan_undo

__all__ = [
    "ABANDONED_AFTER",
    "BOUNDS",
    "BULK_LIMIT",
    "PREVIEW_TTL",
    "UNDO_WINDOW",
    "AmountChange",
    "AmountOutOfBounds",
    "ConfirmWordMismatch",
    "EditKind",
    "EditNotAllowed",
    "EditOutcome",
    "EditPreview",
    "EditTarget",
    "EntityArchived",
    "EntityNotEditable",
    "EntityType",
    "HistoryEntry",
    "ItemOutcome",
    "MarketplaceBounds",
    "NothingToChange",
    "PreviewExpired",
    "PreviewItem",
    "ProfileNotEditable",
    "RegionDisconnected",
    "RegionNeedsReconnect",
    "RegionReadOnly",
    "RegionTargets",
    "UndoUnavailable",
    "add_editor",
    "announce_edit",
    "audit_channel_of",
    "bounds_for",
    "bulk_targets",
    "campaign_history",
    "can_edit",
    "cancel_edit",
    "check_edit",
    "confirm_edit",
    "current_amount",
    "edit_outcome",
    "edit_value",
    "format_amount",
    "history_vm",
    "list_editors",
    "outcome_vm",
    "parse_amount",
    "plan_edit",
    "plan_undo",
    "preview_vm",
    "remove_editor",
    "resolve_keyword",
    "set_audit_channel",
    "set_read_only",
    "settle_abandoned_edits",
]
