"""Login with Amazon: PKCE, consent URL, code exchange, refresh, best-effort revoke."""

from __future__ import annotations

import base64
import hashlib
import logging
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from bot.amazon import (
    SCOPE,
    ClientConfigError,
    CodeRejected,
    LwaClient,
    ReconnectRequired,
    RetryPolicy,
    ServerError,
    TransportError,
    consent_url,
    make_pkce,
)
from tests.amazon.fakes import (
    CLIENT_ID,
    CLIENT_SECRET,
    ENDPOINTS,
    REFRESH_TOKEN,
    START,
    fixture,
    form,
    reply,
)

REVOKE_URL = "https://token.test/auth/o2/revoke"


def test_pkce_is_s256():
    verifier, challenge = make_pkce()
    assert 43 <= len(verifier) <= 128
    expected = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    assert challenge == expected
    assert make_pkce()[0] != verifier


def test_consent_url_carries_everything_lwa_needs():
    url = consent_url(
        ENDPOINTS,
        client_id=CLIENT_ID,
        redirect_uri="https://hilal.test/amazon/oauth/callback",
        state="st-1",
        code_challenge="ch-1",
    )
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == ENDPOINTS.auth_url
    assert {k: v[0] for k, v in parse_qs(parts.query).items()} == {
        "client_id": CLIENT_ID,
        "scope": "advertising::campaign_management",
        "response_type": "code",
        "redirect_uri": "https://hilal.test/amazon/oauth/callback",
        "state": "st-1",
        "code_challenge": "ch-1",
        "code_challenge_method": "S256",
    }
    assert SCOPE == "advertising::campaign_management"


def lwa_over(handler, **kwargs):
    http = httpx.Client(transport=httpx.MockTransport(handler))
    return LwaClient(http, client_id=CLIENT_ID, client_secret=CLIENT_SECRET, clock=lambda: START, **kwargs)


def test_exchange_code_posts_the_form_and_returns_tokens():
    seen = []

    def handler(request):
        seen.append(request)
        return reply(
            200,
            {
                "access_token": "Atza|a1",
                "refresh_token": "Atzr|r1",
                "token_type": "bearer",
                "expires_in": 3600,
            },
        )

    tokens = lwa_over(handler).exchange_code(
        ENDPOINTS, code="c0de", redirect_uri="https://cb", code_verifier="v" * 50
    )
    assert tokens.access_token.get_secret_value() == "Atza|a1"
    assert tokens.refresh_token.get_secret_value() == "Atzr|r1"
    assert tokens.expires_at == START + timedelta(seconds=3600)
    (request,) = seen
    assert str(request.url) == ENDPOINTS.token_url
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert "authorization" not in request.headers
    assert form(request) == {
        "grant_type": "authorization_code",
        "code": "c0de",
        "redirect_uri": "https://cb",
        "code_verifier": "v" * 50,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
    }


def test_exchange_of_an_expired_code_is_code_rejected_and_never_retried():
    calls = []

    def handler(request):
        calls.append(request)
        return reply(400, fixture("lwa_invalid_grant_code"))

    with pytest.raises(CodeRejected):
        lwa_over(handler, retry=RetryPolicy(sleep=lambda s: None)).exchange_code(
            ENDPOINTS, code="old", redirect_uri="https://cb", code_verifier="v"
        )
    assert len(calls) == 1


def test_bad_client_credentials_are_an_operator_problem():
    with pytest.raises(ClientConfigError):
        lwa_over(lambda r: reply(401, fixture("lwa_invalid_client"))).refresh(
            ENDPOINTS, refresh_token=REFRESH_TOKEN
        )


def test_refresh_keeps_the_refresh_token_when_lwa_omits_or_echoes_it():
    seen = []

    def handler(request):
        seen.append(form(request))
        return reply(200, {"access_token": "Atza|a2", "expires_in": 3600})

    tokens = lwa_over(handler).refresh(ENDPOINTS, refresh_token=REFRESH_TOKEN)
    assert tokens.refresh_token.get_secret_value() == REFRESH_TOKEN
    assert seen == [
        {
            "grant_type": "refresh_token",
            "refresh_token": REFRESH_TOKEN,
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
        }
    ]


