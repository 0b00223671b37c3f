"""The WSGI app: Slack events, Slack install, Amazon OAuth, health and metrics on one server."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Flask, Response, request
from slack_bolt import App
from slack_bolt.adapter.flask import SlackRequestHandler

from bot.web.amazon_oauth import amazon_oauth_blueprint
from bot.web.health import Gauges, health_blueprint
from bot.web.slack_guard import SlackGate
from storage.repositories.queue_jobs import STALLED_AFTER, job_counts
from storage.repositories.sync import sync_lag_seconds

if TYPE_CHECKING:
    from bot.wiring import Services

__all__ = ["build_web_app"]


def build_web_app(app: App, services: Services) -> Flask:
    """Routes of DESIGN §3.3 on a Flask app (served by waitress in production, by tests on port 0)."""
    web = Flask("hilal")
    handler = SlackRequestHandler(app)
    secret = services.settings.slack_signing_secret
    gate = SlackGate(secret.get_secret_value() if secret else "")

    @web.post("/slack/events")
    def slack_events() -> Response:
        services.metrics.inc("slack_requests_total")
        rejected = gate.check(
            raw_body=request.get_data(cache=True),
            headers=dict(request.headers),
            content_type=request.mimetype,
        )
        if rejected is not None:
            services.metrics.inc("slack_requests_rejected_total", status=str(rejected.status))
            return Response(rejected.reason, status=rejected.status, mimetype="text/plain")
        return handler.handle(request)

    @web.get("/slack/install")
    def slack_install() -> Response:
        return handler.handle(request)

    @web.get("/slack/oauth_redirect")
    def slack_oauth_redirect() -> Response:
        return handler.handle(request)

    web.register_blueprint(amazon_oauth_blueprint(services))
    web.register_blueprint(health_blueprint(services.engine, services.metrics, _gauges(services)))
    return web


def _gauges(services: Services) -> Gauges:
    """The most overdue sync's lag; in a cluster also the queue's jobs by state (stalled and failed too)."""

    def read() -> dict[str, float]:
        now = services.now()
        with services.engine.connect() as conn:
            values: dict[str, float] = {"sync_lag_seconds": sync_lag_seconds(conn, now=now)}
            if services.settings.clustered:
                counts = job_counts(conn, stalled_after=STALLED_AFTER)
                values.update({f'queue_jobs{{state="{state}"}}': n for state, n in counts.items()})
        return values

    return read
