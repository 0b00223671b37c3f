"""What an operator of a cluster sees: `hilal db upgrade` with the queue's schema, `hilal jobs` and
`/metrics`."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click
import pytest
from alembic import command as alembic
from click.testing import CliRunner
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine

from bot.cli.cluster import register as register_cluster
from bot.cli.database import register as register_database
from bot.jobs.cluster import build_app
from bot.jobs.queue import make_connector
from bot.settings import load_settings
from storage.migrate import alembic_config, current_revision, downgrade, head_revision
from storage.repositories.sync import sync_lag_seconds
from tests.harness import Harness


@pytest.fixture
def cli() -> click.Group:
    @click.group()
    def group() -> None:
        """hilal"""

    register_cluster(group)
    register_database(group)
    return group


@pytest.fixture
def postgres(engine: Engine) -> Engine:
    if engine.dialect.name != "postgresql":
        pytest.skip("the queue lives in PostgreSQL")
    return engine


@pytest.fixture
def cluster_env(postgres: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.setenv("HILAL_QUEUE", "procrastinate")
    monkeypatch.setenv("HILAL_DATABASE_URL", postgres.url.render_as_string(hide_password=False))
    yield


def _queue_tables(engine: Engine) -> set[str]:
    return {t for t in inspect(engine).get_table_names() if t.startswith("procrastinate_")}


def test_db_upgrade_applies_the_queue_schema_once_and_again_is_harmless(
    postgres: Engine, cli, cluster_env
) -> None:
    assert _queue_tables(postgres) == {
        "procrastinate_jobs",
        "procrastinate_events",
        "procrastinate_periodic_defers",
        "procrastinate_workers",
    }
    downgrade(postgres, "0008")  # down past the queue: its tables, types and functions go
    assert _queue_tables(postgres) == set()

    first = CliRunner().invoke(cli, ["db", "upgrade"])
    second = CliRunner().invoke(cli, ["db", "upgrade"])

    assert first.exit_code == second.exit_code == 0, first.output + second.output
    assert f"database at revision {head_revision()}" in second.output
    assert len(_queue_tables(postgres)) == 4 and current_revision(postgres) == head_revision()

    downgrade(postgres, "0009")  # the queue's schema applied by hand, its revision not recorded
    cfg = alembic_config(postgres)
    with postgres.begin() as conn:
        cfg.attributes["connection"] = conn
        alembic.stamp(cfg, "0008")
    third = CliRunner().invoke(cli, ["db", "upgrade"])
    assert third.exit_code == 0, third.output
    assert len(_queue_tables(postgres)) == 4 and current_revision(postgres) == head_revision()


def test_hilal_jobs_lists_failed_and_stalled_jobs_with_their_arguments(
    postgres: Engine, cli, cluster_env
) -> None:
    app = build_app(make_connector(load_settings(), asynchronous=False))
    with app.open():
        failed = app.configure_task("hilal.sync", lock="conn:7").defer(connection_id=7, kind="active")
        stalled = app.configure_task("hilal.reports", lock="conn:9").defer(connection_id=9)
        app.configure_task("hilal.sync", lock="conn:8").defer(connection_id=8, kind="manual")  # waiting: fine
    with postgres.begin() as conn:  # a job failed for good, and one left `doing` by a worker that went silent
        conn.execute(
            text("UPDATE procrastinate_jobs SET status = 'failed', attempts = 5 WHERE id = :id"),
            {"id": failed},
        )
        worker = conn.execute(
            text(
                "INSERT INTO procrastinate_workers (last_heartbeat) "
                "VALUES (NOW() - interval '5 minutes') RETURNING id"
            )
        ).scalar_one()
        conn.execute(
            text(
                "UPDATE procrastinate_jobs SET status = 'doing', worker_id = :w, attempts = 1 WHERE id = :id"
            ),
            {"w": worker, "id": stalled},
        )

    result = CliRunner().invoke(cli, ["jobs"])

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "jobs: doing 1, failed 1, stalled 1, todo 1"
    assert any(
        f"{failed}" in line and "failed" in line and "connection_id=7 kind=active" in line for line in lines
    )
    assert any(f"{stalled}" in line and "stalled" in line and "connection_id=9" in line for line in lines)
    assert not any("connection_id=8" in line for line in lines)


def test_hilal_jobs_and_worker_outside_a_cluster_say_what_to_set(cli, monkeypatch, tmp_path) -> None:
    monkeypatch.chdir(tmp_path)
    for command in (["jobs"], ["worker"]):
        result = CliRunner().invoke(cli, command)
        assert result.exit_code != 0
        assert "set HILAL_QUEUE=procrastinate" in str(result.exception)


def test_metrics_show_how_late_the_most_overdue_sync_is(sqlite_engine: Engine) -> None:
    now = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
    with Harness.start(sqlite_engine, clock=lambda: now) as h:
        h.connect_region("na")
        with sqlite_engine.begin() as conn:
            conn.execute(
                text("UPDATE connection SET selection_confirmed = 1, next_active_sync_at = :at"),
                {"at": now - timedelta(minutes=7)},
            )
            assert sync_lag_seconds(conn, now=now) == 420
        metrics = h.browser.get(f"{h.base_url}/metrics").text.splitlines()
    assert "hilal_sync_lag_seconds 420" in metrics and "hilal_gauges_up 1" in metrics
    assert not [line for line in metrics if line.startswith("hilal_queue_jobs")]  # one process: no queue
