"""Reports: request builders, date windows, row parsing, and the create → poll → download lifecycle."""

from __future__ import annotations

import gzip
import itertools
import json
from datetime import date
from decimal import Decimal

import httpx
import pytest

from bot.amazon import (
    AccessDenied,
    BadRequest,
    CampaignMetricRow,
    DuplicateReport,
    KeywordMetricRow,
    MalformedResponse,
    NotFound,
    ReportRequest,
    TransportError,
    daily_campaign_report,
    daily_keyword_report,
    parse_campaign_row,
    parse_keyword_row,
    report_windows,
)
from tests.amazon.fakes import CLIENT_ID, ENDPOINTS, body, fixture, gzip_json, reply

REPORTS = f"{ENDPOINTS.api_url}/reporting/reports"
REPORT_ID = "0a1b2c3d-0000-4000-8000-000000000001"
DOWNLOAD = "https://reports.test/0a1b/report-0a1b.json.gz"
SIGNED = f"{DOWNLOAD}?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=3600&X-Amz-Signature=deadbeef"

# -- builders ---------------------------------------------------------------------------------------


def test_daily_campaign_report_body():
    request = daily_campaign_report(date(2026, 3, 1), date(2026, 3, 9), states=["enabled", "paused"])
    assert request.to_body() == {
        "name": "hilal spCampaigns 2026-03-01..2026-03-09",
        "startDate": "2026-03-01",
        "endDate": "2026-03-09",
        "configuration": {
            "adProduct": "SPONSORED_PRODUCTS",
            "groupBy": ["campaign"],
            "columns": [
                "date",
                "campaignId",
                "campaignStatus",
                "impressions",
                "clicks",
                "cost",
                "sales7d",
                "purchases7d",
                "unitsSoldClicks7d",
                "campaignBudgetAmount",
                "campaignBudgetCurrencyCode",
                "campaignBudgetType",
            ],
            "reportTypeId": "spCampaigns",
            "timeUnit": "DAILY",
            "format": "GZIP_JSON",
            "filters": [{"field": "campaignStatus", "values": ["ENABLED", "PAUSED"]}],
        },
    }


def test_daily_keyword_report_body():
    got = daily_keyword_report(date(2026, 3, 1), date(2026, 3, 1), name="kw").to_body()
    assert got["name"] == "kw"
    assert got["configuration"]["reportTypeId"] == "spTargeting"
    assert got["configuration"]["groupBy"] == ["targeting"]
    assert got["configuration"]["filters"] == [
        {"field": "keywordType", "values": ["BROAD", "PHRASE", "EXACT"]}
    ]
    assert {
        "date",
        "keywordId",
        "adGroupId",
        "campaignId",
        "keyword",
        "matchType",
        "cost",
        "sales7d",
        "purchases7d",
    } <= set(got["configuration"]["columns"])


def test_request_identity_ignores_the_name_and_survives_persistence():
    a = daily_campaign_report(date(2026, 3, 1), date(2026, 3, 9), name="a")
    b = daily_campaign_report(date(2026, 3, 1), date(2026, 3, 9), name="b")
    c = daily_campaign_report(date(2026, 3, 1), date(2026, 3, 10))
    assert a.identity() == b.identity() != c.identity()
    assert ReportRequest.model_validate_json(a.model_dump_json()) == a


# -- windows ----------------------------------------------------------------------------------------

TODAY = date(2026, 4, 8)


def test_a_short_range_is_one_window():
    assert report_windows(date(2026, 4, 1), date(2026, 4, 7), today=TODAY, retention_days=95) == [
        (date(2026, 4, 1), date(2026, 4, 7))
    ]


def test_31_days_fit_one_window_and_32_need_two():
    start = date(2026, 3, 1)
    assert report_windows(start, date(2026, 3, 31), today=TODAY, retention_days=95) == [
        (start, date(2026, 3, 31))
    ]
    assert report_windows(start, date(2026, 4, 1), today=TODAY, retention_days=95) == [
        (start, date(2026, 3, 31)),
        (date(2026, 4, 1), date(2026, 4, 1)),
    ]


