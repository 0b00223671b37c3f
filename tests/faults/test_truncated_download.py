"""A report download cut short (a truncated gzip stream) fails only its report job, which is retried on
its own; the days it covers count as loaded only once a whole download landed."""

from __future__ import annotations

import httpx

from bot.jobs.tick import poll_reports
from bot.services.sync import run_sync
from tests.sync.world import World


class TruncateDownloads(httpx.BaseTransport):
    """The first `times` pre-signed downloads arrive cut in half (a truncated gzip file)."""

    def __init__(self, times: int) -> None:
        self.inner, self.left = httpx.HTTPTransport(), times

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        if request.method != "GET" or "authorization" in request.headers or self.left <= 0:
            return response
        self.left -= 1
        body = response.read()
        headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
        return httpx.Response(response.status_code, headers=headers, content=body[: len(body) // 2])

    def close(self) -> None:
        self.inner.close()


def test_a_truncated_gzip_download_fails_only_its_job_and_is_retried(world: World) -> None:
    world.seed(marketplaces=("US",))
    conn_id = world.connect()
    truncating = TruncateDownloads(1)
    services = world.new_process(amazon_transport=truncating)

    outcome = run_sync(services, connection_id=conn_id, kind="initial")

    assert truncating.left == 0  # one download was cut short
    assert outcome.status == "success" and outcome.reports_pending >= 1
    world.assert_matches_truth(conn_id, metrics=False)
    for _ in range(5):
        world.clock.advance(minutes=2)
        poll_reports(services, now=world.clock.now)
    assert {j.status for j in world.report_jobs()} == {"done"}
    world.assert_matches_truth(conn_id)
