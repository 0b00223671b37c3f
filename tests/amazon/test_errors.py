"""Every Amazon error body shape becomes the right typed exception, and none of them leaks a secret."""

from __future__ import annotations

import httpx
import pytest

from bot.amazon import (
    AccessDenied,
    AmazonAdsError,
    AuthError,
    BadRequest,
    ClientConfigError,
    CodeRejected,
    DuplicateReport,
    GrantRevoked,
    InvalidArgument,
    NotFound,
    RateLimited,
    ReconnectRequired,
    ServerError,
    Unauthorized,
    UnsupportedMediaType,
    raise_for_response,
)
from bot.amazon.errors import parse_retry_after
from tests.amazon.fakes import FIXTURES, fixture

TOKEN_URL = "https://token.test/auth/o2/token"
API_URL = "https://ads.test/sp/campaigns/list"


def response(status, body=None, *, headers=None, request=None, text=None):
    request = request or httpx.Request("POST", API_URL, json={})
    if text is not None:
        return httpx.Response(status, text=text, headers=headers, request=request)
    return httpx.Response(status, json=body, headers=headers, request=request)


def token_request(grant_type):
    return httpx.Request(
        "POST",
        TOKEN_URL,
        data={
            "grant_type": grant_type,
            "refresh_token": "Atzr|very-secret",
            "code": "c0de",
            "client_id": "cid",
            "client_secret": "client-secret-value",
        },
    )


def raised(resp) -> AmazonAdsError:
    with pytest.raises(AmazonAdsError) as info:
        raise_for_response(resp)
    return info.value


@pytest.mark.parametrize("status", [200, 201, 202, 204, 207])
def test_success_does_not_raise(status):
    raise_for_response(response(status, {}))


@pytest.mark.parametrize(
    ("grant", "name", "status", "expected"),
    [
        ("refresh_token", "lwa_invalid_grant_refresh", 400, ReconnectRequired),
        ("authorization_code", "lwa_invalid_grant_code", 400, CodeRejected),
        ("refresh_token", "lwa_invalid_client", 401, ClientConfigError),
        ("refresh_token", "lwa_invalid_request", 400, AuthError),
        ("refresh_token", "lwa_unsupported_grant_type", 400, AuthError),
    ],
)
def test_lwa_errors(grant, name, status, expected):
    err = raised(response(status, fixture(name), request=token_request(grant)))
    assert type(err) is expected
    assert err.status == status
    assert err.code == fixture(name)["error"]
    assert err.message == fixture(name)["error_description"]


def test_grant_revoked_is_reconnect_required():
    assert GrantRevoked is ReconnectRequired
    assert issubclass(ReconnectRequired, AuthError)


def test_invalid_grant_without_a_readable_request_is_told_apart_by_its_text():
    code = httpx.Response(400, json=fixture("lwa_invalid_grant_code"))
    refresh = httpx.Response(400, json=fixture("lwa_invalid_grant_refresh"))
    assert type(raised(code)) is CodeRejected
    assert type(raised(refresh)) is ReconnectRequired


def test_lwa_request_id_is_kept():
    err = raised(response(401, fixture("lwa_invalid_client"), request=token_request("refresh_token")))
    assert err.request_id == "lwa-req-1"
    assert "lwa-req-1" in str(err)


