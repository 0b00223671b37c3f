"""Fault injection, recording, large seeds and streamed downloads (reference §8.3)."""

from __future__ import annotations

import gzip
import json
import time
from datetime import date

import httpx
import pytest

from sandbox.amazon import AmazonSimulator, SimConfig
from sandbox.amazon.regions import MARKETPLACES

from .conftest import CLIENT_ID, CLIENT_SECRET, api_for, profile_id
from .test_reports import body, run


def test_429_with_and_without_retry_after(sim, na):
    pid = profile_id(sim, "US", "na")
    sim.faults.add(route="sp/keywords/list", kind="429", retry_after=7)
    throttled = na.list("keywords", pid)
    assert throttled.status_code == 429 and throttled.headers["retry-after"] == "7"
    assert throttled.json()["code"] == "THROTTLED"
    sim.faults.add(route="reports.create", kind="429-no-retry-after")
    bare = na.create_report(pid, body(date(2026, 3, 1), date(2026, 3, 2)))
    assert bare.status_code == 429 and "retry-after" not in bare.headers and bare.json()["code"] == "429"
    assert na.list("keywords", pid).status_code == 200  # times=1 by default


def test_accepted_429_then_retry_gets_425(sim, na):
    pid = profile_id(sim, "US", "na")
    sim.faults.add(route="reports.create", kind="accepted-429")
    payload = body(date(2026, 3, 1), date(2026, 3, 2))
    assert na.create_report(pid, payload).status_code == 429
    retry = na.create_report(pid, payload)
    assert retry.status_code == 425 and retry.json()["detail"].startswith("The Request is a duplicate of : ")


def test_fault_scoped_to_one_profile_and_repeating(sim, na):
    us, ca = profile_id(sim, "US", "na"), profile_id(sim, "CA", "na")
    sim.faults.add(route="*", kind="500", profile_id=us, times=None)
    assert na.list("campaigns", ca).status_code == 200
    for _ in range(3):
        response = na.list("campaigns", us)
        assert response.status_code == 500 and response.json()["code"] == "INTERNAL_ERROR"
    sim.faults.clear()
    assert na.list("campaigns", us).status_code == 200


@pytest.mark.parametrize("kind,status", [("500", 500), ("503", 503), ("401", 401)])
def test_token_faults_use_lwa_shape(sim, http, kind, status):
    sim.faults.add(route="token", kind=kind)
    response = http.post(sim.region_urls("eu")["token_url"], data={"grant_type": "refresh_token"})
    assert response.status_code == status and set(response.json()) == {"error", "error_description"}


def test_spurious_401_while_polling_and_download_fault(sim, http, na):
    pid = profile_id(sim, "US", "na")
    rid = na.create_report(pid, body(date(2026, 3, 1), date(2026, 3, 2))).json()["reportId"]
    sim.faults.add(route="reports.get", kind="401")
    assert na.get_report(pid, rid).json() == {"message": "Unauthorized"}
    url = na.get_report(pid, rid).json()["url"]
    sim.faults.add(route="download", kind="503")
    assert http.get(url).status_code == 503
    assert http.get(url).status_code == 200


def test_drop_and_timeout(sim, na):
    pid = profile_id(sim, "US", "na")
    sim.faults.add(route="profiles", kind="drop")
    with pytest.raises(httpx.RemoteProtocolError):
        na.profiles()
    sim.faults.add(route="sp/campaigns/list", kind="timeout", delay=0.3)
    with pytest.raises(httpx.ReadTimeout):
        na.http.post(
            f"{na.base}/sp/campaigns/list",
            headers=na.headers(pid, "application/vnd.spCampaign.v3+json"),
            json={},
            timeout=0.05,
        )
    assert na.profiles().status_code == 200


