"""Digest delivery when Slack's answer is lost or the workspace's token is dead (issue 17, Slack).

- a dead token (`invalid_auth`, `token_revoked`, `account_inactive`) pauses every subscription of the
  team on the first refusal, tells nobody in Slack (nothing can reach the workspace) and is recorded;
- `missing_scope` pauses the subscription and tells the subscriber;
- a claim left `posting` is never posted again (at most once) and becomes `unknown`, which
  `/hilal digest list` shows.
"""

from __future__ import annotations

import logging
import socket
from datetime import UTC, datetime
from typing import Any

import pytest
from slack_sdk import WebClient
from sqlmodel import col, select

from bot.blocks.digest import BLOCK_KIT_DIGEST
from bot.features.digest_common import describe
from bot.jobs.digests import send_due_digests
from bot.services.digest import (
    DeliveryOptions,
    DigestSlack,
    SubscribeRequest,
    deliver_due_digests,
    list_subscriptions,
    subscribe,
)
from bot.slack import WebClientDigestSlack
from bot.wiring import Services
from sandbox.slack import DEMO_ADMIN, DEMO_BOT_TOKEN, SlackStandIn
from storage.db import session_scope
from storage.models import DigestDelivery, DigestSubscription

from . import seed
from .conftest import make_services


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 5, day, hour, minute, tzinfo=UTC)


def setup_channels(services: Services, slack: SlackStandIn, count: int) -> list[str]:
    channels = [f"C0FLT{i:03d}" for i in range(count)]
    for channel in channels:
        slack.add_channel(seed.TEAM, {"id": channel, "name": channel.lower()})
        subscribe(
            services,
            team_id=seed.TEAM,
            channel_id=channel,
            user_id=DEMO_ADMIN,
            request=SubscribeRequest(local_time="09:00"),
            timezone="Europe/Berlin",
            now=utc(14, 6),
        )
    return channels


def digests_in(slack: SlackStandIn, channel: str) -> int:
    return sum(1 for m in slack.messages(channel) if m.thread_ts is None and m.source == "chat.postMessage")


def subscriptions(services: Services) -> list[DigestSubscription]:
    with session_scope(services.engine, readonly=True) as session:
        return list(session.exec(select(DigestSubscription).order_by(DigestSubscription.channel_id)).all())


def delivery_statuses(services: Services) -> list[str]:
    with session_scope(services.engine, readonly=True) as session:
        return [d.status for d in session.exec(select(DigestDelivery).order_by(col(DigestDelivery.id))).all()]


def listed(services: Services) -> list[str]:
    return [str(describe(info)) for info in list_subscriptions(services, team_id=seed.TEAM)]


@pytest.mark.parametrize("error", ["token_revoked", "invalid_auth", "account_inactive"])
def test_a_dead_token_pauses_the_teams_digests_once_and_records_why(
    services: Services,
    slack: SlackStandIn,
    options: DeliveryOptions,
    caplog: pytest.LogCaptureFixture,
    error: str,
) -> None:
    channels = setup_channels(services, slack, 3)
    if error == "token_revoked":
        slack.revoke_token(DEMO_BOT_TOKEN)  # the stand-in answers token_revoked to every call from now on
    else:
        slack.fail("chat.postMessage", error=error, times=100)
    with caplog.at_level(logging.INFO):
        report = send_due_digests(services, now=utc(14, 7), options=options)
    assert (report.sent, report.paused, report.failed) == (0, 3, 0)
    assert len(slack.calls("chat.postMessage")) == 1  # one refusal; the team's other digests are skipped
    assert [(s.paused_at is not None, s.pause_reason) for s in subscriptions(services)] == [(True, error)] * 3
    assert slack.messages("D0ADMIN") == []  # nothing can reach that workspace
    lost = [r for r in caplog.records if r.getMessage() == "digest.installation_lost"]
    assert len(lost) == 1 and lost[0].__dict__["paused"] == 3
    for minute in range(1, 4):  # not retried every minute for six hours
        assert send_due_digests(services, now=utc(14, 7, minute), options=options).due == 0
    assert send_due_digests(services, now=utc(15, 7), options=options).due == 0
    assert len(slack.calls("chat.postMessage")) == 1
    assert all(digests_in(slack, c) == 0 for c in channels)
    lines = listed(services)  # what `/hilal digest list` shows once Hilal is reinstalled
    assert len(lines) == 3 and all("paused" in line and "reinstall Hilal" in line for line in lines)


