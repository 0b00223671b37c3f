"""`/amazon/oauth/start` and `/amazon/oauth/callback`."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from flask import Blueprint, Response, redirect, request
from werkzeug.wrappers import Response as BaseResponse

from bot.errors import UserFacingError
from bot.services.amazon_oauth import begin_consent, complete_consent
from bot.services.connect_links import LinkExpired, read_ticket
from bot.web.pages import render_page

if TYPE_CHECKING:
    from bot.wiring import Services

__all__ = ["COOKIE", "amazon_oauth_blueprint"]

logger = logging.getLogger(__name__)
COOKIE = "hilal_amz_oauth"


def _html(kind: str, *, region: str = "", title: str | None = None, body: str | None = None) -> Response:
    html, status = render_page(kind, region=region, title=title, body=body)
    response = Response(html, status, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def amazon_oauth_blueprint(services: Services) -> Blueprint:
    bp = Blueprint("amazon_oauth", __name__)
    secure = services.settings.hilal_public_url.startswith("https://")

    @bp.get("/amazon/oauth/start")
    def start() -> BaseResponse:
        try:
            ticket = read_ticket(services, request.args.get("t", ""))
        except LinkExpired as exc:
            return _html("expired", title=exc.title, body=f"{exc.detail} {exc.hint}")
        except UserFacingError as exc:
            return _html("invalid", title=exc.title, body=f"{exc.detail} {exc.hint}")
        url, nonce = begin_consent(services, ticket)
        response = redirect(url, code=302)
        response.set_cookie(
            COOKIE, nonce, max_age=600, httponly=True, secure=secure, samesite="Lax", path="/amazon/oauth"
        )
        response.headers["Cache-Control"] = "no-store"
        return response

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
        response = _html(outcome.kind, region=outcome.region)
        response.delete_cookie(COOKIE, path="/amazon/oauth")
        if outcome.kind == "connected":
            services.background.submit(
                _after_connect,
                services,
                outcome.team_id,
                outcome.enterprise_id,
                outcome.user_id,
                outcome.region,
            )
        return response

    return bp


def _after_connect(services: Services, team_id: str, enterprise_id: str, user_id: str, region: str) -> None:
    from bot.features.home import publish_home
    from bot.features.regions_actions import send_picker_dm

    try:
        send_picker_dm(services, team_id=team_id, enterprise_id=enterprise_id, user_id=user_id, region=region)
    except Exception:  # the page already answered; log for the operator
        logger.exception("slack.picker_dm_failed", extra={"team": team_id, "region": region})
    client = services.slack.client_for(team_id, enterprise_id)
    publish_home(services, client, team_id=team_id, user_id=user_id, enterprise_id=enterprise_id)
