"""`hilal run`: wire everything and serve.

Local mode (no Slack credentials) first starts the local stand-ins (Slack console, Amazon simulator) and
derives settings that point at them; from there on, the app runs exactly as it would against real Slack
and Amazon.

Stopping (SIGTERM from systemd, Docker or Kubernetes, or Ctrl-C) is graceful and bounded: no new sync
starts, running syncs stop at their next step boundary and record themselves `interrupted` (due again at
once), every sync lease and the scheduler lease are handed back, and the process exits 0 within
`STOP_GRACE` plus a few seconds, even if a thread is stuck in a network call.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, NoReturn

from bot.heap import freeze_startup_objects
from bot.logging import configure_logging
from bot.schema import ensure_schema
from bot.settings import ConfigError, Settings

if TYPE_CHECKING:
    from datetime import datetime

    from flask import Flask
    from slack_bolt import App

    from bot.local import LocalStack
    from bot.services.sync import SyncQueue
    from bot.wiring import Services

__all__ = ["STOP_GRACE", "Runtime", "build_runtime", "run_app"]

logger = logging.getLogger(__name__)

STOP_GRACE = 15.0  # seconds running syncs get to finish their step and record their end


@dataclass
class Runtime:
    """Everything `hilal run` holds: settings, services, the Bolt app, the WSGI app, background parts."""

    settings: Settings
    services: Services
    app: App
    web: Flask
    local: LocalStack | None = None
    _stoppers: list[Callable[[], object]] = field(default_factory=list)  # how to stop each background part

    def start_background(self, *, scheduler: bool = True) -> None:
        """The scheduler (single-process mode only: in a cluster the workers run the jobs) and Socket Mode."""
        if scheduler and not self.settings.clustered:
            from bot.jobs.scheduler import start_scheduler

            self._stoppers.append(start_scheduler(self.services).stop)
        if self.settings.slack_app_token:
            from slack_bolt.adapter.socket_mode import SocketModeHandler

            handler = SocketModeHandler(self.app, self.settings.slack_app_token.get_secret_value())
            handler.connect()  # type: ignore[no-untyped-call]
            self._stoppers.append(handler.close)

    def on_stop(self, part: Callable[[], object]) -> None:
        """Stop `part` when the runtime stops (in reverse order of registration)."""
        self._stoppers.append(part)

    def banner(self) -> list[str]:
        if self.local is None:
            return [f"Hilal is running at {self.settings.hilal_public_url}"]
        return [
            "Hilal is running in local mode (no Slack credentials set).",
            f"Open the Slack console: {self.local.console_url}",
            "Try: /hilal connect fe",
            f"Data is kept in {self.local.folder.root} (start fresh: hilal local reset)",
        ]

    def stop(self, *, grace: float = STOP_GRACE) -> None:
        """Stop taking work, let running syncs end their step (at most `grace` s), hand every lease back."""
        from bot.services.sync import stop_syncs

        try:
            stop_syncs(self.services, grace=grace)
        except Exception:
            logger.exception("shutdown.sync_stop_failed")
        for stop_part in reversed(self._stoppers):
            with contextlib.suppress(Exception):
                stop_part()
        self.services.background.shutdown(wait=False, cancel_futures=True)
        self.services.amazon.http.close()
        self.services.engine.dispose()
        if self.local is not None:
            self.local.stop()


def build_runtime(
    settings: Settings,
    *,
    local_port: int | None = None,
    local_dir: Path | None = None,
    clock: Callable[[], datetime] | None = None,
) -> Runtime:
    """Settings → (local stack) → schema → services → Bolt app → WSGI app.

    In local mode the stand-ins start from what `local_dir` (default `./.hilal-local`) remembers.
    `clock` is Hilal's "now" (browser walks move it together with the Amazon simulator's).
    """
    from bot.app import create_app
    from bot.web.server import build_web_app
    from bot.wiring import build_services, settings_clock

    local = None
    if settings.local_mode and settings.clustered:
        raise ConfigError("HILAL_QUEUE=procrastinate needs Slack credentials: local mode runs one process")
    if settings.local_mode:
        from bot.local import start_local_stack

        local = start_local_stack(settings, folder=local_dir, app_port=local_port)
        settings = local.settings
    try:
        settings.require_production_secrets()
        ensure_schema(settings, auto_upgrade=local is not None)
        queue, close_queue = _cluster_queue(settings)
        services = build_services(settings, clock=clock or settings_clock(settings), sync_queue=queue)
        app, _table = create_app(settings, services)
    except BaseException:
        if local is not None:
            local.stop()
        raise
    runtime = Runtime(
        settings=settings, services=services, app=app, web=build_web_app(app, services), local=local
    )
    if close_queue is not None:
        runtime.on_stop(close_queue)
    return runtime


def _cluster_queue(settings: Settings) -> tuple[SyncQueue | None, Callable[[], object] | None]:
    """In a cluster (`HILAL_QUEUE=procrastinate`) this process defers syncs to the workers."""
    if not settings.clustered:
        return None, None
    from bot.jobs.cluster import build_app
    from bot.jobs.queue import ClusterQueue, make_connector

    queue_app = build_app(make_connector(settings, asynchronous=False))
    queue_app.open()
    return ClusterQueue(queue_app), queue_app.close


def _interrupt(signum: int, frame: FrameType | None) -> NoReturn:  # noqa: ARG001 - signal handler signature
    """SIGTERM stops like Ctrl-C; a second one is ignored so it cannot cut the cleanup short."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    logger.warning("shutdown.requested", extra={"signal": signum})
    raise KeyboardInterrupt


def _exit_if_stuck() -> None:
    """After cleanup, leave even if a worker thread is stuck in a network call (leases are back already)."""
    stuck = [t.name for t in threading.enumerate() if t is not threading.main_thread() and not t.daemon]
    if stuck:
        logger.warning("shutdown.forced", extra={"threads": stuck[:10]})
        logging.shutdown()
        os._exit(0)


def run_app(
    settings: Settings, *, host: str | None = None, port: int | None = None, local_dir: Path | None = None
) -> None:
    """Start the app and block until interrupted.

    waitress binds with SO_REUSEADDR, so a restart gets the port back while the last run's is in TIME_WAIT.
    """
    import waitress

    configure_logging(settings.log_level, json_output=settings.log_format == "json")
    runtime = build_runtime(settings, local_port=port, local_dir=local_dir)
    listen_host = host or runtime.settings.hilal_host
    listen_port = port if port is not None else runtime.settings.hilal_port
    if threading.current_thread() is threading.main_thread():
        # `kill` and service managers send SIGTERM: stop as Ctrl-C does, so local mode saves its state.
        signal.signal(signal.SIGTERM, _interrupt)
    runtime.start_background()
    for line in runtime.banner():
        logger.warning(line)
    freeze_startup_objects()
    try:
        waitress.serve(
            runtime.web, host=listen_host, port=listen_port, threads=16, ident="hilal", _quiet=True
        )
    finally:
        runtime.stop()
    logger.warning("shutdown.done")
    _exit_if_stuck()
