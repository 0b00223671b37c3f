"""Slice tests of live edits and budget usage: the real client against the Amazon simulator on loopback.

Same set-up as `test_against_simulator.py`: one simulator per module, a fresh EU seller profile in
Germany per test (45 campaigns, 3 ad groups each, 4 keywords each), a view-only vendor profile in
Sweden, and waits between retries recorded instead of slept.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import httpx
import pytest

from bot.amazon import (
    AccessDenied,
    AdGroupUpdate,
    Campaign,
    CampaignUpdate,
    KeywordUpdate,
    LwaClient,
    endpoints_for,
)
from sandbox.amazon import AmazonSimulator, SimConfig
from tests.amazon.test_against_simulator import (
    CLIENT_ID,
    CLIENT_SECRET,
    REDIRECT,
    USER,
    Shared,
    Slice,
    connect,
    flat,
)


@pytest.fixture(scope="module")
def shared() -> Iterator[Shared]:
    sim = AmazonSimulator(
        SimConfig(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, redirect_uris=(REDIRECT,), seed=11)
    )
    sim.start(port=0)
    try:
        sim.seed_account(user_id=USER, region="eu", marketplaces=["SE"], profile_type="vendor", access="view")
        endpoints = endpoints_for("eu", sim.region_urls("eu"))
        with httpx.Client(timeout=10.0) as http:
            lwa = LwaClient(http, client_id=CLIENT_ID, client_secret=CLIENT_SECRET, clock=sim.now)
            yield Shared(sim, endpoints, http, lwa, connect(sim, endpoints, lwa))
    finally:
        sim.stop()


@pytest.fixture
def world(shared: Shared) -> Slice:
    shared.sim.faults.clear()
    (profile,) = shared.sim.seed_account(
        user_id=USER,
        region="eu",
        marketplaces=["DE"],
        campaigns_per_profile=45,
        ad_groups_per_campaign=3,
        keywords_per_ad_group=4,
    )
    shared.sim.clear_requests()
    built = Slice(
        shared.sim,
        shared.endpoints,
        shared.http,
        shared.lwa,
        shared.refresh_token,
        [],
        None,  # type: ignore[arg-type]
        str(profile["profileId"]),
    )
    built.client = built.new_client()
    return built


def enabled_campaigns(world: Slice) -> list[str]:
    return [c["campaignId"] for c in world.sim.truth.campaigns(world.pid) if c["state"] == "ENABLED"]


def listed_state(world: Slice, campaign_id: str) -> str:
    campaigns: list[Campaign] = flat(world.client.iter_sp_campaigns(world.pid, states=[]))
    return next(c.state for c in campaigns if c.campaign_id == campaign_id)


def recorded_changes(world: Slice) -> int:
    # The simulator's ledger of applied edits has no public accessor; counting it is the only way to
    # show that a retried write was applied once.
    return sum(len(changes) for changes in world.sim._state.profiles[int(world.pid)].edits.values())


def test_a_paused_campaign_lists_as_paused(world):
    campaign_id = enabled_campaigns(world)[0]
    result = world.client.update_sp_campaigns(
        world.pid, [CampaignUpdate(campaign_id=campaign_id, state="PAUSED")]
    )
    assert [(o.entity_id, o.ok) for o in result.outcomes] == [(campaign_id, True)]
    assert listed_state(world, campaign_id) == "PAUSED"
    (call,) = world.requests("/sp/campaigns", "PUT")
    assert call.headers["content-type"] == "application/vnd.spCampaign.v3+json"


def test_an_out_of_bounds_budget_fails_alone_with_amazons_message(world):
    first, second = enabled_campaigns(world)[:2]
    result = world.client.update_sp_campaigns(
        world.pid,
        [
            CampaignUpdate(campaign_id=first, daily_budget=Decimal("2000000")),
            CampaignUpdate(campaign_id=second, daily_budget=Decimal("42.50")),
        ],
    )
    refused, applied = result.outcomes
    assert (refused.entity_id, refused.ok, refused.error_code) == (first, False, "rangeError")
    assert refused.message == "budget must be between 1 and 1000000"
    assert (applied.entity_id, applied.ok) == (second, True)
    budgets = {c.campaign_id: c.budget for c in flat(world.client.iter_sp_campaigns(world.pid, states=[]))}
    assert budgets[second] == Decimal("42.5")
    assert budgets[first] != Decimal("2000000")


def test_a_write_whose_answer_is_lost_is_retried_and_applied_once(world):
    campaign_id = enabled_campaigns(world)[0]
    world.sim.faults.add(route="sp/campaigns", kind="timeout-after-apply", times=1)
    result = world.client.update_sp_campaigns(
        world.pid, [CampaignUpdate(campaign_id=campaign_id, state="PAUSED")]
    )
    assert result.all_ok
    assert world.sleeps == [2.0]
    assert len(world.requests("/sp/campaigns", "PUT")) == 2
    assert recorded_changes(world) == 1
    assert listed_state(world, campaign_id) == "PAUSED"


def test_ad_group_and_keyword_edits_apply(world):
    group = next(g for g in world.sim.truth.ad_groups(world.pid) if g["state"] != "ARCHIVED")
    keyword = next(k for k in world.sim.truth.keywords(world.pid) if k["state"] != "ARCHIVED")
    groups = world.client.update_sp_ad_groups(
        world.pid, [AdGroupUpdate(ad_group_id=group["adGroupId"], default_bid=Decimal("0.77"))]
    )
    keywords = world.client.update_sp_keywords(
        world.pid, [KeywordUpdate(keyword_id=keyword["keywordId"], bid=Decimal("0.33"), state="PAUSED")]
    )
    assert groups.all_ok and keywords.all_ok
    (edited,) = [
        k
        for k in flat(world.client.iter_sp_keywords(world.pid, states=[]))
        if k.keyword_id == keyword["keywordId"]
    ]
    assert (edited.bid, edited.state) == (Decimal("0.33"), "PAUSED")


def test_an_unknown_keyword_is_a_failed_outcome(world):
    result = world.client.update_sp_keywords(world.pid, [KeywordUpdate(keyword_id="1", state="PAUSED")])
    (outcome,) = result.failed
    assert (outcome.entity_id, outcome.error_code) == ("1", "entityNotFoundError")
    assert outcome.message == "KEYWORD 1 not found"


def test_a_view_only_profile_cannot_write(world):
    editable = {p["profileId"] for p in world.sim.truth.profiles(USER, "eu")}
    view_only = next(
        str(p["profileId"])
        for p in world.sim.truth.profiles(USER, "eu", access_level="view")
        if p["profileId"] not in editable
    )
    with pytest.raises(AccessDenied):
        world.client.update_sp_campaigns(view_only, [CampaignUpdate(campaign_id="1", state="PAUSED")])


def test_budget_usage_reports_100_for_a_campaign_out_of_budget(world):
    forced, other = enabled_campaigns(world)[:2]
    world.sim.set_budget_usage(world.pid, forced, 100)
    usages = world.client.get_sp_budget_usage(world.pid, [forced, other, "1"])
    assert [u.campaign_id for u in usages] == [forced, other]
    assert usages[0].percent == Decimal(100)
    assert usages[0].updated_at is not None and usages[0].budget is not None
    assert Decimal(0) <= usages[1].percent <= Decimal(100)
    assert [e.campaign_id for e in usages.errors] == ["1"]
    (call,) = world.requests("/sp/campaigns/budget/usage", "POST")
    assert call.headers["content-type"] == "application/vnd.spcampaignbudgetusage.v1+json"
