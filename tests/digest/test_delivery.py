"""Delivery against the Slack stand-in: local times, DST, once only, restarts, races, 429, channel errors."""

from __future__ import annotations

import itertools
import threading
from concurrent.futures import Executor, Future
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.blocks.digest import BLOCK_KIT_DIGEST
from bot.blocks.limits import check_message
from bot.jobs.digests import send_due_digests
from bot.services.digest import DeliveryOptions, DigestSlack, SubscribeRequest, deliver_due_digests, subscribe
from bot.slack import WebClientDigestSlack
from bot.wiring import Services
from sandbox.slack import DEMO_ADMIN, SlackStandIn
from storage.db import session_scope
from storage.models import ConnectionStatus, DigestDelivery, DigestSubscription

from . import seed
from .conftest import make_services
from .seed import FakeTime


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def add_channels(slack: SlackStandIn, count: int) -> list[str]:
    ids = [f"C0DIG{i:03d}" for i in range(count)]
    for channel_id in ids:
        slack.add_channel(seed.TEAM, {"id": channel_id, "name": channel_id.lower()})
    return ids


def sub(
    services: Services,
    channel: str,
    *,
    zone: str = "Europe/Berlin",
    at: str = "09:00",
    now: datetime,
    chart: bool = False,
) -> None:
    subscribe(
        services,
        team_id=seed.TEAM,
        channel_id=channel,
        user_id=DEMO_ADMIN,
        request=SubscribeRequest(local_time=at, chart=chart),
        timezone=zone,
        now=now,
    )


def digests_in(slack: SlackStandIn, channel: str) -> list[Any]:
    return [m for m in slack.messages(channel) if m.thread_ts is None and m.source == "chat.postMessage"]


def tick(services: Services, options: DeliveryOptions, when: datetime) -> Any:
    return send_due_digests(services, now=when, options=options)


def test_each_zone_gets_its_digest_at_nine_local(
    services: Services, slack: SlackStandIn, options: DeliveryOptions
) -> None:
    tokyo, berlin, la = add_channels(slack, 3)
    start = utc(2025, 5, 13, 12, 0)
    for channel, zone in ((tokyo, "Asia/Tokyo"), (berlin, "Europe/Berlin"), (la, "America/Los_Angeles")):
        sub(services, channel, zone=zone, now=start)
    sent_at: dict[str, list[datetime]] = {tokyo: [], berlin: [], la: []}
    when = start
    while when < utc(2025, 5, 15, 12, 0):  # two days of ticks, every 30 minutes
        tick(services, options, when)
        for channel, times in sent_at.items():
            if len(digests_in(slack, channel)) > len(times):
                times.append(when)
        when += timedelta(minutes=30)
    assert sent_at == {
        la: [utc(2025, 5, 13, 16, 0), utc(2025, 5, 14, 16, 0)],  # 09:00 PDT
        tokyo: [utc(2025, 5, 14, 0, 0), utc(2025, 5, 15, 0, 0)],  # 09:00 JST
        berlin: [utc(2025, 5, 14, 7, 0), utc(2025, 5, 15, 7, 0)],  # 09:00 CEST
    }
    for channel in sent_at:
        for message in slack.messages(channel):
            assert check_message({"text": message.text, "blocks": message.blocks}) == []


