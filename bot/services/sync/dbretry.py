"""Bookkeeping that must land even when the database hiccups: bounded retries with backoff.

A sync that fails because the database is locked (SQLite) or gone (PostgreSQL restarting) still has to
record its end and hand its lease back once the database is back; otherwise the run stays `running` and
the region looks busy. `DbRetry.run` retries only database errors that say "unavailable"
(`OperationalError`, `InterfaceError`), after 0.5, 1, 2, 4, 8, 15 and 30 s (about a minute in all), on an
injected `sleep`, then gives up and raises.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy.exc import InterfaceError, OperationalError

__all__ = ["DATABASE_ERRORS", "DB_RETRY_DELAYS", "DbRetry", "is_database_unavailable"]

logger = logging.getLogger(__name__)

T = TypeVar("T")

DB_RETRY_DELAYS: tuple[float, ...] = (0.5, 1.0, 2.0, 4.0, 8.0, 15.0, 30.0)
DATABASE_ERRORS: tuple[type[Exception], ...] = (OperationalError, InterfaceError)


def is_database_unavailable(exc: BaseException) -> bool:
    """True for the errors a locked or unreachable database raises."""
    return isinstance(exc, DATABASE_ERRORS)


@dataclass(frozen=True)
class DbRetry:
    """How bookkeeping waits for the database to come back.

    Attributes:
        sleep: Waits that many seconds (tests record instead).
        delays: The waits between attempts; their count bounds the retries.
    """

    sleep: Callable[[float], None] = time.sleep
    delays: tuple[float, ...] = DB_RETRY_DELAYS

    def run(self, work: Callable[[], T], *, what: str) -> T:
        """`work()`, retried after each delay while the database is unavailable.

        Raises:
            OperationalError | InterfaceError: still unavailable after the last delay.
        """
        for attempt, delay in enumerate((*self.delays, None)):
            try:
                return work()
            except DATABASE_ERRORS as exc:
                if delay is None:
                    logger.error("db.retry_gave_up", extra={"what": what, "attempts": attempt + 1})
                    raise
                logger.warning(
                    "db.retry", extra={"what": what, "attempt": attempt + 1, "error": type(exc).__name__}
                )
                self.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover
