"""Login with Amazon: consent page, code exchange, refresh, revoke (reference §1, §8.2)."""

from __future__ import annotations

import base64
import hashlib

import httpx
import pytest

from sandbox.amazon import AmazonSimulator, ConsentError

from .conftest import (
    CLIENT_ID,
    CLIENT_SECRET,
    REDIRECT,
    SCOPE,
    api_for,
    connect,
    consent_url,
    exchange,
    query_of,
)

REFRESH_TEXT = (
    "The request has an invalid grant parameter : refresh_token. "
    "User may have revoked or didn't grant the permission."
)
CODE_ERROR = {
    "error": "invalid_grant",
    "error_description": "The request has an invalid grant parameter : code",
}


def _code(sim: AmazonSimulator, region: str = "na", **params: str) -> str:
    return query_of(sim.approve(consent_url(sim, region, **params)))["code"]


@pytest.mark.parametrize(
    "region,host",
    [("na", "www.amazon.com"), ("eu", "eu.account.amazon.com"), ("fe", "apac.account.amazon.com")],
)
def test_consent_page_shows_account_region_and_buttons(sim, http, region, host):
    page = http.get(consent_url(sim, region))
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "Demo Seller" in page.text and host in page.text
    assert "Allow" in page.text and "Cancel" in page.text
    assert f"action='/{host}/ap/oa/decision'" in page.text


def test_allow_redirects_with_code_scope_and_state(sim):
    location = sim.approve(consent_url(sim, "eu"))
    assert location.startswith(REDIRECT + "?")
    q = query_of(location)
    assert q["scope"] == SCOPE and q["state"] == "st-123" and len(q["code"]) >= 16


def test_cancel_redirects_with_access_denied(sim):
    q = query_of(sim.deny(consent_url(sim)))
    assert q["error"] == "access_denied" and q["state"] == "st-123" and "code" not in q


def test_unknown_scope_redirects_with_invalid_scope(sim):
    q = query_of(sim.approve(consent_url(sim, "fe", scope="advertising::nonsense")))
    assert q == {
        "error": "invalid_scope",
        "error_description": "An unknown scope was requested",
        "state": "st-123",
    }


@pytest.mark.parametrize(
    "override",
    [{"client_id": "amzn1.application-oa2-client.other"}, {"redirect_uri": "https://evil.example/cb"}],
)
def test_bad_client_or_redirect_shows_error_page_without_redirect(sim, http, override):
    page = http.get(consent_url(sim, **override))
    assert page.status_code == 400 and "location" not in page.headers
    assert page.headers["content-type"].startswith("text/html")
    with pytest.raises(ConsentError):
        sim.approve(consent_url(sim, **override))


def test_redirect_uri_added_later_is_accepted(sim):
    sim.allow_redirect_uri("http://127.0.0.1:9999/cb")
    assert sim.approve(consent_url(sim, redirect_uri="http://127.0.0.1:9999/cb")).startswith(
        "http://127.0.0.1:9999/cb?"
    )


def test_user_picker_when_several_users(sim, http):
    sim.add_user("other", "Other Person")
    page = http.get(consent_url(sim))
    assert "<select name='user_id'>" in page.text and "Other Person" in page.text
    tokens = connect(http, sim, "na", user_id="other")
    api = httpx.Client(timeout=5.0)
    resp = api.get(
        f"{sim.region_urls('na')['api_url']}/v2/profiles",
        headers={
            "Amazon-Advertising-API-ClientId": CLIENT_ID,
            "Authorization": f"Bearer {tokens['access_token']}",
        },
    )
    assert resp.json() == []  # a user with nothing in the region
    api.close()


def test_code_exchange_returns_lwa_token_shape(sim, http):
    body = exchange(http, sim, _code(sim)).json()
    assert set(body) == {"access_token", "refresh_token", "token_type", "expires_in"}
    assert body["access_token"].startswith("Atza|") and body["refresh_token"].startswith("Atzr|")
    assert len(body["access_token"]) >= 350 and len(body["access_token"]) <= 2048
    assert body["token_type"] == "bearer" and body["expires_in"] == 3600


def test_code_is_single_use(sim, http):
    code = _code(sim)
    assert exchange(http, sim, code).status_code == 200
    again = exchange(http, sim, code)
    assert again.status_code == 400 and again.json() == CODE_ERROR


def test_code_expires_after_five_minutes(sim, http):
    code = _code(sim)
    sim.advance(301)
    response = exchange(http, sim, code)
    assert response.status_code == 400 and response.json() == CODE_ERROR


