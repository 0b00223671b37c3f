"""Shared fixtures: a clean environment, migrated databases (SQLite file and real PostgreSQL), frozen time.

The PostgreSQL leg uses HILAL_TEST_POSTGRES_URL, which `make test` and `.ci/run` provide by starting a
private throw-away cluster (scripts/with-postgres). Each test gets its own database cloned from a
migrated template, so tests stay independent under pytest-xdist.
"""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from freezegun import freeze_time
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url

from storage.db import make_engine
from storage.migrate import upgrade

_SECRET_PREFIXES = ("SLACK_", "AMAZON_", "HILAL_", "LOG_")
_counter = itertools.count()


@pytest.fixture(autouse=True)
def clean_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    """No developer's real SLACK_*, AMAZON_* or HILAL_* values leak into a test."""
    for name in list(os.environ):
        if name.startswith(_SECRET_PREFIXES) and name != "HILAL_TEST_POSTGRES_URL":
            monkeypatch.delenv(name, raising=False)


@contextmanager
def frozen(when: str) -> Iterator[object]:
    """The one house wrapper around freezegun (threads in the simulators see the same clock)."""
    with freeze_time(when) as frozen_time:
        yield frozen_time


def postgres_url() -> str | None:
    return os.environ.get("HILAL_TEST_POSTGRES_URL")


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()  # closing the last connection checkpoints the WAL into the file
    return path


@pytest.fixture(scope="session")
def _pg_template(worker_id: str) -> str | None:
    base = postgres_url()
    if not base:
        return None
    name = f"tmpl_{worker_id}"
    admin = make_engine(base, pool_size=1).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(make_url(base).set(database=name).render_as_string(hide_password=False), pool_size=1)
    upgrade(engine)
    engine.dispose()
    admin.dispose()
    return name


def _sqlite_engine(template: Path, tmp_path: Path) -> Iterator[Engine]:
    path = tmp_path / "hilal.db"
    shutil.copy(template, path)
    engine = make_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


def _pg_engine(template: str, worker_id: str) -> Iterator[Engine]:
    base = postgres_url()
    assert base
    name = f"t_{worker_id}_{next(_counter)}"
    admin = make_engine(base, pool_size=1).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    engine = make_engine(make_url(base).set(database=name).render_as_string(hide_password=False))
    yield engine
    engine.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def engine(
    request: pytest.FixtureRequest, tmp_path: Path, worker_id: str, _sqlite_template: Path
) -> Iterator[Engine]:
    """A migrated, empty database: every storage test runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        yield from _sqlite_engine(_sqlite_template, tmp_path)
        return
    template = request.getfixturevalue("_pg_template")
    if template is None:
        if os.environ.get("CI"):
            pytest.fail("HILAL_TEST_POSTGRES_URL is not set: run the suite through `make test`")
        pytest.skip("PostgreSQL leg needs HILAL_TEST_POSTGRES_URL (make test starts one)")
    yield from _pg_engine(template, worker_id)


@pytest.fixture
def sqlite_engine(tmp_path: Path, _sqlite_template: Path) -> Iterator[Engine]:
    """A migrated SQLite database only (for tests about the app, not the storage layer)."""
    yield from _sqlite_engine(_sqlite_template, tmp_path)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The cluster's simulated day (several minutes) goes first, so under xdist one worker starts it at once
    while the others run everything else."""
    items.sort(key=lambda item: 0 if item.nodeid.startswith("tests/scale/test_cluster.py") else 1)
