"""Reporting v3 lifecycle, validation, 425, downloads, restatement (reference §4, §8.2)."""

from __future__ import annotations

import gzip
import json
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from .conftest import START, api_for, profile_id

COLUMNS = ["date", "campaignId", "campaignName", "impressions", "clicks", "cost", "sales14d", "purchases14d"]
KW_COLUMNS = [
    "date",
    "campaignId",
    "adGroupId",
    "keywordId",
    "keyword",
    "matchType",
    "impressions",
    "clicks",
    "cost",
]


def body(
    start: date,
    end: date,
    *,
    report_type: str = "spCampaigns",
    group: str = "campaign",
    columns: list[str] | None = None,
    **config: object,
) -> dict[str, Any]:
    return {
        "name": "test",
        "startDate": start.isoformat(),
        "endDate": end.isoformat(),
        "configuration": {
            "adProduct": "SPONSORED_PRODUCTS",
            "groupBy": [group],
            "columns": columns or COLUMNS,
            "reportTypeId": report_type,
            "timeUnit": "DAILY",
            "format": "GZIP_JSON",
            **config,
        },
    }


def today_la() -> date:
    return date(2026, 3, 10)  # START is 15:00 UTC: still the 10th in Los Angeles


def run(api, pid, payload):
    created = api.create_report(pid, payload)
    assert created.status_code == 200, created.text
    polled = api.get_report(pid, created.json()["reportId"]).json()
    assert polled["status"] == "COMPLETED"
    return polled


def download(http, url):
    response = http.get(url)
    assert response.status_code == 200 and response.content[:2] == b"\x1f\x8b"
    return json.loads(gzip.decompress(response.content), parse_float=Decimal)


