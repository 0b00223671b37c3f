"""Reports as resumable steps: restatements, 425, FAILED, stuck reports, resuming after a restart."""

from __future__ import annotations

from bot.jobs.tick import poll_reports
from bot.services.sync import run_sync
from tests.sync.world import World


def test_restated_numbers_replace_the_old_ones(world: World) -> None:
    world.seed()
    conn_id = world.connect()
    run_sync(world.services, connection_id=conn_id, kind="initial")
    profile = world.profiles(conn_id)[0]
    before = {k: (m.clicks, m.cost) for k, m in world.campaign_metrics(profile.id or 0).items()}
    world.sim.restate()
    world.clock.advance(hours=7)

    outcome = run_sync(world.services, connection_id=conn_id, kind="reports")

    assert outcome.status == "success"
    after = {k: (m.clicks, m.cost) for k, m in world.campaign_metrics(profile.id or 0).items()}
    assert after.keys() == before.keys()  # one row per campaign and day, replaced in place
    assert after != before
    world.assert_matches_truth(conn_id)


def test_reports_are_not_requested_again_within_a_few_hours(world: World) -> None:
    world.seed()
    conn_id = world.connect()
    run_sync(world.services, connection_id=conn_id, kind="initial")
    created = world.report_creations()
    world.clock.advance(hours=1)

    run_sync(world.services, connection_id=conn_id, kind="manual")
    run_sync(world.services, connection_id=conn_id, kind="reports")

    assert world.report_creations() == created


def test_a_duplicate_report_adopts_the_running_one(world: World) -> None:
    world.seed(marketplaces=("US",))
    conn_id = world.connect()
    world.sim.faults.add("reports.create", kind="accepted-429", times=1)  # Amazon took it despite the 429

    outcome = run_sync(world.services, connection_id=conn_id, kind="initial")

    assert outcome.status == "success" and outcome.days == 30
    jobs = world.report_jobs()
    assert all(j.status == "done" and j.attempts == 1 for j in jobs)
    assert len(jobs) == 2 and world.report_creations() == 3  # the retry after the 429 got a 425
    assert len(world.sleeps) == 1  # one back-off after the 429, never a real sleep
    world.assert_matches_truth(conn_id)


def test_failed_reports_are_requested_again(world: World) -> None:
    world.seed(marketplaces=("US",))
    conn_id = world.connect()
    profile_id = world.profiles(conn_id)[0].profile_id
    world.sim.fail_reports(profile_id, times=2)

    first = run_sync(world.services, connection_id=conn_id, kind="initial")
    for _ in range(4):
        world.clock.advance(minutes=5)
        poll_reports(world.services, now=world.clock.now)

    assert first.status == "success"
    jobs = world.report_jobs()
    assert all(j.status == "done" for j in jobs)
    assert [j.attempts for j in jobs] == [2, 2]  # the first request of each failed, the second worked
    world.assert_matches_truth(conn_id)


def test_a_report_that_keeps_failing_gives_up_with_a_warning(world: World) -> None:
    world.seed(marketplaces=("US",))
    conn_id = world.connect()
    world.sim.fail_reports(world.profiles(conn_id)[0].profile_id, times=10)

    run_sync(world.services, connection_id=conn_id, kind="initial")
    for _ in range(6):
        world.clock.advance(minutes=5)
        poll_reports(world.services, now=world.clock.now)

    assert {j.status for j in world.report_jobs()} == {"failed"}
    assert "Performance numbers may be behind" in (world.connection(conn_id).warning or "")


def test_a_report_stuck_for_three_hours_is_abandoned_with_a_warning(world: World) -> None:
    world.seed(marketplaces=("US",))
    conn_id = world.connect()
    world.sim.set_report_delay(6 * 3600)

    outcome = run_sync(world.services, connection_id=conn_id, kind="initial")
    assert outcome.status == "success" and outcome.reports_pending == 2 and outcome.days == 0
    for _ in range(93):  # the poll job, every 2 minutes for 3 h 6 min
        world.clock.advance(minutes=2)
        poll_reports(world.services, now=world.clock.now)

    jobs = world.report_jobs()
    assert {j.status for j in jobs} == {"abandoned"}
    assert all(5 < j.polls < 45 for j in jobs)  # backed off to every 5 minutes, not every tick (93)
    warning = world.connection(conn_id).warning or ""
    assert "Performance numbers may be behind" in warning and "US" in warning


def test_a_restart_resumes_pending_reports(world: World) -> None:
    world.seed(marketplaces=("US",))
    conn_id = world.connect()
    world.sim.set_report_delay(20 * 60)
    run_sync(world.services, connection_id=conn_id, kind="initial")
    assert {j.status for j in world.report_jobs()} == {"running"}

    other = world.new_process()  # the first process is gone; its report jobs are in the database
    world.clock.advance(minutes=25)
    finished = poll_reports(other, now=world.clock.now)

    assert finished == 2
    assert {j.status for j in world.report_jobs()} == {"done"}
    world.assert_matches_truth(conn_id)
