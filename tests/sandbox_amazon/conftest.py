"""Fixtures for the Amazon simulator tests: a running simulator with the demo seeded, and an httpx client
that goes through consent and the token endpoint like Hilal will."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest

from sandbox.amazon import AmazonSimulator, SimConfig

CLIENT_ID = "amzn1.application-oa2-client.test"
CLIENT_SECRET = "sim-secret"
REDIRECT = "http://127.0.0.1:3000/amazon/oauth/callback"
SCOPE = "advertising::campaign_management"
START = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
MEDIA = {
    "campaigns": "application/vnd.spCampaign.v3+json",
    "adGroups": "application/vnd.spAdGroup.v3+json",
    "keywords": "application/vnd.spKeyword.v3+json",
}
REPORT_MEDIA = "application/vnd.createasyncreportrequest.v3+json"


class ManualClock:
    """A clock tests move by hand (the simulator adds its own ``advance`` offset on top)."""

    def __init__(self, start: datetime = START) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def sim(clock: ManualClock) -> Iterator[AmazonSimulator]:
    config = SimConfig(
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        redirect_uris=(REDIRECT,),
        access_token_ttl=3600,
        report_delay_seconds=0.0,
        seed=7,
        clock=clock,
        fault_timeout_seconds=0.3,
    )
    with AmazonSimulator(config) as simulator:
        simulator.seed_demo()
        yield simulator


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    # One client per test: a pooled keep-alive connection would outlive the test's simulator and, if the
    # next simulator got the same port, be answered by the old one's still-running handler thread.
    with httpx.Client(timeout=5.0) as client:
        yield client


def consent_url(sim: AmazonSimulator, region: str = "na", **overrides: str) -> str:
    params = {
        "client_id": CLIENT_ID,
        "scope": SCOPE,
        "response_type": "code",
        "redirect_uri": REDIRECT,
        "state": "st-123",
    }
    params.update(overrides)
    return f"{sim.region_urls(region)['auth_url']}?{urlencode(params)}"


def query_of(location: str) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlsplit(location).query).items()}


def exchange(
    http: httpx.Client, sim: AmazonSimulator, code: str, region: str = "na", **extra: str
) -> httpx.Response:
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        **extra,
    }
    return http.post(sim.region_urls(region)["token_url"], data=data)


def connect(
    http: httpx.Client, sim: AmazonSimulator, region: str = "na", user_id: str = "demo"
) -> dict[str, Any]:
    """Consent + code exchange; returns the token response body."""
    location = sim.approve(consent_url(sim, region), user_id=user_id)
    response = exchange(http, sim, query_of(location)["code"], region)
    assert response.status_code == 200, response.text
    return dict(response.json())


@dataclass
class Api:
    """Calls one region's API host with a token."""

    http: httpx.Client
    base: str
    token: str

    def headers(self, profile_id: int | None = None, media: str | None = None) -> dict[str, str]:
        h = {"Amazon-Advertising-API-ClientId": CLIENT_ID, "Authorization": f"Bearer {self.token}"}
        if profile_id is not None:
            h["Amazon-Advertising-API-Scope"] = str(profile_id)
        if media is not None:
            h["Content-Type"] = media
            h["Accept"] = media
        return h

    def profiles(self, **params: str) -> httpx.Response:
        return self.http.get(f"{self.base}/v2/profiles", headers=self.headers(), params=params)

    def list(self, kind: str, profile_id: int, body: dict[str, Any] | None = None) -> httpx.Response:
        return self.http.post(
            f"{self.base}/sp/{kind}/list", headers=self.headers(profile_id, MEDIA[kind]), json=body or {}
        )

    def create_report(self, profile_id: int, body: dict[str, Any]) -> httpx.Response:
        return self.http.post(
            f"{self.base}/reporting/reports", headers=self.headers(profile_id, REPORT_MEDIA), json=body
        )

    def get_report(self, profile_id: int, report_id: str) -> httpx.Response:
        return self.http.get(f"{self.base}/reporting/reports/{report_id}", headers=self.headers(profile_id))


def api_for(http: httpx.Client, sim: AmazonSimulator, region: str = "na", user_id: str = "demo") -> Api:
    tokens = connect(http, sim, region, user_id)
    return Api(http, sim.region_urls(region)["api_url"], tokens["access_token"])


@pytest.fixture
def na(http: httpx.Client, sim: AmazonSimulator) -> Api:
    return api_for(http, sim, "na")


def profile_id(sim: AmazonSimulator, country: str, region: str, profile_type: str = "seller") -> int:
    for p in sim.truth.profiles("demo", region, access_level="view"):
        if p["countryCode"] == country and p["accountInfo"]["type"] == profile_type:
            return int(p["profileId"])
    raise AssertionError(f"no demo profile {country} {profile_type}")
