"""Budget alerts: once per campaign, channel, marketplace day and kind, across processes; grouped when
several cross in one poll; mute, unsubscribe, a channel error pausing the subscription; pacing."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from itertools import pairwise

import pytest
from sqlmodel import select

from bot.blocks.alerts import BLOCK_KIT_ALERTS
from bot.blocks.limits import check_message
from bot.services.pacing import (
    AlertOptions,
    AlertReport,
    ChannelPacer,
    deliver_alerts,
    mute_for_today,
    unsubscribe_alerts,
)
from bot.slack import WebClientDigestSlack
from bot.wiring import Services
from sandbox.slack import DEMO_ADMIN, DEMO_TEAM
from storage.db import session_scope
from storage.models import AlertSubscription
from tests.edits.helpers import synced
from tests.pacing.helpers import CHANNEL, FakePacerClock, alerts_in, claims, run_pacing, subscribe
from tests.sync.world import World


def _text(message: object) -> str:
    return getattr(message, "text", "") + json.dumps(getattr(message, "blocks", []), ensure_ascii=False)


def test_an_out_of_budget_campaign_is_posted_once_per_marketplace_day(world: World) -> None:
    jp = synced(world, region="fe", marketplaces=("JP",), campaigns_per_profile=4)
    campaign = jp.of_state("ENABLED")[0]
    subscribe(world)
    world.clock.now = datetime(2026, 3, 10, 5, 5, tzinfo=UTC)  # Tokyo 14:05
    world.sim.set_budget_usage(jp.profile.profile_id, campaign.campaign_id, 100)
    run_pacing(world.services, world)
    posted = alerts_in(world)
    assert len(posted) == 1
    text = _text(posted[0])
    assert f"{campaign.name}* ran out of budget at 14:00 JST — about 10 hours of today left" in text
    assert "Raise budget +20 %" in text and "Mute for today" in text and "estimate" in text
    assert check_message({"text": posted[0].text, "blocks": posted[0].blocks}) == []

    world.clock.advance(minutes=15)
    run_pacing(world.services, world)  # still out of budget: no second message the same day
    assert len(alerts_in(world)) == 1

    world.clock.now = datetime(2026, 3, 10, 15, 20, tzinfo=UTC)  # Tokyo 00:20 on the 11th: a new day
    run_pacing(world.services, world)
    world.sim.set_budget_usage(jp.profile.profile_id, campaign.campaign_id, 100)
    world.clock.advance(minutes=15)
    run_pacing(world.services, world)
    assert len(alerts_in(world)) == 2
    assert [c.local_date.isoformat() for c in claims(world)] == ["2026-03-10", "2026-03-11"]


def test_two_processes_post_an_alert_once(world: World) -> None:
    account = synced(world, campaigns_per_profile=4)
    campaign = account.of_state("ENABLED")[0]
    subscribe(world)
    world.sim.set_budget_usage(account.profile.profile_id, campaign.campaign_id, 100)
    other = world.new_process()
    run_pacing(world.services, world)
    for services in (other, world.services):  # a second process, then a restart of the first

        def slack_for(team: str, s: Services = services) -> WebClientDigestSlack:
            return WebClientDigestSlack(s.slack.client_for(team))

        pacer = ChannelPacer(AlertOptions(sleep=lambda _: None), AlertReport())
        report = deliver_alerts(
            services,
            slack_for,
            connection_id=account.conn_id,
            now=world.clock.now,
            rendering=BLOCK_KIT_ALERTS,
            pacer=pacer,
        )
        assert (report.claimed, report.already_claimed, report.messages) == (0, 1, 0)
    assert len(alerts_in(world)) == 1
    assert [c.status for c in claims(world)] == ["posted"]


def test_several_campaigns_crossing_in_one_poll_make_one_message_and_posts_are_paced(world: World) -> None:
    account = synced(world, campaigns_per_profile=8)
    enabled = account.of_state("ENABLED")[:4]
    subscribe(world)
    subscribe(world, "C0GENERAL")
    for c in enabled:
        world.sim.set_budget_usage(account.profile.profile_id, c.campaign_id, 100)
    pacer = FakePacerClock()
    report = run_pacing(world.services, world, pacer)
    for channel in (CHANNEL, "C0GENERAL"):
        posted = alerts_in(world, channel)
        assert len(posted) == 1 and posted[0].text == "4 campaigns out of budget in US"
        assert all(c.name in _text(posted[0]) for c in enabled)
        assert check_message({"text": posted[0].text, "blocks": posted[0].blocks}) == []
    assert report.alerts.claimed == 8 and report.alerts.messages == 2


def test_at_risk_then_out_of_budget_each_once_and_mute_stops_the_rest_of_the_day(world: World) -> None:
    account = synced(world, campaigns_per_profile=4)
    first, second = account.of_state("ENABLED")[:2]
    assert first.id is not None
    subscribe(world, threshold=80)
    world.sim.set_budget_usage(account.profile.profile_id, first.campaign_id, 85)
    world.sim.set_budget_usage(account.profile.profile_id, second.campaign_id, 85)
    run_pacing(world.services, world)
    assert len(alerts_in(world)) == 2 and "has used 85 % of today's budget" in _text(alerts_in(world)[0])

    mute_for_today(
        world.services, team_id=DEMO_TEAM, channel_id=CHANNEL, campaign_pk=first.id, user_id=DEMO_ADMIN
    )
    for c in (first, second):
        world.sim.set_budget_usage(account.profile.profile_id, c.campaign_id, 100)
    world.clock.advance(minutes=15)
    run_pacing(world.services, world)
    posted = alerts_in(world)
    assert len(posted) == 3 and f"{second.name}* ran out of budget" in _text(posted[-1])


def test_unsubscribed_channels_get_nothing(world: World) -> None:
    account = synced(world, campaigns_per_profile=4)
    subscribe(world)
    assert unsubscribe_alerts(world.services, team_id=DEMO_TEAM, channel_id=CHANNEL)
    world.sim.set_budget_usage(account.profile.profile_id, account.of_state("ENABLED")[0].campaign_id, 100)
    run_pacing(world.services, world)
    assert alerts_in(world) == [] and claims(world) == []


def test_a_channel_hilal_left_pauses_the_subscription_and_tells_the_subscriber(world: World) -> None:
    account = synced(world, campaigns_per_profile=4)
    subscribe(world)
    world.slack.fail("chat.postMessage", error="not_in_channel")
    world.sim.set_budget_usage(account.profile.profile_id, account.of_state("ENABLED")[0].campaign_id, 100)
    report = run_pacing(world.services, world)
    assert report.alerts.paused == 1
    with session_scope(world.engine, readonly=True) as s:
        sub = s.exec(select(AlertSubscription)).one()
    assert sub.paused_at is not None and sub.pause_reason == "not_in_channel"
    assert any("paused budget alerts" in m.text for m in world.slack.messages("D0ADMIN"))
    world.clock.advance(minutes=15)
    assert run_pacing(world.services, world).alerts.claimed == 0


def test_a_429_is_retried_after_retry_after_and_each_channel_gets_one_post_a_second(world: World) -> None:
    account = synced(world, campaigns_per_profile=6)
    first, second = account.of_state("ENABLED")[:2]
    subscribe(world)
    for c in (first, second):
        world.sim.set_budget_usage(account.profile.profile_id, c.campaign_id, 100)
    world.slack.fail("chat.postMessage", error="ratelimited", status=429)
    pacer = FakePacerClock()
    report = run_pacing(world.services, world, pacer)
    assert report.alerts.messages == 2 and report.alerts.rate_limited_retries == 1
    times = [t for _, channel, t in report.alerts.posts if channel == CHANNEL]
    assert all(b - a >= 1.0 for a, b in pairwise(times))
    assert len(alerts_in(world)) == 2


def test_a_dead_token_pauses_the_teams_alerts_at_once_and_tells_nobody(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    account = synced(world, campaigns_per_profile=4)
    subscribe(world)
    subscribe(world, "C0OTHER")
    world.slack.fail("chat.postMessage", error="token_revoked", times=100)
    world.sim.set_budget_usage(account.profile.profile_id, account.of_state("ENABLED")[0].campaign_id, 100)
    with caplog.at_level(logging.WARNING):
        report = run_pacing(world.services, world)
    assert report.alerts.paused == 2
    [call] = world.slack.calls("chat.postMessage")  # one refusal; no DM, no second channel tried
    assert call.args["channel"] == CHANNEL and world.slack.messages("D0ADMIN") == []
    [lost] = [r for r in caplog.records if r.getMessage() == "alerts.installation_lost"]
    assert sorted(lost.__dict__["channels"]) == sorted([CHANNEL, "C0OTHER"])
    with session_scope(world.engine, readonly=True) as s:
        subs = s.exec(select(AlertSubscription)).all()
    assert [(sub.paused_at is not None, sub.pause_reason) for sub in subs] == [(True, "token_revoked")] * 2
    world.clock.advance(minutes=15)
    assert run_pacing(world.services, world).alerts.claimed == 0
    assert len(world.slack.calls("chat.postMessage")) == 1
