"""Live-edit renderers: within Slack's limits, and Amazon or user text never becomes markup."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from bot.blocks.campaign_details import render_campaign_details
from bot.blocks.campaigns import render_campaign_message
from bot.blocks.edits import (
    render_amount_modal,
    render_audit_line,
    render_confirm_word_modal,
    render_edit_outcome,
    render_edit_preview,
    render_history,
)
from bot.blocks.limits import check_message, check_view
from bot.viewmodels import (
    AmountFormVM,
    AuditLineVM,
    CampaignDetailVM,
    CampaignFilterVM,
    CampaignPageVM,
    CampaignRowVM,
    ConfirmWordVM,
    EditItemVM,
    EditOutcomeVM,
    EditPreviewVM,
    HistoryLineVM,
    HistoryVM,
    KeywordVM,
    OutcomeItemVM,
)
from bot.viewmodels.common import Money
from tests.blocks.factories import eur
from tests.blocks.markup import HOSTILE, assert_no_injected_markup

E = HOSTILE * 40  # long and hostile
NOW = datetime(2026, 3, 10, 12, tzinfo=UTC)


def _eur(amount: str) -> Money:
    return Money(Decimal(amount), "EUR")


def _items(n: int) -> list[EditItemVM]:
    return [
        EditItemVM("Campaign", E, _eur("50"), _eur("500"), "raises the daily budget", synced=E)
        for _ in range(n)
    ]


def test_a_preview_of_many_hostile_items_fits_and_escapes() -> None:
    vm = EditPreviewVM("42", E, _items(200), skipped=[E] * 30, confirm_word="PAUSE 200", expires_at=NOW)
    msg = render_edit_preview(vm)
    assert check_message(msg) == []
    assert_no_injected_markup(msg)
    assert "… and 185 more" in str(msg["blocks"])


def test_an_outcome_with_amazon_messages_fits_escapes_and_offers_undo() -> None:
    items = [OutcomeItemVM("Keyword", E, "enabled", "paused", ok=i % 2 == 0, message=E) for i in range(60)]
    vm = EditOutcomeVM(
        "42",
        "partial",
        E,
        items,
        applied_by="U0ADA",
        applied_at=NOW,
        undo_until=NOW + timedelta(minutes=15),
        can_undo=True,
    )
    msg = render_edit_outcome(vm)
    assert check_message(msg) == [] and "edits.undo" in str(msg["blocks"])
    assert_no_injected_markup(msg, allowed={"<@U0ADA>"})


def test_a_cancelled_outcome_says_nothing_was_sent() -> None:
    msg = render_edit_outcome(EditOutcomeVM("1", "cancelled", "Cancelled — nothing was sent to Amazon.", []))
    assert check_message(msg) == [] and "edits.undo" not in str(msg["blocks"])


def test_history_audit_line_and_modals_fit_and_escape() -> None:
    lines = [HistoryLineVM("U0ADA", NOW, E, E, E, ok=False, amazon=E, undo=True) for _ in range(40)]
    history = render_history(HistoryVM(E, lines))
    assert check_message(history) == []
    assert_no_injected_markup(history, allowed={"<@U0ADA>"})
    line = render_audit_line(AuditLineVM("U0ADA", "paused", E, "DE", "enabled", "paused"))
    assert check_message(line) == []
    assert_no_injected_markup(line, allowed={"<@U0ADA>"})
    amount = render_amount_modal(AmountFormVM("budget", E, _eur("50"), "EUR", "{}"))
    word = render_confirm_word_modal(ConfirmWordVM("RAISE", E, "{}"))
    assert check_view(amount) == [] and check_view(word) == []
    assert_no_injected_markup(amount)
    assert_no_injected_markup(word)


def test_amounts_are_shown_in_their_currency_and_missing_values_as_a_dash() -> None:
    item = EditItemVM("Campaign", "Shoes", _eur("50"), _eur("1234.5"), "raises the daily budget")
    preview = str(render_edit_preview(EditPreviewVM("42", "Change", [item])))
    assert "€50.00 → *€1,234.50*" in preview
    stale = replace(item, before=Money(Decimal("80.5"), "SEK"), synced=Money(Decimal("1500"), "JPY"))
    shown = str(render_edit_preview(EditPreviewVM("42", "Change", [stale])))
    assert "80.50 SEK" in shown and "¥1,500" in shown
    outcome = OutcomeItemVM("Keyword", "shoes", None, "paused", ok=True)
    assert "— → paused" in str(render_edit_outcome(EditOutcomeVM("42", "applied", "1 paused", [outcome])))
    line = render_audit_line(AuditLineVM("U0ADA", "changed the bid of", "shoes", "UK", _eur("1"), None))
    assert "(🇬🇧 UK): €1.00 → —" in line["text"]
    modal = str(render_amount_modal(AmountFormVM("budget", "Shoes", None, "EUR", "{}")))
    assert "Now: —." in modal


def _row(state: str = "enabled", pk: int = 7) -> CampaignRowVM:
    return CampaignRowVM(str(pk), E, "eu", "DE", "SP", state, eur("50.00"), eur("1.00"), eur("2.00"))


def test_edit_entries_only_for_editors_within_the_overflow_limit() -> None:
    page = CampaignPageVM(
        filter=CampaignFilterVM(regions=("eu",)), rows=[_row(pk=i) for i in range(20)], total=20
    )
    plain = render_campaign_message(page)
    editor = render_campaign_message(_with_edit(page))
    assert "Pause…" not in str(plain["blocks"]) and "Pause all 20 shown" not in str(plain["blocks"])
    assert "Pause…" in str(editor["blocks"]) and "Pause all 20 shown" in str(editor["blocks"])
    assert check_message(editor) == []
    nothing_to_pause = render_campaign_message(replace(page, can_edit=True))  # e.g. all paused or SB
    assert "Pause all" not in str(nothing_to_pause["blocks"])
    archived = render_campaign_message(
        _with_edit(CampaignPageVM(filter=CampaignFilterVM(), rows=[_row("archived")], total=1))
    )
    assert "Pause…" not in str(archived["blocks"]) and "budget" not in str(
        archived["blocks"]
    ).lower().replace("budget €", "")


def _with_edit(page: CampaignPageVM) -> CampaignPageVM:
    from dataclasses import replace

    return replace(page, can_edit=True, pausable=page.total)


def test_details_offer_campaign_and_keyword_edits_to_editors() -> None:
    keywords = [
        KeywordVM(E, "exact", eur("0.50"), eur("1"), eur("2"), keyword_id=str(i), state="enabled")
        for i in range(10)
    ]
    vm = CampaignDetailVM(campaign=_row(), top_keywords=keywords, can_edit=True)
    view = render_campaign_details(vm)
    assert check_view(view) == []
    assert_no_injected_markup(view)
    text = str(view["blocks"])
    assert "edits.keyword" in text and "Change daily budget" in text and "Change bid" in text
    assert "edits.keyword" not in str(
        render_campaign_details(CampaignDetailVM(campaign=_row(), top_keywords=keywords))["blocks"]
    )
