"""Live-edit view-models: a preview waiting for Confirm, its outcome, a campaign's history, the amount and
confirmation-word modals, and one audit-channel line.

Values before and after a change arrive as `EditValue`: an amount with its currency (`Money`, formatted
by the renderer in that currency), a state in words ("paused"), or None when missing (shown "—"). Ids are
Hilal's batch and row ids as strings; places are country codes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeAlias

from bot.viewmodels.common import Money

__all__ = [
    "AmountFormVM",
    "AuditLineVM",
    "ConfirmWordVM",
    "EditItemVM",
    "EditOutcomeVM",
    "EditPreviewVM",
    "EditValue",
    "HistoryLineVM",
    "HistoryVM",
    "OutcomeItemVM",
]


EditValue: TypeAlias = Money | str | None
"""A value before or after an edit: an amount, a state in words ("paused", or text Hilal cannot read as
an amount, shown as it is), or None when there is none."""


@dataclass(frozen=True, slots=True)
class EditItemVM:
    """One entity of a preview: ``before`` → ``after`` (formatted), what it means, and a stale note.

    Attributes:
        kind_label: "Campaign", "Keyword" or "Ad group".
        name: The entity's name (Amazon text: escaped by the renderer).
        before: Amazon's current value, e.g. "enabled" or 50.00 EUR.
        after: The value after the change, e.g. "paused" or 80.50 EUR.
        meaning: e.g. "stops spend from now on".
        synced: Hilal's last synced value when Amazon's differs (the preview says so), else None.
    """

    kind_label: str
    name: str
    before: EditValue
    after: EditValue
    meaning: str
    synced: EditValue = None


@dataclass(frozen=True, slots=True)
class EditPreviewVM:
    """A previewed batch with Confirm and Cancel.

    Attributes:
        batch_id: Carried by the buttons.
        title: e.g. "Pause 1 campaign in 🇩🇪 Europe".
        items: The entities (the renderer shows at most 20 and counts the rest).
        skipped: Names left out because they already are as asked.
        confirm_word: Set for a big change: Confirm opens a modal asking to type it.
        expires_at: When the preview lapses.
        undo_of: The batch this preview undoes, if any.
    """

    batch_id: str
    title: str
    items: Sequence[EditItemVM]
    skipped: Sequence[str] = ()
    confirm_word: str | None = None
    expires_at: datetime | None = None
    undo_of: str | None = None


@dataclass(frozen=True, slots=True)
class OutcomeItemVM:
    """One entity of an outcome: ``ok`` True (applied), False (refused, ``message`` is Amazon's), None."""

    kind_label: str
    name: str
    before: EditValue
    after: EditValue
    ok: bool | None
    message: str | None = None


@dataclass(frozen=True, slots=True)
class EditOutcomeVM:
    """What became of a batch; replaces its preview.

    Attributes:
        batch_id: The batch (the Undo button carries it).
        status: "applied", "partial", "failed", "applying", "cancelled" or "expired".
        summary: e.g. "3 paused, 1 failed: Amazon says …" (Amazon text escaped by the renderer).
        items: Per entity (the renderer shows at most 20).
        applied_by: Slack user id of who confirmed, or None.
        applied_at: When, or None.
        undo_until: Undo is offered while this is in the future (the caller compares with ``now``).
        can_undo: Undo is still open (decided by the service with the clock).
    """

    batch_id: str
    status: str
    summary: str
    items: Sequence[OutcomeItemVM]
    applied_by: str | None = None
    applied_at: datetime | None = None
    undo_until: datetime | None = None
    can_undo: bool = False


@dataclass(frozen=True, slots=True)
class HistoryLineVM:
    """One audit entry: who, when, what, before → after, Amazon's answer."""

    actor: str
    at: datetime
    what: str
    before: EditValue
    after: EditValue
    ok: bool
    amazon: str
    undo: bool = False


@dataclass(frozen=True, slots=True)
class HistoryVM:
    """`/hilal history CAMPAIGN`: the newest live edits of a campaign."""

    campaign_name: str
    lines: Sequence[HistoryLineVM]


@dataclass(frozen=True, slots=True)
class AmountFormVM:
    """The small modal asking for a new daily budget or bid.

    Attributes:
        kind: "budget" or "bid" (decides the labels).
        target_name: The campaign or keyword (Amazon text).
        current: The current amount, or None when Hilal has none.
        currency: ISO code, shown in the hint.
        metadata: What the submission needs (private_metadata, compact JSON ≤ 3000 characters).
    """

    kind: str
    target_name: str
    current: Money | None
    currency: str
    metadata: str


@dataclass(frozen=True, slots=True)
class ConfirmWordVM:
    """The modal asking to type a big change's confirmation word."""

    word: str
    title: str
    metadata: str


@dataclass(frozen=True, slots=True)
class AuditLineVM:
    """One line in the audit channel: "@ada paused SP - Trail Shoes (🇩🇪 DE): enabled → paused".

    Attributes:
        country: The marketplace's country code ("DE"; "?" when its profile is gone).
    """

    actor: str
    verb: str
    name: str
    country: str
    before: EditValue
    after: EditValue
