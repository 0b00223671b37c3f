"""SB and SD intraday budget usage: their own routes, SP's answer shape (reference §3.6).

The media types are [unverified] (the reference names only the routes); the simulator takes them and
plain ``application/json``.
"""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from .conftest import Api, ManualClock, api_for, profile_id

MEDIA = {
    "sb": "application/vnd.sbcampaignbudgetusage.v1+json",
    "sd": "application/vnd.sdcampaignbudgetusage.v1+json",
}
SP_MEDIA = "application/vnd.spcampaignbudgetusage.v1+json"


def usage(api: Api, product: str, pid: int, ids: list[str], *, media: str | None = None) -> httpx.Response:
    url = f"{api.base}/{product}/campaigns/budget/usage"
    return api.http.post(url, headers=api.headers(pid, media or MEDIA[product]), json={"campaignIds": ids})


def enabled(sim, product: str, pid: int) -> list[str]:
    listed = sim.truth.sb_campaigns(pid) if product == "sb" else sim.truth.sd_campaigns(pid)
    return [str(c["campaignId"]) for c in listed if str(c["state"]).upper() == "ENABLED"]


@pytest.mark.parametrize("product", ["sb", "sd"])
def test_the_answer_has_sp_shape_in_the_media_type_sent(sim, na, product):
    pid = profile_id(sim, "US", "na")
    ids = enabled(sim, product, pid)[:2]
    assert len(ids) == 2
    answer = usage(na, product, pid, [*ids, "12345"])
    assert answer.status_code == 200 and answer.headers["content-type"] == MEDIA[product]
    success, (error,) = answer.json()["success"], answer.json()["error"]
    assert [s["index"] for s in success] == [0, 1] and [s["campaignId"] for s in success] == ids
    assert set(success[0]) == {"campaignId", "budgetUsagePercent", "usageUpdatedTimestamp", "budget", "index"}
    assert set(error) == {"campaignId", "index", "code", "details"} and error["index"] == 2
    assert success[0]["usageUpdatedTimestamp"] == "2026-03-10T15:00:00.000Z"
    assert all(0 <= s["budgetUsagePercent"] <= 100 and s["budget"] > 0 for s in success)
    assert usage(na, product, pid, ids).json()["success"] == success  # deterministic on the simulator clock


@pytest.mark.parametrize("product", ["sb", "sd"])
def test_at_most_100_ids_and_the_media_type_is_checked(sim, na, product):
    pid = profile_id(sim, "US", "na")
    ids = enabled(sim, product, pid)[:1]
    assert usage(na, product, pid, ids * 100).status_code == 200
    too_many = usage(na, product, pid, ids * 101)
    assert too_many.status_code == 400 and too_many.json()["code"] == "INVALID_ARGUMENT"
    assert usage(na, product, pid, []).status_code == 400
    assert usage(na, product, pid, ids, media=SP_MEDIA).status_code == 415  # another product's type
    tolerated = usage(na, product, pid, ids, media="application/json")
    assert tolerated.status_code == 200 and tolerated.headers["content-type"] == "application/json"


def test_an_sp_id_is_not_an_sb_campaign_and_sp_stays_strict(sim, na):
    pid = profile_id(sim, "US", "na")
    sp_id = next(c["campaignId"] for c in sim.truth.campaigns(pid) if c["state"] == "ENABLED")
    (error,) = usage(na, "sb", pid, [sp_id]).json()["error"]
    assert error["code"] == "INVALID_ARGUMENT"
    url = f"{na.base}/sp/campaigns/budget/usage"
    plain = na.http.post(url, headers=na.headers(pid, "application/json"), json={"campaignIds": [sp_id]})
    assert plain.status_code == 415


@pytest.mark.parametrize("product", ["sb", "sd"])
def test_usage_grows_through_the_day_and_resets_at_midnight(sim, http, na, clock: ManualClock, product):
    pid = profile_id(sim, "US", "na")
    ids = enabled(sim, product, pid)

    def percents(api: Api) -> list[float]:
        return [s["budgetUsagePercent"] for s in usage(api, product, pid, ids).json()["success"]]

    morning = percents(na)  # 08:00 in Los Angeles
    clock.now += timedelta(hours=12)
    evening = percents(api_for(http, sim))
    assert all(e >= m for m, e in zip(morning, evening, strict=True)) and sum(evening) > sum(morning)
    assert all(0 < e <= 100 for e in evening)  # capped at 100: a campaign that ran out stays there
    clock.now += timedelta(hours=4, minutes=5)  # 00:05 the next day: a new day starts empty
    assert percents(api_for(http, sim)) == [0] * len(ids)


@pytest.mark.parametrize("product", ["sb", "sd"])
def test_a_forced_figure_stands_for_that_campaign_only(sim, na, product):
    pid = profile_id(sim, "US", "na")
    ids = enabled(sim, product, pid)[:2]
    before = usage(na, product, pid, ids).json()["success"]
    sim.set_budget_usage(pid, ids[0], 100)
    after = usage(na, product, pid, ids).json()["success"]
    assert after[0]["budgetUsagePercent"] == 100 and after[1] == before[1]


def test_a_fault_on_the_sb_route_answers_in_sp_error_shape(sim, na):
    pid = profile_id(sim, "US", "na")
    sim.faults.add(route="sb/campaigns/budget/usage", kind="500")
    answer = usage(na, "sb", pid, enabled(sim, "sb", pid)[:1])
    assert answer.status_code == 500 and set(answer.json()) == {"code", "message"}
