"""Retry policy as small strategy objects (python-slack-sdk `http_retry` style).

A `RetryPolicy` runs one call, asks its handlers whether the outcome may be retried and how long to
wait, sleeps through the injected `sleep`, and tries again. Defaults follow the reference (§5.4):

- 429: wait `Retry-After` (plus a little jitter) when present, else exponential backoff with jitter;
- 500/502/503/504, timeouts and connection errors: exponential backoff, capped;
- 401 is the auth's business (`LwaAuth` refreshes once); other 4xx are never retried.

`sleep`, `clock` and `random` are injectable so tests never sleep. A `RateGate` (optional) is asked
before every attempt, keyed by region, so callers can share a rate limit between clients and threads.
"""

from __future__ import annotations

import logging
import random as _random
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import httpx

from bot.amazon.errors import AmazonAdsError, RateLimited, ServerError, TransportError, parse_retry_after
from bot.amazon.regions import Region

__all__ = [
    "DEFAULT_RETRY",
    "NO_RETRY",
    "Backoff",
    "IntervalGate",
    "RateGate",
    "RateLimitHandler",
    "RetryHandler",
    "RetryPolicy",
    "ServerErrorHandler",
    "TransportErrorHandler",
    "UnauthorizedHandler",
]

logger = logging.getLogger(__name__)

Outcome = httpx.Response | None


class RateGate(Protocol):
    """Shared per-region admission: `acquire` blocks until one more request to `region` may go."""

    def acquire(self, region: Region) -> None: ...


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff: `base * factor**attempt` capped at `max_delay`, stretched by up to `jitter`."""

    base: float = 2.0
    factor: float = 2.0
    max_delay: float = 120.0
    jitter: float = 0.25

    def delay(self, attempt: int, rand: float) -> float:
        """The wait before retry number `attempt + 1` (`rand` in [0, 1))."""
        raw = min(self.max_delay, self.base * self.factor**attempt)
        return raw * (1.0 + self.jitter * rand)


class RetryHandler(ABC):
    """Decides whether one kind of failure is retried, how often, and after how long."""

    def __init__(self, *, max_retries: int, backoff: Backoff | None = None) -> None:
        self.max_retries = max_retries
        self.backoff = backoff or Backoff()

    @abstractmethod
    def matches(self, *, response: Outcome, error: Exception | None) -> bool:
        """True if this handler is responsible for the outcome."""

    def delay(self, *, attempt: int, response: Outcome, error: Exception | None, rand: float) -> float:
        """Seconds to wait before the next attempt; `attempt` counts this handler's retries so far."""
        del response, error
        return self.backoff.delay(attempt, rand)


class RateLimitHandler(RetryHandler):
    """429: honour `Retry-After` (capped at `max_retry_after`), else back off exponentially."""

    def __init__(
        self, *, max_retries: int = 5, backoff: Backoff | None = None, max_retry_after: float = 300.0
    ):
        super().__init__(max_retries=max_retries, backoff=backoff)
        self.max_retry_after = max_retry_after

    def matches(self, *, response: Outcome, error: Exception | None) -> bool:
        return (response is not None and response.status_code == 429) or isinstance(error, RateLimited)

    def delay(self, *, attempt: int, response: Outcome, error: Exception | None, rand: float) -> float:
        hint = error.retry_after if isinstance(error, RateLimited) else None
        if response is not None:
            hint = parse_retry_after(
                response.headers.get("retry-after"), date_header=response.headers.get("date")
            )
        if hint is None:
            return self.backoff.delay(attempt, rand)
        return min(self.max_retry_after, hint) + rand  # up to one second of jitter spreads the herd


class ServerErrorHandler(RetryHandler):
    """500, 502, 503, 504 (and `ServerError` raised inside the auth flow)."""

    STATUSES = frozenset({500, 502, 503, 504})

    def __init__(self, *, max_retries: int = 3, backoff: Backoff | None = None) -> None:
        super().__init__(max_retries=max_retries, backoff=backoff)

    def matches(self, *, response: Outcome, error: Exception | None) -> bool:
        if response is not None:
            return response.status_code in self.STATUSES
        return isinstance(error, ServerError) and error.status in self.STATUSES


class TransportErrorHandler(RetryHandler):
    """Timeouts, connection failures and broken connections (no HTTP answer at all)."""

    def __init__(self, *, max_retries: int = 3, backoff: Backoff | None = None) -> None:
        super().__init__(max_retries=max_retries, backoff=backoff)

    def matches(self, *, response: Outcome, error: Exception | None) -> bool:
        del response
        return isinstance(error, (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError))


class UnauthorizedHandler(RetryHandler):
    """401 that survived the auth's one refresh. Only for report polling, where spurious 401s happen."""

    def __init__(self, *, max_retries: int = 3, backoff: Backoff | None = None) -> None:
        super().__init__(max_retries=max_retries, backoff=backoff or Backoff(base=5.0))

    def matches(self, *, response: Outcome, error: Exception | None) -> bool:
        del error
        return response is not None and response.status_code == 401


