"""Signed Connect links: `{public_url}/amazon/oauth/start?t=<ticket>`.

The ticket names team, enterprise, user and region, expires after `TICKET_TTL`, and is signed with an
HMAC key derived from the active encryption key (any configured key verifies). Each click on the link
creates a fresh 10-minute OAuth state (see `amazon_oauth.begin_consent`), so a Connect button in Slack
stays usable for a day while the consent itself stays short-lived.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from bot.errors import UserFacingError

if TYPE_CHECKING:
    from bot.wiring import Services

__all__ = ["ConnectTicket", "LinkExpired", "LinkInvalid", "connect_url", "read_ticket"]

TICKET_TTL = timedelta(hours=24)


class LinkInvalid(UserFacingError):
    title = "This Connect link is not valid"


class LinkExpired(UserFacingError):
    title = "This Connect link has expired"


@dataclass(frozen=True)
class ConnectTicket:
    team_id: str
    enterprise_id: str
    user_id: str
    region: str
    expires_at: datetime


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signing_key(services: Services, kid: str) -> bytes | None:
    for key in services.settings.encryption_keys:
        if key.kid == kid:
            return hmac.new(key.key, b"hilal connect-link v1", hashlib.sha256).digest()
    return None


def make_ticket(services: Services, *, team_id: str, enterprise_id: str, user_id: str, region: str) -> str:
    expires = int((services.now() + TICKET_TTL).timestamp())
    payload = _b64(
        json.dumps(
            {"t": team_id, "e": enterprise_id, "u": user_id, "r": region, "x": expires}, separators=(",", ":")
        ).encode()
    )
    kid = services.cipher.active_kid
    key = _signing_key(services, kid)
    assert key is not None
    signature = _b64(hmac.new(key, f"{kid}.{payload}".encode(), hashlib.sha256).digest())
    return f"{kid}.{payload}.{signature}"


def connect_url(services: Services, *, team_id: str, enterprise_id: str, user_id: str, region: str) -> str:
    """The absolute URL of a Connect (or Reconnect) button for this user and region."""
    ticket = make_ticket(
        services, team_id=team_id, enterprise_id=enterprise_id, user_id=user_id, region=region
    )
    return services.settings.hilal_public_url.rstrip("/") + "/amazon/oauth/start?" + urlencode({"t": ticket})


def read_ticket(services: Services, ticket: str) -> ConnectTicket:
    """Verify and decode a ticket.

    Raises:
        LinkInvalid: forged, truncated or signed with an unknown key.
        LinkExpired: older than `TICKET_TTL`.
    """
    again = "Run `/hilal connect REGION` in Slack for a fresh button."
    try:
        kid, payload, signature = ticket.split(".")
        key = _signing_key(services, kid)
        expected = _b64(hmac.new(key or b"", f"{kid}.{payload}".encode(), hashlib.sha256).digest())
        if key is None or not hmac.compare_digest(expected, signature):
            raise ValueError("bad signature")
        data = json.loads(_unb64(payload))
        parsed = ConnectTicket(
            team_id=str(data["t"]),
            enterprise_id=str(data["e"]),
            user_id=str(data["u"]),
            region=str(data["r"]),
            expires_at=datetime.fromtimestamp(int(data["x"]), tz=services.now().tzinfo),
        )
    except (ValueError, KeyError, TypeError, json.JSONDecodeError):
        raise LinkInvalid("The link was changed or cut short.", hint=again) from None
    if parsed.region not in ("na", "eu", "fe"):
        raise LinkInvalid("The link names an unknown region.", hint=again)
    if parsed.expires_at <= services.now():
        raise LinkExpired("Connect links stay valid for 24 hours.", hint=again)
    return parsed