def test_refresh_adopts_a_different_refresh_token():
    lwa = lwa_over(
        lambda r: reply(200, {"access_token": "Atza|a3", "refresh_token": "Atzr|rotated", "expires_in": 60})
    )
    tokens = lwa.refresh(ENDPOINTS, refresh_token=REFRESH_TOKEN)
    assert tokens.refresh_token.get_secret_value() == "Atzr|rotated"
    assert tokens.expires_at == START + timedelta(seconds=60)


def test_revoked_grant_is_reconnect_required():
    with pytest.raises(ReconnectRequired) as info:
        lwa_over(lambda r: reply(400, fixture("lwa_invalid_grant_refresh"))).refresh(
            ENDPOINTS, refresh_token=REFRESH_TOKEN
        )
    assert REFRESH_TOKEN not in str(info.value)


def test_refresh_retries_a_flaky_token_endpoint_when_given_a_policy():
    answers = [reply(503, "busy"), reply(200, {"access_token": "Atza|ok", "expires_in": 3600})]
    sleeps: list[float] = []
    lwa = lwa_over(lambda r: answers.pop(0), retry=RetryPolicy(sleep=sleeps.append, random=lambda: 0.0))
    assert lwa.refresh(ENDPOINTS, refresh_token=REFRESH_TOKEN).access_token.get_secret_value() == "Atza|ok"
    assert sleeps == [2.0]


def test_refresh_without_a_policy_surfaces_server_errors():
    with pytest.raises(ServerError):
        lwa_over(lambda r: reply(500, {"error": "ServerError"})).refresh(
            ENDPOINTS, refresh_token=REFRESH_TOKEN
        )


def test_token_answer_without_access_token_is_malformed():
    from bot.amazon import MalformedResponse

    with pytest.raises(MalformedResponse):
        lwa_over(lambda r: reply(200, {"token_type": "bearer"})).refresh(
            ENDPOINTS, refresh_token=REFRESH_TOKEN
        )
    with pytest.raises(MalformedResponse):
        lwa_over(lambda r: reply(200, "not json")).refresh(ENDPOINTS, refresh_token=REFRESH_TOKEN)


def test_connection_failure_is_a_transport_error():
    def handler(request):
        raise httpx.ConnectError("refused", request=request)

    with pytest.raises(TransportError):
        lwa_over(handler).refresh(ENDPOINTS, refresh_token=REFRESH_TOKEN)


def test_revoke_posts_the_token_and_reports_success():
    seen = []

    def handler(request):
        seen.append(request)
        return reply(200, {})

    assert lwa_over(handler).revoke(REVOKE_URL, refresh_token=REFRESH_TOKEN) is True
    assert str(seen[0].url) == REVOKE_URL
    assert form(seen[0])["token"] == REFRESH_TOKEN


def _raise_connect(request):
    raise httpx.ConnectError("refused", request=request)


@pytest.mark.parametrize(
    "handler",
    [
        lambda r: reply(500, {"error": "ServerError"}),
        lambda r: reply(404, "no such endpoint"),
        lambda r: reply(400, fixture("lwa_invalid_grant_refresh")),
        _raise_connect,
    ],
)
def test_revoke_swallows_every_failure_and_logs_without_the_token(handler, caplog):
    caplog.set_level(logging.DEBUG)
    assert lwa_over(handler).revoke(REVOKE_URL, refresh_token=REFRESH_TOKEN) is False
    assert "amazon.lwa.revoke_failed" in caplog.text
    for record in caplog.records:
        assert REFRESH_TOKEN not in record.getMessage()
        assert REFRESH_TOKEN not in str(record.__dict__)
        assert CLIENT_SECRET not in str(record.__dict__)


def test_revoke_with_a_broken_url_is_still_swallowed():
    assert lwa_over(lambda r: reply(200, {})).revoke("not a url", refresh_token=REFRESH_TOKEN) is False


def test_repr_hides_the_secret():
    assert CLIENT_SECRET not in repr(lwa_over(lambda r: reply(200, {})))
