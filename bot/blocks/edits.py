"""Live edits: the preview (Confirm / Cancel), its outcome (in place, with Undo), a campaign's history,
the amount and confirmation-word modals, and one audit-channel line.

Names and Amazon's messages are user text: escaped here. Buttons carry only the batch id.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from bot.blocks.common import (
    Block,
    Message,
    View,
    actions,
    button,
    context,
    header,
    input_block,
    message,
    plain,
    safe,
    section,
    sections_from_lines,
    truncate,
    user_mention,
)
from bot.blocks.format import NO_VALUE, flag, format_money, slack_date
from bot.blocks.ids import ActionId, BlockId, CallbackId, block_id, encode_meta
from bot.blocks.limits import MAX_MESSAGE_TEXT_BUDGET, total_text_length
from bot.viewmodels import (
    AmountFormVM,
    AuditLineVM,
    ConfirmWordVM,
    EditItemVM,
    EditOutcomeVM,
    EditPreviewVM,
    HistoryLineVM,
    HistoryVM,
    OutcomeItemVM,
)
from bot.viewmodels.common import Money
from bot.viewmodels.edits import EditValue

__all__ = [
    "AMOUNT_MAX_LENGTH",
    "render_amount_modal",
    "render_audit_line",
    "render_confirm_word_modal",
    "render_edit_outcome",
    "render_edit_preview",
    "render_history",
]

AMOUNT_MAX_LENGTH = 40
MAX_ITEMS = 15
CONFIRM = "Confirm"
CANCEL = "Cancel"
UNDO = "Undo"
NOTHING_SENT = "Nothing is sent to Amazon until you confirm. This preview lapses {when}."
BIG_CHANGE = "⚠️ A big change: Confirm asks you to type *{word}*."
STALE = "⚠️ Amazon shows {before} now; Hilal last synced {synced}. The change starts from Amazon's value."
SKIPPED = "Left out, already as asked: {names}"
MORE = "… and {count} more"
CHANGED_BY = "Changed from Slack by {user} {when}. The next sync confirms it."
UNDO_UNTIL = "Undo is open until {when}: it previews the way back."
NO_HISTORY = "No live edits of this campaign yet. Changes made from Slack show up here."
HISTORY_HINT = "Live edits only: changes made in Amazon's console are not listed."
_STATUS_MARK = {"applied": "✅", "partial": "⚠️", "failed": "❌", "cancelled": "✖️", "expired": "⌛"}
_AMOUNT_LABEL = {"budget": "New daily budget", "bid": "New bid", "default_bid": "New default bid"}
_AMOUNT_TITLE = {"budget": "Change daily budget", "bid": "Change bid", "default_bid": "Change default bid"}


_WIDTHS = (200, 80, 30)  # names narrow step by step until a message fits the text budget
_BUDGET = MAX_MESSAGE_TEXT_BUDGET - 500


def _fitting(render: Callable[[int], Message]) -> Message:
    """The first rendering (widest names first) whose block text fits Hilal's message budget."""
    msg = render(_WIDTHS[0])
    for width in _WIDTHS[1:]:
        if total_text_length(msg["blocks"]) <= _BUDGET:
            break
        msg = render(width)
    return msg


def _value(value: EditValue, width: int = 40) -> str:
    """A value for people, cut to `width` and escaped: an amount in its currency ("€80.50"), a state in
    words, "—" for none."""
    if value is None:
        return NO_VALUE
    if isinstance(value, Money):
        return safe(format_money(value.amount, value.currency), width)
    return safe(value, width)


def _item_line(item: EditItemVM, width: int) -> str:
    name = safe(item.name, width)
    change = f"{_value(item.before)} → *{_value(item.after)}*"
    return f"• {safe(item.kind_label, 20)} “{name}”: {change} — {safe(item.meaning, min(width, 120))}"


def _stale_lines(items: Sequence[EditItemVM], width: int) -> list[str]:
    return [
        STALE.format(before=_value(item.before), synced=_value(item.synced))
        + f" (“{safe(item.name, min(width, 80))}”)"
        for item in items
        if item.synced
    ]


def _more(total: int, shown: int) -> list[str]:
    return [MORE.format(count=f"{total - shown:,}")] if total > shown else []