def _default_handlers() -> tuple[RetryHandler, ...]:
    return (RateLimitHandler(), ServerErrorHandler(), TransportErrorHandler())


class RetryPolicy:
    """Runs a call with retries. Share one instance freely: it keeps no per-call state.

    Args:
        handlers: The strategies, asked in order; the first match decides. Defaults cover 429, 5xx
            and transport errors.
        sleep: How to wait (tests pass a recorder).
        clock: Monotonic seconds, for `max_elapsed`.
        random: Source of jitter in [0, 1).
        rate_gate: Optional shared per-region gate, asked before every attempt.
        max_elapsed: Give up instead of sleeping past this many seconds since the first attempt.
    """

    def __init__(
        self,
        handlers: Sequence[RetryHandler] | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        random: Callable[[], float] = _random.random,
        rate_gate: RateGate | None = None,
        max_elapsed: float | None = None,
    ) -> None:
        self.handlers = tuple(_default_handlers() if handlers is None else handlers)
        self.sleep = sleep
        self.clock = clock
        self.random = random
        self.rate_gate = rate_gate
        self.max_elapsed = max_elapsed

    def execute(
        self,
        call: Callable[[], httpx.Response],
        *,
        gate_key: Region | None = None,
        extra: Sequence[RetryHandler] = (),
    ) -> httpx.Response:
        """Run `call` until it succeeds, fails for good, or the handlers give up.

        Args:
            call: Sends one request and returns the response (streamed or not).
            gate_key: Region for the rate gate; None skips the gate.
            extra: Handlers asked before the policy's own, for this call only.

        Returns:
            The last response, successful or not (the caller classifies it).

        Raises:
            TransportError: When the last attempt got no answer.
            AmazonAdsError: Raised inside `call` (e.g. by the auth flow) and not retried.
        """
        handlers = (*extra, *self.handlers)
        used = [0] * len(handlers)
        started = self.clock()
        while True:
            if self.rate_gate is not None and gate_key is not None:
                self.rate_gate.acquire(gate_key)
            response, error = self._attempt(call)
            wait = self._next_wait(handlers, used, response, error, started)
            if wait is None:
                if isinstance(error, AmazonAdsError):
                    raise error
                if error is not None:
                    raise _as_amazon_error(error) from error
                assert response is not None
                return response
            if response is not None:
                response.close()
            self.sleep(wait)

    @staticmethod
    def _attempt(call: Callable[[], httpx.Response]) -> tuple[Outcome, Exception | None]:
        try:
            return call(), None
        except (httpx.TransportError, AmazonAdsError) as exc:
            return None, exc

    def _next_wait(
        self,
        handlers: Sequence[RetryHandler],
        used: list[int],
        response: Outcome,
        error: Exception | None,
        started: float,
    ) -> float | None:
        for index, handler in enumerate(handlers):
            if not handler.matches(response=response, error=error):
                continue
            if used[index] >= handler.max_retries:
                return None
            wait = handler.delay(attempt=used[index], response=response, error=error, rand=self.random())
            if self.max_elapsed is not None and self.clock() - started + wait > self.max_elapsed:
                return None
            used[index] += 1
            logger.info(
                "amazon.retry",
                extra={
                    "handler": type(handler).__name__,
                    "retry": used[index],
                    "wait_seconds": round(wait, 3),
                    "status": response.status_code if response is not None else None,
                    "error": type(error).__name__ if error is not None else None,
                },
            )
            return wait
        return None


def _as_amazon_error(error: Exception) -> AmazonAdsError:
    if isinstance(error, AmazonAdsError):
        return error
    kind = "timed out" if isinstance(error, httpx.TimeoutException) else "connection failed"
    endpoint = None
    if isinstance(error, httpx.RequestError):
        try:
            endpoint = f"{error.request.method} {error.request.url.path}"
        except RuntimeError:
            endpoint = None
    return TransportError(f"Amazon request {kind} ({type(error).__name__})", endpoint=endpoint)


class IntervalGate:
    """A simple in-process `RateGate`: at least `interval` seconds between requests per region.

    Args:
        interval: Minimum spacing in seconds.
        clock: Monotonic seconds.
        sleep: How to wait.
    """

    def __init__(
        self,
        interval: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.interval = interval
        self._clock = clock
        self._sleep = sleep
        self._next: dict[Region, float] = {}
        self._lock = threading.Lock()

    def acquire(self, region: Region) -> None:
        """Reserve the next slot for `region` and wait for it."""
        with self._lock:
            now = self._clock()
            slot = max(now, self._next.get(region, now))
            self._next[region] = slot + self.interval
        if slot > now:
            self._sleep(slot - now)


DEFAULT_RETRY = RetryPolicy()
NO_RETRY = RetryPolicy(handlers=())
