"""The Amazon consent flow, server side (reference: scheduling-and-security §4).

`begin_consent` (GET /amazon/oauth/start): a verified Connect ticket → a new state row (hashed state,
PKCE verifier encrypted, browser nonce hash, 10-minute expiry) → the region's consent URL.

`complete_consent` (GET /amazon/oauth/callback): consumes the state atomically (UPDATE … RETURNING, so a
replay or a concurrent second callback finds nothing), checks the browser nonce, handles Amazon's
`error=`, exchanges the code at the state's region token URL, fetches that region's profiles and stores
the connection (reusing the row on reconnect). Region, token URL and redirect_uri come only from the
state row, never from request parameters.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import update

from bot.amazon.errors import AmazonAdsError, ClientConfigError, CodeRejected
from bot.amazon.lwa import consent_url, make_pkce
from bot.services.connect_links import ConnectTicket
from bot.services.connections import store_connection
from bot.services.profiles import fetch_profiles
from storage.crypto import SecretContext
from storage.db import session_scope
from storage.models import OAuthState, table_of

if TYPE_CHECKING:
    from bot.wiring import Services

__all__ = ["ConsentOutcome", "begin_consent", "complete_consent", "sha256_hex"]

logger = logging.getLogger(__name__)
STATE_TTL = timedelta(minutes=10)


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _verifier_context(team_id: str, enterprise_id: str, region: str) -> SecretContext:
    return SecretContext("pkce-verifier", team_id, region, enterprise_id, row="oauth state")


def begin_consent(services: Services, ticket: ConnectTicket) -> tuple[str, str]:
    """Create the state row for this click; returns (consent URL, browser nonce for the cookie)."""
    state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    verifier, challenge = make_pkce()
    now = services.now()
    row = OAuthState(
        state_hash=sha256_hex(state),
        team_id=ticket.team_id,
        enterprise_id=ticket.enterprise_id,
        user_id=ticket.user_id,
        region=ticket.region,
        browser_nonce_hash=sha256_hex(nonce),
        code_verifier_enc=services.cipher.encrypt(
            verifier, _verifier_context(ticket.team_id, ticket.enterprise_id, ticket.region)
        ),
        created_at=now,
        expires_at=now + STATE_TTL,
    )
    with session_scope(services.engine) as session:
        session.add(row)
    url = consent_url(
        services.amazon.endpoints(ticket.region),
        client_id=services.amazon.client_id,
        redirect_uri=services.amazon.redirect_uri,
        state=state,
        code_challenge=challenge,
    )
    return url, nonce


@dataclass(frozen=True)
class ConsentOutcome:
    """What the callback page says: `kind` is connected, cancelled, expired, used, invalid or failed."""

    kind: str
    team_id: str = ""
    enterprise_id: str = ""
    user_id: str = ""
    region: str = ""
    connection_id: int | None = None
    reconnect: bool = False
    profile_count: int = 0


def _who(row: OAuthState) -> ConsentOutcome:
    return ConsentOutcome(
        "failed", team_id=row.team_id, enterprise_id=row.enterprise_id, user_id=row.user_id, region=row.region
    )


def _consume(services: Services, state: str) -> tuple[str, OAuthState | None]:
    """Atomically mark the state used; returns ("ok", row) or the reason it cannot be used."""
    table = table_of(OAuthState)
    now = services.now()
    h = sha256_hex(state)
    with session_scope(services.engine) as session:
        row = session.execute(
            update(table)
            .where(table.c.state_hash == h, table.c.used_at.is_(None), table.c.expires_at > now)
            .values(used_at=now)
            .returning(*table.c)
        ).first()
        if row is not None:
            return "ok", OAuthState.model_validate(dict(row._mapping))
        existing = session.execute(table.select().where(table.c.state_hash == h)).first()
    if existing is None:
        return "invalid", None
    return ("used" if existing.used_at is not None else "expired"), None


def complete_consent(
    services: Services, *, state: str | None, code: str | None, error: str | None, browser_nonce: str | None
) -> ConsentOutcome:
    """Finish the consent; never raises for user-caused problems (the outcome says what happened)."""
    if not state:
        return ConsentOutcome("invalid")
    status, row = _consume(services, state)
    if row is None:
        return ConsentOutcome(status)
    who = _who(row)
    if not browser_nonce or sha256_hex(browser_nonce) != row.browser_nonce_hash:
        logger.warning("amazon.oauth.browser_mismatch", extra={"team": row.team_id, "region": row.region})
        return replace(who, kind="invalid")
    if error:
        kind = "cancelled" if error == "access_denied" else "failed"
        logger.info(
            "amazon.oauth.error", extra={"team": row.team_id, "region": row.region, "error": error[:40]}
        )
        return replace(who, kind=kind)
    if not code:
        return replace(who, kind="failed")
    return _exchange_and_store(services, row, code, who)


def _exchange_and_store(
    services: Services, row: OAuthState, code: str, who: ConsentOutcome
) -> ConsentOutcome:
    verifier = services.cipher.decrypt(
        row.code_verifier_enc, _verifier_context(row.team_id, row.enterprise_id, row.region)
    )
    endpoints = services.amazon.endpoints(row.region)
    try:
        tokens = services.amazon.lwa.exchange_code(
            endpoints, code=code, redirect_uri=services.amazon.redirect_uri, code_verifier=verifier
        )
        profiles = fetch_profiles(services, region=row.region, tokens=tokens)
    except CodeRejected:
        return replace(who, kind="expired")
    except ClientConfigError:
        logger.error("amazon.oauth.client_config", extra={"region": row.region})
        return replace(who, kind="failed")
    except AmazonAdsError as exc:
        logger.warning(
            "amazon.oauth.exchange_failed", extra={"region": row.region, "error": type(exc).__name__}
        )
        return replace(who, kind="failed")
    connection_id, reconnect = store_connection(
        services,
        team_id=row.team_id,
        enterprise_id=row.enterprise_id,
        region=row.region,
        user_id=row.user_id,
        refresh_token=tokens.refresh_token.get_secret_value(),
        profiles=profiles,
    )
    return replace(
        who, kind="connected", connection_id=connection_id, reconnect=reconnect, profile_count=len(profiles)
    )