def _preview_notes(vm: EditPreviewVM) -> list[Block]:
    notes: list[str] = []
    if vm.skipped:
        names = ", ".join(f"“{safe(name, 60)}”" for name in vm.skipped[:5])
        notes.append(SKIPPED.format(names=names) + (" …" if len(vm.skipped) > 5 else ""))
    if vm.confirm_word:
        notes.append(BIG_CHANGE.format(word=safe(vm.confirm_word, 40)))
    if vm.expires_at:
        notes.append(NOTHING_SENT.format(when=slack_date(vm.expires_at)))
    return [context(*notes)] if notes else []


def render_edit_preview(vm: EditPreviewVM) -> Message:
    """The preview of a live edit (see `_preview`), names shortened until it fits the text budget.

    Args:
        vm: The preview.

    Returns:
        The message (at most about 12 blocks); both buttons carry ``{"b": batch id}``.
    """
    return _fitting(lambda width: _preview(vm, width))


def _preview(vm: EditPreviewVM, width: int) -> Message:
    """Before → after per entity, stale notes, Confirm and Cancel."""
    shown = vm.items[:MAX_ITEMS]
    lines = [_item_line(item, width) for item in shown] + _more(len(vm.items), len(shown))
    blocks: list[Block] = [header(vm.title), *sections_from_lines(lines)]
    stale = _stale_lines(shown, width)
    if stale:
        blocks += sections_from_lines(stale)
    blocks += _preview_notes(vm)
    confirm = encode_meta({"b": vm.batch_id, "w": 1 if vm.confirm_word else 0})
    buttons = [
        button(CONFIRM, ActionId.EDIT_CONFIRM, value=confirm, style="primary"),
        button(CANCEL, ActionId.EDIT_CANCEL, value=encode_meta({"b": vm.batch_id})),
    ]
    blocks.append(actions(buttons, block_id=block_id(BlockId.EDIT_ACTIONS, f"{vm.batch_id}.preview")))
    return message(f"{safe(vm.title, 300)}? Nothing is sent to Amazon until you confirm.", blocks)


def _outcome_line(item: OutcomeItemVM, width: int) -> str:
    mark = "✅" if item.ok else "❌" if item.ok is False else "⏳"
    line = f"{mark} {safe(item.kind_label, 20)} “{safe(item.name, width)}”: "
    line += f"{_value(item.before)} → {_value(item.after)}"
    if item.ok is False and item.message:
        line += f" — Amazon says: {safe(item.message, width + 100)}"
    return line


def _outcome_notes(vm: EditOutcomeVM) -> list[Block]:
    notes: list[str] = []
    if vm.applied_by and vm.applied_at and vm.status in ("applied", "partial", "failed"):
        notes.append(CHANGED_BY.format(user=user_mention(vm.applied_by), when=slack_date(vm.applied_at)))
    if vm.can_undo and vm.undo_until:
        notes.append(UNDO_UNTIL.format(when=slack_date(vm.undo_until)))
    return [context(*notes)] if notes else []


def render_edit_outcome(vm: EditOutcomeVM) -> Message:
    """What became of a batch, replacing its preview: per entity ✅ / ❌, counts, who, and Undo.

    Args:
        vm: The outcome (a cancelled or expired preview says nothing was sent).

    Returns:
        The message; the Undo button (while ``can_undo``) carries ``{"b": batch id}``.
    """
    return _fitting(lambda width: _outcome(vm, width))


def _outcome(vm: EditOutcomeVM, width: int) -> Message:
    mark = _STATUS_MARK.get(vm.status, "⏳")
    summary = f"{mark} *{safe(vm.summary, 600)}*"
    blocks: list[Block] = [
        section(summary, block_id=block_id(BlockId.EDIT_ACTIONS, f"{vm.batch_id}.{vm.status}"))
    ]
    if vm.status not in ("cancelled", "expired"):
        shown = vm.items[:MAX_ITEMS]
        lines = [_outcome_line(i, width) for i in shown] + _more(len(vm.items), len(shown))
        blocks += sections_from_lines(lines)
    blocks += _outcome_notes(vm)
    if vm.can_undo:
        undo = button(UNDO, ActionId.EDIT_UNDO, value=encode_meta({"b": vm.batch_id}))
        blocks.append(actions([undo], block_id=block_id(BlockId.EDIT_ACTIONS, f"{vm.batch_id}.undo")))
    return message(f"{mark} {safe(vm.summary, 600)}", blocks)


