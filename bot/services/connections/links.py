"""Signed Connect links: `{public_url}/amazon/oauth/start?t=<ticket>`.

The ticket names team, enterprise, user and region, expires after `TICKET_TTL`, and is signed with an
HMAC key derived from the active encryption key (any configured key verifies). Each click on the link
creates a fresh 10-minute OAuth state (see `oauth.begin_consent`), so a Connect button in Slack
stays usable for a day while the consent itself stays short-lived.

A link shown in an ephemeral reply may also carry `reply`: that reply's response_url, sealed by
`bot.services.connections.card_reply.seal_card_reply` (opaque here), so the callback can replace the card
in place.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from bot.amazon.regions import ALL_REGIONS
from bot.errors import UserFacingError

if TYPE_CHECKING:
    from bot.wiring import Services

__all__ = ["ConnectTicket", "LinkExpired", "LinkInvalid", "connect_url", "read_ticket"]

TICKET_TTL = timedelta(hours=24)
CLOCK_SKEW = timedelta(minutes=5)
MAX_TICKET_CHARS = 2048


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
    reply: str = ""  # the sealed response_url of the card the link was shown in ("" when none)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signing_key(services: Services, kid: str) -> bytes | None:
    for key in services.settings.encryption_keys:
        if key.kid == kid:
            return hmac.new(key.key, b"hilal connect-link v1", hashlib.sha256).digest()
    return None


def make_ticket(
    services: Services, *, team_id: str, enterprise_id: str, user_id: str, region: str, reply: str = ""
) -> str:
    expires = int((services.now() + TICKET_TTL).timestamp())
    fields: dict[str, object] = {"t": team_id, "e": enterprise_id, "u": user_id, "r": region, "x": expires}
    if reply:
        fields["w"] = reply
    payload = _b64(json.dumps(fields, separators=(",", ":")).encode())
    kid = services.cipher.active_kid
    key = _signing_key(services, kid)
    assert key is not None
    signature = _b64(hmac.new(key, f"{kid}.{payload}".encode(), hashlib.sha256).digest())
    return f"{kid}.{payload}.{signature}"


def connect_url(
    services: Services, *, team_id: str, enterprise_id: str, user_id: str, region: str, reply: str = ""
) -> str:
    """The absolute URL of a Connect (or Reconnect) button for this user and region.

    `reply` is the sealed response_url of the ephemeral card the button is shown in, if any.
    """
    ticket = make_ticket(
        services, team_id=team_id, enterprise_id=enterprise_id, user_id=user_id, region=region, reply=reply
    )
    return services.settings.hilal_public_url.rstrip("/") + "/amazon/oauth/start?" + urlencode({"t": ticket})


def _verified_payload(services: Services, ticket: str) -> dict[str, object]:
    """The signed JSON object of a ticket; raises ValueError for anything forged, cut short or garbled."""
    if not ticket or len(ticket) > MAX_TICKET_CHARS:
        raise ValueError("missing or oversized ticket")
    kid, payload, signature = ticket.split(".")
    key = _signing_key(services, kid)
    expected = _b64(hmac.new(key or b"", f"{kid}.{payload}".encode(), hashlib.sha256).digest())
    if key is None or not hmac.compare_digest(expected.encode(), signature.encode()):
        raise ValueError("bad signature")
    data = json.loads(_unb64(payload))
    if not isinstance(data, dict):
        raise ValueError("payload is not an object")
    return data


def _expiry(services: Services, value: object, *, hint: str) -> datetime:
    """The ticket's expiry as a datetime; only whole seconds after 1970 and no later than a fresh ticket's.

    Raises:
        LinkInvalid: not an integer, not positive, or further ahead than `TICKET_TTL` (plus clock skew).
    """
    now = services.now()
    latest = (now + TICKET_TTL + CLOCK_SKEW).timestamp()
    if type(value) is not int or not 0 < value <= latest:
        raise LinkInvalid("The link's expiry date is not valid, so it was not made by Hilal.", hint=hint)
    return datetime.fromtimestamp(value, tz=now.tzinfo or UTC)


def read_ticket(services: Services, ticket: str) -> ConnectTicket:
    """Verify and decode a ticket.

    Raises:
        LinkInvalid: forged, truncated, garbled, signed with an unknown key, or with an impossible expiry.
        LinkExpired: older than `TICKET_TTL`.
    """
    again = "Run `/hilal connect REGION` in Slack for a fresh Connect button."
    try:
        data = _verified_payload(services, ticket)
        fields = [data.get(name) for name in ("t", "e", "u", "r")]
        if not all(isinstance(value, str) for value in fields):
            raise ValueError("a field is not a string")
        team_id, enterprise_id, user_id, region = (str(value) for value in fields)
    except (ValueError, TypeError, RecursionError):  # JSON, base64 and UTF-8 errors are ValueErrors
        raise LinkInvalid("The link was changed or cut short.", hint=again) from None
    if region not in ALL_REGIONS or not team_id or not user_id:
        raise LinkInvalid("The link names an unknown region or workspace.", hint=again)
    again = f"Run `/hilal connect {region}` in Slack for a fresh Connect button."
    expires_at = _expiry(services, data.get("x"), hint=again)
    if expires_at <= services.now():
        raise LinkExpired("Connect links stay valid for 24 hours.", hint=again)
    reply = data.get("w")
    return ConnectTicket(
        team_id=team_id,
        enterprise_id=enterprise_id,
        user_id=user_id,
        region=region,
        expires_at=expires_at,
        reply=reply if isinstance(reply, str) and len(reply) <= MAX_TICKET_CHARS else "",
    )
