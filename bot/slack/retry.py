"""slack_sdk's retry handlers with an injectable wait.

slack_sdk's `RateLimitErrorRetryHandler` and `ConnectionErrorRetryHandler` call `time.sleep` themselves.
These do the same retries (429: `Retry-After` plus up to 1 s of jitter; connection errors: slack_sdk's
backoff) but wait through `sleep`, so tests record the waits instead of sleeping.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

__all__ = ["ConnectionRetry", "RateLimitRetry", "retry_after_seconds"]

Sleep = Callable[[float], None]


def retry_after_seconds(response: HttpResponse) -> float:
    """`Retry-After` in seconds (1 when Slack does not say or says something unreadable)."""
    for name, values in response.headers.items():
        if name.lower() == "retry-after":
            raw = values[0] if isinstance(values, list) and values else values
            try:
                return max(0.0, float(str(raw)))
            except ValueError:
                return 1.0
    return 1.0


class _SleepsThrough(RetryHandler):
    """A slack_sdk retry handler that waits `wait(...)` seconds through the injected `sleep`."""

    def __init__(self, *, max_retry_count: int, sleep: Sleep) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.sleep = sleep

    def wait(self, state: RetryState, response: HttpResponse | None, error: Exception | None) -> float | None:
        """Seconds to wait before the next attempt; None: no next attempt."""
        raise NotImplementedError

    def prepare_for_next_attempt(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        seconds = self.wait(state, response, error)
        if seconds is None:
            return
        state.next_attempt_requested = True
        self.sleep(seconds)
        state.increment_current_attempt()


class RateLimitRetry(_SleepsThrough, RateLimitErrorRetryHandler):
    """Retries a 429 after `Retry-After` (+ up to 1 s of jitter), waiting through `sleep`."""

    def wait(self, state: RetryState, response: HttpResponse | None, error: Exception | None) -> float | None:
        if response is None:
            if error is not None:
                raise error
            return None
        return retry_after_seconds(response) + random.random()


class ConnectionRetry(_SleepsThrough, ConnectionErrorRetryHandler):
    """Retries a refused or reset connection with slack_sdk's backoff, waiting through `sleep`."""

    def wait(self, state: RetryState, response: HttpResponse | None, error: Exception | None) -> float | None:
        return self.interval_calculator.calculate_sleep_duration(state.current_attempt)
