"""The pacing poll over the simulator: readings stored per campaign and marketplace day, 100 ids a call,
the marketplace's own day (Tokyo vs Los Angeles midnights, a DST change), disconnect stops it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from sqlmodel import select

from bot.services.connections import mark_reconnect_needed
from storage.db import session_scope
from storage.models import CampaignPacing, Connection
from tests.edits.helpers import synced
from tests.pacing.helpers import latest, readings, run_pacing
from tests.sync.world import World


def _usage_calls(world: World) -> list[int]:
    """Ids per Sponsored Products budget-usage call (SB and SD have their own routes)."""
    sp = "/sp/campaigns/budget/usage"
    return [len(r.json()["campaignIds"]) for r in world.sim.requests if r.path.endswith(sp)]


def test_a_poll_stores_each_enabled_sp_campaigns_reading_and_polls_again_after_the_interval(
    world: World,
) -> None:
    account = synced(world, campaigns_per_profile=180)
    enabled = account.of_state("ENABLED")
    assert len(enabled) > 100
    first = enabled[0]
    assert first.id is not None
    world.sim.set_budget_usage(account.profile.profile_id, first.campaign_id, 83)

    report = run_pacing(world.services, world)
    assert account.profile.id is not None
    every_product = [c for c in world.campaigns(account.profile.id).values() if c.state == "ENABLED"]
    assert report.polled[account.conn_id].stored == len(every_product)  # SP, SB and SD
    assert max(_usage_calls(world)) <= 100 and sum(_usage_calls(world)) == len(enabled)
    row = latest(world, first.id)
    assert row is not None and row.percent == Decimal(83) and row.currency == account.profile.currency_code
    assert row.budget == first.budget and row.local_date == date(2026, 3, 10)
    assert row.amazon_updated_at is not None and row.read_at == world.clock.now

    world.clock.advance(minutes=5)
    assert run_pacing(world.services, world).polled == {}  # not due yet: every 15 minutes
    world.clock.advance(minutes=10)
    assert account.conn_id in run_pacing(world.services, world).polled
    assert len(readings(world, first.id)) == 2


def test_each_marketplace_starts_its_own_day_at_its_own_midnight(world: World) -> None:
    us = synced(world, region="na", marketplaces=("US",), campaigns_per_profile=4)
    jp = synced(world, region="fe", marketplaces=("JP",), campaigns_per_profile=4)
    us_c, jp_c = us.of_state("ENABLED")[0], jp.of_state("ENABLED")[0]
    assert us_c.id is not None and jp_c.id is not None
    world.clock.now = datetime(2026, 3, 10, 14, 50, tzinfo=UTC)  # Tokyo 23:50, Los Angeles 07:50
    world.sim.set_budget_usage(jp.profile.profile_id, jp_c.campaign_id, 100)
    run_pacing(world.services, world)
    assert (latest(world, jp_c.id) or _no()).local_date == date(2026, 3, 10)

    world.clock.now = datetime(2026, 3, 10, 15, 5, tzinfo=UTC)  # Tokyo 00:05 on the 11th
    run_pacing(world.services, world)
    jp_row, us_row = latest(world, jp_c.id) or _no(), latest(world, us_c.id) or _no()
    assert jp_row.local_date == date(2026, 3, 11) and jp_row.percent == 0  # a new day starts empty
    assert jp_row.day_ends_at == datetime(2026, 3, 11, 15, 0, tzinfo=UTC)
    assert us_row.local_date == date(2026, 3, 10)
    assert us_row.day_ends_at == datetime(2026, 3, 11, 7, 0, tzinfo=UTC)  # Los Angeles midnight (PDT)


def test_the_day_of_a_dst_change_is_23_hours_long(world: World) -> None:
    world.clock.now = datetime(2026, 3, 8, 8, 50, tzinfo=UTC)  # Los Angeles 00:50 PST, clocks go forward
    us = synced(world, region="na", marketplaces=("US",), campaigns_per_profile=3)
    campaign = us.of_state("ENABLED")[0]
    assert campaign.id is not None
    run_pacing(world.services, world)
    row = latest(world, campaign.id) or _no()
    assert row.local_date == date(2026, 3, 8)
    assert row.day_ends_at == datetime(2026, 3, 9, 7, 0, tzinfo=UTC)  # 23 hours after local midnight


def test_a_disconnected_region_is_not_polled_and_its_last_reading_stays(world: World) -> None:
    account = synced(world, campaigns_per_profile=3)
    campaign = account.of_state("ENABLED")[0]
    assert campaign.id is not None
    run_pacing(world.services, world)
    before = latest(world, campaign.id)
    mark_reconnect_needed(world.services, connection_id=account.conn_id, reason="test")
    calls = len(_usage_calls(world))
    world.clock.advance(minutes=30)
    assert run_pacing(world.services, world).polled == {}
    assert len(_usage_calls(world)) == calls
    assert latest(world, campaign.id) == before
    with session_scope(world.engine, readonly=True) as s:
        conn = s.exec(select(Connection).where(Connection.id == account.conn_id)).one()
        assert conn.last_pacing_at is not None


def _no() -> CampaignPacing:
    raise AssertionError("no reading")