def test_start_is_clamped_to_retention_with_one_day_of_margin():
    windows = report_windows(date(2025, 1, 1), date(2026, 4, 7), today=TODAY, retention_days=95)
    assert windows[0][0] == date(2026, 1, 4)  # today - 94 days: the 95th day back is left alone
    assert windows[-1][1] == date(2026, 4, 7)
    assert all((end - start).days + 1 <= 31 for start, end in windows)
    assert all(
        b[0] == (a[1] + (b[0] - a[1])) and (b[0] - a[1]).days == 1 for a, b in itertools.pairwise(windows)
    )
    assert sum((end - start).days + 1 for start, end in windows) == 94


def test_end_is_clamped_to_today():
    assert report_windows(date(2026, 4, 7), date(2026, 5, 1), today=TODAY, retention_days=60) == [
        (date(2026, 4, 7), TODAY)
    ]


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (date(2025, 1, 1), date(2025, 2, 1)),
        (date(2026, 4, 9), date(2026, 4, 20)),
        (date(2026, 4, 5), date(2026, 4, 4)),
    ],
)
def test_nothing_available_gives_no_windows(start, end):
    assert report_windows(start, end, today=TODAY, retention_days=60) == []


def test_custom_window_size_and_leap_day():
    windows = report_windows(
        date(2028, 2, 27), date(2028, 3, 2), today=date(2028, 3, 2), retention_days=60, max_days=2
    )
    assert windows == [
        (date(2028, 2, 27), date(2028, 2, 28)),
        (date(2028, 2, 29), date(2028, 3, 1)),
        (date(2028, 3, 2), date(2028, 3, 2)),
    ]


def test_windows_refuse_nonsense_sizes():
    with pytest.raises(ValueError):
        report_windows(TODAY, TODAY, today=TODAY, retention_days=0)


# -- rows -------------------------------------------------------------------------------------------


def test_campaign_row():
    row = {
        "date": "2026-03-01",
        "campaignId": 158410630682987,
        "impressions": 2216,
        "clicks": 13,
        "cost": Decimal("14.50"),
        "sales7d": Decimal("99.99"),
        "purchases7d": 2,
        "unitsSoldClicks7d": 3,
        "campaignBudgetAmount": Decimal("50.00"),
        "campaignBudgetCurrencyCode": "GBP",
        "campaignStatus": "enabled",
    }
    assert parse_campaign_row(row) == CampaignMetricRow(
        date=date(2026, 3, 1),
        campaign_id="158410630682987",
        impressions=2216,
        clicks=13,
        cost=Decimal("14.50"),
        sales=Decimal("99.99"),
        orders=2,
        units=3,
        budget_amount=Decimal("50.00"),
        currency_code="GBP",
        campaign_status="ENABLED",
    )


def test_campaign_row_nulls_are_zero():
    got = parse_campaign_row(
        {
            "date": "2026-03-01",
            "campaignId": 1,
            "impressions": None,
            "cost": None,
            "sales7d": None,
            "purchases7d": None,
        }
    )
    assert (got.impressions, got.clicks, got.cost, got.sales, got.orders) == (0, 0, Decimal(0), Decimal(0), 0)
    assert got.budget_amount is None


def test_campaign_row_without_id_is_refused():
    with pytest.raises(ValueError):
        parse_campaign_row({"date": "2026-03-01", "impressions": 1})


def test_keyword_row():
    row = {
        "date": "2026-03-01",
        "keywordId": 5001,
        "campaignId": 218293333782035,
        "adGroupId": 100,
        "keyword": "red shoes",
        "matchType": "EXACT",
        "impressions": 10,
        "clicks": 1,
        "cost": Decimal("0.57"),
        "sales7d": 0,
        "purchases7d": 0,
    }
    assert parse_keyword_row(row) == KeywordMetricRow(
        date=date(2026, 3, 1),
        keyword_id="5001",
        campaign_id="218293333782035",
        ad_group_id="100",
        impressions=10,
        clicks=1,
        cost=Decimal("0.57"),
        sales=Decimal(0),
        orders=0,
        keyword_text="red shoes",
        match_type="EXACT",
    )


