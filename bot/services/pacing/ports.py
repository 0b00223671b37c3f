"""The Slack side of budget alerts: the calls (`DigestSlack`'s post and DM), the rendering port, the
per-channel pacing (at most one post per channel per `channel_interval`, 429s retried after
`Retry-After`) and the run report. Sleep and clock are injected, so tests and the bench never wait.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from bot.services.slack_pacing import ChannelSender
from bot.services.slack_ports import INSTALLATION_ERRORS
from bot.viewmodels.pacing import AlertMessageVM

__all__ = [
    "PAUSE_ERRORS",
    "AlertOptions",
    "AlertRendering",
    "AlertReport",
    "AlertSlack",
    "ChannelPacer",
    "RenderedAlert",
    "alert_pause_reason",
]


class AlertSlack(Protocol):
    """The Slack calls alerts need; `bot.slack.WebClientDigestSlack` (the digest's adapter) implements it."""

    def post(
        self, *, channel: str, text: str, blocks: list[dict[str, Any]], thread_ts: str | None = None
    ) -> str:
        """Post a message; its `ts`. Raises `SlackCallError`."""
        ...

    def dm(self, *, user_id: str, text: str) -> None:
        """Send the user a direct message."""
        ...


RenderedAlert = dict[str, Any]
"""A rendered Slack message (``text`` and ``blocks``), opaque to delivery."""

PAUSE_ERRORS = {
    "channel_not_found": "the channel no longer exists, or it is private and Hilal is not in it",
    "not_in_channel": "Hilal is not a member of the channel",
    "is_archived": "the channel is archived",
}


def alert_pause_reason(reason: str | None) -> str | None:
    """A pause reason as `/hilal alerts list` says it: what happened and what resumes it."""
    if reason is None:
        return None
    if reason in INSTALLATION_ERRORS:
        return f"{INSTALLATION_ERRORS[reason]}; reinstall Hilal and the alerts resume by themselves"
    if reason in PAUSE_ERRORS:
        return f"{PAUSE_ERRORS[reason]}; invite Hilal and run `/hilal alerts subscribe` in the channel"
    return reason


class AlertRendering(Protocol):
    """How an alert becomes a Slack message (Block Kit's is `bot.blocks.alerts.BLOCK_KIT_ALERTS`)."""

    def message(self, vm: AlertMessageVM) -> RenderedAlert:
        """The alert's message."""
        ...


@dataclass(frozen=True)
class AlertOptions:
    """Timing knobs; tests and the bench inject `sleep` and `monotonic`."""

    sleep: Callable[[float], None] = time.sleep
    monotonic: Callable[[], float] = time.monotonic
    channel_interval: float = 1.1
    max_rate_limit_retries: int = 5
    group_from: int = 3  # this many campaigns of one marketplace and kind crossing in one poll: one message


@dataclass
class AlertReport:
    """What one alert run did (also the bench's figures)."""

    claimed: int = 0
    already_claimed: int = 0
    muted: int = 0
    messages: int = 0
    paused: int = 0
    failed: int = 0
    rate_limited_retries: int = 0
    posts: list[tuple[str, str, float]] = field(default_factory=list)  # (team, channel, monotonic time)


ChannelPacer = ChannelSender[AlertOptions, AlertReport]
"""At most one post per channel per `channel_interval`; 429s wait `Retry-After` and retry (the digest's
pacing: `bot.services.slack_pacing.ChannelSender`)."""
