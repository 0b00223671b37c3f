"""Slice tests: the real client against the running Amazon simulator (`sandbox.amazon`) on loopback.

Everything goes over real HTTP on 127.0.0.1 (port 0): consent, code exchange, refresh, every list
endpoint, the report lifecycle and download, and every fault the simulator can inject. Waits between
retries go to a recorder, never to `time.sleep`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from bot.amazon import (
    RETENTION_DAYS,
    AccessDenied,
    AdsClient,
    BadRequest,
    CodeRejected,
    LwaAuth,
    LwaClient,
    ReconnectRequired,
    RegionEndpoints,
    RetryPolicy,
    ServerError,
    TransportError,
    Unauthorized,
    consent_url,
    daily_campaign_report,
    daily_keyword_report,
    endpoints_for,
    make_pkce,
    parse_campaign_row,
    parse_keyword_row,
    report_windows,
)
from bot.amazon.models import Campaign
from sandbox.amazon import AmazonSimulator, SimConfig

CLIENT_ID = "amzn1.application-oa2-client.slice"
CLIENT_SECRET = "slice-secret"
REDIRECT = "https://hilal.test/amazon/oauth/callback"
USER = "u1"


@dataclass
class Slice:
    sim: AmazonSimulator
    endpoints: RegionEndpoints
    http: httpx.Client
    lwa: LwaClient
    refresh_token: str
    sleeps: list[float]
    client: AdsClient
    pid: str

    def new_client(self, *, refresh_token: str | None = None, **kwargs: Any) -> AdsClient:
        auth = LwaAuth(self.lwa, endpoints=self.endpoints, refresh_token=refresh_token or self.refresh_token)
        retry = kwargs.pop("retry", None) or RetryPolicy(sleep=self.sleeps.append, random=lambda: 0.0)
        return AdsClient(
            self.http, endpoints=self.endpoints, client_id=CLIENT_ID, auth=auth, retry=retry, **kwargs
        )

    def requests(self, path: str, method: str | None = None) -> list[Any]:
        return [r for r in self.sim.requests if r.path == path and (method is None or r.method == method)]

    def connect(self, user: str) -> str:
        self.sim.add_user(user)
        return connect(self.sim, self.endpoints, self.lwa, user=user)


def connect(sim: AmazonSimulator, endpoints: RegionEndpoints, lwa: LwaClient, *, user: str = USER) -> str:
    """Consent → redirect with code → code exchange; returns the refresh token."""
    verifier, challenge = make_pkce()
    url = consent_url(
        endpoints, client_id=CLIENT_ID, redirect_uri=REDIRECT, state="st-1", code_challenge=challenge
    )
    query = parse_qs(urlsplit(sim.approve(url, user_id=user)).query)
    assert query["state"] == ["st-1"]
    tokens = lwa.exchange_code(
        endpoints, code=query["code"][0], redirect_uri=REDIRECT, code_verifier=verifier
    )
    return tokens.refresh_token.get_secret_value()


@dataclass
class Shared:
    sim: AmazonSimulator
    endpoints: RegionEndpoints
    http: httpx.Client
    lwa: LwaClient
    refresh_token: str


@pytest.fixture(scope="module")
def shared() -> Iterator[Shared]:
    """One simulator and one grant for the module (starting and stopping a server per test is slow)."""
    sim = AmazonSimulator(
        SimConfig(
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            redirect_uris=(REDIRECT,),
            seed=7,
            fault_timeout_seconds=0.3,
        )
    )
    sim.start(port=0)
    try:
        sim.seed_account(
            user_id=USER,
            region="eu",
            marketplaces=["SE"],
            profile_type="vendor",
            access="view",
            campaigns_per_profile=3,
        )
        sim.seed_account(
            user_id=USER, region="eu", marketplaces=["FR"], profile_type="agency", campaigns_per_profile=0
        )
        sim.seed_account(user_id=USER, region="na", marketplaces=["US"], campaigns_per_profile=2)
        endpoints = endpoints_for("eu", sim.region_urls("eu"))
        with httpx.Client(timeout=10.0) as http:
            lwa = LwaClient(http, client_id=CLIENT_ID, client_secret=CLIENT_SECRET, clock=sim.now)
            yield Shared(sim, endpoints, http, lwa, connect(sim, endpoints, lwa))
    finally:
        sim.stop()


@pytest.fixture
def world(shared: Shared) -> Slice:
    """A fresh EU seller profile (45 campaigns, 3 ad groups each, 4 keywords each), no faults, no requests."""
    sim = shared.sim
    sim.faults.clear()
    sim.set_report_delay(0)
    (profile,) = sim.seed_account(
        user_id=USER,
        region="eu",
        marketplaces=["DE"],
        campaigns_per_profile=45,
        ad_groups_per_campaign=3,
        keywords_per_ad_group=4,
        days=120,
    )
    sim.clear_requests()
    built = Slice(
        sim,
        shared.endpoints,
        shared.http,
        shared.lwa,
        shared.refresh_token,
        [],
        None,  # type: ignore[arg-type]
        str(profile["profileId"]),
    )
    built.client = built.new_client()
    return built


def flat(pages):
    return [item for page in pages for item in page]


# -- LWA ----------------------------------------------------------------------------------------------


def test_a_code_works_once(world):
    verifier, challenge = make_pkce()
    url = consent_url(
        world.endpoints, client_id=CLIENT_ID, redirect_uri=REDIRECT, state="s", code_challenge=challenge
    )
    code = parse_qs(urlsplit(world.sim.approve(url, user_id=USER)).query)["code"][0]
    world.lwa.exchange_code(world.endpoints, code=code, redirect_uri=REDIRECT, code_verifier=verifier)
    with pytest.raises(CodeRejected):
        world.lwa.exchange_code(world.endpoints, code=code, redirect_uri=REDIRECT, code_verifier=verifier)


def test_a_wrong_pkce_verifier_is_code_rejected(world):
    _, challenge = make_pkce()
    url = consent_url(
        world.endpoints, client_id=CLIENT_ID, redirect_uri=REDIRECT, state="s", code_challenge=challenge
    )
    code = parse_qs(urlsplit(world.sim.approve(url, user_id=USER)).query)["code"][0]
    with pytest.raises(CodeRejected):
        world.lwa.exchange_code(
            world.endpoints, code=code, redirect_uri=REDIRECT, code_verifier=make_pkce()[0]
        )


def test_an_expired_code_is_code_rejected(world):
    verifier, challenge = make_pkce()
    url = consent_url(
        world.endpoints, client_id=CLIENT_ID, redirect_uri=REDIRECT, state="s", code_challenge=challenge
    )
    code = parse_qs(urlsplit(world.sim.approve(url, user_id=USER)).query)["code"][0]
    world.sim.advance(301)
    with pytest.raises(CodeRejected):
        world.lwa.exchange_code(world.endpoints, code=code, redirect_uri=REDIRECT, code_verifier=verifier)


def test_refresh_keeps_the_same_refresh_token(world):
    tokens = world.lwa.refresh(world.endpoints, refresh_token=world.refresh_token)
    assert tokens.refresh_token.get_secret_value() == world.refresh_token
    assert tokens.access_token.get_secret_value().startswith("Atza|")


def test_removing_the_app_at_amazon_means_reconnect(world):
    client = world.new_client(refresh_token=world.connect("leaver"))
    client.list_profiles()
    assert world.sim.revoke_grant(user_id="leaver") == 1
    world.sim.advance(3600)  # the cached access token expires; the refresh now fails
    with pytest.raises(ReconnectRequired):
        client.list_profiles()


def test_best_effort_revoke_kills_the_grant(world):
    refresh_token = world.connect("disconnecter")
    assert world.lwa.revoke(world.sim.revoke_url, refresh_token=refresh_token) is True
    with pytest.raises(ReconnectRequired):
        world.lwa.refresh(world.endpoints, refresh_token=refresh_token)


def test_revoke_failures_are_swallowed(world):
    world.sim.faults.add("revoke", kind="500")
    assert world.lwa.revoke(world.sim.revoke_url, refresh_token=world.refresh_token) is False


# -- profiles -----------------------------------------------------------------------------------------


def test_profiles_of_the_region_with_view_only_marked(world):
    profiles = world.client.list_profiles()
    editable = world.sim.truth.profiles(USER, "eu")
    everything = world.sim.truth.profiles(USER, "eu", access_level="view")
    assert sorted(p.profile_id for p in profiles) == sorted(str(p["profileId"]) for p in everything)  # no NA
    assert {p.profile_id for p in profiles if p.view_only} == {
        str(p["profileId"]) for p in everything if p not in editable
    }
    assert [(p.country_code, p.account_type) for p in profiles if p.view_only] == [("SE", "vendor")]
    assert {p.account_type for p in profiles} == {"seller", "vendor", "agency"}
    de = next(p for p in profiles if p.profile_id == world.pid)
    assert (de.country_code, de.currency_code, de.marketplace_id) == ("DE", "EUR", "A1PA6795UKMFR9")
    (call, *_) = world.requests("/v2/profiles")
    assert "amazon-advertising-api-scope" not in call.headers
    assert call.headers["amazon-advertising-api-clientid"] == CLIENT_ID


def test_profiles_after_a_401_refresh_once(world):
    world.client.list_profiles()
    world.sim.faults.add("profiles", kind="401", times=1)
    world.client.list_profiles()
    assert len(world.requests("/auth/o2/token")) == 2  # the first refresh, and one after the 401


# -- lists --------------------------------------------------------------------------------------------


def test_sp_campaigns_match_the_truth_in_every_state(world):
    got = flat(world.new_client(page_size=20).iter_sp_campaigns(world.pid, states=[]))
    assert got == [Campaign.from_sp(c) for c in world.sim.truth.campaigns(world.pid)]
    assert len(world.requests("/sp/campaigns/list")) == 3  # 45 campaigns, 20 per page


def test_sp_campaigns_state_filter(world):
    got = flat(world.client.iter_sp_campaigns(world.pid, states=["ENABLED", "PAUSED"]))
    truth = [c for c in world.sim.truth.campaigns(world.pid) if c["state"] in ("ENABLED", "PAUSED")]
    assert [c.campaign_id for c in got] == [c["campaignId"] for c in truth]


def test_default_page_size_lets_amazon_choose(world):
    assert len(flat(world.client.iter_sp_campaigns(world.pid, states=[]))) == 45
    assert len(world.requests("/sp/campaigns/list")) == 1


def test_ad_groups_and_keywords_match_the_truth(world):
    groups = flat(world.client.iter_sp_ad_groups(world.pid, states=[]))
    assert [g.ad_group_id for g in groups] == [g["adGroupId"] for g in world.sim.truth.ad_groups(world.pid)]
    keywords = flat(world.client.iter_sp_keywords(world.pid, states=[]))
    truth = world.sim.truth.keywords(world.pid)
    assert [k.keyword_id for k in keywords] == [k["keywordId"] for k in truth]
    assert all(isinstance(k.bid, Decimal) or k.bid is None for k in keywords)


def test_keywords_of_chosen_campaigns(world):
    campaign_ids = [c["campaignId"] for c in world.sim.truth.campaigns(world.pid)][:3]
    keywords = flat(world.client.iter_sp_keywords(world.pid, states=[], campaign_ids=campaign_ids))
    assert {k.campaign_id for k in keywords} == set(campaign_ids)
    assert len(keywords) == 3 * 3 * 4


def test_sb_and_sd_campaigns_match_the_truth(world):
    sb = flat(world.client.iter_sb_campaigns(world.pid, states=[]))
    assert [c.campaign_id for c in sb] == [c["campaignId"] for c in world.sim.truth.sb_campaigns(world.pid)]
    sd = flat(world.client.iter_sd_campaigns(world.pid, states=[]))
    assert [c.campaign_id for c in sd] == [
        str(c["campaignId"]) for c in world.sim.truth.sd_campaigns(world.pid)
    ]
    assert {c.state for c in sd} <= {"ENABLED", "PAUSED", "ARCHIVED"}


def test_an_agency_profile_cannot_list_sp(world):
    agency = next(
        str(p["profileId"]) for p in world.sim.truth.profiles(USER, "eu", profile_type_filter="agency")
    )
    with pytest.raises(BadRequest):
        flat(world.client.iter_sp_campaigns(agency, states=[]))


def test_a_profile_of_another_region_is_unauthorized(world):
    na_client = world.sim.truth.profiles(USER, "na")[0]["profileId"]
    with pytest.raises(Unauthorized) as info:
        flat(world.client.iter_sp_campaigns(str(na_client), states=[]))
    assert info.value.category == "scope_not_found"


@pytest.mark.parametrize("kind", ["429", "429-no-retry-after", "500", "502", "503", "504", "drop"])
def test_faults_in_the_middle_of_paging_are_retried_and_resume(world, kind):
    pages = world.new_client(page_size=20).iter_sp_campaigns(world.pid, states=[])
    first = next(pages)
    world.sim.faults.add("sp/campaigns/list", kind=kind, times=1)
    rest = flat(pages)
    assert len(first) + len(rest) == 45
    assert len(world.sleeps) == 1
    if kind == "429":
        assert world.sleeps == [1.0]  # the simulator's Retry-After


def test_a_slow_answer_times_out_and_is_retried(world):
    client = world.new_client(timeout=httpx.Timeout(5.0, read=0.1))
    world.sim.faults.add("sp/keywords/list", kind="timeout", times=1, delay=0.3)
    assert len(flat(client.iter_sp_keywords(world.pid, states=[], campaign_ids=["1"]))) == 0
    assert world.sleeps == [2.0]


def test_a_fault_that_does_not_clear_surfaces_typed(world):
    world.sim.faults.add("sp/adGroups/list", kind="503", times=None)
    with pytest.raises(ServerError):
        flat(world.client.iter_sp_ad_groups(world.pid, states=[]))
    assert len(world.sleeps) == 3


def test_connection_drops_that_do_not_clear_are_a_transport_error(world):
    world.sim.faults.add("sd/campaigns", kind="drop", times=None)
    with pytest.raises(TransportError):
        flat(world.client.iter_sd_campaigns(world.pid, states=[]))


# -- reports ------------------------------------------------------------------------------------------


def today_for(world: Slice) -> date:
    return world.sim.now().date()


def yesterday_window(world: Slice) -> tuple[date, date]:
    end = today_for(world) - timedelta(days=1)
    return end - timedelta(days=6), end


def test_campaign_report_lifecycle_matches_the_truth(world):
    start, end = yesterday_window(world)
    report_id = world.client.create_report(world.pid, daily_campaign_report(start, end))
    status = world.client.get_report(world.pid, report_id)
    assert status.is_completed and status.url
    rows = [parse_campaign_row(r) for r in world.client.iter_report_rows(status.url)]
    assert rows == [parse_campaign_row(r) for r in world.sim.truth.report_rows(report_id)]
    assert rows and all(isinstance(r.cost, Decimal) for r in rows)
    (download,) = [r for r in world.sim.requests if r.path.endswith(".json.gz")]
    assert "authorization" not in download.headers
    assert "amazon-advertising-api-clientid" not in download.headers


def test_keyword_report_matches_the_truth(world):
    start, end = yesterday_window(world)
    report_id = world.client.create_report(world.pid, daily_keyword_report(start, end))
    status = world.client.get_report(world.pid, report_id)
    rows = [parse_keyword_row(r) for r in world.client.iter_report_rows(status.url)]
    assert rows == [parse_keyword_row(r) for r in world.sim.truth.report_rows(report_id)]
    assert {r.match_type for r in rows} <= {"EXACT", "PHRASE", "BROAD"}


def test_pending_then_processing_then_completed(world):
    world.sim.set_report_delay(600)
    report_id = world.client.create_report(world.pid, daily_campaign_report(*yesterday_window(world)))
    assert world.client.get_report(world.pid, report_id).status == "PENDING"
    world.sim.advance(301)
    assert world.client.get_report(world.pid, report_id).status == "PROCESSING"
    world.sim.advance(300)
    assert world.client.get_report(world.pid, report_id).is_completed


def test_a_duplicate_request_adopts_the_running_report(world):
    world.sim.set_report_delay(600)
    request = daily_campaign_report(*yesterday_window(world))
    first = world.client.create_report(world.pid, request)
    assert world.client.create_report(world.pid, request) == first


def test_accepted_despite_429_ends_with_the_same_report(world):
    world.sim.set_report_delay(600)
    world.sim.faults.add("reports.create", kind="accepted-429", times=1)
    report_id = world.client.create_report(world.pid, daily_campaign_report(*yesterday_window(world)))
    assert world.client.get_report(world.pid, report_id).status == "PENDING"
    assert len(world.requests("/reporting/reports", "POST")) == 2


def test_429_without_retry_after_on_report_creation_backs_off(world):
    world.sim.faults.add("reports.create", kind="429-no-retry-after", times=2)
    world.client.create_report(world.pid, daily_campaign_report(*yesterday_window(world)))
    assert world.sleeps == [2.0, 4.0]


def test_failed_reports(world):
    world.sim.fail_reports(int(world.pid), times=1)
    report_id = world.client.create_report(world.pid, daily_campaign_report(*yesterday_window(world)))
    status = world.client.get_report(world.pid, report_id)
    assert status.is_failed and status.failure_reason


def test_spurious_401s_while_polling_are_absorbed(world):
    report_id = world.client.create_report(world.pid, daily_campaign_report(*yesterday_window(world)))
    world.sim.faults.add("reports.get", kind="401", times=3)
    assert world.client.get_report(world.pid, report_id).is_completed


def test_cancel_a_pending_report(world):
    world.sim.set_report_delay(600)
    report_id = world.client.create_report(world.pid, daily_campaign_report(*yesterday_window(world)))
    world.client.delete_report(world.pid, report_id)
    from bot.amazon import NotFound

    with pytest.raises(NotFound):
        world.client.get_report(world.pid, report_id)


def test_windows_from_report_windows_are_all_accepted(world):
    today = today_for(world)
    windows = report_windows(
        today - timedelta(days=400),
        today - timedelta(days=1),
        today=today,
        retention_days=RETENTION_DAYS["SPONSORED_PRODUCTS"],
    )
    assert len(windows) == 4
    world.sim.set_report_delay(600)
    ids = {world.client.create_report(world.pid, daily_campaign_report(start, end)) for start, end in windows}
    assert len(ids) == 4


def test_too_old_a_start_is_the_retention_error(world):
    today = today_for(world)
    with pytest.raises(BadRequest) as info:
        world.client.create_report(
            world.pid, daily_campaign_report(today - timedelta(days=120), today - timedelta(days=100))
        )
    assert info.value.category == "retention"


def test_an_expired_download_url_is_access_denied_and_a_new_poll_renews_it(world):
    report_id = world.client.create_report(world.pid, daily_campaign_report(*yesterday_window(world)))
    old = world.client.get_report(world.pid, report_id)
    world.sim.advance(3601)
    with pytest.raises(AccessDenied):
        list(world.client.iter_report_rows(old.url))
    fresh = world.client.get_report(world.pid, report_id)
    assert fresh.url != old.url
    assert len(list(world.client.iter_report_rows(fresh.url))) == len(world.sim.truth.report_rows(report_id))


@pytest.mark.parametrize("kind", ["500", "503", "drop"])
def test_download_faults_are_retried(world, kind):
    report_id = world.client.create_report(world.pid, daily_campaign_report(*yesterday_window(world)))
    status = world.client.get_report(world.pid, report_id)
    world.sim.faults.add("download", kind=kind, times=1)
    assert len(list(world.client.iter_report_rows(status.url))) == len(world.sim.truth.report_rows(report_id))
    assert len(world.sleeps) == 1


@pytest.mark.parametrize("route", ["token", "profiles"])
def test_a_flaky_token_endpoint_or_api_is_retried(world, route):
    world.sim.faults.add(route, kind="503", times=1)
    world.client.list_profiles()
    assert world.sleeps == [2.0]
