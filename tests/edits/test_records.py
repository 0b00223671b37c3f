"""What a confirmed batch leaves behind, value by value: audit events, the message's items, bodies."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from bot.amazon.client import _dumps, _exact
from bot.blocks.edits import MAX_ITEMS, render_edit_outcome
from bot.services.edits import EditOutcome, ItemOutcome, confirm_edit, outcome_vm, plan_undo
from storage.db import session_scope
from storage.models import Campaign
from storage.repositories.edits import EDIT_ACTION
from tests.edits.helpers import ADMIN, audit, preview_pause, synced
from tests.sync.world import World

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


TRICKY = 'Summer “sale” 100% \\ ✓\n"quoted"\tÜnïcode'


def _rename(world: World, campaign: Campaign, name: str) -> None:
    with session_scope(world.engine) as session:
        stored = session.get(Campaign, campaign.id)
        assert stored is not None
        stored.name = name


def test_an_audit_event_is_the_json_of_the_item_and_amazons_answer(world: World) -> None:
    account = synced(world)
    first, second = account.of_state("ENABLED")[:2]
    _rename(world, first, TRICKY)  # the name the preview shows, and the audit keeps
    batch_id = preview_pause(world, account, [first, second])
    position = [str(c["campaignId"]) for c in world.sim.truth.campaigns(account.profile.profile_id)]
    world.sim.change_campaign(  # archived in Amazon's console before the Confirm: refused
        account.profile.profile_id, position.index(second.campaign_id), state="ARCHIVED"
    )

    outcome = confirm_edit(
        world.services, batch_id=batch_id, user_id=ADMIN, now=world.clock(), is_manager=True
    )

    refusal = next(item.message for item in outcome.items if item.ok is False)
    shared = {"batch_id": batch_id, "kind": "pause", "region": "na", "undo_of": None, "currency": "USD"}
    item = {"entity_type": "campaign", "field": "state", "before": "ENABLED", "after": "PAUSED"}
    [applied], [refused] = audit(world, first.id or 0), audit(world, second.id or 0)
    assert json.loads(applied.detail_json) == {
        **shared,
        **item,
        "entity_id": first.campaign_id,
        "entity_name": TRICKY,
        "ok": True,
        "amazon": "applied",
    }
    assert json.loads(refused.detail_json) == {
        **shared,
        **item,
        "entity_id": second.campaign_id,
        "entity_name": second.name,
        "ok": False,
        "amazon": refusal,
    }
    assert (applied.actor, applied.action, applied.created_at) == (ADMIN, EDIT_ACTION, world.clock())


def test_an_undo_is_audited_with_the_batch_it_undoes(world: World) -> None:
    account = synced(world)
    campaign = account.of_state("ENABLED")[0]
    batch_id = preview_pause(world, account, [campaign])
    confirm_edit(world.services, batch_id=batch_id, user_id=ADMIN, now=world.clock(), is_manager=True)
    undo = plan_undo(world.services, batch_id=batch_id, user_id=ADMIN, now=world.clock(), is_manager=True)
    confirm_edit(world.services, batch_id=undo.batch_id, user_id=ADMIN, now=world.clock(), is_manager=True)

    pause, enable = (json.loads(event.detail_json) for event in audit(world, campaign.id or 0))
    assert (pause["undo_of"], pause["kind"], pause["after"]) == (None, "pause", "PAUSED")
    assert (enable["undo_of"], enable["kind"], enable["after"]) == (batch_id, "enable", "ENABLED")


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