# -- create -----------------------------------------------------------------------------------------

REQUEST = daily_campaign_report(date(2026, 3, 1), date(2026, 3, 9))


def test_create_report_returns_the_id_and_sends_the_media_types(kit):
    kit.fake.on("POST", REPORTS, reply(200, fixture("report_pending")))
    assert kit.client.create_report("888", REQUEST) == REPORT_ID
    (request,) = kit.fake.api_calls()
    assert request.headers["content-type"] == "application/vnd.createasyncreportrequest.v3+json"
    assert request.headers["accept"] == "application/vnd.createasyncreportresponse.v3+json"
    assert request.headers["amazon-advertising-api-scope"] == "888"
    assert request.headers["amazon-advertising-api-clientid"] == CLIENT_ID
    assert body(request) == REQUEST.to_body()


def test_a_duplicate_adopts_the_existing_report(kit):
    kit.fake.on("POST", REPORTS, reply(425, fixture("reporting_duplicate")))
    assert kit.client.create_report("888", REQUEST) == "3f1c2b9a-1111-4222-8333-444455556666"


def test_accepted_despite_429_then_duplicate_adopts_the_id(kit):
    kit.fake.on(
        "POST",
        REPORTS,
        reply(429, {"code": "429", "detail": "Too Many Requests"}),
        reply(425, fixture("reporting_duplicate")),
    )
    assert kit.client.create_report("888", REQUEST) == "3f1c2b9a-1111-4222-8333-444455556666"
    assert kit.sleeps == [2.0]  # no Retry-After on report creation: exponential backoff


def test_a_duplicate_without_an_id_is_raised(kit):
    kit.fake.on("POST", REPORTS, reply(425, {"code": "425", "detail": "Too Early"}))
    with pytest.raises(DuplicateReport):
        kit.client.create_report("888", REQUEST)


def test_retention_refusal_is_a_bad_request(kit):
    kit.fake.on("POST", REPORTS, reply(400, fixture("reporting_retention")))
    with pytest.raises(BadRequest) as info:
        kit.client.create_report("888", REQUEST)
    assert info.value.category == "retention"


def test_a_created_report_without_id_is_malformed(kit):
    kit.fake.on("POST", REPORTS, reply(200, {"status": "PENDING"}))
    with pytest.raises(MalformedResponse):
        kit.client.create_report("888", REQUEST)


# -- poll -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "status", "running"),
    [
        ("report_pending", "PENDING", True),
        ("report_completed", "COMPLETED", False),
        ("report_failed", "FAILED", False),
    ],
)
def test_get_report(kit, name, status, running):
    kit.fake.on("GET", f"{REPORTS}/{REPORT_ID}", reply(200, fixture(name)))
    got = kit.client.get_report("888", REPORT_ID)
    assert (got.report_id, got.status, got.is_running) == (REPORT_ID, status, running)
    (request,) = kit.fake.api_calls()
    assert request.headers["amazon-advertising-api-scope"] == "888"


def test_completed_report_has_its_url_and_expiry(kit):
    kit.fake.on("GET", f"{REPORTS}/{REPORT_ID}", reply(200, fixture("report_completed")))
    got = kit.client.get_report("888", REPORT_ID)
    assert got.url == SIGNED
    assert (
        got.url_expires_at is not None
        and got.url_expires_at.isoformat() == "2022-11-21T13:02:27.915577+00:00"
    )


def test_failed_report_reason(kit):
    kit.fake.on("GET", f"{REPORTS}/{REPORT_ID}", reply(200, fixture("report_failed")))
    assert kit.client.get_report("888", REPORT_ID).failure_reason == "Report generation failed"


def test_spurious_401s_while_polling_are_retried(kit):
    unauthorized = reply(401, fixture("reporting_unauthorized"))
    kit.fake.on(
        "GET",
        f"{REPORTS}/{REPORT_ID}",
        unauthorized,
        unauthorized,
        unauthorized,
        reply(200, fixture("report_pending")),
    )
    assert kit.client.get_report("888", REPORT_ID).status == "PENDING"
    assert len(kit.sleeps) == 1


