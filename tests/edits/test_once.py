"""Exactly once (double click, two users racing, a lost answer), big changes, expiry, partial success,
stale data and undo."""

from __future__ import annotations

import json
import threading
from decimal import Decimal

import pytest

from bot.amazon import WRITE_BATCH
from bot.services.edits import (
    ConfirmWordMismatch,
    EditOutcome,
    EditPreview,
    PreviewExpired,
    UndoUnavailable,
    confirm_edit,
    plan_undo,
)
from tests.edits.helpers import (
    ADMIN,
    admin_preview,
    amazon_budget,
    amazon_campaign,
    audit,
    local_campaign,
    preview_pause,
    puts,
    synced,
    writes,
)
from tests.sync.world import World


def _budget(world: World, account, campaign, value: str) -> EditPreview:
    """A budget preview of one campaign (nothing sent)."""
    return admin_preview(world, account, [campaign], kind="budget", value=value)


def _confirm(world: World, batch_id: int, **kw) -> EditOutcome:
    return confirm_edit(
        world.services, batch_id=batch_id, user_id=ADMIN, now=world.clock(), is_manager=True, **kw
    )


def test_a_double_click_applies_once_and_both_clicks_see_the_same_outcome(world: World) -> None:
    account = synced(world)
    batch_id = preview_pause(world, account, account.of_state("ENABLED")[:2])
    first, second = _confirm(world, batch_id), _confirm(world, batch_id)
    assert first == second and first.applied == 2
    assert puts(world) == 1


