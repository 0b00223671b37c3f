"""The ephemeral reply a region card was shown in, sealed into its Connect link.

Ephemeral messages cannot be updated with `chat.update`; only their response_url (30 minutes, 5 posts)
can replace them. A card shown as a reply to `/hilal connect` or `/hilal regions` therefore puts that
response_url, encrypted and bound to team, region and user, into its Connect link; `/amazon/oauth/start`
keeps it in a cookie next to the consent's browser nonce, and after a successful callback the card is
replaced in place with the connected one. The response_url is a capability, so it is never in clear text.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from storage.crypto import SecretContext, VaultError

if TYPE_CHECKING:
    from bot.wiring import Services

__all__ = ["CardReply", "open_card_reply", "seal_card_reply"]


@dataclass(frozen=True)
class CardReply:
    """Where a region card was shown as an ephemeral reply: its response_url, and whether it held all
    three cards (`/hilal regions`) or one (`/hilal connect REGION`)."""

    response_url: str
    all_regions: bool


def _reply_context(*, team_id: str, enterprise_id: str, region: str) -> SecretContext:
    return SecretContext("card-reply", team_id, region, enterprise_id, row="connect link")


def seal_card_reply(
    services: Services,
    *,
    team_id: str,
    enterprise_id: str,
    user_id: str,
    region: str,
    reply: CardReply,
) -> str:
    """`reply` encrypted and bound to team, region and user, to ride in a Connect link (a capability URL,
    so never in clear text)."""
    plain = json.dumps(
        {"u": reply.response_url, "a": reply.all_regions, "by": user_id}, separators=(",", ":")
    )
    return services.cipher.encrypt(
        plain, _reply_context(team_id=team_id, enterprise_id=enterprise_id, region=region)
    )


def open_card_reply(
    services: Services, sealed: str, *, team_id: str, enterprise_id: str, user_id: str, region: str
) -> CardReply | None:
    """The card reply sealed for this team, region and user; None when absent, forged or someone else's."""
    if not sealed:
        return None
    try:
        data = json.loads(
            services.cipher.decrypt(
                sealed, _reply_context(team_id=team_id, enterprise_id=enterprise_id, region=region)
            )
        )
    except (VaultError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("by") != user_id or not isinstance(data.get("u"), str):
        return None
    url = str(data["u"])
    if not url.startswith(("https://", "http://")):
        return None
    return CardReply(url, bool(data.get("a")))
