"""The composition root's building blocks: `Services` (what listeners, jobs and services share) and
`build_services(settings)`. `bot.runtime` adds the Bolt app, web server and scheduler on top.

Nothing here runs at import time.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy.engine import Engine

from bot.amazon.regions import ALL_REGIONS, Region
from bot.services.gateways import AmazonGateway
from bot.services.sync import SyncQueue
from bot.settings import ConfigError, Settings
from bot.slack import SlackGateway
from bot.web.health import Metrics
from storage.crypto import TokenCipher
from storage.db import make_engine

__all__ = ["OffsetFileClock", "Services", "build_services", "settings_clock", "utc_now"]


def utc_now() -> datetime:
    return datetime.now(UTC)


class OffsetFileClock:
    """The wall clock plus the seconds written in a file (`HILAL_CLOCK_FILE`), re-read when it changes.

    Simulations run several Hilal processes against simulators whose time they move; this is how they all
    see the same "now". A missing or unreadable file counts as no offset.
    """

    def __init__(self, path: str) -> None:
        self._path = Path(path)
        self._seen: int | None = None
        self._offset = timedelta(0)

    def __call__(self) -> datetime:
        try:
            stamp = self._path.stat().st_mtime_ns
            if stamp != self._seen:
                self._offset = timedelta(seconds=float(self._path.read_text().strip() or 0))
                self._seen = stamp
        except (OSError, ValueError):
            self._offset, self._seen = timedelta(0), None
        return datetime.now(UTC) + self._offset


def settings_clock(settings: Settings) -> Callable[[], datetime]:
    """Hilal's clock: the wall clock, or the simulation clock of `HILAL_CLOCK_FILE`."""
    return OffsetFileClock(settings.hilal_clock_file) if settings.hilal_clock_file else utc_now


@dataclass(frozen=True)
class Services:
    """Shared, thread-safe collaborators; passed explicitly, never global."""

    settings: Settings
    engine: Engine
    cipher: TokenCipher
    amazon: AmazonGateway
    slack: SlackGateway
    metrics: Metrics
    clock: Callable[[], datetime]
    instance_id: str
    background: Executor
    sync_queue: SyncQueue | None = None  # None: syncs run in this process (`HILAL_QUEUE=local`)

    def now(self) -> datetime:
        return self.clock()

    @property
    def regions(self) -> tuple[Region, ...]:
        return ALL_REGIONS


def build_services(
    settings: Settings,
    *,
    engine: Engine | None = None,
    amazon_transport: httpx.BaseTransport | None = None,
    clock: Callable[[], datetime] = utc_now,
    background: Executor | None = None,
    sync_queue: SyncQueue | None = None,
) -> Services:
    """Build the shared services from settings (tests inject engine, transport, clock, executor)."""
    keys = settings.encryption_keys
    if not keys:
        raise ConfigError("HILAL_ENCRYPTION_KEYS is not set: generate one with `hilal keys generate`")
    cipher = TokenCipher([(k.kid, k.key) for k in keys])
    engine = engine or make_engine(settings.hilal_database_url)
    http = httpx.Client(
        transport=amazon_transport, timeout=httpx.Timeout(30.0, connect=10.0), follow_redirects=False
    )
    return Services(
        settings=settings,
        engine=engine,
        cipher=cipher,
        amazon=AmazonGateway(settings, http, clock=clock),
        slack=SlackGateway(settings, engine, cipher),
        metrics=Metrics(),
        clock=clock,
        instance_id=f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}",
        background=background or ThreadPoolExecutor(max_workers=8, thread_name_prefix="hilal-bg"),
        sync_queue=sync_queue,
    )
