"""The simulator against the examples of reference/amazon-ads-api.md, copied here verbatim so that the
simulator and the client cannot drift together: if one of these changes, the reference changed."""

from __future__ import annotations

from datetime import date
from typing import Any

from .conftest import MEDIA, REPORT_MEDIA, api_for, connect, profile_id
from .test_reports import body

# §1.3 token response example
TOKEN_EXAMPLE: dict[str, Any] = {
    "access_token": "Atza|IQEBLjAsAhRmHjNgHpi0U-Dme37rR6CuUpSR...",
    "token_type": "bearer",
    "expires_in": 3600,
    "refresh_token": "Atzr|IQEBLzAtAhRPpMJxdwVz2Nn6f2y-tpJX2DeX...",
}
# §2.3 profile example
PROFILE_EXAMPLE: dict[str, Any] = {
    "profileId": 888888888,
    "countryCode": "MX",
    "currencyCode": "MXN",
    "timezone": "America/Los_Angeles",
    "accountInfo": {
        "marketplaceStringId": "A1AM78C64UM0Y8",
        "id": "ENTITY2Ihjasdjkeru",
        "type": "vendor",
        "name": "Name of the Account",
        "validPaymentMethod": False,
    },
}
# §3.3 campaign example (minus optional fields the simulator sets only on some campaigns)
CAMPAIGN_KEYS = {
    "campaignId",
    "name",
    "targetingType",
    "state",
    "startDate",
    "budget",
    "dynamicBidding",
    "tags",
}
# §4.2 AsyncReport example
REPORT_EXAMPLE_KEYS = {
    "configuration",
    "createdAt",
    "endDate",
    "failureReason",
    "fileSize",
    "generatedAt",
    "name",
    "reportId",
    "startDate",
    "status",
    "updatedAt",
    "url",
    "urlExpiresAt",
}
# §4.6 row example types
ROW_TYPES = {"campaignId": int, "impressions": int, "clicks": int, "cost": float, "purchases7d": int}
# §3 media types and array keys
LISTS = {
    "campaigns": ("application/vnd.spCampaign.v3+json", "campaigns"),
    "adGroups": ("application/vnd.spAdGroup.v3+json", "adGroups"),
    "keywords": ("application/vnd.spKeyword.v3+json", "keywords"),
}


def test_token_matches_reference_example(sim, http):
    tokens = connect(http, sim)
    assert set(tokens) == set(TOKEN_EXAMPLE)
    assert tokens["token_type"] == TOKEN_EXAMPLE["token_type"] and tokens["expires_in"] == 3600
    assert tokens["access_token"][:5] == TOKEN_EXAMPLE["access_token"][:5]
    assert tokens["refresh_token"][:5] == TOKEN_EXAMPLE["refresh_token"][:5]


def test_profile_matches_reference_example(sim, http):
    [mx] = sim.seed_account(user_id="demo", region="na", marketplaces=["MX"], profile_type="vendor")
    served = next(p for p in api_for(http, sim, "na").profiles().json() if p["profileId"] == mx["profileId"])
    assert set(served) == set(PROFILE_EXAMPLE) and set(served["accountInfo"]) == set(
        PROFILE_EXAMPLE["accountInfo"]
    )
    for key in ("countryCode", "currencyCode", "timezone"):
        assert served[key] == PROFILE_EXAMPLE[key]
    assert (
        served["accountInfo"]["marketplaceStringId"] == PROFILE_EXAMPLE["accountInfo"]["marketplaceStringId"]
    )
    assert type(served["profileId"]) is type(PROFILE_EXAMPLE["profileId"])


def test_list_media_types_and_keys(sim, na):
    pid = profile_id(sim, "US", "na")
    assert {k: v[0] for k, v in LISTS.items()} == MEDIA
    for kind, (media, key) in LISTS.items():
        response = na.list(
            kind, pid, {"stateFilter": {"include": ["ENABLED"]}, "maxResults": 10}
        )  # Postman body
        assert response.headers["content-type"] == media
        assert set(response.json()) == {"totalResults", key, "nextToken"}
    assert set(na.list("campaigns", pid).json()["campaigns"][0]) >= CAMPAIGN_KEYS


def test_report_and_row_shapes(sim, http, na):
    pid = profile_id(sim, "US", "na")
    assert REPORT_MEDIA == "application/vnd.createasyncreportrequest.v3+json"
    created = na.create_report(pid, body(date(2026, 3, 1), date(2026, 3, 6), columns=[*ROW_TYPES, "date"]))
    assert set(created.json()) == REPORT_EXAMPLE_KEYS
    report = na.get_report(pid, created.json()["reportId"]).json()
    assert report["status"] == "COMPLETED" and set(report) == REPORT_EXAMPLE_KEYS
    rows = sim.truth.report_rows(report["reportId"])
    for name, kind in ROW_TYPES.items():
        assert all(isinstance(r[name], kind) for r in rows), name


def test_error_bodies_per_family(sim, http, na):
    pid = profile_id(sim, "US", "na")
    sp = http.post(f"{na.base}/sp/campaigns/list", headers=na.headers(pid), json={})
    assert set(sp.json()) == {"code", "message"}  # §3.4
    report = http.post(f"{na.base}/reporting/reports", headers=na.headers(pid), json={})
    assert (
        set(report.json()) == {"code", "detail"} and report.json()["code"] == "415"
    )  # §4.2 AsyncReportingError
    token = http.post(sim.region_urls("na")["token_url"], data={})
    assert set(token.json()) == {"error", "error_description"}  # §1.5
