"""Fixtures for the digest tests: services on a migrated database, the Slack stand-in, a fake sleep."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
from sqlalchemy.engine import Engine

from bot.services.digest import DeliveryOptions
from bot.settings import load_settings
from bot.wiring import Services, build_services
from sandbox.slack import DEMO_BOT_TOKEN, ManualClock, SlackStandIn
from storage.crypto import generate_key_line

from .seed import FakeTime


def make_services(
    engine: Engine, *, api_url: str = "http://127.0.0.1:9/api/", clock: FakeTime | None = None
) -> Services:
    settings = load_settings(
        {
            "HILAL_ENCRYPTION_KEYS": generate_key_line("k1"),
            "SLACK_BOT_TOKEN": DEMO_BOT_TOKEN,
            "SLACK_API_URL": api_url,
            "HILAL_PUBLIC_URL": "https://hilal.test",
        }
    )
    clock = clock or FakeTime(datetime(2025, 5, 14, 7, 0, tzinfo=UTC))
    return build_services(
        settings, engine=engine, clock=clock.now, background=ThreadPoolExecutor(max_workers=1)
    )


@pytest.fixture
def slack() -> Iterator[SlackStandIn]:
    stand_in = SlackStandIn.with_demo_workspace(clock=ManualClock(), console=False)
    with stand_in:
        yield stand_in


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime(datetime(2025, 5, 14, 7, 0, tzinfo=UTC))


@pytest.fixture
def services(sqlite_engine: Engine, slack: SlackStandIn, fake_time: FakeTime) -> Iterator[Services]:
    built = make_services(sqlite_engine, api_url=slack.api_url, clock=fake_time)
    yield built
    built.background.shutdown(wait=False)


@pytest.fixture
def options(fake_time: FakeTime) -> DeliveryOptions:
    """Pacing and 429 waits advance a fake monotonic clock instead of sleeping."""
    return DeliveryOptions(sleep=fake_time.sleep, monotonic=fake_time.monotonic)
