"""The Slack side of digest delivery: the calls it needs (`DigestSlack`), their errors, per-channel pacing
with 429 retries (`ChannelSender`), run options and the run report.

Nothing here imports slack_sdk: `bot.slack.digest` adapts a `WebClient` to `DigestSlack`. Nothing here
builds Block Kit either: delivery is handed a `DigestRendering` (Block Kit's is
`bot.blocks.digest.BLOCK_KIT_DIGEST`, passed in by the job).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any, Protocol

from bot.services import slack_pacing
from bot.services.slack_ports import INSTALLATION_ERRORS, SlackCallError
from bot.viewmodels import DigestVM

__all__ = [
    "INSTALLATION_ERRORS",
    "PAUSE_ERRORS",
    "RESUMED_BY_REINSTALL",
    "ChannelSender",
    "DeliveryOptions",
    "DigestRendering",
    "DigestRunReport",
    "DigestSlack",
    "RenderedMessage",
    "SlackCallError",
    "pause_notice",
    "pause_reason_text",
]

PAUSE_ERRORS = {
    "channel_not_found": "the channel no longer exists, or it is private and Hilal is not in it",
    "not_in_channel": "Hilal is not a member of the channel",
    "is_archived": "the channel is archived",
    "missing_scope": "Hilal's Slack installation lacks a permission it needs to post",
    **INSTALLATION_ERRORS,
}
"""Slack errors that pause a subscription instead of retrying it every minute; each names a lasting
state that only a person can change (invite Hilal, pick another channel, reinstall Hilal).

`missing_scope` is here on purpose: Hilal asks for the scopes it posts with at install, so a missing one
means the installation changed, and retrying cannot help; the token still works, so the subscriber is told.
"""

RenderedMessage = dict[str, Any]
"""A rendered Slack message (``text`` and ``blocks``), opaque to delivery."""


class DigestRendering(Protocol):
    """How a digest becomes Slack messages: the first one, then thread replies."""

    def messages(self, vm: DigestVM) -> list[RenderedMessage]:
        """The digest's messages (the first one holds the chart, if any)."""
        ...

    def has_chart(self, first: RenderedMessage) -> bool:
        """The message carries the chart image."""
        ...

    def without_chart(self, first: RenderedMessage) -> RenderedMessage:
        """The same message without its chart (when Slack refuses the file)."""
        ...

    def problems(self, msg: RenderedMessage) -> list[str]:
        """What breaks Slack's limits in the message (logged, never sent silently)."""
        ...

    def format_money(self, amount: Decimal, currency: str) -> str:
        """An amount as the digest shows it (the chart's axis labels)."""
        ...


class DigestSlack(Protocol):
    """The Slack calls a delivery needs (implemented over `WebClient` in `bot.slack.digest`)."""

    def post(
        self, *, channel: str, text: str, blocks: list[dict[str, Any]], thread_ts: str | None = None
    ) -> str:
        """Post a message; its `ts`. Raises `SlackCallError`."""
        ...

    def upload_png(self, *, data: bytes, filename: str, title: str, alt_text: str) -> str:
        """Upload a PNG without sharing it (files.getUploadURLExternal, POST, completeUploadExternal
        with no channel); its file id, for an image block's ``slack_file``. Raises `SlackCallError`."""
        ...

    def dm(self, *, user_id: str, text: str) -> None:
        """Send the user a direct message."""
        ...


@dataclass(frozen=True)
class DeliveryOptions:
    """Timing knobs; tests inject `sleep` and `monotonic` so nothing really waits."""

    sleep: Callable[[float], None] = time.sleep
    monotonic: Callable[[], float] = time.monotonic
    channel_interval: float = 1.1
    max_rate_limit_retries: int = 5
    grace: timedelta = timedelta(hours=6)
    abandoned_after: timedelta = timedelta(minutes=15)
    refresh_lead: timedelta = timedelta(minutes=90)
    file_ready_wait: float = 2.0  # Slack may refuse a just-uploaded file in a block; one retry after this
    tick: timedelta = timedelta(minutes=1)
    batch: int = 5000


@dataclass
class DigestRunReport:
    """What one run did (also the benchmark's figures)."""

    due: int = 0
    sent: int = 0
    already_claimed: int = 0
    skipped_late: int = 0
    paused: int = 0
    failed: int = 0
    messages: int = 0
    thread_replies: int = 0
    uploads: int = 0
    rate_limited_retries: int = 0
    refreshes_started: int = 0
    build_seconds: float = 0.0
    installations_lost: list[str] = field(default_factory=list)  # teams whose Slack token is dead
    posts: list[tuple[str, str, float]] = field(default_factory=list)  # (team, channel, monotonic time)


RESUMED_BY_REINSTALL = frozenset({*INSTALLATION_ERRORS, "missing_scope"})
"""Pause reasons a reinstall of Hilal mends (a new token, the scopes asked for again): it resumes them."""

ChannelSender = slack_pacing.ChannelSender[DeliveryOptions, DigestRunReport]
"""Per-channel pacing and 429 retries for digest runs (the shared `slack_pacing.ChannelSender`)."""


def pause_reason_text(reason: str) -> str:
    """A pause reason as the user reads it (`/hilal digest list`): what happened and what resumes it."""
    why = PAUSE_ERRORS.get(reason, reason)
    if reason in RESUMED_BY_REINSTALL:
        return f"{why}; reinstall Hilal and it resumes by itself"
    return why


def pause_notice(channel_id: str, error: str) -> str:
    """The DM a subscriber gets when their digest is paused."""
    why = PAUSE_ERRORS.get(error, error)
    if error == "missing_scope":
        return (
            f"I paused the daily Amazon Ads digest for <#{channel_id}>: {why}. To resume, ask a workspace "
            f"admin to reinstall Hilal; the digest resumes by itself."
        )
    return (
        f"I paused the daily Amazon Ads digest for <#{channel_id}>: {why}. "
        f"To resume, invite Hilal with `/invite @Hilal` in the channel (or pick another channel) and run "
        f"`/hilal digest subscribe` there."
    )
