"""`hilal run`: wire everything and serve.

Local mode (no Slack credentials) first starts the local stand-ins (Slack console, Amazon simulator) and
derives settings that point at them; from there on, the app runs exactly as it would against real Slack
and Amazon.
"""

from __future__ import annotations

import logging

from bot.logging import configure_logging
from bot.settings import ConfigError, Settings
from storage.db import check_database, make_engine
from storage.migrate import current_revision, head_revision, upgrade

__all__ = ["ensure_schema", "run_app"]

logger = logging.getLogger(__name__)


def ensure_schema(settings: Settings, *, auto_upgrade: bool) -> None:
    """Check the database is reachable and migrated (or migrate it, in local mode)."""
    engine = make_engine(settings.hilal_database_url, pool_size=2)
    try:
        check_database(engine)
        if auto_upgrade:
            upgrade(engine)
        elif current_revision(engine) != head_revision():
            raise ConfigError("the database schema is not up to date: run `hilal db upgrade` first")
    finally:
        engine.dispose()


def run_app(settings: Settings, *, host: str | None = None, port: int | None = None) -> None:
    """Start the app and block until interrupted."""
    import waitress

    from bot.wiring import build_runtime

    configure_logging(settings.log_level, json_output=settings.log_format == "json")
    runtime = build_runtime(settings)
    listen_host = host or runtime.settings.hilal_host
    listen_port = port if port is not None else runtime.settings.hilal_port
    runtime.start_background()
    logger.info("hilal.started", extra={"url": runtime.settings.hilal_public_url, "local": runtime.local})
    for line in runtime.banner():
        logger.warning(line)
    try:
        waitress.serve(
            runtime.web, host=listen_host, port=listen_port, threads=16, ident="hilal", _quiet=True
        )
    finally:
        runtime.stop()
