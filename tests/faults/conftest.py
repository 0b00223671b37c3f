from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine

from tests.sync.world import World


@pytest.fixture
def world(sqlite_engine: Engine) -> Iterator[World]:
    w = World.start(sqlite_engine)
    yield w
    w.close()