def test_missing_scope_pauses_the_subscription_and_tells_the_subscriber(
    services: Services, slack: SlackStandIn, options: DeliveryOptions
) -> None:
    (channel,) = setup_channels(services, slack, 1)
    slack.fail("chat.postMessage", error="missing_scope")
    report = send_due_digests(services, now=utc(14, 7), options=options)
    assert (report.sent, report.paused) == (0, 1)
    assert [s.pause_reason for s in subscriptions(services)] == ["missing_scope"]
    dms = slack.messages("D0ADMIN")
    assert len(dms) == 1 and f"<#{channel}>" in dms[0].text and "reinstall Hilal" in dms[0].text
    assert send_due_digests(services, now=utc(14, 7, 1), options=options).due == 0


class Crash(BaseException):
    """The process dies between Slack's answer and the bookkeeping (nothing in the app catches it)."""


class DiesAfterPosting:
    """The post reaches Slack, then `exc` is raised instead of returning the ts."""

    def __init__(self, real: DigestSlack, exc: BaseException) -> None:
        self.real, self.exc = real, exc

    def post(self, **kwargs: Any) -> str:
        self.real.post(**kwargs)
        raise self.exc

    def upload_png(self, **kwargs: Any) -> str:
        return self.real.upload_png(**kwargs)

    def dm(self, **kwargs: Any) -> None:
        self.real.dm(**kwargs)


def test_a_claim_left_posting_by_a_dead_process_is_never_posted_again_and_is_reported(
    services: Services, slack: SlackStandIn, options: DeliveryOptions
) -> None:
    (channel,) = setup_channels(services, slack, 1)
    dying = DiesAfterPosting(WebClientDigestSlack(services.slack.client_for(seed.TEAM)), Crash())
    with pytest.raises(Crash):
        deliver_due_digests(
            services, lambda _team: dying, now=utc(14, 7), rendering=BLOCK_KIT_DIGEST, options=options
        )
    assert digests_in(slack, channel) == 1 and delivery_statuses(services) == ["posting"]
    restarted = make_services(services.engine, api_url=slack.api_url)  # a new process, a new instance id
    for minute in (1, 5, 14):  # within the grace period its holder might still be posting
        report = send_due_digests(restarted, now=utc(14, 7, minute), options=options)
        assert (report.sent, report.already_claimed) == (0, 1)
    assert delivery_statuses(services) == ["posting"]
    report = send_due_digests(restarted, now=utc(14, 7, 16), options=options)
    assert report.sent == 0 and report.due == 1
    assert delivery_statuses(services) == ["unknown"]
    assert digests_in(slack, channel) == 1  # at most once: never posted a second time
    assert send_due_digests(restarted, now=utc(14, 8), options=options).due == 0  # moved on to tomorrow
    (line,) = listed(services)
    assert "the digest of 2025-05-14 may not have been posted" in line
    assert send_due_digests(restarted, now=utc(15, 7), options=options).sent == 1
    assert digests_in(slack, channel) == 2
    assert "may not have been posted" not in listed(services)[0]  # the latest digest went out
    restarted.background.shutdown(wait=False)


def test_a_timeout_while_posting_marks_the_digest_unknown_at_once(
    services: Services, slack: SlackStandIn, options: DeliveryOptions
) -> None:
    (channel,) = setup_channels(services, slack, 1)
    timing_out = DiesAfterPosting(
        WebClientDigestSlack(services.slack.client_for(seed.TEAM)), TimeoutError("read timed out")
    )
    report = deliver_due_digests(
        services, lambda _team: timing_out, now=utc(14, 7), rendering=BLOCK_KIT_DIGEST, options=options
    )
    assert (report.sent, report.failed) == (0, 1)
    assert delivery_statuses(services) == ["unknown"]
    assert send_due_digests(services, now=utc(14, 7, 1), options=options).due == 0
    assert digests_in(slack, channel) == 1
    assert "the digest of 2025-05-14 may not have been posted" in listed(services)[0]


def test_slack_down_at_digest_time_posts_nothing_and_is_retried_when_it_is_back(
    services: Services, slack: SlackStandIn, options: DeliveryOptions
) -> None:
    (channel,) = setup_channels(services, slack, 1)
    with socket.socket() as probe:  # a loopback port nobody listens on: connection refused
        probe.bind(("127.0.0.1", 0))
        down_url = f"http://127.0.0.1:{probe.getsockname()[1]}/api/"
    down = WebClientDigestSlack(WebClient(token=DEMO_BOT_TOKEN, base_url=down_url, retry_handlers=[]))
    report = deliver_due_digests(
        services, lambda _team: down, now=utc(14, 7), rendering=BLOCK_KIT_DIGEST, options=options
    )
    assert (report.sent, report.failed, report.paused) == (0, 1, 0)
    assert delivery_statuses(services) == ["failed"]  # nothing reached Slack, so it may be tried again
    assert send_due_digests(services, now=utc(14, 7, 1), options=options).sent == 1  # Slack is back
    assert digests_in(slack, channel) == 1 and delivery_statuses(services) == ["posted"]
