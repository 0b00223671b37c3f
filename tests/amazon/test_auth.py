"""LwaAuth: cached access tokens, refresh before expiry, one refresh and one retry on 401, threads, caches."""

from __future__ import annotations

import threading
from datetime import timedelta

import httpx
import pytest

from bot.amazon import LwaAuth, MemoryTokenCache, ReconnectRequired, Unauthorized
from tests.amazon.fakes import ENDPOINTS, REFRESH_TOKEN, fixture, make_kit, reply

PROFILES = f"{ENDPOINTS.api_url}/v2/profiles"


def bearer(request):
    return request.headers.get("authorization")


def test_first_call_refreshes_then_the_token_is_reused(kit):
    kit.fake.on("GET", PROFILES, reply(200, []))
    kit.client.list_profiles()
    kit.client.list_profiles()
    assert kit.fake.tokens_issued == 1
    assert [bearer(r) for r in kit.fake.api_calls()] == ["Bearer Atza|access-1"] * 4


def test_refresh_request_carries_no_bearer_and_no_amazon_headers(kit):
    kit.fake.on("GET", PROFILES, reply(200, []))
    kit.client.list_profiles()
    token_call = kit.fake.calls(ENDPOINTS.token_url)[0]
    assert "authorization" not in token_call.headers
    assert "amazon-advertising-api-clientid" not in token_call.headers


@pytest.mark.parametrize(("elapsed", "refreshes"), [(3600 - 61, 1), (3600 - 59, 2), (3600 + 10, 2)])
def test_token_is_refreshed_about_a_minute_before_expiry(kit, elapsed, refreshes):
    kit.fake.on("GET", PROFILES, reply(200, []))
    kit.client.list_profiles()
    kit.clock.advance(elapsed)
    kit.client.list_profiles()
    assert kit.fake.tokens_issued == refreshes


def test_401_refreshes_once_and_retries_once(kit):
    # first list_profiles: two 200s (edit + view listings); second: a 401, then 200 on the retry
    kit.fake.on(
        "GET",
        PROFILES,
        reply(200, []),
        reply(200, []),
        reply(401, fixture("reporting_unauthorized")),
        reply(200, []),
    )
    kit.client.list_profiles()
    kit.client.list_profiles()
    assert kit.fake.tokens_issued == 2
    assert [bearer(r) for r in kit.fake.api_calls()] == [
        "Bearer Atza|access-1",
        "Bearer Atza|access-1",
        "Bearer Atza|access-1",
        "Bearer Atza|access-2",
        "Bearer Atza|access-2",
    ]


def test_a_second_401_is_unauthorized_without_a_third_try(kit):
    kit.fake.on("GET", PROFILES, reply(401, fixture("reporting_unauthorized")))
    with pytest.raises(Unauthorized):
        kit.client.list_profiles()
    assert len(kit.fake.api_calls()) == 2
    assert kit.fake.tokens_issued == 2


def test_revoked_grant_raises_reconnect_required_and_never_calls_the_api(kit):
    kit.fake.on("POST", ENDPOINTS.token_url, reply(400, fixture("lwa_invalid_grant_refresh")))
    kit.fake.on("GET", PROFILES, reply(200, []))
    with pytest.raises(ReconnectRequired) as info:
        kit.client.list_profiles()
    assert kit.fake.api_calls() == []
    assert info.value.__cause__ is not info.value
    assert kit.sleeps == []  # not retried


def test_revoked_while_in_use_surfaces_on_the_401(kit):
    kit.fake.on(
        "GET", PROFILES, reply(200, []), reply(200, []), reply(401, fixture("reporting_unauthorized"))
    )
    kit.client.list_profiles()
    kit.fake.on("POST", ENDPOINTS.token_url, reply(400, fixture("lwa_invalid_grant_refresh")))
    with pytest.raises(ReconnectRequired):
        kit.client.list_profiles()


