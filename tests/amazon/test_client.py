"""AdsClient endpoints: headers, media types, paging to the end, filters, and what reaches the caller."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest

from bot.amazon import (
    AdsClient,
    BadRequest,
    Campaign,
    InvalidArgument,
    MalformedResponse,
    Unauthorized,
    UnsupportedMediaType,
)
from tests.amazon.fakes import CLIENT_ID, ENDPOINTS, body, fixture, make_kit, reply

API = ENDPOINTS.api_url
PROFILES = f"{API}/v2/profiles"
SP_CAMPAIGNS = f"{API}/sp/campaigns/list"
SP_AD_GROUPS = f"{API}/sp/adGroups/list"
SP_KEYWORDS = f"{API}/sp/keywords/list"
SB_CAMPAIGNS = f"{API}/sb/v4/campaigns/list"
SD_CAMPAIGNS = f"{API}/sd/campaigns"


def flat(pages):
    return [item for page in pages for item in page]


# -- profiles ---------------------------------------------------------------------------------------


def test_profiles_call_has_client_id_and_bearer_but_no_scope(kit):
    kit.fake.on("GET", PROFILES, reply(200, fixture("profiles_edit")), reply(200, []))
    kit.client.list_profiles()
    first, second = kit.fake.api_calls()
    for request in (first, second):
        assert request.headers["amazon-advertising-api-clientid"] == CLIENT_ID
        assert request.headers["authorization"] == "Bearer Atza|access-1"
        assert "amazon-advertising-api-scope" not in request.headers
    assert dict(first.url.params) == {"profileTypeFilter": "seller,vendor,agency"}
    assert dict(second.url.params) == {"profileTypeFilter": "seller,vendor,agency", "accessLevel": "view"}


def test_view_only_profiles_are_included_and_marked_when_view_lists_only_them(kit):
    kit.fake.on(
        "GET", PROFILES, reply(200, fixture("profiles_edit")), reply(200, fixture("profiles_view_only"))
    )
    profiles = kit.client.list_profiles()
    assert [(p.profile_id, p.account_type, p.view_only) for p in profiles] == [
        ("888888888", "seller", False),
        ("3000000000000001", "vendor", False),
        ("777", "agency", False),
        ("555555", "vendor", True),
    ]


def test_view_only_profiles_are_marked_when_view_lists_everything(kit):
    everything = fixture("profiles_edit") + fixture("profiles_view_only")
    kit.fake.on("GET", PROFILES, reply(200, fixture("profiles_edit")), reply(200, everything))
    profiles = kit.client.list_profiles()
    assert [p.profile_id for p in profiles if p.view_only] == ["555555"]
    assert len(profiles) == 4


def test_a_refused_access_level_still_lists_editable_profiles(kit):
    kit.fake.on(
        "GET",
        PROFILES,
        reply(200, fixture("profiles_edit")),
        reply(400, {"code": "INVALID_ARGUMENT", "message": "accessLevel"}),
    )
    assert len(kit.client.list_profiles()) == 3


def test_a_region_without_accounts_lists_nothing(kit):
    kit.fake.on("GET", PROFILES, reply(200, []))
    assert kit.client.list_profiles() == []


def test_a_profile_without_id_is_malformed(kit):
    kit.fake.on("GET", PROFILES, reply(200, [{"countryCode": "US"}]))
    with pytest.raises(MalformedResponse):
        kit.client.list_profiles()


def test_profiles_answer_that_is_not_a_list_is_malformed(kit):
    kit.fake.on("GET", PROFILES, reply(200, {"profiles": []}))
    with pytest.raises(MalformedResponse):
        kit.client.list_profiles()


# -- SP campaigns -----------------------------------------------------------------------------------


def test_sp_campaigns_follow_next_token_to_the_end(kit):
    kit.fake.on(
        "POST",
        SP_CAMPAIGNS,
        reply(200, fixture("sp_campaigns_page1")),
        reply(200, fixture("sp_campaigns_page2")),
    )
    pages = list(kit.client.iter_sp_campaigns("888888888", states=["enabled", "PAUSED"]))
    assert [len(p) for p in pages] == [2, 1]
    first, second = kit.fake.api_calls()
    assert body(first) == {"stateFilter": {"include": ["ENABLED", "PAUSED"]}}
    assert body(second) == {"stateFilter": {"include": ["ENABLED", "PAUSED"]}, "nextToken": "tok-2"}


def test_sp_campaigns_send_scope_client_id_and_the_vendor_media_type(kit):
    kit.fake.on("POST", SP_CAMPAIGNS, reply(200, fixture("sp_campaigns_page2")))
    list(kit.client.iter_sp_campaigns(888888888, states=["ENABLED"]))  # an int id is accepted too
    (request,) = kit.fake.api_calls()
    assert request.headers["amazon-advertising-api-scope"] == "888888888"
    assert request.headers["amazon-advertising-api-clientid"] == CLIENT_ID
    assert request.headers["content-type"] == "application/vnd.spCampaign.v3+json"
    assert request.headers["accept"] == "application/vnd.spCampaign.v3+json"


def test_sp_campaigns_are_typed_with_string_ids_and_exact_budgets(kit):
    kit.fake.on(
        "POST",
        SP_CAMPAIGNS,
        reply(200, fixture("sp_campaigns_page1")),
        reply(200, fixture("sp_campaigns_page2")),
    )
    campaigns = flat(kit.client.iter_sp_campaigns("1", states=[]))
    assert [c.campaign_id for c in campaigns] == ["218293333782035", "218293333782036", "218293333782037"]
    assert [c.state for c in campaigns] == ["ENABLED", "PAUSED", "OTHER"]
    assert campaigns[0].budget == Decimal("100.10")
    assert isinstance(campaigns[0], Campaign)
    assert "stateFilter" not in body(kit.fake.api_calls()[0])


def test_page_size_is_sent_when_configured():
    kit = make_kit(page_size=500)
    kit.fake.on("POST", SP_CAMPAIGNS, reply(200, fixture("sp_campaigns_page2")))
    list(kit.client.iter_sp_campaigns("1", states=["ENABLED"]))
    assert body(kit.fake.api_calls()[0])["maxResults"] == 500


def test_a_500_in_the_middle_of_paging_resumes_from_the_same_token(kit):
    kit.fake.on(
        "POST",
        SP_CAMPAIGNS,
        reply(200, fixture("sp_campaigns_page1")),
        reply(500, fixture("sp_internal_error")),
        reply(200, fixture("sp_campaigns_page2")),
    )
    assert len(flat(kit.client.iter_sp_campaigns("1", states=["ENABLED"]))) == 3
    assert [body(r).get("nextToken") for r in kit.fake.api_calls()] == [None, "tok-2", "tok-2"]


def test_pages_arrive_lazily(kit):
    kit.fake.on(
        "POST",
        SP_CAMPAIGNS,
        reply(200, fixture("sp_campaigns_page1")),
        reply(200, fixture("sp_campaigns_page2")),
    )
    pages = kit.client.iter_sp_campaigns("1", states=["ENABLED"])
    next(pages)
    assert len(kit.fake.api_calls()) == 1


def test_a_repeated_next_token_stops_with_an_error_instead_of_looping(kit):
    kit.fake.on("POST", SP_CAMPAIGNS, reply(200, fixture("sp_campaigns_page1")))
    with pytest.raises(MalformedResponse, match="repeated a nextToken"):
        flat(kit.client.iter_sp_campaigns("1", states=["ENABLED"]))


def test_empty_next_token_ends_paging(kit):
    page = {**fixture("sp_campaigns_page2"), "nextToken": ""}
    kit.fake.on("POST", SP_CAMPAIGNS, reply(200, page))
    assert len(flat(kit.client.iter_sp_campaigns("1", states=["ENABLED"]))) == 1


def test_an_empty_account_yields_no_pages(kit):
    kit.fake.on("POST", SP_CAMPAIGNS, reply(200, {"totalResults": 0, "campaigns": []}))
    assert list(kit.client.iter_sp_campaigns("1", states=["ENABLED"])) == []


@pytest.mark.parametrize("answer", [{"totalResults": 0}, [], "oops"])
def test_a_page_without_the_array_is_malformed(kit, answer):
    kit.fake.on("POST", SP_CAMPAIGNS, reply(200, answer))
    with pytest.raises(MalformedResponse):
        flat(kit.client.iter_sp_campaigns("1", states=["ENABLED"]))


def test_an_unreadable_item_is_malformed(kit):
    kit.fake.on("POST", SP_CAMPAIGNS, reply(200, {"campaigns": [{"name": "no id"}]}))
    with pytest.raises(MalformedResponse, match="cannot read"):
        flat(kit.client.iter_sp_campaigns("1", states=["ENABLED"]))


@pytest.mark.parametrize(
    ("status", "name", "expected"),
    [
        (415, "sp_unsupported_media_type", UnsupportedMediaType),
        (400, "sp_invalid_argument", InvalidArgument),
        (400, "legacy_agency", BadRequest),
    ],
)
def test_list_errors_reach_the_caller_typed(kit, status, name, expected):
    kit.fake.on("POST", SP_CAMPAIGNS, reply(status, fixture(name)))
    with pytest.raises(expected):
        flat(kit.client.iter_sp_campaigns("1", states=["ENABLED"]))


def test_a_profile_the_token_may_not_use_is_unauthorized_after_one_refresh(kit):
    kit.fake.on("POST", SP_CAMPAIGNS, reply(401, fixture("sp_unauthorized")))
    with pytest.raises(Unauthorized) as info:
        flat(kit.client.iter_sp_campaigns("1", states=["ENABLED"]))
    assert info.value.category == "scope_not_authorized"
    assert len(kit.fake.api_calls()) == 2


# -- ad groups and keywords -------------------------------------------------------------------------


def test_ad_groups(kit):
    kit.fake.on("POST", SP_AD_GROUPS, reply(200, fixture("sp_ad_groups")))
    groups = flat(kit.client.iter_sp_ad_groups("1", states=["ENABLED", "ARCHIVED"]))
    assert [(g.ad_group_id, g.default_bid) for g in groups] == [
        ("100", Decimal("0.75")),
        ("101", Decimal("1.0")),
    ]
    (request,) = kit.fake.api_calls()
    assert request.headers["content-type"] == "application/vnd.spAdGroup.v3+json"
    assert request.headers["accept"] == "application/vnd.spAdGroup.v3+json"


def test_campaign_id_filters_are_sent_100_at_a_time(kit):
    kit.fake.on("POST", SP_AD_GROUPS, reply(200, fixture("sp_ad_groups")))
    ids = [str(1000 + i) for i in range(250)]
    list(kit.client.iter_sp_ad_groups("1", states=["ENABLED"], campaign_ids=ids))
    sent = [body(r)["campaignIdFilter"]["include"] for r in kit.fake.api_calls()]
    assert [len(s) for s in sent] == [100, 100, 50]
    assert [i for chunk in sent for i in chunk] == ids


def test_an_empty_campaign_id_list_asks_nothing(kit):
    assert list(kit.client.iter_sp_keywords("1", states=["ENABLED"], campaign_ids=[])) == []
    assert kit.fake.api_calls() == []


def test_keywords(kit):
    kit.fake.on("POST", SP_KEYWORDS, reply(200, fixture("sp_keywords")))
    keywords = flat(
        kit.client.iter_sp_keywords("1", states=["ENABLED", "PAUSED"], campaign_ids=["218293333782035"])
    )
    assert [(k.keyword_id, k.text, k.match_type, k.bid) for k in keywords] == [
        ("5001", "red shoes", "EXACT", Decimal("0.57")),
        ("5002", "shoes", "BROAD", None),
    ]
    (request,) = kit.fake.api_calls()
    assert request.headers["content-type"] == "application/vnd.spKeyword.v3+json"
    assert body(request)["campaignIdFilter"] == {"include": ["218293333782035"]}


# -- SB and SD --------------------------------------------------------------------------------------


def test_sb_campaigns(kit):
    kit.fake.on("POST", SB_CAMPAIGNS, reply(200, fixture("sb_campaigns")))
    (campaign,) = flat(kit.client.iter_sb_campaigns("1", states=["ENABLED"]))
    assert (campaign.ad_product, campaign.campaign_id) == ("SB", "9001")
    (request,) = kit.fake.api_calls()
    assert request.headers["content-type"] == "application/vnd.sbcampaignresource.v4+json"
    assert request.headers["amazon-advertising-api-scope"] == "1"


def test_sd_campaigns_page_by_offset(kit):
    full = [{**fixture("sd_campaigns")[0], "campaignId": 7000 + i} for i in range(100)]
    kit.fake.on("GET", SD_CAMPAIGNS, reply(200, full), reply(200, fixture("sd_campaigns")))
    campaigns = flat(kit.client.iter_sd_campaigns("1", states=["ENABLED", "PAUSED"]))
    assert len(campaigns) == 101
    assert {c.ad_product for c in campaigns} == {"SD"}
    first, second = kit.fake.api_calls()
    assert dict(first.url.params) == {"count": "100", "stateFilter": "enabled,paused", "startIndex": "0"}
    assert second.url.params["startIndex"] == "100"
    assert first.headers["amazon-advertising-api-scope"] == "1"


def test_json_that_is_not_json_is_malformed(kit):
    kit.fake.on("POST", SB_CAMPAIGNS, reply(200, "<html>maintenance</html>"))
    with pytest.raises(MalformedResponse):
        flat(kit.client.iter_sb_campaigns("1", states=["ENABLED"]))


def test_every_api_call_has_an_explicit_timeout(kit):
    seen = []

    def spy(request):
        seen.append(request.extensions.get("timeout"))
        return reply(200, [])

    kit.fake.on("GET", PROFILES, spy)
    kit.client.list_profiles()
    assert seen and all(t == {"connect": 10.0, "read": 30.0, "write": 30.0, "pool": 30.0} for t in seen)


def test_repr_is_safe():
    client = AdsClient(httpx.Client(), endpoints=ENDPOINTS, client_id=CLIENT_ID, auth=httpx.Auth())
    assert repr(client) == "AdsClient(api_url='https://ads.test')"