@pytest.mark.parametrize(
    ("zone", "at", "start", "expected"),
    [
        (
            "Europe/Berlin",
            "09:00",
            utc(2025, 3, 29, 0, 0),
            [utc(2025, 3, 29, 8, 0), utc(2025, 3, 30, 7, 0), utc(2025, 3, 31, 7, 0)],
        ),
        (
            "Europe/Berlin",
            "02:30",
            utc(2025, 3, 29, 0, 0),
            [utc(2025, 3, 29, 1, 30), utc(2025, 3, 30, 1, 30), utc(2025, 3, 31, 0, 30)],
        ),
        (
            "Europe/Berlin",
            "02:30",
            utc(2025, 10, 25, 0, 0),
            [utc(2025, 10, 25, 0, 30), utc(2025, 10, 26, 0, 30), utc(2025, 10, 27, 1, 30)],
        ),
        (
            "America/Los_Angeles",
            "09:00",
            utc(2025, 3, 8, 0, 0),
            [utc(2025, 3, 8, 17, 0), utc(2025, 3, 9, 16, 0), utc(2025, 3, 10, 16, 0)],
        ),
    ],
)
def test_daylight_saving_switches(
    services: Services,
    slack: SlackStandIn,
    options: DeliveryOptions,
    zone: str,
    at: str,
    start: datetime,
    expected: list[datetime],
) -> None:
    (channel,) = add_channels(slack, 1)
    sub(services, channel, zone=zone, at=at, now=start)
    posted: list[datetime] = []
    when = start
    while when < start + timedelta(days=3):
        if tick(services, options, when).sent:
            posted.append(when)
        when += timedelta(minutes=30)
    assert posted == expected
    assert len(digests_in(slack, channel)) == 3


def test_repeated_ticks_post_once(services: Services, slack: SlackStandIn, options: DeliveryOptions) -> None:
    (channel,) = add_channels(slack, 1)
    sub(services, channel, now=utc(2025, 5, 14, 6, 0))
    reports = [tick(services, options, utc(2025, 5, 14, 7, m)) for m in range(5)]
    assert [r.sent for r in reports] == [1, 0, 0, 0, 0]
    assert len(digests_in(slack, channel)) == 1


class Crash(BaseException):
    """The process dies (not an Exception: nothing in the app catches it)."""


class CrashingSlack:
    """Passes calls to the real port; the `crash_on`-th post reaches Slack, then the process dies."""

    def __init__(self, real: DigestSlack, crash_on: int) -> None:
        self.real, self.crash_on, self.posts = real, crash_on, 0

    def post(self, **kwargs: Any) -> str:
        ts = self.real.post(**kwargs)
        self.posts += 1
        if self.posts == self.crash_on:
            raise Crash
        return ts

    def upload_png(self, **kwargs: Any) -> str:
        return self.real.upload_png(**kwargs)

    def dm(self, **kwargs: Any) -> None:
        self.real.dm(**kwargs)


def test_restart_in_the_middle_of_sending(
    services: Services, slack: SlackStandIn, options: DeliveryOptions, sqlite_engine: Engine
) -> None:
    channels = add_channels(slack, 5)
    for channel in channels:
        sub(services, channel, now=utc(2025, 5, 14, 6, 0))
    real = WebClientDigestSlack(services.slack.client_for(seed.TEAM))
    crashing = CrashingSlack(real, crash_on=3)
    with pytest.raises(Crash):
        deliver_due_digests(
            services,
            lambda _team: crashing,
            now=utc(2025, 5, 14, 7, 0),
            rendering=BLOCK_KIT_DIGEST,
            options=options,
        )
    assert [len(digests_in(slack, c)) for c in channels] == [1, 1, 1, 0, 0]
    restarted = make_services(sqlite_engine, api_url=slack.api_url)  # a new process: new instance id
    report = send_due_digests(restarted, now=utc(2025, 5, 14, 7, 1), options=options)
    assert report.sent == 2
    assert [len(digests_in(slack, c)) for c in channels] == [1, 1, 1, 1, 1]  # the third is not sent twice
    assert send_due_digests(restarted, now=utc(2025, 5, 14, 7, 30), options=options).sent == 0


