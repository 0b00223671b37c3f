"""The sync tick: what is due comes from the database; intervals, jitter, catch-up, stagger, unschedule."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import update
from sqlmodel import col, select

from bot.jobs.tick import cleanup_oauth_states, run_sync_tick, send_digests
from bot.services.connections import disconnect_region
from bot.services.sync.schedule import jitter_spread, jittered, next_report_time
from storage.db import session_scope
from storage.models import Connection, OAuthState, SyncRun, table_of
from tests.sync.world import START, World


def _conn(world: World, conn_id: int) -> Connection:
    with session_scope(world.engine, readonly=True) as s:
        conn = s.get(Connection, conn_id)
    assert conn is not None
    return conn


def _runs(world: World) -> list[tuple[str, str]]:
    with session_scope(world.engine, readonly=True) as s:
        return [(r.kind, r.status) for r in s.exec(select(SyncRun).order_by(col(SyncRun.id))).all()]


def _always(value: float) -> Callable[[], float]:
    return lambda: value


def test_jitter_stays_within_a_tenth_of_the_interval_capped_at_ten_minutes() -> None:
    assert jitter_spread(60) == timedelta(minutes=6)
    assert jitter_spread(1440) == timedelta(minutes=10)
    for rand, expected in ((0.0, 54), (0.5, 60), (0.999999, 66)):
        got = jittered(START, 60, rand=_always(rand)) - START
        assert abs(got - timedelta(minutes=expected)) < timedelta(seconds=1)


def test_reports_refresh_twice_a_day_and_ahead_of_a_digest_but_never_sooner_than_six_hours() -> None:
    assert next_report_time(START) == START + timedelta(hours=12)
    digest = START + timedelta(hours=9)
    assert next_report_time(START, digest_times=[digest]) == digest - timedelta(minutes=90)
    assert next_report_time(START, digest_times=[START + timedelta(hours=3)]) == START + timedelta(hours=12)


def test_after_a_sync_the_next_ones_are_scheduled_within_their_jittered_intervals(world: World) -> None:
    world.seed()
    conn_id = world.connect()

    assert run_sync_tick(world.services, now=world.clock.now) == [(conn_id, "initial")]

    conn, now = _conn(world, conn_id), world.clock.now
    active, archived = conn.next_active_sync_at, conn.next_archived_sync_at
    assert active is not None and now + timedelta(minutes=54) <= active <= now + timedelta(minutes=66)
    assert archived is not None and now + timedelta(minutes=1430) <= archived <= now + timedelta(minutes=1450)
    assert conn.next_report_sync_at == now + timedelta(hours=12)
    assert run_sync_tick(world.services, now=now + timedelta(minutes=53)) == []
    assert run_sync_tick(world.services, now=now + timedelta(minutes=67)) == [(conn_id, "active")]


def test_after_downtime_an_overdue_sync_runs_once(world: World) -> None:
    world.seed()
    conn_id = world.connect()
    run_sync_tick(world.services, now=world.clock.now)
    world.clock.advance(hours=5)  # the app was down: five active syncs were missed

    restarted = world.new_process()  # schedules come from the database, nothing else
    first = run_sync_tick(restarted, now=world.clock.now)
    second = run_sync_tick(restarted, now=world.clock.now + timedelta(minutes=1))

    assert first == [(conn_id, "active")] and second == []
    next_active = _conn(world, conn_id).next_active_sync_at
    assert next_active is not None and next_active > world.clock.now + timedelta(minutes=50)
    assert _runs(world) == [("initial", "success"), ("active", "success")]


def test_overdue_kinds_run_one_per_tick_most_overdue_first(world: World) -> None:
    world.seed()
    conn_id = world.connect()
    run_sync_tick(world.services, now=world.clock.now)
    world.clock.advance(days=2)

    kinds = [run_sync_tick(world.services, now=world.clock.advance(minutes=1)) for _ in range(4)]

    assert kinds == [[(conn_id, "active")], [(conn_id, "reports")], [(conn_id, "archived")], []]


def test_a_tick_starts_a_bounded_number_of_syncs_and_the_rest_follow(world: World) -> None:
    world.seed()
    ids = [world.connect(team=f"T0TEAM{n}") for n in range(3)]

    first = run_sync_tick(world.services, now=world.clock.now, limit=2)
    second = run_sync_tick(world.services, now=world.clock.now, limit=2)

    assert len(first) == 2 and len(second) == 1
    assert sorted(c for c, _ in first + second) == sorted(ids)


def test_disconnect_and_reconnect_needed_unschedule_at_once(world: World) -> None:
    world.seed()
    world.seed("zed", region="eu", marketplaces=("UK",))
    na = world.connect("na")
    eu = world.connect("eu", sim_user="zed")
    run_sync_tick(world.services, now=world.clock.now)
    disconnect_region(world.services, team_id="T0DEMO", region="na", user_id="U0ADMIN")
    t = table_of(Connection)
    with session_scope(world.engine) as s:
        s.execute(update(t).where(t.c.id == eu).values(status="reconnect_needed"))
    world.clock.advance(days=3)

    assert run_sync_tick(world.services, now=world.clock.now) == []
    assert _conn(world, na).next_active_sync_at is None


def test_a_sync_started_by_hand_is_never_doubled_by_the_tick(world: World) -> None:
    world.seed()
    conn_id = world.connect()
    run_sync_tick(world.services, now=world.clock.now)
    world.clock.advance(hours=2)
    from bot.services.sync import acquire_lease

    assert acquire_lease(world.services, connection_id=conn_id, owner="slack-sync-now")
    assert run_sync_tick(world.services, now=world.clock.now) == []


def test_a_failed_sync_retries_in_fifteen_minutes_not_every_tick(world: World) -> None:
    world.seed()
    conn_id = world.connect()
    world.sim.faults.add("sp/campaigns/list", kind="500", times=None)

    assert run_sync_tick(world.services, now=world.clock.now) == [(conn_id, "initial")]
    assert _runs(world) == [("initial", "failed")]
    conn = _conn(world, conn_id)
    assert conn.next_active_sync_at == world.clock.now + timedelta(minutes=15)
    assert conn.last_error and "Amazon did not answer" in conn.last_error
    assert run_sync_tick(world.services, now=world.clock.now + timedelta(minutes=14)) == []
    world.sim.faults.clear()
    assert run_sync_tick(world.services, now=world.clock.advance(minutes=15)) == [(conn_id, "initial")]
    assert _runs(world)[-1] == ("initial", "success")


def test_expired_oauth_states_are_cleaned_up(world: World) -> None:
    with session_scope(world.engine) as s:
        for hours in (-30, -2, 1):
            s.add(
                OAuthState(
                    state_hash=f"h{hours}",
                    team_id="T0DEMO",
                    user_id="U0ADMIN",
                    region="na",
                    code_verifier_enc="x",
                    expires_at=world.clock.now + timedelta(hours=hours),
                )
            )

    assert cleanup_oauth_states(world.services, now=world.clock.now) == 1
    with session_scope(world.engine, readonly=True) as s:
        assert sorted(o.state_hash for o in s.exec(select(OAuthState)).all()) == ["h-2", "h1"]


def test_the_digest_job_runs_the_digest_sender(world: World) -> None:
    report = send_digests(world.services, now=world.clock.now)
    assert report is not None  # bot.jobs.digests answered (nothing due in an empty database)
