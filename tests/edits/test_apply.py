"""Preview → Confirm: Amazon changes once, the local copy and the audit trail follow, a sync keeps it."""

from __future__ import annotations

import json
from decimal import Decimal

from sqlalchemy import event

from bot.blocks.campaign_details import render_campaign_details
from bot.services.campaigns import build_detail_vm
from bot.services.edits import EditPreview, campaign_history, confirm_edit
from bot.services.sync import run_sync
from storage.db import session_scope
from storage.models import Campaign
from tests.edits.helpers import (
    ADMIN,
    TEAM,
    Account,
    admin_preview,
    amazon_budget,
    amazon_campaign,
    audit,
    local_campaign,
    puts,
    synced,
)
from tests.sync.world import World


def _plan(
    world: World, account: Account, campaign: Campaign, *, kind: str, value: str | None = None
) -> EditPreview:
    """An admin's preview of one campaign, now (nothing sent)."""
    return admin_preview(world, account, [campaign], kind=kind, value=value)


def test_a_confirmed_pause_reaches_amazon_once_and_marks_the_local_copy(world: World) -> None:
    account = synced(world)
    campaign = account.of_state("ENABLED")[0]
    now = world.clock()

    preview = _plan(world, account, campaign, kind="pause")

    assert [(i.entity_name, i.before, i.after) for i in preview.items] == [
        (campaign.name, "ENABLED", "PAUSED")
    ]
    assert preview.confirm_word is None and not preview.stale
    assert puts(world) == 0  # a preview sends nothing
    outcome = confirm_edit(world.services, batch_id=preview.batch_id, user_id=ADMIN, now=now, is_manager=True)

    assert (outcome.status, outcome.applied, outcome.failed) == ("applied", 1, 0)
    assert puts(world) == 1
    assert amazon_campaign(world, account.profile, campaign.campaign_id)["state"] == "PAUSED"
    local = local_campaign(world, campaign.id or 0)
    assert (local.state, local.edited_by, local.edited_at) == ("PAUSED", ADMIN, now)
    [event] = audit(world, campaign.id or 0)
    assert event.actor == ADMIN and event.action == "campaign.edited"
    with session_scope(world.engine, readonly=True) as s:
        [entry] = campaign_history(s, team_id=TEAM, campaign_pk=campaign.id or 0)
    assert (entry.actor, entry.before, entry.after, entry.ok, entry.amazon) == (
        ADMIN,
        "ENABLED",
        "PAUSED",
        True,
        "applied",
    )

    world.clock.advance(hours=1)
    assert run_sync(world.services, connection_id=account.conn_id, kind="active").status == "success"
    after_sync = local_campaign(world, campaign.id or 0)
    assert (after_sync.state, after_sync.edited_by) == ("PAUSED", ADMIN)  # the sync confirms, keeps the mark
    with session_scope(world.engine, readonly=True) as s:  # and Details says who changed it, and when
        detail = build_detail_vm(s, team_id=TEAM, campaign_pk=campaign.id or 0, now=world.clock())
    assert detail is not None
    shown = json.dumps(render_campaign_details(detail), ensure_ascii=False)
    assert f"changed from Slack by <@{ADMIN}> <!date^{int(now.timestamp())}^" in shown


def test_a_budget_in_a_german_marketplace_reads_a_comma_decimal(world: World) -> None:
    account = synced(world, region="eu", marketplaces=("DE",))
    campaign = account.of_state("ENABLED")[0]
    now = world.clock()

    preview = _plan(world, account, campaign, kind="budget", value="80,50")
    [item] = preview.items
    assert (item.after, item.currency) == ("80.50", "EUR")
    typed = preview.confirm_word
    outcome = confirm_edit(
        world.services, batch_id=preview.batch_id, user_id=ADMIN, typed=typed, now=now, is_manager=True
    )

    assert outcome.status == "applied" and puts(world) == 1
    assert amazon_budget(world, account.profile, campaign.campaign_id) == Decimal("80.5")
    assert local_campaign(world, campaign.id or 0).budget == Decimal("80.50")


def test_a_confirm_reads_the_connection_once_and_sends_with_its_stored_token(world: World) -> None:
    account = synced(world)
    preview = _plan(world, account, account.of_state("ENABLED")[0], kind="pause")
    statements: list[str] = []

    def seen(conn, cursor, statement, parameters, context, executemany) -> None:
        statements.append(" ".join(statement.split()))

    event.listen(world.engine, "before_cursor_execute", seen)
    try:
        outcome = confirm_edit(
            world.services, batch_id=preview.batch_id, user_id=ADMIN, now=world.clock(), is_manager=True
        )
    finally:
        event.remove(world.engine, "before_cursor_execute", seen)

    assert outcome.applied == 1
    reads = [s for s in statements if s.startswith("SELECT") and " FROM connection " in f"{s} "]
    assert len(reads) == 1, reads
    assert not [s for s in statements if s.startswith("UPDATE connection SET access_token")]  # no refresh
