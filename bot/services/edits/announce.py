"""The audit channel: after an applied confirm, one line per changed entity, best effort."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bot.services.edits.lookup import audit_channel_of, audit_lines
from bot.services.slack_ports import AuditPoster, SlackCallError, SlackUnreachable
from storage.db import session_scope

if TYPE_CHECKING:
    from bot.wiring import Services

__all__ = ["announce_edit"]

logger = logging.getLogger(__name__)


def announce_edit(services: Services, poster: AuditPoster, *, team_id: str, batch_id: int) -> int:
    """Post the batch's applied changes to the team's audit channel; returns the lines posted.

    Best effort: a Slack failure is logged and stops the posting, never the edit (already applied).
    """
    with session_scope(services.engine, readonly=True) as session:
        channel = audit_channel_of(session, team_id=team_id)
        lines = audit_lines(session, batch_id=batch_id) if channel else []
    posted = 0
    for line in lines:
        assert channel is not None
        try:
            poster.post_audit_line(channel=channel, line=line)
        except (SlackCallError, SlackUnreachable) as exc:
            error = exc.error if isinstance(exc, SlackCallError) else exc.kind
            logger.warning("edits.audit_post_failed", extra={"batch": batch_id, "error": error})
            break
        posted += 1
    return posted
