"""SB and SD budget usage through the real client against the simulator (one code path with SP's)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.amazon import client as client_module
from tests.amazon.test_against_simulator import Slice
from tests.amazon.test_writes_against_simulator import shared, world  # noqa: F401  (fixtures)

SB_MEDIA = "application/vnd.sbcampaignbudgetusage.v1+json"
SD_MEDIA = "application/vnd.sdcampaignbudgetusage.v1+json"


def enabled(built: Slice, product: str) -> list[str]:
    truth = built.sim.truth
    listed = truth.sb_campaigns(built.pid) if product == "sb" else truth.sd_campaigns(built.pid)
    return [str(c["campaignId"]) for c in listed if str(c["state"]).upper() == "ENABLED"]


@pytest.mark.parametrize(("product", "media"), [("sb", SB_MEDIA), ("sd", SD_MEDIA)])
def test_usage_of_sb_and_sd_campaigns_is_read_in_order_with_failures(world, product, media):  # noqa: F811
    forced, other = enabled(world, product)[:2]
    world.sim.set_budget_usage(world.pid, forced, 100)
    ask = world.client.get_sb_budget_usage if product == "sb" else world.client.get_sd_budget_usage
    usages = ask(world.pid, [forced, other, "1"])
    assert [u.campaign_id for u in usages] == [forced, other]
    assert usages[0].percent == Decimal(100)
    assert usages[0].updated_at is not None and usages[0].budget is not None
    assert Decimal(0) <= usages[1].percent <= Decimal(100)
    assert [e.campaign_id for e in usages.errors] == ["1"]
    (call,) = world.requests(f"/{product}/campaigns/budget/usage", "POST")
    assert call.headers["content-type"] == media and call.headers["accept"] == media
    assert not world.requests("/sp/campaigns/budget/usage", "POST")


def test_more_than_100_ids_are_asked_in_calls_of_at_most_100(world):  # noqa: F811
    assert client_module.BUDGET_USAGE_BATCH == 100
    (campaign,) = enabled(world, "sd")[:1]
    usages = world.client.get_sd_budget_usage(world.pid, [campaign] * 150)
    assert len(usages) == 150 and not usages.errors
    calls = world.requests("/sd/campaigns/budget/usage", "POST")
    assert [len(c.json()["campaignIds"]) for c in calls] == [100, 50]


def test_no_call_for_no_ids(world):  # noqa: F811
    assert world.client.get_sb_budget_usage(world.pid, []) == []
    assert not world.requests("/sb/campaigns/budget/usage", "POST")