def test_two_users_racing_on_postgresql_apply_once_and_get_the_same_outcome(world: World) -> None:
    if world.engine.dialect.name != "postgresql":
        pytest.skip("the race needs a server database's row locks")
    account = synced(world)
    batch_id = preview_pause(world, account, account.of_state("ENABLED")[:2])
    start = threading.Barrier(2)
    outcomes: list[EditOutcome] = []

    def click(user: str) -> None:
        services = world.new_process()
        start.wait(timeout=10)
        outcomes.append(
            confirm_edit(services, batch_id=batch_id, user_id=user, now=world.clock(), is_manager=True)
        )

    threads = [threading.Thread(target=click, args=(user,)) for user in ("U0ADA", "U0BOB")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert len(outcomes) == 2 and outcomes[0] == outcomes[1]
    assert outcomes[0].status == "applied" and outcomes[0].applied == 2
    assert puts(world) == 1  # one PUT carrying both campaigns


def test_a_lost_answer_is_retried_and_the_change_applied_once(world: World) -> None:
    account = synced(world)
    campaign = account.of_state("ENABLED")[0]
    batch_id = preview_pause(world, account, [campaign])
    world.sim.faults.add(route="sp/campaigns", kind="timeout-after-apply", times=1)

    outcome = _confirm(world, batch_id)

    assert outcome.status == "applied"
    assert puts(world) == 2  # the write, its answer lost, and the retry of the same target values
    assert amazon_campaign(world, account.profile, campaign.campaign_id)["state"] == "PAUSED"
    assert len(audit(world, campaign.id or 0)) == 1


def test_a_budget_more_than_doubled_needs_the_typed_word(world: World) -> None:
    account = synced(world)
    campaign = account.of_state("ENABLED")[0]
    before = amazon_budget(world, account.profile, campaign.campaign_id)
    preview = _budget(world, account, campaign, "+150%")
    assert preview.big_change and preview.confirm_word == "RAISE"
    with pytest.raises(ConfirmWordMismatch):
        _confirm(world, preview.batch_id)
    with pytest.raises(ConfirmWordMismatch):
        _confirm(world, preview.batch_id, typed="yes")
    assert writes(world) == []

    outcome = _confirm(world, preview.batch_id, typed=" raise ")

    assert outcome.status == "applied"
    assert amazon_budget(world, account.profile, campaign.campaign_id) == (before * Decimal("2.5")).quantize(
        Decimal("0.01")
    )


def test_a_bulk_pause_of_more_than_ten_needs_the_count_typed(world: World) -> None:
    account = synced(world, campaigns_per_profile=30)
    enabled = account.of_state("ENABLED")
    assert len(enabled) > 10
    preview = admin_preview(world, account, enabled, kind="pause")
    assert preview.confirm_word == f"PAUSE {len(enabled)}"
    for typed in (None, "PAUSE", f"PAUSE {len(enabled) - 1}"):
        with pytest.raises(ConfirmWordMismatch):
            _confirm(world, preview.batch_id, typed=typed)
    assert writes(world) == []
    outcome = _confirm(world, preview.batch_id, typed=f"pause {len(enabled)}")
    assert outcome.applied == len(enabled)
    states = {amazon_campaign(world, account.profile, c.campaign_id)["state"] for c in enabled}
    assert states == {"PAUSED"}


def test_an_expired_preview_is_refused_and_sends_nothing(world: World) -> None:
    account = synced(world)
    batch_id = preview_pause(world, account, account.of_state("ENABLED")[:1])
    world.clock.advance(minutes=16)
    with pytest.raises(PreviewExpired):
        _confirm(world, batch_id)
    assert writes(world) == []
    assert _confirm(world, batch_id).status == "expired"


def test_one_entity_amazon_refuses_makes_a_partial_outcome_with_amazons_message(world: World) -> None:
    account = synced(world)
    first, second = account.of_state("ENABLED")[:2]
    batch_id = preview_pause(world, account, [first, second])
    # Archived in Amazon's console between the preview and the confirm.
    world.sim.change_campaign(
        account.profile.profile_id, _index(world, account, second.campaign_id), state="ARCHIVED"
    )

    outcome = _confirm(world, batch_id)

    assert (outcome.status, outcome.applied, outcome.failed) == ("partial", 1, 1)
    failed = next(i for i in outcome.items if i.ok is False)
    assert failed.entity_id == second.campaign_id and failed.message and "archived" in failed.message.lower()
    assert amazon_campaign(world, account.profile, first.campaign_id)["state"] == "PAUSED"
    [event] = audit(world, second.id or 0)
    assert json.loads(event.detail_json)["ok"] is False


def test_the_preview_shows_amazons_value_when_it_differs_from_the_last_sync(world: World) -> None:
    account = synced(world)
    campaign = account.of_state("ENABLED")[0]
    world.sim.change_campaign(
        account.profile.profile_id, _index(world, account, campaign.campaign_id), state="PAUSED"
    )
    preview = admin_preview(world, account, [campaign], kind="enable")
    [item] = preview.items
    assert (item.before, item.synced, item.stale, item.after) == ("PAUSED", "ENABLED", True, "ENABLED")
    assert preview.stale


def test_undo_within_15_minutes_restores_and_not_after(world: World) -> None:
    account = synced(world)
    campaign = account.of_state("ENABLED")[0]
    before = amazon_budget(world, account.profile, campaign.campaign_id)
    preview = _budget(world, account, campaign, "+10%")
    with pytest.raises(UndoUnavailable):
        plan_undo(
            world.services, batch_id=preview.batch_id, user_id=ADMIN, now=world.clock(), is_manager=True
        )
    applied = _confirm(world, preview.batch_id)
    assert applied.undo_until is not None
    world.clock.advance(minutes=10)

    undo = plan_undo(
        world.services, batch_id=preview.batch_id, user_id=ADMIN, now=world.clock(), is_manager=True
    )

    assert undo.undo_of == preview.batch_id and [i.after for i in undo.items] == [f"{before:.2f}"]
    assert _confirm(world, undo.batch_id).status == "applied"
    assert amazon_budget(world, account.profile, campaign.campaign_id) == before
    world.clock.advance(minutes=6)
    with pytest.raises(UndoUnavailable, match="15 minutes"):
        plan_undo(
            world.services, batch_id=preview.batch_id, user_id=ADMIN, now=world.clock(), is_manager=True
        )


def test_undo_of_a_pause_enables_again(world: World) -> None:
    account = synced(world)
    campaign = account.of_state("ENABLED")[0]
    batch_id = preview_pause(world, account, [campaign])
    _confirm(world, batch_id)
    undo = plan_undo(world.services, batch_id=batch_id, user_id=ADMIN, now=world.clock(), is_manager=True)
    assert undo.kind == "enable" and puts(world) == 1  # the undo preview sends nothing
    assert _confirm(world, undo.batch_id).status == "applied"
    assert puts(world) == 2
    assert amazon_campaign(world, account.profile, campaign.campaign_id)["state"] == "ENABLED"


def _index(world: World, account, campaign_id: str) -> int:
    ids = [str(c["campaignId"]) for c in world.sim.truth.campaigns(account.profile.profile_id)]
    return ids.index(campaign_id)


def test_a_call_refused_as_a_whole_fails_its_items_and_the_rest_while_earlier_calls_stay_applied(
    world: World,
) -> None:
    account = synced(world, campaigns_per_profile=400)
    campaigns = account.of_state("ENABLED")[: WRITE_BATCH + 20]
    assert len(campaigns) == WRITE_BATCH + 20, "the seed has enough enabled campaigns"
    preview = admin_preview(world, account, campaigns, kind="pause")
    world.sim.faults.add(route="sp/campaigns", kind="500", after=1, times=None)  # the second call fails

    outcome = _confirm(world, preview.batch_id, typed=preview.confirm_word)

    assert (outcome.status, outcome.applied, outcome.failed) == ("partial", WRITE_BATCH, 20)
    assert all(item.ok for item in outcome.items[:WRITE_BATCH])
    assert all(item.ok is False and item.message for item in outcome.items[WRITE_BATCH:])
    first, last = campaigns[0], campaigns[-1]
    assert amazon_campaign(world, account.profile, first.campaign_id)["state"] == "PAUSED"
    assert amazon_campaign(world, account.profile, last.campaign_id)["state"] == "ENABLED"
    assert (local_campaign(world, first.id or 0).state, local_campaign(world, last.id or 0).state) == (
        "PAUSED",
        "ENABLED",
    )