def test_requests_are_recorded(sim, http):
    sim.clear_requests()
    api = api_for(http, sim, "eu")
    api.profiles(profileTypeFilter="seller,vendor")
    hosts = [(r.method, r.host, r.path) for r in sim.requests]
    assert hosts[-2:] == [
        ("POST", "api.amazon.co.uk", "/auth/o2/token"),
        ("GET", "advertising-api-eu.amazon.com", "/v2/profiles"),
    ]
    token_req, profiles_req = sim.requests[-2:]
    assert token_req.form()["grant_type"] == "authorization_code"
    assert profiles_req.query == {"profileTypeFilter": "seller,vendor"}
    assert profiles_req.headers["amazon-advertising-api-clientid"] == CLIENT_ID
    assert "amazon-advertising-api-scope" not in profiles_req.headers


def test_large_lazy_seed_and_paging_is_cheap(sim, http):
    began = time.perf_counter()
    [big] = sim.seed_account(
        user_id="big",
        region="eu",
        marketplaces=["DE"],
        campaigns_per_profile=200,
        ad_groups_per_campaign=10,
        keywords_per_ad_group=100,
        days=30,
    )
    agency = sim.seed_account(user_id="agency", region="na", marketplaces=["US"], accounts=300)
    everywhere = sim.seed_account(
        user_id="pan", region="eu", marketplaces=[c for c, m in MARKETPLACES.items() if m.region == "eu"]
    )
    assert time.perf_counter() - began < 1.0
    assert len(agency) == 300 and len(everywhere) == 15
    api = api_for(http, sim, "eu", user_id="big")
    last_group = str(3 * 10**14 + 0)  # not ours: filters on unknown ids just match nothing
    page = api.list("keywords", big["profileId"], {"maxResults": 1000}).json()
    assert page["totalResults"] == 200_000 and len(page["keywords"]) == 1000 and page["nextToken"]
    empty = api.list("keywords", big["profileId"], {"adGroupIdFilter": {"include": [last_group]}}).json()
    assert empty == {"totalResults": 0, "keywords": []}
    na_agency = api_for(http, sim, "na", user_id="agency")
    assert len(na_agency.profiles().json()) == 300


def test_download_is_streamed_in_chunks(http):
    config = SimConfig(
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        redirect_uris=(),
        exact_file_size=False,
        allow_loopback_redirects=True,
    )
    with AmazonSimulator(config) as sim:
        sim.add_user("demo", "Demo")
        [p] = sim.seed_account(
            user_id="demo",
            region="na",
            marketplaces=["US"],
            campaigns_per_profile=40,
            ad_groups_per_campaign=5,
            keywords_per_ad_group=20,
            days=40,
        )
        api = api_for(http, sim, "na")
        today = sim.now().date()
        start = date.fromordinal(today.toordinal() - 30)
        payload = body(
            start,
            today,
            report_type="spTargeting",
            group="targeting",
            columns=["date", "keywordId", "impressions", "clicks", "cost"],
        )
        report = run(api, p["profileId"], payload)
        with http.stream("GET", report["url"]) as response:
            assert response.headers.get("transfer-encoding") == "chunked"
            assert "content-length" not in response.headers
            pieces = list(response.iter_raw())
        rows = json.loads(gzip.decompress(b"".join(pieces)))
        columns = ("date", "keywordId", "impressions", "clicks", "cost")
        assert rows == sim.truth.keyword_metrics(p["profileId"], start, today, columns=columns)
        assert len(rows) > 3_000 and len(pieces) > 1


def test_serve_forever_is_importable_and_context_manager_stops():
    from sandbox.amazon import serve_forever

    assert callable(serve_forever)
    sim = AmazonSimulator(SimConfig())
    with sim:
        url = sim.base_url
        assert url.startswith("http://127.0.0.1:")
    with pytest.raises(httpx.ConnectError):
        httpx.get(url + "/api.amazon.com/auth/o2/token", timeout=1.0)


def test_unknown_host_and_route(sim, http):
    assert http.get(f"{sim.base_url}/example.com/x").status_code == 404
    assert http.get(f"{sim.region_urls('na')['api_url']}/nope").status_code == 404
