"""Events: App Home opened (publish it);
app uninstalled or tokens revoked (stop the team's jobs, keep data)."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import BoltContext
from slack_sdk import WebClient
from sqlalchemy import update

from bot.features.home import publish_home
from bot.listeners.context import services_of
from bot.listeners.registry import Listeners
from storage.db import session_scope
from storage.models import Connection, Workspace, table_of

__all__ = ["register_events", "stop_team"]

logger = logging.getLogger(__name__)


def handle_app_home_opened(event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    """Publish the Home tab (region cards, campaigns, views) when the user opens it."""
    if event.get("tab", "home") != "home":
        return
    publish_home(
        services_of(context),
        client,
        team_id=str(context.team_id or ""),
        user_id=str(event["user"]),
        enterprise_id=str(context.enterprise_id or ""),
    )


def stop_team(services: Any, *, team_id: str) -> None:
    """Unschedule every sync of the team and mark the installation gone; all data stays."""
    conn_t, ws_t = table_of(Connection), table_of(Workspace)
    now = services.now()
    with session_scope(services.engine) as session:
        session.execute(
            update(conn_t)
            .where(conn_t.c.team_id == team_id)
            .values(next_active_sync_at=None, next_archived_sync_at=None, next_report_sync_at=None)
        )
        session.execute(
            update(ws_t)
            .where(ws_t.c.team_id == team_id, ws_t.c.uninstalled_at.is_(None))
            .values(uninstalled_at=now, bot_token_enc=None)
        )
    services.slack.forget(team_id)
    logger.info("slack.team_stopped", extra={"team": team_id})


def handle_uninstall(context: BoltContext) -> None:
    stop_team(services_of(context), team_id=str(context.team_id or ""))


def register_events(app: Listeners) -> None:
    app.event("app_home_opened")(handle_app_home_opened)
    app.event("app_uninstalled")(handle_uninstall)
    app.event("tokens_revoked")(handle_uninstall)
