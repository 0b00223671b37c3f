"""The WSGI app: Slack events, Slack install, Amazon OAuth, health and metrics on one server."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Flask, Response, request
from slack_bolt import App
from slack_bolt.adapter.flask import SlackRequestHandler

from bot.web.amazon_oauth import amazon_oauth_blueprint
from bot.web.health import health_blueprint

if TYPE_CHECKING:
    from bot.wiring import Services

__all__ = ["build_web_app"]


def build_web_app(app: App, services: Services) -> Flask:
    """Routes of DESIGN §3.3 on a Flask app (served by waitress in production, by tests on port 0)."""
    web = Flask("hilal")
    handler = SlackRequestHandler(app)

    @web.post("/slack/events")
    def slack_events() -> Response:
        services.metrics.inc("slack_requests_total")
        return handler.handle(request)

    @web.get("/slack/install")
    def slack_install() -> Response:
        return handler.handle(request)

    @web.get("/slack/oauth_redirect")
    def slack_oauth_redirect() -> Response:
        return handler.handle(request)

    web.register_blueprint(amazon_oauth_blueprint(services))
    web.register_blueprint(health_blueprint(services.engine, services.metrics))
    return web
