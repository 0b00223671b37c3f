"""AdsClient live edits and budget usage over `httpx.MockTransport`: bodies, batches, 207s, retries."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import httpx
import pytest

from bot.amazon import (
    NO_ANSWER,
    AccessDenied,
    AdGroupUpdate,
    CampaignUpdate,
    InvalidArgument,
    KeywordUpdate,
    MalformedResponse,
    ServerError,
    UnsupportedMediaType,
)
from tests.amazon.fakes import CLIENT_ID, ENDPOINTS, body, fixture, reply

API = ENDPOINTS.api_url
CAMPAIGNS = f"{API}/sp/campaigns"
AD_GROUPS = f"{API}/sp/adGroups"
KEYWORDS = f"{API}/sp/keywords"
USAGE = f"{API}/sp/campaigns/budget/usage"
CAMPAIGN_MEDIA = "application/vnd.spCampaign.v3+json"
USAGE_MEDIA = "application/vnd.spcampaignbudgetusage.v1+json"


def multi_status(key, id_field, *, refuse=(), skip=()):
    """A 207 answer echoing the batch: errors for positions in `refuse`, nothing for `skip`, success else.

    Entries are listed in reverse order so only `index` can match them.
    """

    def answer(request):
        items = body(request)[key]
        success, error = [], []
        for index, item in reversed(list(enumerate(items))):
            entity_id = item[id_field]
            if entity_id in skip:
                continue
            if entity_id in refuse:
                detail = {"rangeError": {"reason": "TOO_HIGH", "message": f"{entity_id} is over the limit"}}
                error.append({"index": index, "errors": [{"errorType": "rangeError", "errorValue": detail}]})
            else:
                success.append({"index": index, id_field: entity_id})
        return httpx.Response(207, json={key: {"success": success, "error": error}})

    return answer


# -- what is sent ----------------------------------------------------------------------------------------


def test_campaign_writes_send_only_the_fields_set_with_exact_amounts(kit):
    kit.fake.on("PUT", CAMPAIGNS, multi_status("campaigns", "campaignId"))
    kit.client.update_sp_campaigns(
        "888888888",
        [
            CampaignUpdate(campaign_id="1", state="PAUSED", daily_budget=Decimal("80.50")),
            CampaignUpdate(campaign_id="2", daily_budget=Decimal("1E+2")),
            CampaignUpdate(campaign_id="3", state="ENABLED"),
        ],
    )
    (request,) = kit.fake.api_calls()
    assert request.method == "PUT"
    assert request.content == (
        b'{"campaigns":[{"campaignId":"1","state":"PAUSED","budget":{"budget":80.50,"budgetType":"DAILY"}},'
        b'{"campaignId":"2","budget":{"budget":100,"budgetType":"DAILY"}},'
        b'{"campaignId":"3","state":"ENABLED"}]}'
    )
    assert request.headers["content-type"] == CAMPAIGN_MEDIA
    assert request.headers["accept"] == CAMPAIGN_MEDIA
    assert request.headers["amazon-advertising-api-scope"] == "888888888"
    assert request.headers["amazon-advertising-api-clientid"] == CLIENT_ID


@pytest.mark.parametrize(
    ("method", "url", "update", "media", "sent"),
    [
        (
            "update_sp_ad_groups",
            AD_GROUPS,
            AdGroupUpdate(ad_group_id="7", default_bid=Decimal("0.45")),
            "application/vnd.spAdGroup.v3+json",
            b'{"adGroups":[{"adGroupId":"7","defaultBid":0.45}]}',
        ),
        (
            "update_sp_keywords",
            KEYWORDS,
            KeywordUpdate(keyword_id="9", state="PAUSED", bid=Decimal("0.10")),
            "application/vnd.spKeyword.v3+json",
            b'{"keywords":[{"keywordId":"9","state":"PAUSED","bid":0.10}]}',
        ),
    ],
)
def test_ad_group_and_keyword_writes(kit, method, url, update, media, sent):
    key, id_field = ("adGroups", "adGroupId") if url == AD_GROUPS else ("keywords", "keywordId")
    kit.fake.on("PUT", url, multi_status(key, id_field))
    result = getattr(kit.client, method)("1", [update])
    (request,) = kit.fake.api_calls()
    assert (request.content, request.headers["content-type"], request.headers["accept"]) == (
        sent,
        media,
        media,
    )
    assert [(o.entity_id, o.ok) for o in result.outcomes] == [(update.entity_id, True)]


def test_no_updates_means_no_call(kit):
    assert kit.client.update_sp_keywords("1", []).outcomes == ()
    assert kit.fake.api_calls() == []


# -- what comes back -------------------------------------------------------------------------------------


def test_150_updates_go_in_two_batches_and_207_entries_are_matched_by_index(kit):
    refuse = {"5", "120"}
    kit.fake.on("PUT", CAMPAIGNS, multi_status("campaigns", "campaignId", refuse=refuse))
    updates = [CampaignUpdate(campaign_id=str(i), state="PAUSED") for i in range(150)]
    result = kit.client.update_sp_campaigns("1", updates)
    assert [len(body(r)["campaigns"]) for r in kit.fake.api_calls()] == [100, 50]
    assert [o.entity_id for o in result.outcomes] == [str(i) for i in range(150)]
    assert [o.entity_id for o in result.failed] == ["5", "120"]
    assert result.failed[1].error_code == "rangeError"
    assert result.failed[1].message == "120 is over the limit"
    assert len(result.succeeded) == 148


def test_a_200_answer_is_read_like_a_207(kit):
    answer = {"campaigns": {"success": [{"index": 0, "campaignId": "1"}], "error": []}}
    kit.fake.on("PUT", CAMPAIGNS, reply(200, answer))
    assert kit.client.update_sp_campaigns("1", [CampaignUpdate(campaign_id="1", state="PAUSED")]).all_ok


def test_an_entity_amazon_says_nothing_about_is_a_failure(kit):
    kit.fake.on("PUT", CAMPAIGNS, multi_status("campaigns", "campaignId", skip={"2"}))
    updates = [CampaignUpdate(campaign_id=c, state="PAUSED") for c in ("1", "2")]
    result = kit.client.update_sp_campaigns("1", updates)
    assert [(o.entity_id, o.ok, o.error_code) for o in result.outcomes] == [
        ("1", True, None),
        ("2", False, NO_ANSWER),
    ]
    assert result.failed[0].message and "did not say" in result.failed[0].message


def test_a_2xx_without_the_multi_status_object_is_malformed(kit):
    kit.fake.on("PUT", CAMPAIGNS, reply(207, {"keywords": {"success": []}}))
    with pytest.raises(MalformedResponse):
        kit.client.update_sp_campaigns("1", [CampaignUpdate(campaign_id="1", state="PAUSED")])


@pytest.mark.parametrize(
    ("status", "answer", "error"),
    [
        (403, "sp_access_denied", AccessDenied),
        (415, "sp_unsupported_media_type", UnsupportedMediaType),
        (400, "sp_invalid_argument", InvalidArgument),
    ],
)
def test_whole_request_errors_are_typed_and_not_retried(kit, status, answer, error):
    kit.fake.on("PUT", CAMPAIGNS, reply(status, fixture(answer)))
    with pytest.raises(error) as info:
        kit.client.update_sp_campaigns("555555", [CampaignUpdate(campaign_id="1", state="PAUSED")])
    assert info.value.status == status
    assert info.value.endpoint == "PUT /sp/campaigns"
    assert len(kit.fake.api_calls()) == 1
    assert kit.sleeps == []


# -- retries: writes set target values, so they are safe to repeat ---------------------------------------


def test_a_throttled_write_is_retried_after_retry_after(kit):
    kit.fake.on(
        "PUT",
        CAMPAIGNS,
        reply(429, fixture("sp_throttled"), headers={"Retry-After": "3"}),
        multi_status("campaigns", "campaignId"),
    )
    result = kit.client.update_sp_campaigns("1", [CampaignUpdate(campaign_id="1", state="PAUSED")])
    assert result.all_ok
    assert kit.sleeps == [3.0]
    first, second = kit.fake.api_calls()
    assert first.content == second.content


def test_a_connection_dropped_after_the_write_was_sent_is_retried(kit):
    dropped = httpx.RemoteProtocolError("Server disconnected without sending a response.")
    kit.fake.on("PUT", KEYWORDS, dropped, multi_status("keywords", "keywordId"))
    result = kit.client.update_sp_keywords("1", [KeywordUpdate(keyword_id="9", bid=Decimal("0.3"))])
    assert result.all_ok
    assert kit.sleeps == [2.0]
    assert len(kit.fake.api_calls()) == 2


def test_a_read_timeout_on_a_write_is_retried(kit):
    kit.fake.on("PUT", AD_GROUPS, httpx.ReadTimeout("read timed out"), multi_status("adGroups", "adGroupId"))
    assert kit.client.update_sp_ad_groups("1", [AdGroupUpdate(ad_group_id="7", state="PAUSED")]).all_ok
    assert len(kit.fake.api_calls()) == 2


def test_a_5xx_that_does_not_clear_surfaces_typed_after_the_retries(kit):
    kit.fake.on("PUT", CAMPAIGNS, reply(503, fixture("sp_internal_error")))
    with pytest.raises(ServerError):
        kit.client.update_sp_campaigns("1", [CampaignUpdate(campaign_id="1", state="PAUSED")])
    assert len(kit.fake.api_calls()) == 4  # the first try and three retries


# -- budget usage ----------------------------------------------------------------------------------------


def usage_answer(request):
    ids = body(request)["campaignIds"]
    success = [
        {
            "campaignId": c,
            "index": i,
            "budgetUsagePercent": 100 if c == "7" else 12.5,
            "usageUpdatedTimestamp": "2026-03-10T09:00:00.000Z",
            "budget": 50.0,
        }
        for i, c in enumerate(ids)
        if c != "unknown"
    ]
    error = [
        {"campaignId": c, "index": i, "code": "INVALID_ARGUMENT", "details": f"Campaign {c} not found"}
        for i, c in enumerate(ids)
        if c == "unknown"
    ]
    return httpx.Response(200, content=json.dumps({"success": success[::-1], "error": error}))


def test_budget_usage_is_asked_100_ids_at_a_time_and_read_in_order(kit):
    kit.fake.on("POST", USAGE, usage_answer)
    ids = [*(str(i) for i in range(1, 150)), "unknown"]
    usages = kit.client.get_sp_budget_usage("888888888", ids)
    first, second = kit.fake.api_calls()
    assert [len(body(r)["campaignIds"]) for r in (first, second)] == [100, 50]
    assert body(first)["campaignIds"][:2] == ["1", "2"]
    assert first.headers["content-type"] == USAGE_MEDIA
    assert first.headers["accept"] == USAGE_MEDIA
    assert first.headers["amazon-advertising-api-scope"] == "888888888"
    assert [u.campaign_id for u in usages] == [str(i) for i in range(1, 150)]
    seven = usages[6]
    assert (seven.percent, seven.budget) == (Decimal(100), Decimal(50))
    assert seven.updated_at == datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
    assert usages[0].percent == Decimal("12.5")
    assert [(e.campaign_id, e.code, e.message) for e in usages.errors] == [
        ("unknown", "INVALID_ARGUMENT", "Campaign unknown not found")
    ]


def test_budget_usage_of_no_campaigns_makes_no_call(kit):
    assert kit.client.get_sp_budget_usage("1", []) == []
    assert kit.fake.api_calls() == []


def test_budget_usage_ids_are_canonical(kit):
    kit.fake.on("POST", USAGE, usage_answer)
    kit.client.get_sp_budget_usage("1", [" 007"])
    assert body(kit.fake.api_calls()[0]) == {"campaignIds": ["7"]}


def test_budget_usage_refused_as_a_whole_is_typed(kit):
    kit.fake.on("POST", USAGE, reply(403, fixture("sp_access_denied")))
    with pytest.raises(AccessDenied):
        kit.client.get_sp_budget_usage("1", ["1"])
