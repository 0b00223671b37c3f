"""GET /v2/profiles and the SP v3 / SB v4 / SD list endpoints (reference §2.3, §3, §8.2)."""

from __future__ import annotations

import pytest

from .conftest import CLIENT_ID, MEDIA, api_for, profile_id

EU = {"UK", "DE", "FR", "IT", "ES", "NL", "SE", "PL"}


@pytest.mark.parametrize("region,countries", [("na", {"US", "CA"}), ("eu", EU), ("fe", {"JP", "AU"})])
def test_each_host_serves_only_its_region(sim, http, region, countries):
    api = api_for(http, sim, region)
    rows = api.profiles().json()
    assert {p["countryCode"] for p in rows if p["accountInfo"]["type"] == "seller"} == countries
    assert rows == sim.truth.profiles("demo", region)


def test_profile_shape_uses_reference_marketplace_table(sim, http):
    api = api_for(http, sim, "fe")
    jp = next(p for p in api.profiles().json() if p["countryCode"] == "JP")
    assert isinstance(jp["profileId"], int) and 0 < jp["profileId"] < 2**53
    assert jp["currencyCode"] == "JPY" and jp["timezone"] == "Asia/Tokyo"
    assert jp["accountInfo"]["marketplaceStringId"] == "A1VC38T7YXB528"
    assert set(jp["accountInfo"]) == {"marketplaceStringId", "id", "type", "name", "validPaymentMethod"}
    uk = next(p for p in sim.truth.profiles("demo", "eu") if p["countryCode"] == "UK")
    assert (uk["currencyCode"], uk["timezone"], uk["accountInfo"]["marketplaceStringId"]) == (
        "GBP",
        "Europe/London",
        "A1F83G8C2ARO7P",
    )


def test_view_only_and_type_filters(sim, http):
    api = api_for(http, sim, "eu")
    assert all(p["accountInfo"]["type"] != "vendor" for p in api.profiles().json())
    with_view = api.profiles(accessLevel="view").json()
    assert any(p["accountInfo"]["type"] == "vendor" for p in with_view)
    vendors = api.profiles(accessLevel="view", profileTypeFilter="vendor").json()
    assert [p["accountInfo"]["name"] for p in vendors] == ["Demo Vendor"]
    na = api_for(http, sim, "na")
    assert {p["accountInfo"]["type"] for p in na.profiles().json()} == {"seller", "agency"}
    assert {p["accountInfo"]["type"] for p in na.profiles(profileTypeFilter="seller,vendor").json()} == {
        "seller"
    }


def test_profiles_needs_client_id_and_valid_bearer(sim, http, na):
    url = f"{na.base}/v2/profiles"
    assert http.get(url, headers={"Authorization": f"Bearer {na.token}"}).status_code == 401
    assert http.get(url, headers={"Amazon-Advertising-API-ClientId": CLIENT_ID}).status_code == 401
    bad = http.get(
        url, headers={"Amazon-Advertising-API-ClientId": CLIENT_ID, "Authorization": "Bearer Atza|nope"}
    )
    assert bad.status_code == 401 and set(bad.json()) == {"code", "details", "requestId"}


def test_campaign_paging_returns_every_campaign_once(sim, na):
    pid = profile_id(sim, "US", "na")
    seen, token, pages = [], None, 0
    while True:
        body = {"maxResults": 7, **({"nextToken": token} if token else {})}
        response = na.list("campaigns", pid, body)
        assert response.status_code == 200
        assert response.headers["content-type"] == MEDIA["campaigns"]
        page = response.json()
        assert page["totalResults"] == 60
        seen += page["campaigns"]
        pages += 1
        token = page.get("nextToken")
        if not token:
            break
    assert pages == 9 and seen == sim.truth.campaigns(pid)
    states = {c["state"] for c in seen}
    assert {"ENABLED", "PAUSED", "ARCHIVED", "OTHER"} <= states
    assert all(isinstance(c["campaignId"], str) for c in seen)


def test_state_and_id_filters(sim, na):
    pid = profile_id(sim, "US", "na")
    truth = sim.truth.campaigns(pid)
    enabled = na.list("campaigns", pid, {"stateFilter": {"include": ["ENABLED"]}}).json()
    assert enabled["campaigns"] == [c for c in truth if c["state"] == "ENABLED"]
    assert enabled["totalResults"] == len(enabled["campaigns"]) and "nextToken" not in enabled
    two = [truth[3]["campaignId"], truth[10]["campaignId"]]
    groups = na.list("adGroups", pid, {"campaignIdFilter": {"include": two}}).json()["adGroups"]
    assert {g["campaignId"] for g in groups} == set(two) and len(groups) == 6
    kws = na.list(
        "keywords",
        pid,
        {"adGroupIdFilter": {"include": [groups[0]["adGroupId"]]}, "matchTypeFilter": ["EXACT"]},
    ).json()["keywords"]
    assert kws and all(k["adGroupId"] == groups[0]["adGroupId"] and k["matchType"] == "EXACT" for k in kws)
    one = na.list("keywords", pid, {"keywordIdFilter": {"include": [kws[0]["keywordId"]]}}).json()
    assert one == {"totalResults": 1, "keywords": [kws[0]]}


