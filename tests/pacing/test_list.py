"""Pacing where a campaign is shown: the list row's "Today: 83 % of budget (…)", the usage sort, the
"at risk" filter (one filter type, one conversion to SQL), and Details' readings with the labelled
spend estimate; an older day's reading shows "as of …"."""

from __future__ import annotations

import json
from decimal import Decimal

from bot.blocks.alerts import usage_sparkline
from bot.blocks.campaign_details import render_campaign_details
from bot.blocks.campaigns import render_campaign_message
from bot.blocks.limits import check_message
from bot.services.campaigns import (
    CampaignFilter,
    build_campaign_page_vm,
    build_detail_vm,
    parse_campaign_filter,
)
from bot.viewmodels.pacing import PacingReadingVM
from sandbox.slack import DEMO_TEAM
from storage.db import session_scope
from tests.edits.helpers import synced
from tests.edits.slack_world import slack_world, text_of
from tests.pacing.helpers import run_pacing
from tests.sync.world import World


def test_the_list_shows_sorts_and_filters_by_todays_budget_usage(world: World) -> None:
    account = synced(world, campaigns_per_profile=6)
    high, mid = account.of_state("ENABLED")[:2]
    world.sim.set_budget_usage(account.profile.profile_id, high.campaign_id, 95)
    world.sim.set_budget_usage(account.profile.profile_id, mid.campaign_id, 83)
    run_pacing(world.services, world)

    flt = parse_campaign_filter("at-risk sort usage")
    assert flt == CampaignFilter.create(at_risk=True, sort="usage")
    assert CampaignFilter.from_json(flt.to_json()) == flt
    with session_scope(world.engine, readonly=True) as s:
        page = build_campaign_page_vm(
            s, team_id=DEMO_TEAM, filter=flt, offset=0, limit=10, now=world.clock.now
        )
        everything = build_campaign_page_vm(
            s,
            team_id=DEMO_TEAM,
            filter=CampaignFilter.create(sort="usage"),
            offset=0,
            limit=50,
            now=world.clock.now,
        )
    assert [r.name for r in page.rows] == [high.name, mid.name]  # ≥ 80 %, highest first
    assert everything.rows[0].name == high.name and everything.total > 2
    msg = render_campaign_message(page)
    text = json.dumps(msg["blocks"], ensure_ascii=False)
    assert "Today: 83 % of budget (<!date^" in text and "Today: 95 % of budget" in text
    assert check_message(msg) == []

    world.clock.advance(hours=20)  # Los Angeles' day is over; the readings are no longer today's
    with session_scope(world.engine, readonly=True) as s:
        later = build_campaign_page_vm(
            s, team_id=DEMO_TEAM, filter=flt, offset=0, limit=10, now=world.clock.now
        )
    assert later.total == 0


def test_details_show_the_days_readings_and_an_estimate_labelled_as_such(world: World) -> None:
    account = synced(world, campaigns_per_profile=4)
    campaign = account.of_state("ENABLED")[0]
    assert campaign.id is not None and campaign.budget is not None
    world.sim.set_budget_usage(account.profile.profile_id, campaign.campaign_id, 40)
    run_pacing(world.services, world)
    world.clock.advance(minutes=15)
    world.sim.set_budget_usage(account.profile.profile_id, campaign.campaign_id, 50)
    run_pacing(world.services, world)
    with session_scope(world.engine, readonly=True) as s:
        vm = build_detail_vm(s, team_id=DEMO_TEAM, campaign_pk=campaign.id, now=world.clock.now)
    assert vm is not None and vm.pacing is not None
    assert [r.percent for r in vm.pacing.readings] == [40, 50]
    view = json.dumps(render_campaign_details(vm)["blocks"], ensure_ascii=False)
    assert "Budget usage* Today: 50 % of budget" in view
    assert "Estimated spend today" in view and "(estimate from usage and budget)" in view
    times = [r.at[:5] for r in vm.pacing.readings]
    assert f"`{times[0]} ▄▅ {times[1]}`" in view  # the day's readings as a small chart (40 % and 50 %)


def test_the_sparkline_spans_empty_to_full() -> None:
    readings = [
        PacingReadingVM(f"{9 + n:02d}:00 JST", Decimal(p)) for n, p in enumerate((0, 14, 50, 99, 100, 130))
    ]
    assert usage_sparkline(readings) == "`09:00 ▁▂▅███ 14:00`"
    assert usage_sparkline([]) == ""


def test_ticking_at_risk_in_the_list_narrows_it_and_unticking_widens_it(world: World) -> None:
    with slack_world(world, campaigns_per_profile=6) as sw:
        account = sw.account
        high, mid, low = account.of_state("ENABLED")[:3]
        world.sim.set_budget_usage(account.profile.profile_id, high.campaign_id, 95)
        world.sim.set_budget_usage(account.profile.profile_id, mid.campaign_id, 81)
        world.sim.set_budget_usage(account.profile.profile_id, low.campaign_id, 30)
        run_pacing(world.services, world)

        sw.h.command("campaigns")
        everything = sw.reply()
        assert low.name in text_of(everything)

        sw.click("campaigns.filter.at_risk", selected_options=["at_risk"])
        narrowed = sw.reply()
        shown = text_of(narrowed)
        assert high.name in shown and mid.name in shown and low.name not in shown
        assert "1–2 of 2" in narrowed.text  # noqa: RUF001
        (box,) = [
            e
            for b in narrowed.blocks
            if b["type"] == "actions"
            for e in b["elements"]
            if e["type"] == "checkboxes"
        ]
        assert [o["value"] for o in box["initial_options"]] == ["at_risk"]  # shown ticked

        sw.h.command("view save Burning")  # the summary names it
        assert "at risk (≥ 80 %)" in text_of(sw.reply())

        sw.click("campaigns.filter.at_risk", selected_options=[])
        assert low.name in text_of(sw.reply())
