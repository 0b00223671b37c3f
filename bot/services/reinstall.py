"""What a reinstall of Hilal in a workspace mends: deliveries paused because Slack refused the old
installation (a dead token, a missing scope) resume by themselves."""

from __future__ import annotations

import logging

from sqlmodel import Session

from bot.services.digest.ports import RESUMED_BY_REINSTALL
from bot.services.slack_ports import INSTALLATION_ERRORS
from storage.repositories.digests import resume_team_digests
from storage.repositories.pacing import resume_team_alerts

__all__ = ["resume_after_reinstall"]

logger = logging.getLogger(__name__)


def resume_after_reinstall(session: Session, *, team_id: str) -> tuple[int, int]:
    """Resume the team's digests and budget alerts paused by the old installation, in the caller's
    transaction (the one saving the new installation); (digests, alerts) resumed.

    A digest slot missed meanwhile is skipped, never posted late; alerts follow the campaigns' state, so
    the next budget poll alerts on what is true then.
    """
    digests = resume_team_digests(session, team_id=team_id, reasons=RESUMED_BY_REINSTALL)
    alerts = resume_team_alerts(session, team_id=team_id, reasons=INSTALLATION_ERRORS)
    if digests or alerts:
        logger.info(
            "slack.reinstall_resumed", extra={"team_id": team_id, "digests": digests, "alerts": alerts}
        )
    return digests, alerts