def test_code_works_at_any_token_host(sim, http):
    assert exchange(http, sim, _code(sim, "fe"), region="eu").status_code == 200


def test_redirect_uri_must_match(sim, http):
    sim.allow_redirect_uri("http://127.0.0.1:9999/cb")
    code = _code(sim, redirect_uri="http://127.0.0.1:9999/cb")
    assert exchange(http, sim, code).json() == CODE_ERROR  # exchange sends REDIRECT


def test_pkce_s256_and_plain(sim, http):
    verifier = "v" * 50
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    code = _code(sim, code_challenge=challenge, code_challenge_method="S256")
    assert exchange(http, sim, code, code_verifier="wrong" * 10).status_code == 400
    assert exchange(http, sim, code, code_verifier=verifier).status_code == 400  # a failed try burns the code
    code = _code(sim, code_challenge=challenge, code_challenge_method="S256")
    assert exchange(http, sim, code, code_verifier=verifier).status_code == 200
    code = _code(sim, code_challenge="plain-secret-value-1234567890123456789012345")
    assert exchange(http, sim, code).json() == CODE_ERROR  # verifier missing
    code = _code(sim, code_challenge="plain-secret-value-1234567890123456789012345")
    assert (
        exchange(http, sim, code, code_verifier="plain-secret-value-1234567890123456789012345").status_code
        == 200
    )


def test_refresh_returns_same_refresh_token_and_new_access_token(sim, http):
    tokens = connect(http, sim)
    data = {
        "grant_type": "refresh_token",
        "refresh_token": tokens["refresh_token"],
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
    }
    body = http.post(sim.region_urls("fe")["token_url"], data=data).json()
    assert body["refresh_token"] == tokens["refresh_token"]
    assert body["access_token"] != tokens["access_token"] and body["access_token"].startswith("Atza|")


@pytest.mark.parametrize(
    "data,status,expected",
    [
        (
            {"grant_type": "refresh_token", "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET},
            400,
            {
                "error": "invalid_request",
                "error_description": "The request is missing a required parameter : refresh_token",
            },
        ),
        (
            {"grant_type": "password", "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET},
            400,
            {
                "error": "unsupported_grant_type",
                "error_description": "The authorization grant type is not supported "
                "by the authorization server",
            },
        ),
        (
            {
                "grant_type": "refresh_token",
                "refresh_token": "Atzr|x",
                "client_id": CLIENT_ID,
                "client_secret": "wrong",
            },
            401,
            {"error": "invalid_client", "error_description": "Client authentication failed"},
        ),
        (
            {
                "grant_type": "refresh_token",
                "refresh_token": "Atzr|unknown",
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
            },
            400,
            {"error": "invalid_grant", "error_description": REFRESH_TEXT},
        ),
    ],
)
def test_token_errors_match_reference_table(sim, http, data, status, expected):
    response = http.post(sim.region_urls("na")["token_url"], data=data)
    assert response.status_code == status and response.json() == expected


def test_token_endpoint_refuses_json_bodies(sim, http):
    response = http.post(
        sim.region_urls("na")["token_url"],
        json={
            "grant_type": "refresh_token",
            "refresh_token": "x",
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
        },
    )
    assert response.status_code == 400 and response.json()["error"] == "invalid_request"


def test_access_token_expires_and_removed_app_kills_refresh(sim, http):
    api = api_for(http, sim, "na")
    assert api.profiles().status_code == 200
    sim.advance(3601)
    assert api.profiles().status_code == 401
    tokens = connect(http, sim)
    assert sim.revoke_grant(user_id="demo") >= 1
    data = {
        "grant_type": "refresh_token",
        "refresh_token": tokens["refresh_token"],
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
    }
    response = http.post(sim.region_urls("na")["token_url"], data=data)
    assert response.status_code == 400 and response.json()["error_description"] == REFRESH_TEXT


def test_revoke_endpoint_revokes_refresh_token(sim, http):
    tokens = connect(http, sim)
    assert (
        http.post(
            sim.revoke_url,
            data={"token": tokens["refresh_token"], "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET},
        ).status_code
        == 200
    )
    data = {
        "grant_type": "refresh_token",
        "refresh_token": tokens["refresh_token"],
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
    }
    assert http.post(sim.region_urls("na")["token_url"], data=data).json()["error"] == "invalid_grant"