def test_create_answers_pending_with_async_report_shape(sim, na):
    pid = profile_id(sim, "US", "na")
    created = na.create_report(pid, body(today_la() - timedelta(days=7), today_la() - timedelta(days=1)))
    assert created.status_code == 200
    assert created.headers["content-type"] == "application/vnd.createasyncreportresponse.v3+json"
    report = created.json()
    assert set(report) == {
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
    assert report["status"] == "PENDING" and report["url"] is None and report["createdAt"].endswith("Z")


def test_daily_campaign_report_matches_truth(sim, http, na):
    pid = profile_id(sim, "US", "na")
    start, end = today_la() - timedelta(days=30), today_la() - timedelta(days=1)
    report = run(na, pid, body(start, end))
    assert (
        report["fileSize"] > 0
        and "X-Amz-Expires=3600" in report["url"]
        and report["urlExpiresAt"].endswith("Z")
    )
    rows = download(http, report["url"])
    truth = sim.truth.campaign_metrics(pid, start, end, columns=tuple(COLUMNS))
    assert rows == json.loads(json.dumps(truth), parse_float=Decimal)
    assert isinstance(rows[0]["campaignId"], int) and isinstance(rows[0]["cost"], Decimal)
    assert {r["date"] for r in rows} <= {(start + timedelta(days=n)).isoformat() for n in range(30)}


def test_keyword_report_with_filter(sim, http, na):
    pid = profile_id(sim, "US", "na")
    start = today_la() - timedelta(days=3)
    payload = body(
        start,
        today_la(),
        report_type="spTargeting",
        group="targeting",
        columns=KW_COLUMNS,
        filters=[{"field": "keywordType", "values": ["EXACT"]}],
    )
    rows = download(http, run(na, pid, payload)["url"])
    assert rows and all(r["matchType"] == "EXACT" and isinstance(r["keywordId"], int) for r in rows)
    truth = [
        r
        for r in sim.truth.keyword_metrics(pid, start, today_la(), columns=tuple(KW_COLUMNS))
        if r["matchType"] == "EXACT"
    ]
    assert len(rows) == len(truth)


def test_duplicate_while_pending_gets_425_naming_the_report(sim, na):
    pid = profile_id(sim, "US", "na")
    payload = body(today_la() - timedelta(days=2), today_la() - timedelta(days=1))
    first = na.create_report(pid, payload).json()["reportId"]
    again = na.create_report(pid, {**payload, "name": "other name"})
    assert again.status_code == 425
    assert again.json() == {"code": "425", "detail": f"The Request is a duplicate of : {first}"}
    na.get_report(pid, first)  # completes it
    assert na.create_report(pid, payload).status_code == 200


def test_status_walks_on_the_simulator_clock(sim, na):
    sim.set_report_delay(600)
    pid = profile_id(sim, "JP", "fe")
    fe = api_for(na.http, sim, "fe")
    rid = fe.create_report(pid, body(date(2026, 3, 1), date(2026, 3, 9))).json()["reportId"]
    assert fe.get_report(pid, rid).json()["status"] == "PENDING"
    sim.advance(301)
    assert fe.get_report(pid, rid).json()["status"] == "PROCESSING"
    sim.advance(300)
    assert fe.get_report(pid, rid).json()["status"] == "COMPLETED"


def test_failed_reports_on_demand(sim, na):
    pid = profile_id(sim, "US", "na")
    sim.fail_reports(pid, times=1)
    rid = na.create_report(pid, body(date(2026, 3, 1), date(2026, 3, 2))).json()["reportId"]
    failed = na.get_report(pid, rid).json()
    assert failed["status"] == "FAILED" and failed["failureReason"] and failed["url"] is None
    assert run(na, pid, body(date(2026, 3, 1), date(2026, 3, 2)))["status"] == "COMPLETED"


def test_url_expiry_and_authorization_header(sim, http, na):
    pid = profile_id(sim, "US", "na")
    report = run(na, pid, body(date(2026, 3, 1), date(2026, 3, 2)))
    with_auth = http.get(report["url"], headers={"Authorization": f"Bearer {na.token}"})
    assert with_auth.status_code == 400 and b"Only one auth mechanism allowed" in with_auth.content
    tampered = http.get(report["url"].replace("X-Amz-Expires=3600", "X-Amz-Expires=99999"))
    assert tampered.status_code == 403
    sim.advance(3601)
    assert http.get(report["url"]).status_code == 403
    assert na.get_report(pid, report["reportId"]).status_code == 401  # the access token expired too
    fresh = api_for(http, sim, "na").get_report(pid, report["reportId"]).json()
    assert fresh["url"] != report["url"] and download(http, fresh["url"])


@pytest.mark.parametrize(
    "start,end,detail",
    [
        (date(2026, 2, 1), date(2026, 3, 5), "exceeds the maximum of 31 days"),
        (date(2026, 3, 5), date(2026, 3, 1), "must be equal to or before endDate"),
        (
            date(2025, 12, 4),
            date(2025, 12, 10),
            "startDate (2025-12-04) must be equal to or after report type data retention start date "
            "(2025-12-05)",
        ),
    ],
)
def test_date_validation(sim, na, start, end, detail):
    response = na.create_report(profile_id(sim, "US", "na"), body(start, end))
    assert response.status_code == 400 and detail in response.json()["detail"]
    assert response.json()["code"] == "400"


def test_retention_is_measured_in_the_profile_time_zone(sim, http, clock):
    fe = api_for(http, sim, "fe")
    jp = profile_id(sim, "JP", "fe")
    clock.now = START.replace(minute=30)  # 00:30 on the 11th in Tokyo, still the 10th in UTC
    boundary = date(2026, 3, 11) - timedelta(days=95)
    assert fe.create_report(jp, body(boundary, boundary)).status_code == 200
    day_before = boundary - timedelta(days=1)
    assert fe.create_report(jp, body(day_before, day_before)).status_code == 400


@pytest.mark.parametrize(
    "change",
    [
        {"reportTypeId": "spNope"},
        {"columns": ["date", "bogus"]},
        {"timeUnit": "HOURLY"},
        {"format": "CSV"},
        {"groupBy": ["campaign", "adGroup"]},
        {"filters": [{"field": "adStatus", "values": ["ENABLED"]}]},
    ],
)
def test_bad_configuration_is_400(sim, na, change):
    payload = body(date(2026, 3, 1), date(2026, 3, 2))
    payload["configuration"].update(change)
    response = na.create_report(profile_id(sim, "US", "na"), payload)
    assert response.status_code == 400 and set(response.json()) == {"code", "detail"}


def test_wrong_media_type_unknown_report_and_cancel(sim, http, na):
    pid = profile_id(sim, "US", "na")
    wrong = http.post(
        f"{na.base}/reporting/reports",
        headers={**na.headers(pid), "Content-Type": "application/json"},
        json=body(date(2026, 3, 1), date(2026, 3, 2)),
    )
    assert wrong.status_code == 415
    assert na.get_report(pid, "00000000-0000-0000-0000-000000000000").status_code == 404
    rid = na.create_report(pid, body(date(2026, 3, 3), date(2026, 3, 4))).json()["reportId"]
    cancelled = http.delete(f"{na.base}/reporting/reports/{rid}", headers=na.headers(pid))
    assert cancelled.status_code == 200 and cancelled.json()["reportId"] == rid
    assert na.get_report(pid, rid).status_code == 404


def test_restatement_changes_recent_days_only(sim, http, na):
    pid = profile_id(sim, "US", "na")
    start, end = today_la() - timedelta(days=10), today_la() - timedelta(days=1)
    before = {(r["date"], r["campaignId"]): r for r in sim.truth.campaign_metrics(pid, start, end)}
    old_report = run(na, pid, body(start, end))
    sim.restate()
    after = {(r["date"], r["campaignId"]): r for r in sim.truth.campaign_metrics(pid, start, end)}
    assert before.keys() == after.keys()
    recent = {(today_la() - timedelta(days=n)).isoformat() for n in range(1, 4)}
    changed = {k[0] for k in before if before[k]["impressions"] != after[k]["impressions"]}
    assert changed == recent
    assert all(after[k]["impressions"] >= before[k]["impressions"] for k in before)
    # a report generated before the restatement keeps its numbers; a new one sees them
    assert len(download(http, old_report["url"])) == len(before)
    assert (
        sim.truth.report_rows(old_report["reportId"])[0]["impressions"]
        == next(iter(before.values()))["impressions"]
    )
    new_rows = download(http, run(na, pid, body(start, end, name="again"))["url"])
    assert {(r["date"], r["campaignId"]): r["impressions"] for r in new_rows} == {
        k: v["impressions"] for k, v in after.items()
    }
