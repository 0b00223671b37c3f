"""`run_job`: how every scheduled job runs: with a `now`, logged, and never raising into the scheduler."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.wiring import Services

__all__ = ["run_job"]

logger = logging.getLogger(__name__)


def run_job(services: Services, name: str, job: Callable[[Services, datetime], object]) -> None:
    """Run `job(services, now)` once; failures are logged as `job.failed` and swallowed.

    Args:
        services: Shared services (its clock gives `now`).
        name: The job id, for logs.
        job: The body.
    """
    started = time.monotonic()
    try:
        job(services, services.now())
    except Exception:
        logger.exception("job.failed", extra={"job": name})
        return
    elapsed = time.monotonic() - started
    logger.debug("job.finished", extra={"job": name, "seconds": round(elapsed, 3)})
