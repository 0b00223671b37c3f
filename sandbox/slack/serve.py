"""Local mode: run the Slack stand-in (Web API + console) in the foreground."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from sandbox.slack.standin import SlackStandIn

__all__ = ["serve_forever"]

logger = logging.getLogger(__name__)


def serve_forever(
    host: str = "127.0.0.1",
    port: int = 3001,
    *,
    app_url: str | None = None,
    signing_secret: str | None = None,
    stand_in: SlackStandIn | None = None,
    ready: Callable[[SlackStandIn], None] | None = None,
) -> None:
    """Serve the demo workspace (or ``stand_in``) until interrupted.

    Args:
        host: interface to bind.
        port: port to bind (0 picks a free one).
        app_url: the app's Request URL, e.g. ``http://127.0.0.1:3000/slack/events``.
        signing_secret: the secret the app verifies requests with; required with ``app_url``.
        stand_in: an already configured, not yet started stand-in to serve instead of the demo one.
        ready: called once the server is listening (e.g. to print ``stand_in.base_url``).
    """
    slack = stand_in or SlackStandIn.with_demo_workspace(host=host, port=port)
    if app_url is not None:
        if not signing_secret:
            raise ValueError("signing_secret is required with app_url")
        slack.configure_app(app_url, signing_secret)
    slack.start()
    logger.info("slack_standin.serving", extra={"url": slack.base_url, "app_url": app_url})
    if ready is not None:
        ready(slack)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        logger.info("slack_standin.stopped")
    finally:
        slack.stop()
