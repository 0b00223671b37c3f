"""A steady-state sync is cheap in database round trips: each transaction is a BEGIN, a COMMIT and, on
PostgreSQL, a connection ping, so their number bounds a sync worker's CPU more than anything it reads."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from bot.services.sync import run_sync
from storage.db import session_scope
from storage.models import Connection, SyncRun
from tests.sync.world import World

# Per steady-state sync of one profile: take the lease; open the run (connection, profiles, lease
# renewal, SyncRun); the Amazon client's shared access token (the connection row it reuses from the
# run's opening); every stored entity of the profile; open report jobs with the days loaded; the run's
# end with the lease handed back; the campaign list's rollup check.
STEADY_STATE_TRANSACTIONS = 7


@contextmanager
def _counting(engine: Engine) -> Iterator[dict[str, int]]:
    seen = {"transactions": 0, "statements": 0}

    def begin(_conn: Any) -> None:
        seen["transactions"] += 1

    def execute(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.startswith("BEGIN"):  # SQLite's BEGIN (IMMEDIATE) is the transaction itself
            seen["statements"] += 1

    event.listen(engine, "begin", begin)
    event.listen(engine, "before_cursor_execute", execute)
    try:
        yield seen
    finally:
        event.remove(engine, "begin", begin)
        event.remove(engine, "before_cursor_execute", execute)


@contextmanager
def _small_account(engine: Engine) -> Iterator[tuple[World, int]]:
    """A world with one connected region of one small profile; (the world, the connection id)."""
    world = World.start(engine)
    try:
        world.seed(
            marketplaces=("US",), campaigns_per_profile=2, ad_groups_per_campaign=1, keywords_per_ad_group=2
        )
        yield world, world.connect()
    finally:
        world.close()


def test_a_steady_state_sync_of_a_small_account_takes_few_transactions(engine: Engine) -> None:
    with _small_account(engine) as (world, conn_id):
        assert run_sync(world.services, connection_id=conn_id, kind="initial").status == "success"
        world.clock.advance(minutes=20)  # the access token is still fresh: no refresh to store

        with _counting(engine) as seen:
            outcome = run_sync(world.services, connection_id=conn_id, kind="active")

        assert outcome.status == "success"
        assert seen["transactions"] <= STEADY_STATE_TRANSACTIONS, seen  # 22 before batching the reads
        assert seen["statements"] <= 20, seen  # 29 before
        with session_scope(engine, readonly=True) as s:
            runs = [(r.kind, r.status) for r in s.exec(select(SyncRun).order_by(col(SyncRun.id))).all()]
            conn = s.get(Connection, conn_id)
        assert runs == [("initial", "success"), ("active", "success")]
        assert conn is not None and conn.lease_owner is None and conn.last_success_at == world.clock.now
        world.assert_matches_truth(conn_id)


def test_a_lease_taken_over_before_the_run_opened_stops_it_at_the_first_step(engine: Engine) -> None:
    with _small_account(engine) as (world, conn_id):
        with session_scope(engine) as s:  # a queued sync whose lease expired and was taken meanwhile
            row = s.get(Connection, conn_id)
            assert row is not None
            row.lease_owner, row.lease_expires_at = "other:1", world.clock.now + timedelta(seconds=30)
            s.add(row)

        outcome = run_sync(world.services, connection_id=conn_id, kind="initial", lease_owner="late:1")

        assert outcome.status == "interrupted" and outcome.counts.get("campaigns", 0) == 0
        with session_scope(engine, readonly=True) as s:
            conn = s.get(Connection, conn_id)
            runs = [(r.kind, r.status) for r in s.exec(select(SyncRun)).all()]
        assert conn is not None and conn.lease_owner == "other:1"  # the new holder keeps it
        assert runs == [("initial", "interrupted")]
