"""The digest job: `send_due_digests(services, *, now)`, called by the scheduler every minute.

Slack calls go through `bot.slack.WebClientDigestSlack` (the digest's port over a team's `WebClient`).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from bot.blocks.digest import BLOCK_KIT_DIGEST
from bot.services.digest import (
    DeliveryOptions,
    DigestRunReport,
    DigestSlack,
    deliver_due_digests,
)
from bot.slack import WebClientDigestSlack

if TYPE_CHECKING:
    from bot.wiring import Services

__all__ = ["send_due_digests"]


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
    ports: dict[str, DigestSlack] = {}

    def slack_for(team_id: str) -> DigestSlack:
        if team_id not in ports:
            ports[team_id] = WebClientDigestSlack(services.slack.client_for(team_id))
        return ports[team_id]

    return deliver_due_digests(services, slack_for, now=now, rendering=BLOCK_KIT_DIGEST, options=options)
