"""Fixtures of the cluster tests: they need a PostgreSQL server (`make test` starts one)."""

from __future__ import annotations

import os

import pytest

from tests.conftest import postgres_url


@pytest.fixture
def postgres_base() -> str:
    """The test PostgreSQL server's URL; the test is skipped without one (and fails under CI)."""
    base = postgres_url()
    if not base:
        if os.environ.get("CI"):
            pytest.fail("HILAL_TEST_POSTGRES_URL is not set: run the suite through `make test`")
        pytest.skip("the cluster needs PostgreSQL (make test starts one)")
    return base
