"""App Home: the three region cards, the campaign list and saved views; republished on every change."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from slack_sdk.errors import SlackApiError

from bot.blocks.home import render_home
from bot.listeners.permission import viewer_can_edit
from bot.services.home import build_home_vm

if TYPE_CHECKING:
    from slack_sdk import WebClient

    from bot.wiring import Services

__all__ = ["publish_home"]

logger = logging.getLogger(__name__)


def publish_home(
    services: Services, client: WebClient, *, team_id: str, user_id: str, enterprise_id: str = ""
) -> None:
    """Render and publish the Home tab for one user (with the edit entries when they may edit)."""
    editor = viewer_can_edit(services, client, team_id=team_id, user_id=user_id)
    vm = build_home_vm(
        services, team_id=team_id, user_id=user_id, enterprise_id=enterprise_id, can_edit=editor
    )
    try:
        client.views_publish(user_id=user_id, view=render_home(vm))
    except SlackApiError as exc:
        logger.warning(
            "slack.home_publish_failed", extra={"error": exc.response.get("error"), "user": user_id}
        )
