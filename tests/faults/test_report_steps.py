"""One failing report step fails only its report job; done windows are not asked for again."""

from __future__ import annotations

import httpx
import pytest
from sqlmodel import col, select

from bot.jobs.tick import poll_reports, run_sync_tick
from bot.services.sync import LEASE_TTL, run_sync
from storage.db import session_scope
from storage.models import SyncRun
from tests.sync.world import World


class ProcessKilled(BaseException):
    """Stands in for SIGKILL."""


class KillAtDownload(httpx.BaseTransport):
    """Dies when the `n`th report download starts (earlier reports are already stored)."""

    def __init__(self, n: int) -> None:
        self.inner, self.left = httpx.HTTPTransport(), n

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "GET" and "authorization" not in request.headers:  # a pre-signed download
            self.left -= 1
            if self.left == 0:
                raise ProcessKilled
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


@pytest.mark.parametrize(
    ("route", "kind", "times"),
    [
        ("download", "401", 1),
        ("reports.get", "503", 4),
        ("reports.create", "503", 4),
        ("download", "drop", 4),
    ],
)
def test_a_failing_report_step_fails_only_its_job_and_is_retried_on_its_own(
    world: World, route: str, kind: str, times: int
) -> None:
    world.seed(marketplaces=("US",))
    conn_id = world.connect()
    world.sim.faults.add(route, kind=kind, times=times)

    outcome = run_sync(world.services, connection_id=conn_id, kind="initial")

    assert outcome.status == "success"  # the entity listings stand
    world.assert_matches_truth(conn_id, metrics=False)
    assert world.connection(conn_id).last_success_at == world.clock.now
    assert outcome.reports_pending >= 1  # the job that failed waits for its own next step
    for _ in range(5):
        world.clock.advance(minutes=2)
        poll_reports(world.services, now=world.clock.now)
    assert {j.status for j in world.report_jobs()} == {"done"}
    world.assert_matches_truth(conn_id)
    assert run_sync_tick(world.services, now=world.clock.now) == []  # no full listing again


def test_an_interrupted_initial_sync_does_not_request_delivered_windows_again(world: World) -> None:
    world.seed()
    conn_id = world.connect()
    doomed = world.new_process(amazon_transport=KillAtDownload(2))
    with pytest.raises(ProcessKilled):
        run_sync(doomed, connection_id=conn_id, kind="initial")
    assert [j.status for j in world.report_jobs()].count("done") == 1

    world.clock.advance(seconds=LEASE_TTL.total_seconds() + 1)
    assert run_sync_tick(world.new_process(), now=world.clock.now) == [(conn_id, "initial")]
    for _ in range(3):
        world.clock.advance(minutes=2)
        poll_reports(world.services, now=world.clock.now)

    jobs = world.report_jobs()
    assert {j.status for j in jobs} == {"done"}
    assert world.report_creations() == len(jobs) == 4  # 2 marketplaces x 2 kinds, each asked for once
    world.assert_matches_truth(conn_id)
    with session_scope(world.engine, readonly=True) as s:
        assert [r.status for r in s.exec(select(SyncRun).order_by(col(SyncRun.id))).all()] == [
            "interrupted",
            "success",
        ]


def test_the_region_card_names_every_failed_report(world: World) -> None:
    world.seed()
    conn_id = world.connect()
    for profile in world.profiles(conn_id):
        world.sim.fail_reports(profile.profile_id, times=10)

    run_sync(world.services, connection_id=conn_id, kind="initial")
    for _ in range(6):
        world.clock.advance(minutes=5)
        poll_reports(world.services, now=world.clock.now)

    assert {j.status for j in world.report_jobs()} == {"failed"}
    warning = world.connection(conn_id).warning or ""
    assert warning.startswith("Performance numbers may be behind: Amazon did not deliver 4 reports")
    for name in ("campaign US", "keyword US", "campaign CA", "keyword CA"):
        assert name in warning