def test_a_valid_cached_token_is_used_without_refreshing(kit):
    cache = MemoryTokenCache()
    cache.store("Atza|from-db", kit.clock.now() + timedelta(minutes=30))
    kit.client._auth = LwaAuth(kit.lwa, endpoints=ENDPOINTS, refresh_token=REFRESH_TOKEN, cache=cache)
    kit.fake.on("GET", PROFILES, reply(200, []))
    kit.client.list_profiles()
    assert kit.fake.tokens_issued == 0
    assert bearer(kit.fake.api_calls()[0]) == "Bearer Atza|from-db"


class CountingCache(MemoryTokenCache):
    def __init__(self) -> None:
        super().__init__()
        self.loads = 0

    def load(self):
        self.loads += 1
        return super().load()


def test_an_expiring_cached_token_is_replaced_and_the_new_one_stored(kit):
    cache = CountingCache()
    cache.store("Atza|old", kit.clock.now() + timedelta(seconds=30))
    kit.client._auth = LwaAuth(kit.lwa, endpoints=ENDPOINTS, refresh_token=REFRESH_TOKEN, cache=cache)
    kit.fake.on("GET", PROFILES, reply(200, []))
    kit.client.list_profiles()
    assert kit.fake.tokens_issued == 1
    assert cache.loads == 1  # the shared cache (a database row) is read once before refreshing
    assert cache.load() == ("Atza|access-1", kit.clock.now() + timedelta(seconds=3600))


def test_after_a_401_a_token_another_process_stored_is_adopted_instead_of_refreshing(kit):
    cache = MemoryTokenCache()
    cache.store("Atza|stale", kit.clock.now() + timedelta(minutes=30))
    auth = LwaAuth(kit.lwa, endpoints=ENDPOINTS, refresh_token=REFRESH_TOKEN, cache=cache)
    kit.client._auth = auth

    def api(request):
        if bearer(request) == "Bearer Atza|stale":
            cache.store("Atza|other-process", kit.clock.now() + timedelta(minutes=59))
            return reply(401, fixture("reporting_unauthorized"))
        return reply(200, [])

    kit.fake.on("GET", PROFILES, api)
    kit.client.list_profiles()
    assert kit.fake.tokens_issued == 0
    assert bearer(kit.fake.api_calls()[-1]) == "Bearer Atza|other-process"


def test_a_different_refresh_token_is_handed_to_the_caller(kit):
    got: list[str] = []
    kit.fake.on(
        "POST",
        ENDPOINTS.token_url,
        reply(200, {"access_token": "Atza|x", "refresh_token": "Atzr|new", "expires_in": 3600}),
    )
    kit.client._auth = LwaAuth(
        kit.lwa, endpoints=ENDPOINTS, refresh_token=REFRESH_TOKEN, on_refresh_token=got.append
    )
    kit.fake.on("GET", PROFILES, reply(200, []))
    kit.client.list_profiles()
    assert got == ["Atzr|new"]


def test_threads_sharing_one_auth_refresh_only_once():
    kit = make_kit()
    kit.fake.on("GET", PROFILES, reply(200, []))
    gate = threading.Barrier(8)
    errors = []

    def work():
        try:
            gate.wait(timeout=5)
            kit.client.list_profiles()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    assert errors == []
    assert kit.fake.tokens_issued == 1
    assert len(kit.fake.api_calls()) == 16


def test_the_auth_lock_is_released_when_the_refresh_call_fails(kit):
    def broken(request):
        raise httpx.ConnectError("down", request=request)

    kit.fake.on("POST", ENDPOINTS.token_url, broken)
    kit.fake.on("GET", PROFILES, reply(200, []))
    with pytest.raises(Exception, match="connection failed"):
        kit.client.list_profiles()
    kit.fake.on("POST", ENDPOINTS.token_url, kit.fake.issue_token)
    kit.client.list_profiles()  # would dead-lock if the lock had leaked
    assert kit.fake.tokens_issued == 1


def test_repr_shows_no_token(kit):
    kit.fake.on("GET", PROFILES, reply(200, []))
    kit.client.list_profiles()
    assert "Atz" not in repr(kit.auth)
