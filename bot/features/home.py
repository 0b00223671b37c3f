"""App Home: the three region cards, the campaign list and saved views; republished on every change."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from slack_sdk.errors import SlackApiError

from bot.blocks.home import render_home
from bot.features.campaigns import campaign_home_section, saved_views_for
from bot.services.regions import build_region_cards
from bot.viewmodels import HomeVM

if TYPE_CHECKING:
    from slack_sdk import WebClient

    from bot.wiring import Services

__all__ = ["publish_home"]

logger = logging.getLogger(__name__)


def publish_home(
    services: Services, client: WebClient, *, team_id: str, user_id: str, enterprise_id: str = ""
) -> None:
    """Render and publish the Home tab for one user."""
    cards = build_region_cards(
        services,
        team_id=team_id,
        enterprise_id=enterprise_id,
        user_id=user_id,
        render_key=str(int(services.now().timestamp())),
    )
    vm = HomeVM(
        cards=cards,
        campaigns=campaign_home_section(services, team_id=team_id, user_id=user_id),
        views=saved_views_for(services, team_id=team_id, user_id=user_id),
    )
    try:
        client.views_publish(user_id=user_id, view=render_home(vm))
    except SlackApiError as exc:
        logger.warning(
            "slack.home_publish_failed", extra={"error": exc.response.get("error"), "user": user_id}
        )