def _history_line(line: HistoryLineVM, width: int) -> str:
    mark = "✅" if line.ok else "❌"
    undo = " (undo)" if line.undo else ""
    text = f"{mark} {slack_date(line.at)} · {user_mention(line.actor)}{undo} · {safe(line.what, width)}: "
    text += f"{_value(line.before)} → {_value(line.after)}"
    if not line.ok and line.amazon:
        text += f" — Amazon says: {safe(line.amazon, width)}"
    return text


def render_history(vm: HistoryVM) -> Message:
    """`/hilal history CAMPAIGN`: the newest live edits, who made them and what Amazon answered."""
    title = header(f"History: {vm.campaign_name}")
    if not vm.lines:
        return message(f"No live edits of {safe(vm.campaign_name, 300)} yet.", [title, section(NO_HISTORY)])
    return _fitting(lambda width: _history(vm, title, width))


def _history(vm: HistoryVM, title: Block, width: int) -> Message:
    lines = [_history_line(line, width) for line in vm.lines[:20]]
    blocks = [title, *sections_from_lines(lines), context(HISTORY_HINT)]
    return message(f"History of {safe(vm.campaign_name, 300)}: {len(vm.lines)} live edits", blocks)


def _modal(callback: CallbackId, title: str, blocks: list[Block], *, submit: str, metadata: str) -> View:
    return {
        "type": "modal",
        "callback_id": callback.value,
        "title": plain(truncate(title, 24)),
        "submit": plain(truncate(submit, 24)),
        "close": plain(CANCEL),
        "private_metadata": metadata[:3000],
        "blocks": blocks,
    }


def render_amount_modal(vm: AmountFormVM) -> View:
    """Ask for a new daily budget or bid; submitting previews the change (nothing is sent yet)."""
    label = _AMOUNT_LABEL.get(vm.kind, "New amount")
    element = {
        "type": "plain_text_input",
        "action_id": ActionId.EDIT_AMOUNT.value,
        "max_length": AMOUNT_MAX_LENGTH,
        "placeholder": plain("e.g. 80, 80.50, 80,50 or +20%"),
    }
    now = NO_VALUE if vm.current is None else format_money(vm.current.amount, vm.current.currency)
    hint = f"In {vm.currency or 'the marketplace currency'}. Now: {now}. Relative changes work too."
    blocks: list[Block] = [
        section(f"*{safe(vm.target_name, 200)}*"),
        input_block(label, element, block_id=BlockId.EDIT_AMOUNT, hint=hint),
    ]
    title = _AMOUNT_TITLE.get(vm.kind, "Change amount")
    return _modal(CallbackId.EDIT_AMOUNT, title, blocks, submit="Preview", metadata=vm.metadata)


def render_confirm_word_modal(vm: ConfirmWordVM) -> View:
    """A big change: type the word to confirm it (a wrong word is answered in the modal)."""
    element = {"type": "plain_text_input", "action_id": ActionId.EDIT_WORD.value, "max_length": 40}
    blocks: list[Block] = [
        section(
            f"*{safe(vm.title, 200)}*\nThis is a big change. Type *{safe(vm.word, 40)}* to send it to Amazon."
        ),
        input_block("Confirmation word", element, block_id=BlockId.EDIT_WORD, hint=f"Type {vm.word}"),
    ]
    return _modal(
        CallbackId.EDIT_CONFIRM_WORD, "Confirm big change", blocks, submit=CONFIRM, metadata=vm.metadata
    )


def render_audit_line(vm: AuditLineVM) -> Message:
    """One audit-channel line: "@ada paused “SP - Trail Shoes” (🇩🇪 DE): enabled → paused"."""
    text = (
        f"{user_mention(vm.actor)} {safe(vm.verb, 60)} “{safe(vm.name, 300)}” "
        f"({safe(f'{flag(vm.country)} {vm.country}', 30)}): {_value(vm.before)} → {_value(vm.after)}"
    )
    return message(text, [section(text)])
