"""`/amazon/oauth/start` and `/amazon/oauth/callback`."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from flask import Blueprint, Response, redirect, request
from werkzeug.wrappers import Response as BaseResponse

from bot.errors import UpstreamUnavailable, UserFacingError
from bot.services.connections import (
    ConsentOutcome,
    LinkExpired,
    back_to_slack,
    begin_consent,
    complete_consent,
    connect_url,
    may_connect,
    read_ticket,
)
from bot.web.pages import render_page

if TYPE_CHECKING:
    from bot.wiring import Services

__all__ = ["CARD_COOKIE", "COOKIE", "amazon_oauth_blueprint"]

logger = logging.getLogger(__name__)
COOKIE = "hilal_amz_oauth"
CARD_COOKIE = "hilal_amz_card"  # the sealed response_url of the card whose link was clicked (see card_reply)


# Pages that may offer a fresh Connect link: the request came from the browser that started the consent,
# and the attempt is over without a connection.
_OFFER_AGAIN = frozenset(
    {"cancelled", "amazon_failed", "amazon_busy", "amazon_refused", "amazon_error", "no_code", "failed"}
)


def _html(
    kind: str,
    *,
    region: str = "",
    title: str | None = None,
    body: str | None = None,
    again_url: str | None = None,
    slack_url: str | None = None,
    slack_web_url: str | None = None,
) -> Response:
    html, status = render_page(
        kind,
        region=region,
        title=title,
        body=body,
        again_url=again_url,
        slack_url=slack_url,
        slack_web_url=slack_web_url,
    )
    response = Response(html, status, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


def _error_page(kind: str, exc: UserFacingError) -> Response:
    body = " ".join(part for part in (exc.detail, exc.hint) if part)
    return _html(kind, title=exc.title, body=body)


def _start(services: Services, raw_ticket: str, *, secure: bool) -> BaseResponse:
    try:
        ticket = read_ticket(services, raw_ticket)
        allowed = may_connect(
            services, team_id=ticket.team_id, enterprise_id=ticket.enterprise_id, user_id=ticket.user_id
        )
    except LinkExpired as exc:
        return _error_page("expired", exc)
    except UpstreamUnavailable:
        return _html("slack_unavailable")
    except UserFacingError as exc:
        return _error_page("invalid", exc)
    if not allowed:
        logger.warning(
            "amazon.oauth.start_not_allowed", extra={"team": ticket.team_id, "user": ticket.user_id}
        )
        services.metrics.inc("amazon_oauth_starts_total", outcome="not_allowed")
        return _html("not_allowed", region=ticket.region)
    url, nonce = begin_consent(services, ticket)
    services.metrics.inc("amazon_oauth_starts_total", outcome="redirected")
    response = redirect(url, code=302)
    response.set_cookie(
        COOKIE, nonce, max_age=600, httponly=True, secure=secure, samesite="Lax", path="/amazon/oauth"
    )
    if ticket.reply:  # already encrypted and bound to team, region and user
        response.set_cookie(
            CARD_COOKIE,
            ticket.reply,
            max_age=600,
            httponly=True,
            secure=secure,
            samesite="Lax",
            path="/amazon/oauth",
        )
    else:  # a card from an earlier click must not be replaced by this consent
        response.delete_cookie(CARD_COOKIE, path="/amazon/oauth")
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _callback_page(services: Services, outcome: ConsentOutcome) -> Response:
    again_url = None
    if outcome.bound and outcome.kind in _OFFER_AGAIN:
        again_url = connect_url(
            services,
            team_id=outcome.team_id,
            enterprise_id=outcome.enterprise_id,
            user_id=outcome.user_id,
            region=outcome.region,
        )
    links = None
    if outcome.kind == "connected":
        links = back_to_slack(services, team_id=outcome.team_id, enterprise_id=outcome.enterprise_id)
    response = _html(
        outcome.kind,
        region=outcome.region,
        again_url=again_url,
        slack_url=links.app_url if links else None,
        slack_web_url=links.web_url if links else None,
    )
    if outcome.consumed:  # never clear the cookie of a browser whose own consent may still be pending
        response.delete_cookie(COOKIE, path="/amazon/oauth")
        response.delete_cookie(CARD_COOKIE, path="/amazon/oauth")
    return response


def amazon_oauth_blueprint(services: Services) -> Blueprint:
    """The two browser routes of the Amazon consent (DESIGN §3.3)."""
    bp = Blueprint("amazon_oauth", __name__)
    secure = services.settings.hilal_public_url.startswith("https://")

    @bp.get("/amazon/oauth/start")
    def start() -> BaseResponse:
        return _start(services, request.args.get("t", ""), secure=secure)

    @bp.get("/amazon/oauth/callback")
    def callback() -> Response:
        outcome = complete_consent(
            services,
            state=request.args.get("state"),
            code=request.args.get("code"),
            error=request.args.get("error"),
            browser_nonce=request.cookies.get(COOKIE),
        )
        services.metrics.inc("amazon_oauth_callbacks_total", outcome=outcome.kind)
        response = _callback_page(services, outcome)
        if outcome.kind == "connected":
            services.background.submit(
                _after_connect,
                services,
                outcome.team_id,
                outcome.enterprise_id,
                outcome.user_id,
                outcome.region,
                request.cookies.get(CARD_COOKIE, ""),
            )
        return response

    return bp


def _after_connect(
    services: Services, team_id: str, enterprise_id: str, user_id: str, region: str, card: str = ""
) -> None:
    """The picker DM, App Home, and the ephemeral card whose Connect link was used (`card`, sealed)."""
    from bot.features.connect_card import refresh_connect_card
    from bot.features.home import publish_home
    from bot.features.regions_actions import send_picker_dm

    try:
        send_picker_dm(services, team_id=team_id, enterprise_id=enterprise_id, user_id=user_id, region=region)
    except Exception:  # the page already answered; log for the operator
        logger.exception("slack.picker_dm_failed", extra={"team": team_id, "region": region})
    client = services.slack.client_for(team_id, enterprise_id)
    publish_home(services, client, team_id=team_id, user_id=user_id, enterprise_id=enterprise_id)
    try:
        refresh_connect_card(
            services,
            team_id=team_id,
            enterprise_id=enterprise_id,
            user_id=user_id,
            region=region,
            sealed=card,
        )
    except Exception:  # best effort: the card's response_url may have expired; the DM and Home are current
        logger.exception("slack.connect_card_failed", extra={"team": team_id, "region": region})
