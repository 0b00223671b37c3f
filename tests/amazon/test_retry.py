"""RetryPolicy: 429 with and without Retry-After, the 5xx cap, timeouts, connection errors, non-retries."""

from __future__ import annotations

import httpx
import pytest

from bot.amazon import (
    Backoff,
    BadRequest,
    IntervalGate,
    RateLimited,
    Region,
    RetryPolicy,
    ServerError,
    TransportError,
    UnsupportedMediaType,
)
from tests.amazon.fakes import ENDPOINTS, fixture, make_kit, reply

PROFILES = f"{ENDPOINTS.api_url}/v2/profiles"
LIST = f"{ENDPOINTS.api_url}/sp/campaigns/list"


def campaigns(kit):
    return [c for page in kit.client.iter_sp_campaigns("123", states=["ENABLED"]) for c in page]


def test_429_waits_for_retry_after_then_succeeds(kit):
    kit.fake.on(
        "POST",
        LIST,
        reply(429, fixture("sp_throttled"), headers={"Retry-After": "3"}),
        reply(200, fixture("sp_campaigns_page2")),
    )
    assert len(campaigns(kit)) == 1
    assert kit.sleeps == [3.0]


def test_retry_after_gets_up_to_a_second_of_jitter():
    sleeps: list[float] = []
    kit = make_kit(retry=RetryPolicy(sleep=sleeps.append, random=lambda: 0.5))
    kit.fake.on(
        "POST", LIST, reply(429, {}, headers={"Retry-After": "3"}), reply(200, fixture("sp_campaigns_page2"))
    )
    campaigns(kit)
    assert sleeps == [3.5]


def test_retry_after_is_capped():
    sleeps: list[float] = []
    kit = make_kit(retry=RetryPolicy(sleep=sleeps.append, random=lambda: 0.0))
    kit.fake.on(
        "POST",
        LIST,
        reply(429, {}, headers={"Retry-After": "86400"}),
        reply(200, fixture("sp_campaigns_page2")),
    )
    campaigns(kit)
    assert sleeps == [300.0]


def test_429_without_retry_after_backs_off_exponentially_then_gives_up(kit):
    kit.fake.on("POST", LIST, reply(429, fixture("sp_throttled")))
    with pytest.raises(RateLimited) as info:
        campaigns(kit)
    assert kit.sleeps == [2.0, 4.0, 8.0, 16.0, 32.0]
    assert info.value.retry_after is None
    assert len(kit.fake.api_calls()) == 6


def test_backoff_jitter_and_cap():
    backoff = Backoff(base=2.0, factor=2.0, max_delay=10.0, jitter=0.25)
    assert [backoff.delay(n, 0.0) for n in range(5)] == [2.0, 4.0, 8.0, 10.0, 10.0]
    assert backoff.delay(0, 1.0) == 2.5


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_server_errors_are_retried_with_a_cap(kit, status):
    kit.fake.on("POST", LIST, reply(status, fixture("sp_internal_error")))
    with pytest.raises(ServerError):
        campaigns(kit)
    assert kit.sleeps == [2.0, 4.0, 8.0]


def test_a_server_error_that_clears_is_invisible(kit):
    kit.fake.on("POST", LIST, reply(502, "bad gateway"), reply(200, fixture("sp_campaigns_page2")))
    assert len(campaigns(kit)) == 1


@pytest.mark.parametrize(
    "exc",
    [httpx.ConnectTimeout, httpx.ReadTimeout, httpx.ConnectError, httpx.ReadError, httpx.RemoteProtocolError],
)
def test_timeouts_and_connection_errors_are_retried(kit, exc):
    kit.fake.on("POST", LIST, exc("boom"), reply(200, fixture("sp_campaigns_page2")))
    assert len(campaigns(kit)) == 1
    assert kit.sleeps == [2.0]


def test_persistent_timeouts_become_a_transport_error(kit):
    kit.fake.on("POST", LIST, httpx.ReadTimeout("slow"))
    with pytest.raises(TransportError) as info:
        campaigns(kit)
    assert "timed out" in str(info.value)
    assert isinstance(info.value.__cause__, httpx.ReadTimeout)
    assert info.value.status is None
    assert len(kit.sleeps) == 3


@pytest.mark.parametrize(
    ("status", "name", "expected"),
    [(400, "sp_invalid_argument", BadRequest), (415, "sp_unsupported_media_type", UnsupportedMediaType)],
)
def test_other_4xx_are_not_retried(kit, status, name, expected):
    kit.fake.on("POST", LIST, reply(status, fixture(name)))
    with pytest.raises(expected):
        campaigns(kit)
    assert kit.sleeps == []
    assert len(kit.fake.api_calls()) == 1


def test_the_retry_budget_is_per_kind_of_failure(kit):
    kit.fake.on(
        "POST",
        LIST,
        reply(500, {}),
        reply(500, {}),
        reply(429, {}),
        reply(500, {}),
        reply(200, fixture("sp_campaigns_page2")),
    )
    assert len(campaigns(kit)) == 1
    assert kit.sleeps == [2.0, 4.0, 2.0, 8.0]


def test_max_elapsed_gives_up_instead_of_sleeping_too_long():
    clock = [0.0]
    sleeps = []

    def sleep(seconds):
        sleeps.append(seconds)
        clock[0] += seconds

    policy = RetryPolicy(sleep=sleep, clock=lambda: clock[0], random=lambda: 0.0, max_elapsed=5.0)
    kit = make_kit(retry=policy)
    kit.fake.on("POST", LIST, reply(503, {}))
    with pytest.raises(ServerError):
        campaigns(kit)
    assert sleeps == [2.0]  # after 2 s, the next wait (4 s) would end past the 5 s budget


class RecordingGate:
    def __init__(self):
        self.regions = []

    def acquire(self, region):
        self.regions.append(region)


def test_the_rate_gate_is_asked_before_every_attempt_with_the_region():
    gate = RecordingGate()
    kit = make_kit(retry=RetryPolicy(sleep=lambda s: None, random=lambda: 0.0, rate_gate=gate))
    kit.fake.on("POST", LIST, reply(429, {}), reply(200, fixture("sp_campaigns_page2")))
    campaigns(kit)
    assert gate.regions == [Region.EU, Region.EU]


def test_interval_gate_spaces_requests_per_region():
    now = [0.0]
    waits = []

    def sleep(seconds):
        waits.append(seconds)
        now[0] += seconds

    gate = IntervalGate(0.5, clock=lambda: now[0], sleep=sleep)
    gate.acquire(Region.NA)
    gate.acquire(Region.NA)
    gate.acquire(Region.EU)
    now[0] += 2.0
    gate.acquire(Region.NA)
    assert waits == [0.5]


def test_retry_policy_closes_responses_it_discards():
    closed = []

    class Stream(httpx.SyncByteStream):
        def __iter__(self):
            yield b"{}"

        def close(self):
            closed.append(True)

    answers = [httpx.Response(503, stream=Stream()), httpx.Response(200, json=[])]
    http = httpx.Client(transport=httpx.MockTransport(lambda r: answers.pop(0)))
    policy = RetryPolicy(sleep=lambda s: None, random=lambda: 0.0)
    response = policy.execute(lambda: http.send(http.build_request("GET", "https://x.test/"), stream=True))
    assert response.status_code == 200
    assert closed == [True]
