"""Fixtures for the Amazon client tests (no sockets: everything runs over `httpx.MockTransport`)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.amazon.fakes import Kit, make_kit


@pytest.fixture
def kit() -> Iterator[Kit]:
    built = make_kit()
    yield built
    built.http.close()
