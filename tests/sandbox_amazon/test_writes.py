"""SP live edits and intraday budget usage against reference §3.6."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from sandbox.amazon import AmazonSimulator, SimConfig
from sandbox.amazon.bounds import BOUNDS
from sandbox.amazon.regions import MARKETPLACES

from .conftest import CLIENT_ID, CLIENT_SECRET, MEDIA, REDIRECT, Api, ManualClock, api_for, profile_id
from .test_reports import body, download, run

USAGE_MEDIA = "application/vnd.spcampaignbudgetusage.v1+json"
ID_FIELD = {"campaigns": "campaignId", "adGroups": "adGroupId", "keywords": "keywordId"}


def put(api: Api, kind: str, pid: int, entities: Any, *, media: str | None = None) -> httpx.Response:
    payload = {kind: entities}
    return api.http.put(f"{api.base}/sp/{kind}", headers=api.headers(pid, media or MEDIA[kind]), json=payload)


def usage(api: Api, pid: int, ids: list[str]) -> httpx.Response:
    url = f"{api.base}/sp/campaigns/budget/usage"
    return api.http.post(url, headers=api.headers(pid, USAGE_MEDIA), json={"campaignIds": ids})


def listed(api: Api, kind: str, pid: int, entity_id: str) -> dict[str, Any]:
    field = ID_FIELD[kind]
    response = api.list(kind, pid, {f"{field}Filter": {"include": [entity_id]}})
    (item,) = response.json()[kind]
    return dict(item)


def first(items: list[dict[str, Any]], state: str = "ENABLED") -> dict[str, Any]:
    return next(item for item in items if item["state"] == state)


def error_types(response: httpx.Response, kind: str) -> dict[int, list[str]]:
    return {e["index"]: [x["errorType"] for x in e["errors"]] for e in response.json()[kind]["error"]}


def test_batch_answers_207_with_success_and_errors_matched_by_index(sim, na):
    pid = profile_id(sim, "US", "na")
    campaigns = sim.truth.campaigns(pid)
    enabled, archived = first(campaigns)["campaignId"], first(campaigns, "ARCHIVED")["campaignId"]
    response = put(
        na,
        "campaigns",
        pid,
        [
            {"campaignId": enabled, "state": "PAUSED", "budget": {"budget": 50.0, "budgetType": "DAILY"}},
            {"campaignId": "218293333782035", "state": "PAUSED"},
            {"campaignId": archived, "state": "ENABLED"},
        ],
    )
    assert response.status_code == 207
    assert response.headers["content-type"] == MEDIA["campaigns"]
    assert response.json()["campaigns"]["success"] == [{"index": 0, "campaignId": enabled}]
    assert error_types(response, "campaigns") == {1: ["entityNotFoundError"], 2: ["entityStateError"]}
    changed = listed(na, "campaigns", pid, enabled)
    assert changed["state"] == "PAUSED" and changed["budget"] == {"budget": 50.0, "budgetType": "DAILY"}
    assert listed(na, "campaigns", pid, archived)["state"] == "ARCHIVED"


def test_keywords_and_ad_groups_change_only_the_fields_sent(sim, na):
    pid = profile_id(sim, "US", "na")
    keyword, group = first(sim.truth.keywords(pid)), first(sim.truth.ad_groups(pid))
    assert put(na, "keywords", pid, [{"keywordId": keyword["keywordId"], "bid": 0.75}]).status_code == 207
    assert put(na, "adGroups", pid, [{"adGroupId": group["adGroupId"], "state": "PAUSED"}]).status_code == 207
    assert listed(na, "keywords", pid, keyword["keywordId"]) == {**keyword, "bid": 0.75}
    assert listed(na, "adGroups", pid, group["adGroupId"]) == {**group, "state": "PAUSED"}


def test_the_latest_value_of_each_field_holds_across_many_edits(sim, na):
    pid = profile_id(sim, "US", "na")
    campaign = first(sim.truth.campaigns(pid))["campaignId"]
    budget = {"budget": 42.0, "budgetType": "DAILY"}
    assert put(na, "campaigns", pid, [{"campaignId": campaign, "budget": budget}]).status_code == 207
    for state in ["PAUSED", "ENABLED"] * 20 + ["PAUSED"]:  # later edits set only the state
        assert put(na, "campaigns", pid, [{"campaignId": campaign, "state": state}]).status_code == 207
    changed = listed(na, "campaigns", pid, campaign)
    assert (changed["state"], changed["budget"]) == ("PAUSED", budget)


@pytest.mark.parametrize(
    "kind,country,region,change,error_type,reason",
    [
        ("campaigns", "US", "na", {"state": "DELETED"}, "malformedValueError", "INVALID_ENUM_VALUE"),
        (
            "campaigns",
            "US",
            "na",
            {"budget": {"budget": 0.5, "budgetType": "DAILY"}},
            "rangeError",
            "TOO_LOW",
        ),
        ("campaigns", "JP", "fe", {"budget": {"budget": 99, "budgetType": "DAILY"}}, "rangeError", "TOO_LOW"),
        ("campaigns", "UK", "eu", {"budget": {"budget": 2_000_000}}, "rangeError", "TOO_HIGH"),
        ("keywords", "US", "na", {"bid": 0.01}, "rangeError", "TOO_LOW"),
        ("keywords", "JP", "fe", {"bid": 1}, "rangeError", "TOO_LOW"),
        ("adGroups", "DE", "eu", {"defaultBid": 1000.5}, "rangeError", "TOO_HIGH"),
        ("adGroups", "US", "na", {"defaultBid": "cheap"}, "malformedValueError", "INVALID_TYPE"),
    ],
)
def test_each_invalid_entity_is_an_error_entry_and_changes_nothing(
    sim, http, kind, country, region, change, error_type, reason
):
    api = api_for(http, sim, region)
    pid = profile_id(sim, country, region)
    before = {
        "campaigns": sim.truth.campaigns,
        "adGroups": sim.truth.ad_groups,
        "keywords": sim.truth.keywords,
    }
    entity = first(before[kind](pid))
    response = put(api, kind, pid, [{ID_FIELD[kind]: entity[ID_FIELD[kind]], **change}])
    assert response.status_code == 207 and response.json()[kind]["success"] == []
    ((entry,),) = [e["errors"] for e in response.json()[kind]["error"]]
    assert entry["errorType"] == error_type and entry["errorValue"][error_type]["reason"] == reason
    assert listed(api, kind, pid, entity[ID_FIELD[kind]]) == entity


def test_archiving_is_allowed_but_final_within_one_batch(sim, na):
    pid = profile_id(sim, "US", "na")
    cid = first(sim.truth.campaigns(pid))["campaignId"]
    batch = [{"campaignId": cid, "state": "ARCHIVED"}, {"campaignId": cid, "state": "ENABLED"}]
    response = put(na, "campaigns", pid, batch)
    assert response.json()["campaigns"]["success"] == [{"index": 0, "campaignId": cid}]
    assert error_types(response, "campaigns") == {1: ["entityStateError"]}
    assert listed(na, "campaigns", pid, cid)["state"] == "ARCHIVED"


def test_whole_request_errors(sim, http, na):
    pid = profile_id(sim, "US", "na")
    cid = first(sim.truth.campaigns(pid))["campaignId"]
    wrong_media = put(na, "campaigns", pid, [{"campaignId": cid}], media="application/json")
    assert (wrong_media.status_code, wrong_media.json()["code"]) == (415, "UNSUPPORTED_MEDIA_TYPE")
    too_many = put(na, "campaigns", pid, [{"campaignId": cid, "state": "PAUSED"}] * 1001)
    assert (too_many.status_code, too_many.json()["code"]) == (400, "INVALID_ARGUMENT")
    assert put(na, "campaigns", pid, {"campaignId": cid}).status_code == 400
    agency = put(na, "campaigns", profile_id(sim, "US", "na", "agency"), [{"campaignId": cid}])
    assert agency.status_code == 400 and set(agency.json()) == {"code", "details", "requestId"}
    vendor = profile_id(sim, "DE", "eu", "vendor")
    view_only = put(api_for(http, sim, "eu"), "campaigns", vendor, [{"campaignId": cid, "state": "PAUSED"}])
    assert (view_only.status_code, view_only.json()["code"]) == (403, "ACCESS_DENIED")
    assert listed(na, "campaigns", pid, cid)["state"] == "ENABLED"


def _spend(rows: list[Any], cid: str) -> dict[str, Any]:
    return {str(r["date"]): float(r["cost"]) for r in rows if str(r["campaignId"]) == cid}


def test_a_paused_campaign_spends_nothing_from_the_pause_day_on(sim, http, na, clock: ManualClock):
    pid = profile_id(sim, "US", "na")
    history = sim.truth.campaign_metrics(pid, date(2026, 3, 1), date(2026, 3, 10))
    cid = next(
        c["campaignId"] for c in sim.truth.campaigns(pid) if len(_spend(history, c["campaignId"])) >= 9
    )
    assert put(na, "campaigns", pid, [{"campaignId": cid, "state": "PAUSED"}]).status_code == 207
    clock.now += timedelta(days=4)
    report = run(api_for(http, sim), pid, body(date(2026, 3, 1), date(2026, 3, 13)))  # a fresh token
    spend = _spend(download(http, report["url"]), cid)
    before = {day: cost for day, cost in _spend(history, cid).items() if day < "2026-03-10"}
    assert spend == before  # earlier days unchanged; nothing on the pause day (the 10th) or after


def test_a_budget_cut_caps_later_days(sim, na, clock: ManualClock):
    pid = profile_id(sim, "US", "na")
    cid = first(sim.truth.campaigns(pid))["campaignId"]
    assert put(na, "campaigns", pid, [{"campaignId": cid, "budget": {"budget": 1.0}}]).status_code == 207
    clock.now += timedelta(days=5)
    later = _spend(sim.truth.campaign_metrics(pid, date(2026, 3, 10), date(2026, 3, 15)), cid)
    assert later and all(float(cost) <= 1.0 for cost in later.values())


def test_a_write_applied_before_a_timeout_retries_to_the_same_state(sim, na):
    pid = profile_id(sim, "US", "na")
    cid = first(sim.truth.campaigns(pid))["campaignId"]
    change = [{"campaignId": cid, "state": "PAUSED", "budget": {"budget": 42.0}}]
    sim.faults.add(route="sp/campaigns", kind="timeout-after-apply")
    with pytest.raises(httpx.RemoteProtocolError):
        put(na, "campaigns", pid, change)
    after_timeout = listed(na, "campaigns", pid, cid)
    retry = put(na, "campaigns", pid, change)
    assert retry.json()["campaigns"] == {"success": [{"index": 0, "campaignId": cid}], "error": []}
    assert listed(na, "campaigns", pid, cid) == after_timeout
    assert after_timeout["state"] == "PAUSED" and after_timeout["budget"]["budget"] == 42.0
    puts = [r for r in sim.requests if r.method == "PUT" and r.path == "/sp/campaigns"]
    assert [r.json() for r in puts] == [{"campaigns": change}] * 2


@pytest.mark.parametrize("kind,status,code", [("429", 429, "THROTTLED"), ("503", 503, "INTERNAL_ERROR")])
def test_faults_on_write_routes_change_nothing(sim, na, kind, status, code):
    pid = profile_id(sim, "US", "na")
    keyword = first(sim.truth.keywords(pid))
    sim.faults.add(route="sp/keywords", kind=kind)
    refused = put(na, "keywords", pid, [{"keywordId": keyword["keywordId"], "state": "PAUSED"}])
    assert (refused.status_code, refused.json()["code"]) == (status, code)
    assert listed(na, "keywords", pid, keyword["keywordId"]) == keyword


def test_budget_usage_shape_cap_and_forced_percent(sim, http, na, clock: ManualClock):
    pid = profile_id(sim, "US", "na")
    ids = [c["campaignId"] for c in sim.truth.campaigns(pid) if c["state"] == "ENABLED"][:3]
    answer = usage(na, pid, [*ids, "12345"])
    assert answer.status_code == 200 and answer.headers["content-type"] == USAGE_MEDIA
    success, (error,) = answer.json()["success"], answer.json()["error"]
    assert [s["index"] for s in success] == [0, 1, 2] and error["index"] == 3
    assert set(success[0]) == {"campaignId", "budgetUsagePercent", "usageUpdatedTimestamp", "budget", "index"}
    assert set(error) == {"campaignId", "index", "code", "details"}
    assert success[0]["usageUpdatedTimestamp"] == "2026-03-10T15:00:00.000Z"
    assert all(0 <= s["budgetUsagePercent"] <= 100 for s in success)
    assert usage(na, pid, ids).json()["success"] == success[:3]  # deterministic on the simulator clock
    sim.set_budget_usage(pid, ids[0], 100)
    assert usage(na, pid, ids[:1]).json()["success"][0]["budgetUsagePercent"] == 100
    assert usage(na, pid, ids * 34).status_code == 400  # 102 ids
    clock.now += timedelta(hours=17)  # 01:00 the next day in Los Angeles: the forced figure lapsed
    assert usage(api_for(http, sim), pid, ids[:1]).json()["success"][0]["budgetUsagePercent"] < 100


def test_budget_usage_of_a_paused_campaign_is_zero(sim, na):
    pid = profile_id(sim, "US", "na")
    cid = first(sim.truth.campaigns(pid))["campaignId"]
    put(na, "campaigns", pid, [{"campaignId": cid, "state": "PAUSED"}])
    assert usage(na, pid, [cid]).json()["success"][0]["budgetUsagePercent"] == 0


def test_edits_survive_a_restart(tmp_path, http, clock: ManualClock):
    config = SimConfig(
        client_id=CLIENT_ID, client_secret=CLIENT_SECRET, redirect_uris=(REDIRECT,), clock=clock
    )
    path = tmp_path / "amazon.json"
    with AmazonSimulator(config, state_file=path) as first_run:
        first_run.seed_demo()
        pid = profile_id(first_run, "US", "na")
        cid = first(first_run.truth.campaigns(pid))["campaignId"]
        put(api_for(http, first_run), "campaigns", pid, [{"campaignId": cid, "state": "PAUSED"}])
    with AmazonSimulator(config, state_file=path) as second_run:
        (campaign,) = [c for c in second_run.truth.campaigns(pid) if c["campaignId"] == cid]
        assert campaign["state"] == "PAUSED"


def test_every_marketplace_has_bounds_that_fit_its_generated_values():
    assert set(BOUNDS) == set(MARKETPLACES)
    for country, bounds in BOUNDS.items():
        assert bounds.currency == MARKETPLACES[country].currency
        assert 0 < bounds.bid_min < bounds.bid_max and 0 < bounds.budget_min < bounds.budget_max


def _percent(api: Api, pid: int, cid: str) -> float:
    answer = usage(api, pid, [cid])
    assert answer.status_code == 200, answer.text
    (entry,) = answer.json()["success"]
    return float(entry["budgetUsagePercent"])


def _raise(api: Api, pid: int, cid: str, budget: float) -> None:
    change = {"campaignId": cid, "budget": {"budget": budget, "budgetType": "DAILY"}}
    assert put(api, "campaigns", pid, [change]).status_code == 207


def test_out_of_budget_then_a_raised_budget_lowers_usage_and_spend_goes_on(sim, http, clock: ManualClock):
    pid = profile_id(sim, "US", "na")
    clock.now += timedelta(hours=6)  # 14:00 in Los Angeles
    api = api_for(http, sim)
    enabled = [c for c in sim.truth.campaigns(pid) if c["state"] == "ENABLED"]
    answer = usage(api, pid, [c["campaignId"] for c in enabled]).json()["success"]
    by_id = {c["campaignId"]: c for c in enabled}
    ran_out = [by_id[s["campaignId"]] for s in answer if s["budgetUsagePercent"] == 100]
    assert ran_out, "some campaigns run out mid-day"
    campaign = ran_out[0]
    cid, old = campaign["campaignId"], float(campaign["budget"]["budget"])
    clock.now += timedelta(minutes=15)
    assert _percent(api, pid, cid) == 100  # out of budget: it stays there

    new = round(old * 3, 2)
    _raise(api, pid, cid, new)
    clock.now += timedelta(minutes=15)  # the next refresh applies the raise
    after = _percent(api, pid, cid)
    assert after < 100
    assert after >= round(100 * old / new, 2)  # what it spent before, over the new budget ...
    clock.now += timedelta(minutes=15)
    assert _percent(api, pid, cid) > after  # ... and it spends again

    clock.now += timedelta(hours=10)  # 00:45 the next day in Los Angeles: a new day starts from zero
    assert _percent(api_for(http, sim), pid, cid) < after


def test_a_forced_out_of_budget_campaign_spends_again_after_a_raise(sim, na, clock: ManualClock):
    pid = profile_id(sim, "US", "na")
    campaign = first(sim.truth.campaigns(pid))
    cid, old = campaign["campaignId"], float(campaign["budget"]["budget"])
    sim.set_budget_usage(pid, cid, 100)
    assert _percent(na, pid, cid) == 100
    clock.now += timedelta(minutes=15)
    assert _percent(na, pid, cid) == 100  # the forced spend holds

    _raise(na, pid, cid, round(old * 1.2, 2))  # Raise budget +20 %
    assert _percent(na, pid, cid) == pytest.approx(100 * old / round(old * 1.2, 2), abs=0.01)
    clock.now += timedelta(minutes=30)
    assert 100 * old / round(old * 1.2, 2) < _percent(na, pid, cid) <= 100
