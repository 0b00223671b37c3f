"""The JOBS table, the scheduler's options, and the single-scheduler guard. The thread never starts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from apscheduler.jobstores.memory import MemoryJobStore

from bot.jobs.guard import SchedulerGuard
from bot.jobs.scheduler import JOBS, build_scheduler
from tests.conftest import frozen
from tests.sync.world import World


def _fires(job_id: str, now: datetime, count: int = 3) -> list[datetime]:
    trigger = next(spec.trigger for spec in JOBS if spec.id == job_id)
    fires: list[datetime] = []
    previous = None
    for _ in range(count):
        nxt = trigger.get_next_fire_time(
            previous, now if previous is None else previous + timedelta(microseconds=1)
        )
        assert nxt is not None
        fires.append(nxt.astimezone(UTC))
        previous = nxt
    return fires


def test_the_job_table_runs_the_ticks_every_minute_and_cleanup_hourly() -> None:
    with frozen("2026-03-29 00:59:30"):  # the night Europe springs forward: UTC triggers don't care
        now = datetime.now(UTC)
        assert _fires("sync-tick", now) == [datetime(2026, 3, 29, 1, m, 0, tzinfo=UTC) for m in (0, 1, 2)]
        assert _fires("report-poll", now)[0] == datetime(2026, 3, 29, 1, 0, 20, tzinfo=UTC)
        assert _fires("digests", now)[0] == datetime(2026, 3, 29, 0, 59, 40, tzinfo=UTC)
        assert _fires("oauth-state-cleanup", now, 2) == [
            datetime(2026, 3, 29, 1, 17, tzinfo=UTC),
            datetime(2026, 3, 29, 2, 17, tzinfo=UTC),
        ]
    assert len({spec.id for spec in JOBS}) == len(JOBS)


def test_the_scheduler_is_utc_in_memory_coalescing_one_instance_with_grace(world: World) -> None:
    scheduler = build_scheduler(world.services)
    jobs = {job.id: job for job in scheduler.get_jobs()}

    assert set(jobs) == {spec.id for spec in JOBS}
    assert str(scheduler.timezone) == "UTC"
    assert isinstance(scheduler._lookup_jobstore("default"), MemoryJobStore)
    for spec in JOBS:
        job = jobs[spec.id]
        assert job.coalesce is True and job.max_instances == 1
        assert job.misfire_grace_time == spec.misfire_grace_time > 1
    assert not scheduler.running
    build_scheduler(world.services)  # building again (a restart) replaces, never duplicates


def test_only_one_process_holds_the_scheduler_lease(any_world: World) -> None:
    world = any_world
    first, second = SchedulerGuard(world.new_process()), SchedulerGuard(world.new_process())

    assert first.acquire() is True
    assert second.acquire() is False  # serves HTTP without scheduling
    world.clock.advance(seconds=10)
    assert first.acquire() is True  # renewed
    world.clock.advance(seconds=25)
    assert second.acquire() is False  # still within the renewed lease (30 s)
    world.clock.advance(seconds=6)
    assert second.acquire() is True  # the first stopped renewing: taken over 40 s after its last beat
    assert first.acquire() is False

    second.release()
    assert first.acquire() is True  # released: taken at once
