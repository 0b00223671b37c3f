"""What a confirmed batch leaves behind, value by value: audit details, the message's items, bodies."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from bot.amazon.client import _dumps, _exact
from bot.blocks.edits import MAX_ITEMS, render_edit_outcome
from bot.services.edits import EditOutcome, ItemOutcome, outcome_vm
from storage.repositories.edits import EditAuditDetails, StoredItem

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def _item(name: str, before: str, after: str) -> StoredItem:
    return StoredItem(3, "campaign", "1234", name, 7, "state", before, after, "EUR", 11, "pending", None)


@pytest.mark.parametrize(
    ("name", "before", "after", "ok", "amazon"),
    [
        ("Summer “sale” 100% \\ ✓\n", "ENABLED", "PAUSED", True, "applied"),
        ('Quote " and tab\t', "", "80.50", False, None),
        ("Ünïcode", "12.00", "13.00", False, 'Amazon said "no" — ümlaut'),
    ],
)
@pytest.mark.parametrize(("kind", "region", "undo_of"), [("pause", "eu", None), ("budget %s", 'n"a', 41)])
def test_an_audit_detail_is_the_json_of_its_fields_with_sorted_keys(
    name: str,
    before: str,
    after: str,
    ok: bool,
    amazon: str | None,
    kind: str,
    region: str,
    undo_of: int | None,
) -> None:
    item = _item(name, before, after)
    details = EditAuditDetails(batch_id=42, kind=kind, region=region, undo_of=undo_of)
    expected = {
        "batch_id": 42,
        "kind": kind,
        "region": region,
        "undo_of": undo_of,
        "entity_type": "campaign",
        "entity_id": "1234",
        "entity_name": name,
        "field": "state",
        "before": before,
        "after": after,
        "currency": "EUR",
        "ok": ok,
        "amazon": amazon,
    }
    assert details(item, ok=ok, amazon=amazon) == json.dumps(expected, sort_keys=True)


def test_the_outcome_message_shows_the_first_items_and_counts_the_rest() -> None:
    items = tuple(
        ItemOutcome("campaign", str(n), f"Campaign {n}", "state", "ENABLED", "PAUSED", "EUR", True, None)
        for n in range(1000)
    )
    outcome = EditOutcome(7, "pause", "applied", "U1", NOW, NOW + timedelta(minutes=15), items)
    vm = outcome_vm(outcome, now=NOW)
    assert len(vm.items) == 1000
    assert vm.items[999].name == "Campaign 999" and vm.items[-1] == vm.items[999]
    assert [line.name for line in vm.items[:2]] == ["Campaign 0", "Campaign 1"]
    text = str(render_edit_outcome(vm))
    shown = MAX_ITEMS - 1
    assert f"Campaign {shown}”" in text and f"Campaign {shown + 1}”" not in text
    assert "1000 paused" in text and f"{1000 - MAX_ITEMS:,}" in text


@pytest.mark.parametrize(
    "body",
    [
        {"campaigns": [{"campaignId": "1", "state": "PAUSED"}]},
        {"campaigns": [{"campaignId": "1", "budget": {"budget": Decimal("80.50"), "budgetType": "DAILY"}}]},
        {"keywords": [{"keywordId": "9", "bid": Decimal("1E+2")}], "note": "é", "n": 1.5, "none": None},
    ],
)
def test_a_body_is_written_the_same_with_or_without_amounts(body: dict[str, object]) -> None:
    assert _dumps(body) == _exact(body)
    assert json.loads(_dumps(body), parse_float=Decimal) == body
