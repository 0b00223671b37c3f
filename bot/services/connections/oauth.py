"""The Amazon consent flow, server side (reference: scheduling-and-security §4).

`begin_consent` (GET /amazon/oauth/start): a verified Connect ticket → a new state row (hashed state,
PKCE verifier encrypted, browser nonce hash, 10-minute expiry) → the region's consent URL.

`complete_consent` (GET /amazon/oauth/callback): finds the state, checks the browser nonce (a callback
from another browser leaves the state untouched), handles Amazon's `error=` and a missing code, asks
Slack again whether the user may still connect, and only then consumes the state atomically
(UPDATE … RETURNING, so a replay or a concurrent second callback finds nothing). It then exchanges the
code at the state's region token URL, fetches that region's profiles and stores the connection (reusing
the row on reconnect). Region, token URL and redirect_uri come only from the state row, never from
request parameters.

`back_to_slack` (the "connected" page): where the user goes next, Hilal's Messages tab in Slack, built
from the team id and the app id (`auth.test`, else `bots.info`); None when the app id is unknown.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlencode, urlsplit

from sqlalchemy import update

from bot.amazon.errors import AmazonAdsError, ClientConfigError, CodeRejected
from bot.amazon.lwa import consent_url, make_pkce
from bot.errors import UpstreamUnavailable
from bot.services.connections.links import ConnectTicket
from bot.services.connections.profiles import fetch_profiles
from bot.services.connections.store import store_connection
from bot.services.permissions import can_manage
from bot.services.slack_ports import SlackUnreachable, WorkspaceDirectory
from storage.crypto import SecretContext
from storage.db import session_scope
from storage.models import OAuthState, table_of

if TYPE_CHECKING:
    from bot.wiring import Services

__all__ = [
    "ConsentOutcome",
    "SlackLinks",
    "back_to_slack",
    "begin_consent",
    "complete_consent",
    "may_connect",
    "sha256_hex",
    "slack_links",
]

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
    """What the callback page says.

    `kind` is one of connected, cancelled, amazon_failed, amazon_busy, amazon_refused, amazon_error,
    no_code, expired, used, invalid, wrong_browser, not_allowed, slack_unavailable or failed (the keys
    of `bot.web.pages.PAGES`). `bound` is True once the request came from the browser that started the
    consent (only then may the page offer a fresh Connect link); `consumed` once the state was used up.
    """

    kind: str
    team_id: str = ""
    enterprise_id: str = ""
    user_id: str = ""
    region: str = ""
    connection_id: int | None = None
    reconnect: bool = False
    profile_count: int = 0
    bound: bool = False
    consumed: bool = False


# Amazon's `error=` values (RFC 6749 §4.1.2.1) → page kinds. Anything else is "amazon_error".
_AMAZON_ERRORS = {
    "access_denied": "cancelled",
    "server_error": "amazon_failed",
    "temporarily_unavailable": "amazon_busy",
    "invalid_request": "amazon_refused",
    "unauthorized_client": "amazon_refused",
    "unsupported_response_type": "amazon_refused",
    "invalid_scope": "amazon_refused",
}


def may_connect(services: Services, *, team_id: str, enterprise_id: str, user_id: str) -> bool:
    """True when `user_id` may connect regions of `team_id` right now (asked again at every step).

    Raises:
        UpstreamUnavailable: Slack could not be asked.
    """
    try:
        directory: WorkspaceDirectory = services.slack.workspace(team_id, enterprise_id)
        return can_manage(services, directory, team_id=team_id, user_id=user_id)
    except (SlackUnreachable, OSError) as exc:
        kind = exc.kind if isinstance(exc, SlackUnreachable) else type(exc).__name__
        logger.warning("amazon.oauth.permission_check_failed", extra={"team": team_id, "error": kind})
        raise UpstreamUnavailable(
            "Slack did not answer whether you may connect.", hint="Try again in a minute."
        ) from None


def _who(row: OAuthState, kind: str) -> ConsentOutcome:
    return ConsentOutcome(
        kind, team_id=row.team_id, enterprise_id=row.enterprise_id, user_id=row.user_id, region=row.region
    )


def _lookup(services: Services, state: str) -> OAuthState | None:
    table = table_of(OAuthState)
    with session_scope(services.engine, readonly=True) as session:
        row = session.execute(table.select().where(table.c.state_hash == sha256_hex(state))).first()
    return None if row is None else OAuthState.model_validate(dict(row._mapping))


def _consume(services: Services, state: str) -> bool:
    """Atomically mark the state used (UPDATE … RETURNING): True for exactly one caller, ever."""
    table = table_of(OAuthState)
    now = services.now()
    with session_scope(services.engine) as session:
        row = session.execute(
            update(table)
            .where(
                table.c.state_hash == sha256_hex(state), table.c.used_at.is_(None), table.c.expires_at > now
            )
            .values(used_at=now)
            .returning(table.c.id)
        ).first()
    return row is not None


def _same_browser(row: OAuthState, browser_nonce: str | None) -> bool:
    if not browser_nonce or not row.browser_nonce_hash:
        return False
    return hmac.compare_digest(sha256_hex(browser_nonce), row.browser_nonce_hash)


def complete_consent(
    services: Services, *, state: str | None, code: str | None, error: str | None, browser_nonce: str | None
) -> ConsentOutcome:
    """Finish the consent; never raises (the outcome says what happened).

    Order matters: the browser binding and the permission are checked before the state is consumed, so
    a callback opened in another browser, or refused, leaves the state usable by the right browser.
    Amazon's `error=` and a missing `code` end the attempt without any token request.
    """
    if not state:
        return ConsentOutcome("invalid")
    row = _lookup(services, state)
    if row is None:
        return ConsentOutcome("invalid")
    if row.used_at is not None:
        return _who(row, "used")
    if row.expires_at <= services.now():
        return _who(row, "expired")
    if not _same_browser(row, browser_nonce):
        logger.warning("amazon.oauth.browser_mismatch", extra={"team": row.team_id, "region": row.region})
        return _who(row, "wrong_browser")
    who = replace(_who(row, "failed"), bound=True)
    if error or not code:
        return _end_without_code(services, state, error, who)
    try:
        allowed = may_connect(
            services, team_id=row.team_id, enterprise_id=row.enterprise_id, user_id=row.user_id
        )
    except UpstreamUnavailable:
        return replace(who, kind="slack_unavailable")
    if not allowed:
        logger.warning("amazon.oauth.not_allowed", extra={"team": row.team_id, "user": row.user_id})
        return replace(who, kind="not_allowed")
    if not _consume(services, state):
        return replace(who, kind="used")
    return _exchange_and_store(services, row, code, replace(who, consumed=True))


def _end_without_code(
    services: Services, state: str, error: str | None, who: ConsentOutcome
) -> ConsentOutcome:
    """Amazon sent `error=` (the user cancelled, or Amazon failed) or no code: the attempt is over."""
    if not _consume(services, state):
        return replace(who, kind="used")
    kind = _AMAZON_ERRORS.get(error, "amazon_error") if error else "no_code"
    logger.info(
        "amazon.oauth.ended_without_code", extra={"team": who.team_id, "region": who.region, "outcome": kind}
    )
    return replace(who, kind=kind, consumed=True)


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


_SLACK_ID = re.compile(r"[A-Z0-9]{2,32}")


@dataclass(frozen=True)
class SlackLinks:
    """The way back to Hilal's Messages tab after consent.

    `app_url` opens the Slack app (`slack://app?team=T&id=A&tab=messages`; None off slack.com);
    `web_url` works in any browser (`https://slack.com/app_redirect?app=A&team=T`).
    """

    app_url: str | None
    web_url: str


def slack_links(api_url: str, *, team_id: str, app_id: str) -> SlackLinks | None:
    """Links to the app's Messages tab from Slack's Web API base URL, team id and app id.

    Off slack.com (a local Slack stand-in) the web client lives at the API host's root. None when an id
    is missing or malformed.
    """
    web = api_url.rstrip("/").removesuffix("/api")
    if urlsplit(web).hostname != "slack.com":
        return SlackLinks(None, web + "/")
    if not (_SLACK_ID.fullmatch(team_id) and _SLACK_ID.fullmatch(app_id)):
        return None
    deep = "slack://app?" + urlencode({"team": team_id, "id": app_id, "tab": "messages"})
    return SlackLinks(deep, f"{web}/app_redirect?" + urlencode({"app": app_id, "team": team_id}))


def _app_id(services: Services, *, team_id: str, enterprise_id: str) -> str:
    """Hilal's Slack app id, or "" when Slack cannot say."""
    try:
        directory: WorkspaceDirectory = services.slack.workspace(team_id, enterprise_id)
        return directory.app_id()
    except SlackUnreachable as exc:
        logger.info("slack.app_id_unknown", extra={"team": team_id, "error": exc.kind})
    except OSError as exc:
        logger.info("slack.app_id_unknown", extra={"team": team_id, "error": type(exc).__name__})
    return ""


def back_to_slack(services: Services, *, team_id: str, enterprise_id: str) -> SlackLinks | None:
    """Where the "connected" page sends the user: Hilal's Messages tab, where the picker DM waits.

    None when Slack does not tell the app id (the page then says in words where to go).
    """
    api_url = services.slack.api_url
    if urlsplit(api_url).hostname != "slack.com":
        return slack_links(api_url, team_id=team_id, app_id="")
    app_id = _app_id(services, team_id=team_id, enterprise_id=enterprise_id)
    return slack_links(api_url, team_id=team_id, app_id=app_id) if app_id else None
