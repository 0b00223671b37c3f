"""A pacing round: poll every region whose poll is due, then send the alerts its readings call for.

The database says what is due: connected regions whose `next_pacing_at` has come (or never polled).
Each is taken under its own named lease `pacing:{connection id}` (not the sync lease, so a long sync and
a poll never wait for each other; both share the region's Amazon rate gate through `ads_client_for`).
The next poll is due `HILAL_PACING_MINUTES` after this one; a disconnected or "reconnect needed"
region is not picked, so its polling stops and its last readings stay.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.services.pacing.alerts import deliver_alerts
from bot.services.pacing.poll import PollResult, poll_connection
from bot.services.pacing.ports import AlertOptions, AlertRendering, AlertReport, AlertSlack, ChannelPacer
from storage.db import session_scope
from storage.repositories.leases import acquire_named_lease, release_named_lease
from storage.repositories.pacing import list_due_pacing_connections, set_next_pacing

if TYPE_CHECKING:
    from bot.wiring import Services

__all__ = ["PACING_LEASE_TTL", "PacingRoundReport", "run_pacing_round"]

logger = logging.getLogger(__name__)

PACING_LEASE_TTL = timedelta(minutes=5)


@dataclass
class PacingRoundReport:
    """What one round did: the regions polled (id → poll result) and the alerts."""

    polled: dict[int, PollResult] = field(default_factory=dict)
    busy: int = 0
    alerts: AlertReport = field(default_factory=AlertReport)


def _take(services: Services, connection_id: int, now: datetime) -> str | None:
    owner = f"{services.instance_id[:50]}:pacing"
    with session_scope(services.engine) as session:
        taken = acquire_named_lease(
            session, name=f"pacing:{connection_id}", owner=owner, now=now, ttl=PACING_LEASE_TTL
        )
    return owner if taken else None


def _one(
    services: Services,
    connection_id: int,
    *,
    now: datetime,
    slack_for: Callable[[str], AlertSlack],
    rendering: AlertRendering,
    pacer: ChannelPacer,
) -> PollResult:
    every = timedelta(minutes=services.settings.hilal_pacing_minutes)
    result = poll_connection(services, connection_id=connection_id, now=now)
    with session_scope(services.engine) as session:
        set_next_pacing(session, connection_id=connection_id, next_at=now + every, last_at=now)
    if not result.reconnect:
        deliver_alerts(
            services, slack_for, connection_id=connection_id, now=now, rendering=rendering, pacer=pacer
        )
    return result


def run_pacing_round(
    services: Services,
    slack_for: Callable[[str], AlertSlack],
    *,
    now: datetime,
    rendering: AlertRendering,
    options: AlertOptions | None = None,
    limit: int = 500,
) -> PacingRoundReport:
    """Poll the due regions (see the module docstring) and post their alerts.

    Args:
        services: Shared services.
        slack_for: The Slack calls for a team id.
        now: The round's instant (UTC).
        rendering: How an alert becomes a message (`bot.blocks.alerts.BLOCK_KIT_ALERTS`).
        options: Pacing and grouping of alert posts (tests inject sleep and clock).
        limit: Most regions polled by this round.
    """
    report = PacingRoundReport()
    pacer = ChannelPacer(options or AlertOptions(), report.alerts)
    with session_scope(services.engine, readonly=True) as session:
        due = [c.id for c in list_due_pacing_connections(session, now=now, limit=limit) if c.id is not None]
    for connection_id in due:
        owner = _take(services, connection_id, now)
        if owner is None:
            report.busy += 1
            continue
        try:
            report.polled[connection_id] = _one(
                services, connection_id, now=now, slack_for=slack_for, rendering=rendering, pacer=pacer
            )
        except Exception:  # one region's trouble must not stop the others; it is due again next round
            logger.exception("pacing.poll_crashed", extra={"connection_id": connection_id})
        finally:
            with session_scope(services.engine) as session:
                release_named_lease(session, name=f"pacing:{connection_id}", owner=owner)
    return report
