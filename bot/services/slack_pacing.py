"""Per-channel pacing of Slack posts, shared by the digest and budget alerts: at most one post per channel
per `channel_interval`, and 429s retried after `Retry-After`. Sleep and clock come from the options, so
tests and the bench never wait.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any, Generic, Protocol, TypeVar

from bot.services.slack_ports import SlackCallError

__all__ = ["ChannelSender", "PacingOptions", "PacingReport"]

logger = logging.getLogger(__name__)


class PacingOptions(Protocol):
    """The timing knobs pacing reads (`DeliveryOptions`, `AlertOptions`)."""

    @property
    def sleep(self) -> Callable[[float], None]: ...

    @property
    def monotonic(self) -> Callable[[], float]: ...

    @property
    def channel_interval(self) -> float: ...

    @property
    def max_rate_limit_retries(self) -> int: ...


class PacingReport(Protocol):
    """Where pacing counts retries and records posts (`DigestRunReport`, `AlertReport`)."""

    rate_limited_retries: int
    posts: list[tuple[str, str, float]]  # (team, channel, monotonic time)


OptionsT = TypeVar("OptionsT", bound=PacingOptions)
ReportT = TypeVar("ReportT", bound=PacingReport)


class ChannelSender(Generic[OptionsT, ReportT]):
    """Per-channel pacing (at most one post per `channel_interval`) and 429 retries after `Retry-After`."""

    def __init__(self, options: OptionsT, report: ReportT) -> None:
        self.options = options
        self.report = report
        self._last: dict[tuple[str, str], float] = {}

    def call(self, team_id: str, channel: str, fn: Callable[[], Any]) -> Any:
        """Run one Slack call for the channel, paced; raises the last `SlackCallError`."""
        for attempt in range(self.options.max_rate_limit_retries + 1):
            self._wait_turn(team_id, channel)
            try:
                result = fn()
            except SlackCallError as exc:
                if not exc.rate_limited or attempt == self.options.max_rate_limit_retries:
                    raise
                self.report.rate_limited_retries += 1
                self.options.sleep(max(exc.retry_after or 1.0, 0.0))
                continue
            finally:
                self._last[(team_id, channel)] = self.options.monotonic()
            self.report.posts.append((team_id, channel, self._last[(team_id, channel)]))
            return result
        raise AssertionError("unreachable")  # pragma: no cover

    def dm_quietly(
        self, team_id: str, user_id: str, fn: Callable[[], Any], *, event: str, extra: Mapping[str, Any]
    ) -> None:
        """A paced, best-effort DM (a pause notice): a `SlackCallError` is logged as ``event``, not raised."""
        try:
            self.call(team_id, user_id, fn)
        except SlackCallError as dm_error:
            logger.warning(event, extra={**extra, "dm_error": dm_error.error})

    def _wait_turn(self, team_id: str, channel: str) -> None:
        last = self._last.get((team_id, channel))
        if last is not None:
            delay = last + self.options.channel_interval - self.options.monotonic()
            if delay > 0:
                self.options.sleep(delay)
