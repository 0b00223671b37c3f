"""After a successful consent: the ephemeral region card whose Connect link was used is replaced in place.

Ephemeral replies cannot be updated with `chat.update`; their response_url can (30 minutes, 5 posts). The
card's Connect link carried that response_url sealed (`bot.services.connections.card_reply`); the
consent callback hands it here. App Home and the picker DM are refreshed by the callback itself.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from slack_sdk.webhook import WebhookClient

from bot.blocks.region_card import render_region_cards_message
from bot.services.connections import build_region_cards, open_card_reply

if TYPE_CHECKING:
    from bot.wiring import Services

__all__ = ["refresh_connect_card"]

logger = logging.getLogger(__name__)


def refresh_connect_card(
    services: Services, *, team_id: str, enterprise_id: str, user_id: str, region: str, sealed: str
) -> bool:
    """After a successful consent: replace the ephemeral card whose Connect link was used (its sealed
    response_url, see `bot.services.connections.card_reply`) with the card as it is now. False when there
    is none or Slack refused (an ephemeral reply's response_url lasts 30 minutes)."""
    reply = open_card_reply(
        services, sealed, team_id=team_id, enterprise_id=enterprise_id, user_id=user_id, region=region
    )
    if reply is None:
        return False
    cards = build_region_cards(
        services,
        team_id=team_id,
        enterprise_id=enterprise_id,
        user_id=user_id,
        only=None if reply.all_regions else region,
        render_key=str(int(services.now().timestamp())),
    )
    msg = render_region_cards_message(cards)
    answer = WebhookClient(reply.response_url, timeout=10).send(
        text=msg["text"], blocks=msg["blocks"], replace_original=True, response_type="ephemeral"
    )
    if answer.status_code != 200:
        logger.info("slack.connect_card_not_replaced", extra={"team": team_id, "status": answer.status_code})
    return answer.status_code == 200
