"""Fakes for the client unit tests: a scripted Amazon over `httpx.MockTransport`, a clock, a sleep recorder.

`FakeAmazon` is an Airbyte `HttpMocker` in spirit: every request must match a scripted route, every
request is recorded, and an unexpected request fails the test with a readable message.
"""

from __future__ import annotations

import gzip
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx

from bot.amazon import (
    AdsClient,
    LwaAuth,
    LwaClient,
    Region,
    RegionEndpoints,
    RetryPolicy,
)

FIXTURES = Path(__file__).parent / "fixtures"
ENDPOINTS = RegionEndpoints(
    auth_url="https://auth.test/ap/oa",
    token_url="https://token.test/auth/o2/token",
    api_url="https://ads.test",
    region=Region.EU,
)
CLIENT_ID = "amzn1.application-oa2-client.test"
CLIENT_SECRET = "s3cr3t-client-secret"
REFRESH_TOKEN = "Atzr|refresh-test-token"
START = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)

Reply = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


def fixture(name: str) -> Any:
    """A canned Amazon body from tests/amazon/fixtures/<name>.json."""
    return json.loads((FIXTURES / f"{name}.json").read_text())


def reply(status: int = 200, body: Any = None, *, headers: dict[str, str] | None = None) -> httpx.Response:
    """A JSON (or text, for str bodies) response."""
    if isinstance(body, (str, bytes)):
        return httpx.Response(status, content=body, headers=headers)
    return httpx.Response(status, json=body if body is not None else {}, headers=headers)


def gzip_json(rows: Any) -> bytes:
    return gzip.compress(json.dumps(rows).encode())


def form(request: httpx.Request) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(request.content.decode()).items()}


def body(request: httpx.Request) -> Any:
    return json.loads(request.content)


class FrozenClock:
    """Aware-UTC wall clock and monotonic seconds that move only when told."""

    def __init__(self, start: datetime = START) -> None:
        self.at = start
        self.mono = 1000.0

    def now(self) -> datetime:
        return self.at

    def monotonic(self) -> float:
        return self.mono

    def advance(self, seconds: float) -> None:
        self.at += timedelta(seconds=seconds)
        self.mono += seconds


@dataclass
class FakeAmazon:
    """Scripted routes keyed by (METHOD, url without query); the last reply of a route repeats."""

    routes: dict[tuple[str, str], list[Reply]] = field(default_factory=dict)
    requests: list[httpx.Request] = field(default_factory=list)
    tokens_issued: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.on("POST", ENDPOINTS.token_url, self.issue_token)

    def on(self, method: str, url: str, *replies: Reply) -> FakeAmazon:
        self.routes[(method, url)] = list(replies)
        return self

    def issue_token(self, request: httpx.Request) -> httpx.Response:
        with self.lock:
            self.tokens_issued += 1
            n = self.tokens_issued
        assert form(request)["grant_type"] == "refresh_token"
        return reply(
            200,
            {
                "access_token": f"Atza|access-{n}",
                "refresh_token": REFRESH_TOKEN,
                "token_type": "bearer",
                "expires_in": 3600,
            },
        )

    def handler(self, request: httpx.Request) -> httpx.Response:
        request.read()
        snapshot = httpx.Request(
            request.method, request.url, headers=request.headers, content=request.content
        )
        with self.lock:
            self.requests.append(snapshot)  # a copy: LwaAuth rewrites the live request's headers on retry
            key = (request.method, str(request.url.copy_with(query=None)))
            queue = self.routes.get(key)
            if not queue:
                raise AssertionError(f"unexpected request {key[0]} {key[1]}")
            item = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(item, Exception):
            raise item
        if callable(item) and not isinstance(item, httpx.Response):
            return item(request)
        return httpx.Response(item.status_code, headers=item.headers, content=item.content)

    def calls(self, url: str, method: str | None = None) -> list[httpx.Request]:
        return [
            r
            for r in self.requests
            if str(r.url.copy_with(query=None)) == url and (method is None or r.method == method)
        ]

    def api_calls(self) -> list[httpx.Request]:
        return [r for r in self.requests if r.url.host == "ads.test"]

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handler)


@dataclass
class Kit:
    """Everything a client test needs, wired like production but over the fake."""

    fake: FakeAmazon
    clock: FrozenClock
    sleeps: list[float]
    http: httpx.Client
    lwa: LwaClient
    auth: LwaAuth
    retry: RetryPolicy
    client: AdsClient


def make_kit(*, retry: RetryPolicy | None = None, **client_kwargs: Any) -> Kit:
    fake = FakeAmazon()
    clock = FrozenClock()
    sleeps: list[float] = []
    policy = retry or RetryPolicy(sleep=sleeps.append, clock=clock.monotonic, random=lambda: 0.0)
    http = httpx.Client(transport=fake.transport())
    lwa = LwaClient(http, client_id=CLIENT_ID, client_secret=CLIENT_SECRET, clock=clock.now)
    auth = LwaAuth(lwa, endpoints=ENDPOINTS, refresh_token=REFRESH_TOKEN)
    client = AdsClient(
        http, endpoints=ENDPOINTS, client_id=CLIENT_ID, auth=auth, retry=policy, **client_kwargs
    )
    return Kit(fake, clock, sleeps, http, lwa, auth, policy, client)
