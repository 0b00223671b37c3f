"""Before serving: the database is reachable and its schema is current (local mode migrates it)."""

from __future__ import annotations

from bot.settings import ConfigError, Settings
from storage.db import check_database, make_engine
from storage.migrate import current_revision, head_revision, upgrade

__all__ = ["ensure_schema"]


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
