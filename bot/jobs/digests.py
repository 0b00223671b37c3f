"""The digest job: `send_due_digests(services, *, now)`, called by the scheduler every minute.

Slack calls go through `bot.slack.WebClientDigestSlack` (the digest's port over a team's `WebClient`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING

from bot.blocks.digest import BLOCK_KIT_DIGEST
from bot.services.digest import (
    DeliveryOptions,
    DigestRunReport,
    deliver_due_digests,
)
from bot.slack import WebClientDigestSlack

if TYPE_CHECKING:
    from bot.wiring import Services

__all__ = ["send_due_digests", "slack_ports"]


def send_due_digests(
    services: Services, *, now: datetime, options: DeliveryOptions | None = None
) -> DigestRunReport:
    """Post every digest due at `now` exactly once (see `bot.services.digest.delivery`).

    Args:
        services: Shared services; Slack clients come from `services.slack.client_for(team_id)`.
        now: The current instant (UTC); the scheduler passes its tick time.
        options: Pacing and retry settings (tests inject `sleep`/`monotonic`).

    Returns:
        What the run did.
    """
    return deliver_due_digests(
        services, slack_ports(services), now=now, rendering=BLOCK_KIT_DIGEST, options=options
    )


def slack_ports(services: Services) -> Callable[[str], WebClientDigestSlack]:
    """Each team's Slack port for one round (digests, pacing alerts), built on its first use."""

    @cache
    def slack_for(team_id: str) -> WebClientDigestSlack:
        return WebClientDigestSlack(services.slack.client_for(team_id))

    return slack_for