def test_keyword_fields_and_extended_data(sim, na):
    pid = profile_id(sim, "US", "na")
    kw = na.list("keywords", pid, {"maxResults": 5, "includeExtendedDataFields": True}).json()["keywords"]
    assert {
        "keywordId",
        "campaignId",
        "adGroupId",
        "keywordText",
        "matchType",
        "state",
        "extendedData",
    } <= set(kw[0])
    assert any("bid" not in k for k in sim.truth.keywords(pid)[:10])  # some inherit defaultBid
    camp = sim.truth.campaigns(pid)[0]
    assert {"campaignId", "name", "targetingType", "state", "startDate", "budget"} <= set(camp)
    assert set(camp["budget"]) >= {"budget", "budgetType"}
    group = sim.truth.ad_groups(pid)[0]
    assert {"adGroupId", "campaignId", "name", "state", "defaultBid"} <= set(group)


@pytest.mark.parametrize(
    "body,message_part",
    [
        ({"maxResults": 0}, "maxResults"),
        ({"stateFilter": {"include": ["enabled"]}}, "stateFilter"),
        ({"campaignIdFilter": {"include": [str(n) for n in range(1001)]}}, "campaignIdFilter"),
        ({"nextToken": "garbage"}, "nextToken"),
    ],
)
def test_invalid_bodies_get_invalid_argument(sim, na, body, message_part):
    response = na.list("campaigns", profile_id(sim, "US", "na"), body)
    assert response.status_code == 400
    assert response.json()["code"] == "INVALID_ARGUMENT" and message_part in response.json()["message"]


def test_media_type_and_scope_errors(sim, http, na):
    pid = profile_id(sim, "US", "na")
    url = f"{na.base}/sp/campaigns/list"
    wrong = http.post(url, headers={**na.headers(pid), "Content-Type": "application/json"}, json={})
    assert wrong.status_code == 415 and wrong.json()["code"] == "UNSUPPORTED_MEDIA_TYPE"
    missing = http.post(url, headers=na.headers(None, MEDIA["campaigns"]), json={})
    assert missing.status_code == 401 and missing.json() == {
        "code": "UNAUTHORIZED",
        "message": "Scope header is missing",
    }
    eu_pid = profile_id(sim, "DE", "eu")
    assert na.list("campaigns", eu_pid).status_code == 401  # EU profile on the NA host
    eu = api_for(http, sim, "eu")
    assert eu.list("campaigns", eu_pid).status_code == 200  # the same token works in EU
    assert eu.list("campaigns", pid).status_code == 401


def test_other_users_profile_is_not_authorized(sim, http):
    [other] = sim.seed_account(user_id="someone", region="na", marketplaces=["MX"])
    api = api_for(http, sim, "na")
    response = api.list("campaigns", other["profileId"])
    assert response.status_code == 401 and response.json()["message"] == "Not authorized to access scope"


def test_agency_profile_is_rejected_with_v2_shape(sim, na):
    response = na.list("campaigns", profile_id(sim, "US", "na", "agency"))
    assert response.status_code == 400
    assert set(response.json()) == {"code", "details", "requestId"}
    assert "Advertiser ID cannot be decrypted" in response.json()["details"]


def test_view_only_profile_can_list(sim, http):
    eu = api_for(http, sim, "eu")
    assert eu.list("campaigns", profile_id(sim, "DE", "eu", "vendor")).json()["totalResults"] == 10


def test_sponsored_brands_and_display_lists(sim, http, na):
    pid = profile_id(sim, "US", "na")
    sb = http.post(
        f"{na.base}/sb/v4/campaigns/list",
        headers=na.headers(pid, "application/vnd.sbcampaignresource.v4+json"),
        json={"maxResults": 3},
    )
    assert sb.status_code == 200 and len(sb.json()["campaigns"]) == 3 and sb.json()["nextToken"]
    sbg = http.post(
        f"{na.base}/sb/v4/adGroups/list",
        headers=na.headers(pid, "application/vnd.sbadgroupresource.v4+json"),
        json={},
    )
    assert sbg.status_code == 200 and sbg.json()["adGroups"]
    sd = http.get(f"{na.base}/sd/campaigns", headers=na.headers(pid), params={"startIndex": 0, "count": 2})
    assert sd.status_code == 200 and len(sd.json()) == 2 and isinstance(sd.json()[0]["campaignId"], int)
    assert sd.json() == sim.truth.sd_campaigns(pid)[:2]
    ext = http.get(
        f"{na.base}/sd/campaigns/extended", headers=na.headers(pid), params={"stateFilter": "enabled"}
    )
    assert all(c["state"] == "enabled" and "servingStatus" in c for c in ext.json())
    assert http.get(f"{na.base}/sd/adGroups", headers=na.headers(pid)).status_code == 200


def test_deprecated_v2_sp_endpoints_are_gone(sim, http, na):
    response = http.get(f"{na.base}/v2/sp/campaigns", headers=na.headers(profile_id(sim, "US", "na")))
    assert response.status_code == 404 and response.json()["details"] == "Method Not Found"


def test_an_advertisers_changes_show_in_the_lists(sim, na):
    pid = profile_id(sim, "US", "na")
    before = sim.truth.campaigns(pid)
    cid = sim.change_campaign(pid, 2, name="Renamed in the console", state="PAUSED")
    listed = {c["campaignId"]: c for c in na.list("campaigns", pid, {}).json()["campaigns"]}
    assert cid == before[2]["campaignId"]
    assert (listed[cid]["name"], listed[cid]["state"]) == ("Renamed in the console", "PAUSED")
    sim.shrink_account(pid, campaigns=3)
    left = na.list("campaigns", pid, {}).json()["campaigns"]
    assert [c["campaignId"] for c in left] == [c["campaignId"] for c in before[:3]]
    groups = na.list("adGroups", pid, {}).json()["adGroups"]
    assert {g["campaignId"] for g in groups} <= {c["campaignId"] for c in left}
    with pytest.raises(ValueError, match="cannot keep 99"):
        sim.shrink_account(pid, campaigns=99)
