"""A confirmed batch whose sender died while sending is recorded as "no answer", audited, once."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

from bot.services.edits import ABANDONED_AFTER, EditOutcome, confirm_edit, edit_outcome
from bot.services.edits import settle_abandoned_edits as settle
from bot.services.edits.record import NO_ANSWER
from storage.db import session_scope
from storage.repositories.edits import claim_batch, get_batch
from tests.edits.helpers import ADMIN, amazon_campaign, audit, local_campaign, preview_pause, synced
from tests.scale.cluster import wait_until
from tests.sync.world import World


def _status(world: World, batch_id: int) -> str:
    with session_scope(world.engine, readonly=True) as session:
        batch = get_batch(session, batch_id=batch_id)
        assert batch is not None
        return batch.status


def test_a_batch_left_applying_is_recorded_as_no_answer_once_its_claim_is_old(world: World) -> None:
    account = synced(world)
    campaigns = account.of_state("ENABLED")[:3]
    batch_id = preview_pause(world, account, campaigns)
    claimed_at = world.clock()
    with session_scope(world.engine) as session:  # the sender claimed it, then died before recording
        assert claim_batch(session, batch_id=batch_id, user_id=ADMIN, now=claimed_at)

    assert settle(world.services, now=claimed_at + ABANDONED_AFTER - timedelta(seconds=1)) == 0
    assert _status(world, batch_id) == "applying"  # it may still be sending
    assert settle(world.services, now=claimed_at + ABANDONED_AFTER + timedelta(seconds=1)) == 1
    assert settle(world.services, now=claimed_at + 2 * ABANDONED_AFTER) == 0  # recorded once

    outcome = edit_outcome(world.services, batch_id=batch_id)
    assert outcome.status == "failed" and outcome.applied == 0
    assert [item.message for item in outcome.items] == [NO_ANSWER] * len(campaigns)
    for campaign in campaigns:
        [event] = audit(world, campaign.id or 0)
        detail = json.loads(event.detail_json)
        assert detail["ok"] is False and "check before retrying" in detail["amazon"]


def test_a_slow_sender_whose_batch_was_taken_over_records_nothing_twice(world: World) -> None:
    account = synced(world)
    campaigns = account.of_state("ENABLED")[:2]
    batch_id = preview_pause(world, account, campaigns)
    world.sim.faults.add(route="sp/campaigns", kind="timeout", delay=4.0, times=1)  # Amazon is slow
    outcomes: list[EditOutcome] = []
    sender = threading.Thread(
        target=lambda: outcomes.append(
            confirm_edit(world.services, batch_id=batch_id, user_id=ADMIN, now=world.clock(), is_manager=True)
        )
    )
    sender.start()
    later = world.clock() + ABANDONED_AFTER + timedelta(minutes=1)
    if world.engine.dialect.name == "postgresql":  # the claim is uncommitted while sending: nothing to take
        assert wait_until(lambda: not world.sim.faults.pending, timeout=10)  # the write is on its way
        assert settle(world.services, now=later) == 0
        sender.join(timeout=30)
        assert outcomes[0].status == "applied"
        return
    assert wait_until(lambda: _status(world, batch_id) == "applying", timeout=10)
    assert settle(world.services, now=later) == 1  # taken over while the sender still waits
    sender.join(timeout=30)

    [outcome] = outcomes
    assert outcome == edit_outcome(world.services, batch_id=batch_id)  # the sender reads what was recorded
    assert outcome.status == "failed" and {item.message for item in outcome.items} == {NO_ANSWER}
    assert all(len(audit(world, c.id or 0)) == 1 for c in campaigns)  # one event per item, not two
    for campaign in campaigns:  # Amazon applied the late write; Hilal's copy is left for a sync to fix
        assert amazon_campaign(world, account.profile, campaign.campaign_id)["state"] == "PAUSED"
        local = local_campaign(world, campaign.id or 0)
        assert (local.state, local.edited_by) == ("ENABLED", None)