def test_claim_abandoned_before_posting_is_taken_over(
    services: Services, slack: SlackStandIn, options: DeliveryOptions
) -> None:
    (channel,) = add_channels(slack, 1)
    sub(services, channel, now=utc(2025, 5, 14, 6, 0))
    with session_scope(services.engine) as session:
        row = session.exec(select(DigestSubscription)).one()
        assert row.id is not None
        session.add(
            DigestDelivery(
                subscription_id=row.id,
                local_date=date(2025, 5, 14),
                claimed_by="dead:1",
                claimed_at=utc(2025, 5, 14, 7, 0),
            )
        )
    assert tick(services, options, utc(2025, 5, 14, 7, 5)).already_claimed == 1  # may still be working
    assert tick(services, options, utc(2025, 5, 14, 7, 20)).sent == 1  # 15 minutes later: abandoned
    assert len(digests_in(slack, channel)) == 1


def test_two_schedulers_racing(engine: Engine, slack: SlackStandIn) -> None:
    channels = add_channels(slack, 12)
    first = make_services(engine, api_url=slack.api_url)
    second = make_services(engine, api_url=slack.api_url)
    for channel in channels:
        sub(first, channel, now=utc(2025, 5, 14, 6, 0))
    barrier = threading.Barrier(2)
    reports: list[Any] = []

    def run(services: Services) -> None:
        fake = FakeTime(utc(2025, 5, 14, 7, 0))
        barrier.wait()
        reports.append(
            send_due_digests(
                services,
                now=utc(2025, 5, 14, 7, 0),
                options=DeliveryOptions(sleep=fake.sleep, monotonic=fake.monotonic),
            )
        )

    threads = [threading.Thread(target=run, args=(s,)) for s in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sum(r.sent for r in reports) == 12
    assert [len(digests_in(slack, c)) for c in channels] == [1] * 12
    with session_scope(engine, readonly=True) as session:
        deliveries = session.exec(select(DigestDelivery)).all()
    assert len(deliveries) == 12 and {d.status for d in deliveries} == {"posted"}


def test_rate_limit_is_retried_after_retry_after(
    services: Services, slack: SlackStandIn, options: DeliveryOptions, fake_time: FakeTime
) -> None:
    (channel,) = add_channels(slack, 1)
    sub(services, channel, now=utc(2025, 5, 14, 6, 0))
    slack.rate_limit("chat.postMessage", retry_after=7, times=2)
    report = tick(services, options, utc(2025, 5, 14, 7, 0))
    assert report.sent == 1 and report.rate_limited_retries == 2
    assert 7.0 in fake_time.sleeps and sum(1 for s in fake_time.sleeps if s == 7.0) == 2
    assert len(digests_in(slack, channel)) == 1
    assert [c.status for c in slack.calls("chat.postMessage")] == [429, 429, 200]


@pytest.mark.parametrize("error", ["channel_not_found", "not_in_channel", "is_archived"])
def test_channel_errors_pause_and_tell_the_subscriber(
    services: Services, slack: SlackStandIn, options: DeliveryOptions, error: str
) -> None:
    (channel,) = add_channels(slack, 1)
    sub(services, channel, now=utc(2025, 5, 14, 6, 0))
    slack.fail("chat.postMessage", error=error)
    report = tick(services, options, utc(2025, 5, 14, 7, 0))
    assert report.paused == 1 and report.sent == 0
    with session_scope(services.engine, readonly=True) as session:
        row = session.exec(select(DigestSubscription)).one()
    assert row.paused_at is not None and row.pause_reason == error
    dms = slack.messages("D0ADMIN")
    assert len(dms) == 1 and f"<#{channel}>" in dms[0].text and "/invite @Hilal" in dms[0].text
    assert tick(services, options, utc(2025, 5, 15, 7, 0)).due == 0  # paused: nothing more


def test_late_scheduler_skips_stale_digests(
    services: Services, slack: SlackStandIn, options: DeliveryOptions
) -> None:
    (channel,) = add_channels(slack, 1)
    sub(services, channel, now=utc(2025, 5, 14, 6, 0))
    report = tick(services, options, utc(2025, 5, 14, 14, 0))  # down from 07:00 to 14:00 UTC
    assert report.skipped_late == 1 and report.sent == 0
    assert tick(services, options, utc(2025, 5, 15, 7, 0)).sent == 1


def test_large_workspace_folds_into_thread_paced_per_channel(
    services: Services, slack: SlackStandIn, options: DeliveryOptions
) -> None:
    channels = add_channels(slack, 2)
    eu = seed.connection(services.engine, "eu", last_success_at=utc(2025, 5, 14, 5, 0))
    for i in range(40):
        pk = seed.profile(
            services.engine,
            eu,
            region="eu",
            country="DE",
            currency="EUR",
            timezone="Europe/Paris",
            profile_id=str(i),
            account=f"Brand {i:02d} GmbH",
        )
        for c in range(6):
            seed.metric(
                services.engine, pk, str(c), date(2025, 5, 13), currency="EUR", cost=f"{c}.50", sales="3"
            )
    for channel in channels:
        sub(services, channel, now=utc(2025, 5, 14, 6, 0))
    report = tick(services, options, utc(2025, 5, 14, 7, 0))
    assert report.sent == 2 and report.thread_replies >= 2
    for channel in channels:
        first, *replies = slack.messages(channel)
        assert replies and all(r.thread_ts == first.ts for r in replies)
        assert "more marketplaces in the thread" in str(first.blocks)
        for message in (first, *replies):
            assert check_message({"text": message.text, "blocks": message.blocks}) == []
        times = [t for (_team, ch, t) in report.posts if ch == channel]
        assert all(later - earlier >= 1.0 for earlier, later in itertools.pairwise(times))


def test_digest_shows_seeded_figures_in_slack(
    services: Services, slack: SlackStandIn, options: DeliveryOptions
) -> None:
    (channel,) = add_channels(slack, 1)
    fe = seed.connection(services.engine, "fe", last_success_at=utc(2025, 5, 14, 5, 0))
    pk = seed.profile(
        services.engine, fe, region="fe", country="JP", currency="JPY", timezone="Asia/Tokyo", profile_id="9"
    )
    seed.metric(services.engine, pk, "1", date(2025, 5, 14), currency="JPY", cost="12345", sales="67890")
    sub(services, channel, zone="Asia/Tokyo", at="09:00", now=utc(2025, 5, 14, 12, 0))
    assert tick(services, options, utc(2025, 5, 15, 0, 0)).sent == 1  # 09:00 JST on the 15th
    (message,) = slack.messages(channel)
    assert "¥12,345" in str(message.blocks) and "¥67,890" in str(message.blocks)
    assert "Thu 15 May" not in str(message.blocks) and "Wed 14 May 2025" in message.text


class HeldExecutor(Executor):
    """Accepts background work and never runs it (the sync itself is not under test here)."""

    def __init__(self) -> None:
        self.submitted: list[Any] = []

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        self.submitted.append(fn)
        return Future()


def test_performance_refreshed_ahead_of_digest_time(
    sqlite_engine: Engine, slack: SlackStandIn, options: DeliveryOptions
) -> None:
    held = HeldExecutor()
    services = replace(make_services(sqlite_engine, api_url=slack.api_url), background=held)
    (channel,) = add_channels(slack, 1)
    seed.connection(services.engine, "eu", last_success_at=utc(2025, 5, 14, 3, 0))
    seed.connection(services.engine, "na", status=ConnectionStatus.RECONNECT_NEEDED)
    sub(services, channel, now=utc(2025, 5, 14, 4, 0))  # due 07:00 UTC
    assert tick(services, options, utc(2025, 5, 14, 5, 0)).refreshes_started == 0  # two hours ahead: not yet
    assert (
        tick(services, options, utc(2025, 5, 14, 5, 30)).refreshes_started == 1
    )  # 90 minutes ahead: eu only
    assert tick(services, options, utc(2025, 5, 14, 5, 31)).refreshes_started == 0  # once
    assert len(held.submitted) == 1
