"""The sync tests' world (simulator, Slack stand-in, clock) on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine

from tests.sync.world import World


@pytest.fixture
def world(engine: Engine) -> Iterator[World]:
    w = World.start(engine)
    yield w
    w.close()