@pytest.mark.parametrize(
    ("status", "name", "expected", "code"),
    [
        (400, "sp_invalid_argument", InvalidArgument, "INVALID_ARGUMENT"),
        (401, "sp_unauthorized", Unauthorized, "UNAUTHORIZED"),
        (403, "sp_access_denied", AccessDenied, "ACCESS_DENIED"),
        (415, "sp_unsupported_media_type", UnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE"),
        (429, "sp_throttled", RateLimited, "THROTTLED"),
        (500, "sp_internal_error", ServerError, "INTERNAL_ERROR"),
        (422, "reporting_invalid", InvalidArgument, "422"),
        (400, "legacy_agency", BadRequest, "400"),
        (401, "reporting_unauthorized", Unauthorized, None),
    ],
)
def test_api_error_shapes(status, name, expected, code):
    err = raised(response(status, fixture(name)))
    assert type(err) is expected
    assert err.status == status
    assert err.code == code
    assert err.message
    assert err.endpoint == "POST /sp/campaigns/list"


def test_sp_v3_errors_list_becomes_details():
    err = raised(response(400, fixture("sp_invalid_argument")))
    assert err.details == ("campaignIdFilter exceeds 100 items",)


def test_older_shape_keeps_details_text_and_request_id():
    err = raised(response(400, fixture("legacy_agency")))
    assert err.message == "Agency profiles are not supported for this operation"
    assert err.request_id == "req-legacy-9"


def test_scope_errors_are_categorised():
    err = raised(response(401, fixture("sp_unauthorized")))
    assert err.category == "scope_not_authorized"


def test_retention_error_is_a_categorised_bad_request():
    err = raised(response(400, fixture("reporting_retention")))
    assert type(err) is BadRequest
    assert err.category == "retention"
    assert "retention start date (2025-01-03)" in err.message


def test_duplicate_report_carries_the_existing_report_id():
    err = raised(response(425, fixture("reporting_duplicate")))
    assert isinstance(err, DuplicateReport)
    assert err.report_id == "3f1c2b9a-1111-4222-8333-444455556666"


def test_duplicate_report_without_an_id():
    err = raised(response(425, {"code": "425", "detail": "Too early"}))
    assert isinstance(err, DuplicateReport)
    assert err.report_id is None


def test_not_found():
    assert type(raised(response(404, {"code": "404", "detail": "Report not found"}))) is NotFound


@pytest.mark.parametrize(
    ("status", "expected"),
    [(502, ServerError), (503, ServerError), (504, ServerError), (406, BadRequest), (409, BadRequest)],
)
def test_plain_text_bodies_are_kept(status, expected):
    err = raised(response(status, text="<html>Bad Gateway</html>"))
    assert type(err) is expected
    assert "<html>Bad Gateway</html>" in err.message


def test_empty_body_falls_back_to_the_reason_phrase():
    err = raised(httpx.Response(503, request=httpx.Request("GET", API_URL)))
    assert err.message == "Service Unavailable"


def test_long_bodies_are_truncated():
    err = raised(response(500, text="x" * 5000))
    assert len(err.message) <= 500


def test_s3_xml_error_is_read():
    xml = (FIXTURES / "s3_expired.xml").read_text()
    err = raised(
        response(
            403, text=xml, request=httpx.Request("GET", "https://reports.test/r.json.gz?X-Amz-Signature=abc")
        )
    )
    assert type(err) is AccessDenied
    assert err.code == "AccessDenied"
    assert err.message == "Request has expired"
    assert err.request_id == "S3REQ1"
    assert err.endpoint == "GET /r.json.gz"


def test_request_id_from_headers():
    err = raised(response(500, fixture("sp_internal_error"), headers={"x-amzn-RequestId": "hdr-1"}))
    assert err.request_id == "hdr-1"


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Retry-After": "7"}, 7.0),
        ({"Retry-After": "0.5"}, 0.5),
        ({}, None),
        ({"Retry-After": "soon"}, None),
        ({"Retry-After": "Tue, 10 Mar 2026 09:00:30 GMT", "Date": "Tue, 10 Mar 2026 09:00:00 GMT"}, 30.0),
    ],
)
def test_rate_limited_reads_retry_after(headers, expected):
    err = raised(response(429, fixture("sp_throttled"), headers=headers))
    assert isinstance(err, RateLimited)
    assert err.retry_after == expected


def test_retry_after_http_date_without_a_date_header_is_unknown():
    assert parse_retry_after("Tue, 10 Mar 2026 09:00:30 GMT") is None


def test_no_secret_reaches_the_error_text():
    body = {"error": "invalid_grant", "error_description": "bad token Atzr|very-secret and client_secret=abc"}
    err = raised(response(400, body, request=token_request("refresh_token")))
    rendered = f"{err} {err!r} {err.message} {err.details}"
    assert "Atzr|very-secret" not in rendered
    assert "client-secret-value" not in rendered
    assert "client_secret=abc" not in rendered
    assert not hasattr(err, "response")


def test_presigned_signature_never_reaches_the_error_text():
    err = raised(response(500, text="failed for https://s3/x?X-Amz-Signature=abcdef&X-Amz-Credential=AKIA"))
    assert "abcdef" not in str(err)
    assert "AKIA" not in str(err)


def test_str_is_readable():
    err = raised(response(429, fixture("sp_throttled"), headers={"x-amz-request-id": "r-9"}))
    assert str(err) == "HTTP 429 THROTTLED: Too many requests (request id r-9) [POST /sp/campaigns/list]"
