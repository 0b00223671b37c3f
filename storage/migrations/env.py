"""Alembic environment: SQLModel metadata, batch mode for SQLite, URL from the caller's config."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

import storage.models  # noqa: F401  (registers every table on the metadata)
from storage.migrate import is_ours
from storage.models import metadata

config = context.config


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        compare_type=True,
        render_as_batch=True,
        include_object=is_ours,
    )


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        from storage.db import make_engine

        engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
        with engine.connect() as conn:
            _configure(conn)
            with context.begin_transaction():
                context.run_migrations()
        engine.dispose()
        return
    _configure(connection)
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
