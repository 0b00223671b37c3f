"""Sponsored Brands and Display campaigns in pacing: polled like SP ones (same cadence, same tables), and
alerted like them, but without "Raise budget +20 %" (live edits are SP-only)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from bot.blocks.alerts import BLOCK_KIT_ALERTS
from bot.features.alerts.actions import RAISE_BY
from bot.services.edits import EditTarget
from bot.services.edits.errors import EntityNotEditable
from bot.services.edits.plan import plan_edit
from bot.viewmodels.pacing import AlertMessageVM
from sandbox.slack import DEMO_ADMIN, DEMO_TEAM
from storage.models import Campaign
from tests.edits.helpers import Account, synced
from tests.pacing.helpers import FakePacerClock, alerts_in, latest, readings, run_pacing, subscribe
from tests.sync.world import World

USAGE_PATHS = {p: f"/{p.lower()}/campaigns/budget/usage" for p in ("SP", "SB", "SD")}


def _enabled(world: World, account: Account, product: str) -> list[Campaign]:
    campaigns = world.campaigns(account.profile.id or 0).values()
    found = [c for c in campaigns if c.ad_product == product and c.state == "ENABLED"]
    return sorted(found, key=lambda c: c.id or 0)


def _calls(world: World, product: str) -> list[int]:
    path = USAGE_PATHS[product]
    return [len(r.json()["campaignIds"]) for r in world.sim.requests if r.path.endswith(path)]


def test_a_round_stores_readings_of_enabled_sb_and_sd_campaigns_like_sp_ones(world: World) -> None:
    account = synced(world, campaigns_per_profile=180)
    sb, sd = _enabled(world, account, "SB"), _enabled(world, account, "SD")
    sp = account.of_state("ENABLED")
    assert sb and sd
    world.sim.set_budget_usage(account.profile.profile_id, sb[0].campaign_id, 100)
    world.sim.set_budget_usage(account.profile.profile_id, sd[0].campaign_id, 42)

    report = run_pacing(world.services, world)
    result = report.polled[account.conn_id]
    assert result.stored == result.asked == len(sp) + len(sb) + len(sd)
    assert result.failed_profiles == []
    for product, expected in (("SP", sp), ("SB", sb), ("SD", sd)):
        calls = _calls(world, product)
        assert calls and max(calls) <= 100 and sum(calls) == len(expected), product
    sb_row, sd_row = latest(world, sb[0].id or 0), latest(world, sd[0].id or 0)
    assert sb_row is not None and sb_row.percent == Decimal(100) and sb_row.budget == sb[0].budget
    assert sd_row is not None and sd_row.percent == Decimal(42) and sd_row.budget == sd[0].budget
    assert sb_row.currency == account.profile.currency_code and sb_row.read_at == world.clock.now
    assert all(latest(world, c.id or 0) is not None for c in [*sb, *sd])

    world.clock.advance(minutes=5)
    assert run_pacing(world.services, world).polled == {}  # same cadence: not due yet
    world.clock.advance(minutes=10)
    run_pacing(world.services, world)
    assert len(readings(world, sb[0].id or 0)) == 2 and len(readings(world, sd[0].id or 0)) == 2


def test_a_failing_sb_call_keeps_the_profiles_sp_and_sd_readings(world: World) -> None:
    account = synced(world, campaigns_per_profile=40)
    sb, sd = _enabled(world, account, "SB"), _enabled(world, account, "SD")
    world.sim.faults.add(route="sb/campaigns/budget/usage", kind="500", times=None)
    result = run_pacing(world.services, world).polled[account.conn_id]
    assert result.failed_profiles == [account.profile.profile_id]
    assert result.stored == len(account.of_state("ENABLED")) + len(sd)
    assert latest(world, sb[0].id or 0) is None and latest(world, sd[0].id or 0) is not None


class _Recording:
    """Block Kit rendering that also keeps the view-models it rendered."""

    def __init__(self) -> None:
        self.vms: list[AlertMessageVM] = []

    def message(self, vm: AlertMessageVM) -> dict[str, object]:
        self.vms.append(vm)
        return BLOCK_KIT_ALERTS.message(vm)


def _sb_out_of_budget(world: World) -> tuple[Account, Campaign]:
    jp = synced(world, region="fe", marketplaces=("JP",), campaigns_per_profile=16)
    (campaign, *_) = _enabled(world, jp, "SB")
    subscribe(world)
    world.clock.now = datetime(2026, 3, 10, 5, 5, tzinfo=UTC)  # Tokyo 14:05
    world.sim.set_budget_usage(jp.profile.profile_id, campaign.campaign_id, 100)
    return jp, campaign


def test_an_sb_campaign_out_of_budget_is_alerted_once_as_an_sb_campaign(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, campaign = _sb_out_of_budget(world)
    recording = _Recording()
    monkeypatch.setattr("bot.jobs.tick.BLOCK_KIT_ALERTS", recording)  # what the pacing job renders with
    run_pacing(world.services, world, FakePacerClock())
    (posted,) = alerts_in(world)
    assert f"{campaign.name}* ran out of budget at 14:00 JST" in posted.text + json.dumps(posted.blocks)
    ((c,),) = [vm.campaigns for vm in recording.vms]
    assert (c.ad_product, c.campaign_pk) == ("SB", campaign.id)  # the renderer can tell it is not SP
    world.clock.advance(minutes=15)
    run_pacing(world.services, world)
    assert len(alerts_in(world)) == 1


def test_raising_an_sb_campaigns_budget_from_an_alert_is_refused_by_the_edit_guards(world: World) -> None:
    _, campaign = _sb_out_of_budget(world)
    assert campaign.id is not None
    with pytest.raises(EntityNotEditable, match="Sponsored Products only"):
        plan_edit(
            world.services,
            team_id=DEMO_TEAM,
            user_id=DEMO_ADMIN,
            kind="budget",
            targets=[EditTarget("campaign", campaign.id)],
            value=RAISE_BY,
            now=world.clock.now,
            is_manager=True,
        )


def test_an_sb_alert_offers_mute_but_not_raise(world: World) -> None:
    _sb_out_of_budget(world)
    run_pacing(world.services, world)
    (posted,) = alerts_in(world)
    text = posted.text + json.dumps(posted.blocks)
    assert "Mute for today" in text
    assert "Raise budget" not in text and "alerts.raise" not in text
