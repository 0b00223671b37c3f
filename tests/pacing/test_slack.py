"""Alerts through Slack: the `/hilal alerts` commands (managers only to change), and an alert's
**Raise budget +20 %** leading to the live-edit preview through the edit guards, and **Mute for today**."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlmodel import select

from sandbox.slack import DEMO_MEMBER
from storage.db import session_scope
from storage.models import AlertMute, AlertSubscription, Connection
from tests.edits.helpers import amazon_budget, puts
from tests.edits.slack_world import SlackWorld, slack_world, text_of
from tests.pacing.helpers import CHANNEL, alerts_in, latest, run_pacing
from tests.sync.world import World


@pytest.fixture
def sw(world: World) -> Iterator[SlackWorld]:
    with slack_world(world, campaigns_per_profile=4) as built:
        yield built


def _subscriptions(sw: SlackWorld) -> list[AlertSubscription]:
    with session_scope(sw.world.engine, readonly=True) as s:
        return list(s.exec(select(AlertSubscription)).all())


def _alert(sw: SlackWorld) -> object:
    campaign = sw.account.of_state("ENABLED")[0]
    sw.world.sim.set_budget_usage(sw.account.profile.profile_id, campaign.campaign_id, 100)
    run_pacing(sw.world.services, sw.world)
    (posted,) = alerts_in(sw.world)
    return posted


def test_subscribe_list_unsubscribe_and_members_may_not_change(sw: SlackWorld) -> None:
    sw.h.command("alerts subscribe at-risk 80 region na marketplace us")
    assert "Budget alerts on in <#C0PPC>" in sw.reply().text
    (sub,) = _subscriptions(sw)
    assert (sub.threshold, sub.regions, sub.marketplaces, sub.active) == (80, "na", "US", True)

    sw.h.command("alerts list")
    assert "at risk from 80 %" in text_of(sw.reply())

    sw.h.command("alerts unsubscribe", user=DEMO_MEMBER)
    assert "Only people who manage Hilal" in text_of(sw.reply())
    assert _subscriptions(sw)[0].active

    sw.h.command("alerts unsubscribe")
    assert "Budget alerts stopped" in sw.reply().text
    assert not _subscriptions(sw)[0].active

    sw.h.command("alerts subscribe at-risk 120")
    assert "out of range" in text_of(sw.reply())


def test_raise_budget_opens_the_live_edit_preview_and_confirm_applies_it(sw: SlackWorld) -> None:
    sw.h.command("alerts subscribe out-of-budget")
    posted = _alert(sw)
    campaign = sw.account.of_state("ENABLED")[0]
    before = amazon_budget(sw.world, sw.account.profile, campaign.campaign_id)

    sw.click("alerts.raise", message=posted)
    preview = text_of(sw.reply())
    assert campaign.name in preview and "Confirm" in preview
    assert puts(sw.world) == 0  # a preview sends nothing

    sw.click("edits.confirm")
    assert "1 changed" in sw.reply().text
    after = amazon_budget(sw.world, sw.account.profile, campaign.campaign_id)
    assert after == (before * 12 / 10).quantize(after)


def test_after_a_confirmed_raise_the_next_poll_no_longer_reports_out_of_budget(sw: SlackWorld) -> None:
    sw.h.command("alerts subscribe out-of-budget")
    _alert(sw)
    campaign = sw.account.of_state("ENABLED")[0]
    assert campaign.id is not None
    reading = latest(sw.world, campaign.id)
    assert reading is not None and reading.percent >= 100

    sw.click("alerts.raise", message=alerts_in(sw.world)[-1])
    sw.click("edits.confirm")
    assert "1 changed" in sw.reply().text
    sw.world.clock.advance(minutes=15)  # the next poll
    run_pacing(sw.world.services, sw.world)
    reading = latest(sw.world, campaign.id)
    assert reading is not None and reading.percent < 100  # about 100 / 1.2, spending again
    assert len(alerts_in(sw.world)) == 1  # no new out-of-budget alert


def test_raise_budget_goes_through_the_edit_guards(sw: SlackWorld) -> None:
    sw.h.command("alerts subscribe out-of-budget")
    posted = _alert(sw)
    sw.click("alerts.raise", message=posted, user=DEMO_MEMBER)  # not an editor
    assert puts(sw.world) == 0 and "people an admin named as editors" in sw.reply().text

    with session_scope(sw.world.engine) as s:
        conn = s.get(Connection, sw.account.conn_id)
        assert conn is not None
        conn.read_only = True
        s.add(conn)
    sw.click("alerts.raise", message=posted)
    assert "read-only" in text_of(sw.reply()).lower() and puts(sw.world) == 0


def test_mute_for_today_from_the_alert(sw: SlackWorld) -> None:
    sw.h.command("alerts subscribe out-of-budget")
    posted = _alert(sw)
    container = {"type": "message", "channel_id": CHANNEL}
    sw.click("alerts.mute", message=posted, container=container, user=DEMO_MEMBER)  # not an editor
    assert "people an admin named as editors" in sw.reply().text
    with session_scope(sw.world.engine, readonly=True) as s:
        assert s.exec(select(AlertMute)).all() == []
    sw.click("alerts.mute", message=posted, container=container)
    assert "Muted" in sw.reply().text
    with session_scope(sw.world.engine, readonly=True) as s:
        (mute,) = s.exec(select(AlertMute)).all()
    assert mute.channel_id == CHANNEL and str(mute.local_date) == "2026-03-10"
    sw.world.clock.advance(minutes=15)
    run_pacing(sw.world.services, sw.world)
    assert len(alerts_in(sw.world)) == 1
