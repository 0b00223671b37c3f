"""`hilal worker`: one process running the cluster's jobs (`bot.jobs.cluster`) with N at a time.

The worker builds the same `Services` as `hilal run` (its syncs defer follow-up work to the same queue)
and hands them to every job. It registers with Procrastinate and renews a heartbeat every
`stalled_after / 3` seconds; a worker whose heartbeat is older than `stalled_after` counts as dead and
its jobs are retried elsewhere.

SIGTERM or Ctrl-C stops it gracefully: no new job starts, running syncs end at their next step as
`interrupted` (due again at once), and the process exits within `STOP_GRACE` plus a few seconds.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from dataclasses import dataclass
from typing import TYPE_CHECKING

from procrastinate import App

from bot.heap import freeze_startup_objects
from bot.jobs.cluster import build_app
from bot.jobs.queue import ClusterQueue, make_connector
from bot.logging import configure_logging
from bot.runtime import STOP_GRACE
from bot.schema import ensure_schema
from bot.services.sync import stop_syncs
from bot.settings import ConfigError, Settings
from storage.repositories.queue_jobs import STALLED_AFTER

if TYPE_CHECKING:
    from bot.wiring import Services

__all__ = ["WorkerOptions", "run_worker"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class WorkerOptions:
    """How one worker runs: jobs at once, when a silent worker counts as dead, how long a stop may take."""

    concurrency: int = 4
    stalled_after: float = STALLED_AFTER
    stop_grace: float = STOP_GRACE


def run_worker(settings: Settings, options: WorkerOptions) -> None:
    """Run jobs until SIGTERM or Ctrl-C."""
    from bot.wiring import build_services, settings_clock

    if not settings.clustered:
        raise ConfigError("hilal worker runs the cluster's jobs: set HILAL_QUEUE=procrastinate")
    configure_logging(settings.log_level, json_output=settings.log_format == "json")
    settings.require_production_secrets()
    ensure_schema(settings, auto_upgrade=False)
    app = build_app(make_connector(settings, asynchronous=True))
    services = build_services(settings, clock=settings_clock(settings), sync_queue=ClusterQueue(app))
    freeze_startup_objects()
    try:
        asyncio.run(_serve(app, services, options))
    finally:
        services.background.shutdown(wait=False, cancel_futures=True)
        services.amazon.http.close()
        services.engine.dispose()
    logger.warning("worker.stopped")


async def _serve(app: App, services: Services, options: WorkerOptions) -> None:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    async with app.open_async():
        worker = asyncio.create_task(
            app.run_worker_async(
                concurrency=options.concurrency,
                additional_context={"services": services, "stalled_after": options.stalled_after},
                update_heartbeat_interval=options.stalled_after / 3,
                stalled_worker_timeout=options.stalled_after,
                shutdown_graceful_timeout=options.stop_grace,
                install_signal_handlers=False,
                name=services.instance_id,
            )
        )
        logger.warning("worker.started", extra={"concurrency": options.concurrency})
        stopping = asyncio.create_task(stop.wait())
        await asyncio.wait({worker, stopping}, return_when=asyncio.FIRST_COMPLETED)
        if stop.is_set():
            logger.warning("worker.stopping")
            await asyncio.to_thread(stop_syncs, services, grace=options.stop_grace)
            worker.cancel()
        stopping.cancel()
        await asyncio.gather(worker, return_exceptions=True)
