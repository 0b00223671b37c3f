"""What every "the database went away mid-sync" test checks once the database is back."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import col, select

from bot.jobs.tick import run_sync_tick
from bot.services.sync import SyncOutcome
from storage.db import session_scope
from storage.models import Connection, SyncRun
from tests.sync.world import World


def assert_recorded_once_back_and_healed(
    world: World, conn_id: int, outcome: SyncOutcome, waits: list[float]
) -> None:
    """Failed after three waits, recorded as `failed`, the lease handed back; the next tick heals."""
    assert outcome.status == "failed"
    assert outcome.error is not None and "database was unavailable" in outcome.error
    assert waits == [0.5, 1.0, 2.0]
    with session_scope(world.engine, readonly=True) as s:
        runs = s.exec(select(SyncRun).order_by(col(SyncRun.id))).all()
        conn = s.get(Connection, conn_id)
    assert [r.status for r in runs] == ["failed"]  # not left `running`, not "the process stopped"
    assert runs[0].error is not None and "database" in runs[0].error
    assert conn is not None and conn.lease_owner is None and conn.lease_expires_at is None
    assert conn.last_error is not None and "database was unavailable" in conn.last_error
    assert conn.next_active_sync_at == world.clock.now + timedelta(minutes=1)

    world.clock.advance(minutes=1)
    assert run_sync_tick(world.new_process(), now=world.clock.now) == [(conn_id, "initial")]
    world.assert_matches_truth(conn_id)