def test_unknown_report_is_not_found(kit):
    kit.fake.on("GET", f"{REPORTS}/nope", reply(404, {"code": "404", "detail": "Report not found"}))
    with pytest.raises(NotFound):
        kit.client.get_report("888", "nope")


def test_delete_report(kit):
    kit.fake.on(
        "DELETE", f"{REPORTS}/{REPORT_ID}", reply(200, {"code": "200", "detail": "ok", "reportId": REPORT_ID})
    )
    kit.client.delete_report("888", REPORT_ID)
    assert kit.fake.api_calls()[0].method == "DELETE"


# -- download ---------------------------------------------------------------------------------------

ROWS = [
    {
        "date": "2026-03-01",
        "campaignId": 158410630682987,
        "impressions": 2216,
        "clicks": 13,
        "cost": 14.5,
        "sales7d": 99.99,
        "purchases7d": 2,
    },
    {
        "date": "2026-03-02",
        "campaignId": 158410630682988,
        "impressions": 0,
        "clicks": 0,
        "cost": 0,
        "sales7d": 0,
        "purchases7d": 0,
    },
]


def test_download_carries_no_auth_and_no_amazon_headers(kit):
    kit.fake.on("GET", DOWNLOAD, reply(200, gzip_json(ROWS)))
    rows = list(kit.client.iter_report_rows(SIGNED))
    assert len(rows) == 2
    (request,) = kit.fake.requests
    assert str(request.url) == SIGNED
    for header in ("authorization", "amazon-advertising-api-clientid", "amazon-advertising-api-scope"):
        assert header not in request.headers
    assert kit.fake.tokens_issued == 0


def test_downloaded_money_is_exact_and_rows_parse(kit):
    kit.fake.on("GET", DOWNLOAD, reply(200, gzip_json(ROWS)))
    rows = [parse_campaign_row(r) for r in kit.client.iter_report_rows(SIGNED)]
    assert rows[0].cost == Decimal("14.5")
    assert rows[0].sales == Decimal("99.99")
    assert rows[0].campaign_id == "158410630682987"


def test_download_served_with_content_encoding_gzip_is_also_read(kit):
    kit.fake.on(
        "GET",
        DOWNLOAD,
        lambda r: httpx.Response(200, content=gzip_json(ROWS), headers={"Content-Encoding": "gzip"}),
    )
    assert len(list(kit.client.iter_report_rows(SIGNED))) == 2


def test_expired_url_is_access_denied(kit):
    from tests.amazon.fakes import FIXTURES

    kit.fake.on("GET", DOWNLOAD, reply(403, (FIXTURES / "s3_expired.xml").read_text()))
    with pytest.raises(AccessDenied) as info:
        list(kit.client.iter_report_rows(SIGNED))
    assert "deadbeef" not in str(info.value)
    assert info.value.message == "Request has expired"


def test_download_server_errors_are_retried(kit):
    kit.fake.on("GET", DOWNLOAD, reply(503, "slow down"), reply(200, gzip_json(ROWS)))
    assert len(list(kit.client.iter_report_rows(SIGNED))) == 2
    assert kit.sleeps == [2.0]


def test_a_download_that_breaks_off_is_a_transport_error(kit):
    payload = gzip_json(ROWS * 2000)

    class Broken(httpx.SyncByteStream):
        def __iter__(self):
            yield payload[: len(payload) // 2]
            raise httpx.ReadError("connection reset")

    kit.fake.on("GET", DOWNLOAD, lambda r: httpx.Response(200, stream=Broken()))
    with pytest.raises(TransportError):
        list(kit.client.iter_report_rows(SIGNED))


def test_a_download_that_is_not_json_is_malformed(kit):
    kit.fake.on("GET", DOWNLOAD, reply(200, gzip.compress(b"<html>")))
    with pytest.raises(MalformedResponse):
        list(kit.client.iter_report_rows(SIGNED))


def test_an_empty_report_has_no_rows(kit):
    kit.fake.on("GET", DOWNLOAD, reply(200, gzip.compress(json.dumps([]).encode())))
    assert list(kit.client.iter_report_rows(SIGNED)) == []
