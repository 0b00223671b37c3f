"""Engines and sessions.

`make_engine(url)` returns an engine for SQLite or PostgreSQL. On SQLite every connection gets WAL,
`busy_timeout`, `synchronous=NORMAL` and foreign keys, and transactions are started by us: write
transactions with `BEGIN IMMEDIATE`, so a read that later turns into a write can never fail with
SQLITE_BUSY half-way (the "upgrade deadlock"); read-only scopes use a plain `BEGIN`.

`session_scope(engine)` is the one transaction boundary: commit on success, roll back on error.
Repositories only `add`/`flush`; they never commit.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine, create_engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

__all__ = ["DatabaseUnavailableError", "check_database", "make_engine", "session_scope"]

_READONLY = "hilal_readonly"


class DatabaseUnavailableError(Exception):
    """The database cannot be reached or opened; the message says what to check."""


def _sqlite_on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
    dbapi_conn.isolation_level = None  # we emit BEGIN ourselves (see module docstring)
    cursor = dbapi_conn.cursor()
    for pragma in ("journal_mode=WAL", "busy_timeout=10000", "synchronous=NORMAL", "foreign_keys=ON"):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def _sqlite_on_begin(conn: Connection) -> None:
    readonly = conn.get_execution_options().get(_READONLY, False)
    conn.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")


def make_engine(url: str, *, pool_size: int = 10, echo: bool = False) -> Engine:
    """Create the engine for `url` (`sqlite:///…` or `postgresql+psycopg://…`)."""
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            echo=echo,
            connect_args={"check_same_thread": False, "timeout": 10},
            pool_size=pool_size,
            max_overflow=pool_size,
        )
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True, pool_size=pool_size, max_overflow=pool_size)


@contextmanager
def session_scope(engine: Engine, *, readonly: bool = False) -> Iterator[Session]:
    """One transaction: commit at the end, roll back on any error."""
    bind = engine.execution_options(**{_READONLY: True}) if readonly else engine
    session = Session(bind, expire_on_commit=False)
    try:
        yield session
        session.commit()  # read-only scopes commit too: a rollback would expire the loaded objects
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def check_database(engine: Engine) -> None:
    """Open a connection once, turning failures into one clear line.

    Raises:
        DatabaseUnavailableError: the database is unreachable, or the file cannot be opened.
    """
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except OperationalError as exc:
        reason = str(exc.orig).splitlines()[0] if exc.orig else "unknown error"
        where = engine.url.render_as_string(hide_password=True)
        raise DatabaseUnavailableError(
            f"cannot open the database at {where} ({reason}); check HILAL_DATABASE_URL"
        ) from None
