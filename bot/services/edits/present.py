"""Live edits as view-models: previews, outcomes and history, amounts with the marketplace's currency
(the renderers format them)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import overload

from bot.amazon.regions import REGION_NAMES, Region
from bot.services.edits.history import HistoryEntry
from bot.services.edits.model import EditOutcome, EditPreview, ItemOutcome, PreviewItem
from bot.viewmodels import (
    EditItemVM,
    EditOutcomeVM,
    EditPreviewVM,
    HistoryLineVM,
    HistoryVM,
    OutcomeItemVM,
)
from bot.viewmodels.common import Money
from bot.viewmodels.edits import EditValue

__all__ = ["edit_value", "history_vm", "outcome_vm", "preview_vm"]

_ENTITY = {
    "campaign": ("Campaign", "campaign", "campaigns"),
    "ad_group": ("Ad group", "ad group", "ad groups"),
}
_KEYWORD = ("Keyword", "keyword", "keywords")
_ACTION = {
    "pause": "Pause",
    "enable": "Enable",
    "budget": "Change the daily budget of",
    "bid": "Change the bid of",
    "default_bid": "Change the default bid of",
}
_DONE = {
    "pause": "paused",
    "enable": "enabled",
    "budget": "changed",
    "bid": "changed",
    "default_bid": "changed",
}
_FIELD = {"budget": "daily budget", "bid": "bid", "default_bid": "default bid", "state": "state"}
_CLOSED = {
    "cancelled": "Cancelled — nothing was sent to Amazon.",
    "expired": "This preview expired — nothing was sent to Amazon. Preview the change again.",
    "previewed": "Waiting for Confirm — nothing was sent to Amazon yet.",
    "applying": "Sending the change to Amazon… (confirmed a moment ago)",
}


def _labels(entity_type: str) -> tuple[str, str, str]:
    return _ENTITY.get(entity_type, _KEYWORD)


def edit_value(field: str, text: str, currency: str) -> EditValue:
    """A stored value for people: a state in words ("paused"), an amount in its currency, None when
    empty (text that is no amount stays as it is)."""
    if field == "state":
        return text.lower() or None
    if not text:
        return None
    try:
        return Money(Decimal(text), currency)
    except InvalidOperation:
        return text


def _region_name(code: str) -> str:
    try:
        return REGION_NAMES[Region(code)]
    except ValueError:
        return code.upper()


def _item(item: PreviewItem) -> EditItemVM:
    synced = edit_value(item.field, item.synced, item.currency) if item.stale and item.synced else None
    return EditItemVM(
        kind_label=_labels(item.entity_type)[0],
        name=item.entity_name,
        before=edit_value(item.field, item.before, item.currency),
        after=edit_value(item.field, item.after, item.currency),
        meaning=item.meaning,
        synced=synced,
    )


def preview_vm(preview: EditPreview) -> EditPreviewVM:
    """The preview message's view-model (title "Pause 3 campaigns in Europe", items, the word)."""
    kinds = {item.entity_type for item in preview.items}
    _label, one, many = _labels(next(iter(kinds)) if len(kinds) == 1 else "campaign")
    count = len(preview.items)
    noun = one if count == 1 else many
    verb = "Undo: " + _ACTION[preview.kind].lower() if preview.undo_of else _ACTION[preview.kind]
    title = f"{verb} {count} {noun} in {_region_name(preview.region)}"
    return EditPreviewVM(
        batch_id=str(preview.batch_id),
        title=title,
        items=[_item(item) for item in preview.items],
        skipped=list(preview.skipped),
        confirm_word=preview.confirm_word,
        expires_at=preview.expires_at,
        undo_of=str(preview.undo_of) if preview.undo_of else None,
    )


class _OutcomeItems(Sequence[OutcomeItemVM]):
    """An outcome's items as the message shows them, each made when it is read: a bulk edit's message
    shows its first few of up to 1,000, so the rest are never built. Compares equal to any sequence of
    the same items."""

    __slots__ = ("_items",)

    def __init__(self, items: Sequence[ItemOutcome]) -> None:
        self._items = items

    def __len__(self) -> int:
        return len(self._items)

    @overload
    def __getitem__(self, index: int) -> OutcomeItemVM: ...

    @overload
    def __getitem__(self, index: slice) -> list[OutcomeItemVM]: ...

    def __getitem__(self, index: int | slice) -> OutcomeItemVM | list[OutcomeItemVM]:
        if isinstance(index, slice):
            return [_outcome_item(item) for item in self._items[index]]
        return _outcome_item(self._items[index])

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]  # equal to lists, which are not hashable

    def __repr__(self) -> str:
        return f"_OutcomeItems({len(self)} items)"


def _outcome_item(item: ItemOutcome) -> OutcomeItemVM:
    return OutcomeItemVM(
        kind_label=_labels(item.entity_type)[0],
        name=item.entity_name,
        before=edit_value(item.field, item.before, item.currency),
        after=edit_value(item.field, item.after, item.currency),
        ok=item.ok,
        message=item.message,
    )


def _summary(outcome: EditOutcome) -> str:
    if outcome.status in _CLOSED:
        return _CLOSED[outcome.status]
    parts = []
    if outcome.applied:
        parts.append(f"{outcome.applied} {_DONE.get(outcome.kind, 'changed')}")
    if outcome.failed:
        parts.append(f"{outcome.failed} failed")
    text = ", ".join(parts) or "Nothing changed"
    first = next((item.message for item in outcome.items if item.ok is False and item.message), None)
    return f"{text}: Amazon says “{first}”" if first else text


def outcome_vm(outcome: EditOutcome, *, now: datetime) -> EditOutcomeVM:
    """The outcome message's view-model; Undo is offered while `undo_until` is after `now`."""
    return EditOutcomeVM(
        batch_id=str(outcome.batch_id),
        status=outcome.status,
        summary=_summary(outcome),
        items=_OutcomeItems(outcome.items),
        applied_by=outcome.applied_by,
        applied_at=outcome.applied_at,
        undo_until=outcome.undo_until,
        can_undo=bool(outcome.applied) and outcome.undo_until is not None and now < outcome.undo_until,
    )


def _what(entry: HistoryEntry) -> str:
    field = _FIELD.get(entry.field, entry.field)
    return f"{_labels(entry.entity_type)[0]} “{entry.entity_name}” · {field}"


def history_vm(campaign_name: str, entries: Sequence[HistoryEntry]) -> HistoryVM:
    """`/hilal history`'s view-model (newest first)."""
    return HistoryVM(
        campaign_name=campaign_name,
        lines=[
            HistoryLineVM(
                actor=entry.actor,
                at=entry.at,
                what=_what(entry),
                before=edit_value(entry.field, entry.before, entry.currency),
                after=edit_value(entry.field, entry.after, entry.currency),
                ok=entry.ok,
                amazon=entry.amazon,
                undo=entry.undo_of is not None,
            )
            for entry in entries
        ],
    )
